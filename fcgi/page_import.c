/* page_import.c: importing a list from a CSV file (upload, matching progress, preview, confirm); the export is page_lists.c's. */
#include <string.h>

#include "auth.h"
#include "csrf_web.h"
#include "handlers.h"
#include "importview.h"
#include "model_import.h"
#include "reqjson.h"
#include "view.h"
#include "visitor.h"

void
page_import(struct req *r, struct resp *rs)
{
	struct json_object *ctx = req_object(r);

	json_object_object_add(ctx, "lists", importview_lists(r, (enum movie_list)r->arg.list));
	json_object_object_add(ctx, "max_rows", json_object_new_int(LISTFILE_MAX_ROWS));
	csrf_form_token(r, rs);
	view_page(r, rs, "import", "Import a list", ctx);
}

/* A cell for a message: at most 40 bytes, never cut inside a character. */
static const char *
short_cell(struct req *r, const char *s)
{
	size_t n = strlen(s);

	if (n > 40)
		for (n = 40; n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80; n--)
			;
	return arena_strndup(r->arena, s, n);
}

/* Why a file is refused, in the words of the failure table (400: nothing is kept). */
static void
refuse(struct req *r, struct resp *rs, const struct listfile *lf)
{
	switch (lf->err) {
	case LISTFILE_CSV:
		if (lf->csv_err == CSV_BINARY)
			answer_failf(r, rs, FAIL_INPUT, MSG_IMPORT_NOT_TEXT, lf->line);
		else if (lf->csv_err == CSV_BAD_UTF8)
			answer_failf(r, rs, FAIL_INPUT, MSG_IMPORT_UTF8, lf->line);
		else
			answer_failf(r, rs, FAIL_INPUT, MSG_IMPORT_MALFORMED, lf->line, csv_error_text(lf->csv_err));
		return;
	case LISTFILE_COLUMNS:
		answer_fail(r, rs, FAIL_INPUT, MSG_IMPORT_COLUMNS);
		return;
	case LISTFILE_TOO_MANY_ROWS:
		answer_failf(r, rs, FAIL_INPUT, MSG_IMPORT_TOO_MANY_ROWS, LISTFILE_MAX_ROWS);
		return;
	case LISTFILE_FORMULA:
		answer_failf(r, rs, FAIL_INPUT, MSG_IMPORT_FORMULA, lf->line, short_cell(r, lf->cell));
		return;
	case LISTFILE_BAD_ID:
		answer_failf(r, rs, FAIL_INPUT, MSG_IMPORT_BAD_ID, lf->line, short_cell(r, lf->cell));
		return;
	case LISTFILE_EMPTY:
	case LISTFILE_OK:
		break;
	}
	answer_fail(r, rs, FAIL_INPUT, MSG_IMPORT_EMPTY);
}

void
page_import_post(struct req *r, struct resp *rs)
{
	const struct upload	*file = req_file(r, "file");
	struct listfile		 lf;
	int64_t			 job_id;

	if (file == NULL || (file->len == 0 && file->filename[0] == '\0')) {
		answer_fail(r, rs, FAIL_INPUT, MSG_IMPORT_NO_FILE);
		return;
	}
	if (file->len > LISTFILE_MAX_BYTES) {
		answer_fail(r, rs, FAIL_TOO_LARGE, MSG_IMPORT_TOO_LARGE);
		return;
	}
	if (listfile_parse(r->arena, file->data, file->len, &lf) != 0) {
		refuse(r, rs, &lf);
		return;
	}
	if (import_create(r, r->user->id, (enum movie_list)r->arg.list, &lf, file->filename, &job_id) != FAIL_OK) {
		answer_fail(r, rs, FAIL_CACHE, MSG_IMPORT_DOWN);
		return;
	}
	resp_redirect(rs, 303, arena_printf(r->arena, "/import/%lld", (long long)job_id));
}

/* The user's job of this address: FAIL_OK, or answered (404: none of theirs; 503). */
static enum fail
load_job(struct req *r, struct resp *rs, struct import_job *job)
{
	enum fail f = import_load(r, r->user->id, r->path_int[0], job);

	if (f == FAIL_NOT_FOUND)
		answer_fail(r, rs, FAIL_NOT_FOUND, MSG_IMPORT_UNKNOWN);
	else if (f != FAIL_OK)
		answer_fail(r, rs, FAIL_CACHE, MSG_IMPORT_DOWN);
	return f;
}

/* present[i]: row i matched a movie the list holds already. FAIL_OK or FAIL_DB. */
static enum fail
already_listed(struct req *r, const struct import_job *job, int **present)
{
	int64_t		*ids = arena_alloc(r->arena, (job->total + 1) * sizeof(*ids));
	int		*in = arena_alloc(r->arena, (job->total + 1) * sizeof(*in));

	*present = arena_alloc(r->arena, (job->total + 1) * sizeof(**present));
	for (size_t i = 0; i < job->total; i++)
		ids[i] = job->rows[i].state == IMPORT_MATCHED && i < job->done ? job->rows[i].cand[0].id : 0;
	if (list_among(r, job->list, r->user->id, ids, job->total, in) != FAIL_OK)
		return FAIL_DB;
	for (size_t i = 0; i < job->total; i++)
		(*present)[i] = ids[i] != 0 && in[i];
	return FAIL_OK;
}

void
page_import_job(struct req *r, struct resp *rs)
{
	struct import_job	 job;
	int			*present;

	if (load_job(r, rs, &job) != FAIL_OK)
		return;
	if (job.done < job.total && import_match_next(r, r->user->id, &job) != FAIL_OK) {
		answer_fail(r, rs, FAIL_CACHE, MSG_IMPORT_DOWN);
		return;
	}
	if (job.done < job.total) {
		view_page(r, rs, "import_progress", "Matching your list", importview_progress(r, &job));
		return;
	}
	if (already_listed(r, &job, &present) != FAIL_OK) {
		answer_fail(r, rs, FAIL_DB, MSG_IMPORT_SAVE);
		return;
	}
	csrf_form_token(r, rs);
	view_page(r, rs, "import_preview", "Check your import", importview_preview(r, &job, present));
}

/* The movies to save: every match, and each ambiguous row's candidate the form picked. */
static size_t
chosen(struct req *r, const struct import_job *job, int64_t *ids, const char **titles)
{
	size_t n = 0;

	for (size_t i = 0; i < job->done; i++) {
		const struct import_row	*row = &job->rows[i];
		const char		*pick = row->state == IMPORT_AMBIGUOUS ?
		    params_get(&r->form, arena_printf(r->arena, "pick%zu", i)) : NULL;

		for (int k = 0; k < row->ncand; k++)
			if (row->state == IMPORT_MATCHED ||
			    (pick && strcmp(pick, arena_printf(r->arena, "%lld", (long long)row->cand[k].id)) == 0)) {
				ids[n] = row->cand[k].id;
				titles[n++] = row->cand[k].title;
				break;
			}
	}
	return n;
}

void
page_import_confirm(struct req *r, struct resp *rs)
{
	struct import_job	 job;
	int64_t			*ids;
	const char		**titles;
	long long		 added;
	size_t			 n;

	if (load_job(r, rs, &job) != FAIL_OK)
		return;
	if (job.done < job.total) {
		answer_fail(r, rs, FAIL_INPUT, MSG_IMPORT_NOT_READY);
		return;
	}
	ids = arena_alloc(r->arena, (job.total + 1) * sizeof(*ids));
	titles = arena_alloc(r->arena, (job.total + 1) * sizeof(*titles));
	n = chosen(r, &job, ids, titles);
	/* One statement: every chosen movie is saved, or (on failure) none is. */
	if (list_add_many(r, job.list, r->user->id, ids, titles, n, &added) != FAIL_OK) {
		answer_fail(r, rs, FAIL_DB, MSG_IMPORT_SAVE);
		return;
	}
	visitor_forget(r);
	import_forget(r, r->user->id, job.id);
	resp_redirect(rs, 303, arena_printf(r->arena, "%s?imported=%lld", list_url(job.list), added));
}
