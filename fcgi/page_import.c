/* page_import.c: importing a list from a CSV file (upload, matching progress, preview, confirm); the export is page_lists.c's. */
#include <string.h>

#include "auth.h"
#include "config.h"
#include "csrf_web.h"
#include "handlers.h"
#include "importview.h"
#include "model_import.h"
#include "movieview.h"
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
	int			 retry_after = 0;

	if (file == NULL || (file->len == 0 && file->filename[0] == '\0')) {
		answer_fail(r, rs, FAIL_INPUT, MSG_IMPORT_NO_FILE);
		return;
	}
	if (file->len > LISTFILE_MAX_BYTES) {
		answer_fail(r, rs, FAIL_TOO_LARGE, MSG_IMPORT_TOO_LARGE);
		return;
	}
	if (import_throttled(r, r->user->id, &retry_after)) {
		int minutes = (retry_after + 59) / 60;

		resp_header(rs, "Retry-After", "%d", retry_after);
		answer_failf(r, rs, FAIL_THROTTLED, MSG_IMPORT_THROTTLED, config.import_upload_limit,
		    config.import_upload_window / 60, minutes, minutes == 1 ? "" : "s");
		return;
	}
	if (listfile_parse(r->arena, file->data, file->len, &lf) != 0) {
		refuse(r, rs, &lf);
		return;
	}
	switch (import_create(r, r->user->id, (enum movie_list)r->arg.list, &lf, file->filename, &job_id)) {
	case FAIL_OK:
		break;
	case FAIL_THROTTLED:
		answer_failf(r, rs, FAIL_THROTTLED, MSG_IMPORT_TOO_MANY_JOBS, config.import_max_jobs);
		return;
	case FAIL_TOO_LARGE:
		answer_failf(r, rs, FAIL_TOO_LARGE, MSG_IMPORT_OVER_BYTES, config.import_max_bytes / 1024);
		return;
	default:
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

/* A job matched to its end, its preview built: FAIL_OK, or answered (the progress page; 503). */
static enum fail
matched_job(struct req *r, struct resp *rs, struct import_job *job)
{
	enum fail f = FAIL_OK;

	if (job->built)
		return FAIL_OK;
	if (job->done < job->total && import_match_next(r, r->user->id, job) != FAIL_OK) {
		answer_fail(r, rs, FAIL_CACHE, MSG_IMPORT_DOWN);
		return FAIL_CACHE;
	}
	if (job->done < job->total) {
		view_page(r, rs, "import_progress", "Matching your list", importview_progress(r, job));
		return FAIL_INPUT;
	}
	if ((f = import_build_preview(r, r->user->id, job)) != FAIL_OK)
		answer_fail(r, rs, f, f == FAIL_DB ? MSG_IMPORT_SAVE : MSG_IMPORT_DOWN);
	return f;
}

void
page_import_job(struct req *r, struct resp *rs)
{
	struct import_job	 job;
	struct import_page	 pg;
	struct json_object	*ctx;

	if (load_job(r, rs, &job) != FAIL_OK || matched_job(r, rs, &job) != FAIL_OK)
		return;
	/* One page's rows at a time: a 5,000-row preview costs what 100 rows do. */
	ctx = importview_preview_context(r, &job);
	if (movieview_pager(r, rs, ctx, r->arg.page, (int)job.pages,
	    arena_printf(r->arena, "/import/%lld?page=", (long long)job.id)) != 0)
		return;
	if (import_load_pages(r, r->user->id, &job, (size_t)r->arg.page, 1, &pg) != FAIL_OK) {
		answer_fail(r, rs, FAIL_CACHE, MSG_IMPORT_DOWN);
		return;
	}
	importview_preview(r, ctx, &job, &pg);
	csrf_form_token(r, rs);
	view_page(r, rs, "import_preview", "Check your import", ctx);
}

/* The movies to save: every match, and each ambiguous row's candidate the form picked. */
static size_t
chosen(struct req *r, const struct import_page *pages, size_t npages, int64_t *ids, const char **titles)
{
	size_t n = 0;

	for (size_t p = 0; p < npages; p++)
		for (size_t i = 0; i < pages[p].n; i++) {
			const struct import_row	*row = &pages[p].rows[i];
			const char		*pick = row->state == IMPORT_AMBIGUOUS && row->choosable ?
			    params_get(&r->form, arena_printf(r->arena, "pick%zu", row->index)) : NULL;

			for (int k = 0; k < row->ncand; k++)
				if (row->state == IMPORT_MATCHED || (pick && strcmp(pick,
				    arena_printf(r->arena, "%lld", (long long)row->cand[k].id)) == 0)) {
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
	struct import_page	*pages;
	int64_t			*ids;
	const char		**titles;
	long long		 added;
	size_t			 n;

	if (load_job(r, rs, &job) != FAIL_OK)
		return;
	if (!job.built) {
		answer_fail(r, rs, FAIL_INPUT, MSG_IMPORT_NOT_READY);
		return;
	}
	pages = arena_alloc(r->arena, (job.pages + 1) * sizeof(*pages));
	if (import_load_pages(r, r->user->id, &job, 1, job.pages, pages) != FAIL_OK) {
		answer_fail(r, rs, FAIL_CACHE, MSG_IMPORT_DOWN);
		return;
	}
	ids = arena_alloc(r->arena, (job.total + 1) * sizeof(*ids));
	titles = arena_alloc(r->arena, (job.total + 1) * sizeof(*titles));
	n = chosen(r, pages, job.pages, ids, titles);
	/* One statement: every chosen movie is saved, or (on failure) none is. */
	if (list_add_many(r, job.list, r->user->id, ids, titles, n, &added) != FAIL_OK) {
		answer_fail(r, rs, FAIL_DB, MSG_IMPORT_SAVE);
		return;
	}
	visitor_forget(r);
	import_forget(r, r->user->id, &job);
	resp_redirect(rs, 303, arena_printf(r->arena, "%s?imported=%lld", list_url(job.list), added));
}
