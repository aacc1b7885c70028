/* importview.c: what the import pages show (the list choice, progress, the preview of matches) and the CSV an export writes. */
#include <stdio.h>
#include <string.h>

#include "csv.h"
#include "importview.h"
#include "reqjson.h"

static void
add_str(struct json_object *o, const char *name, const char *v)
{
	json_object_object_add(o, name, json_object_new_string(v ? v : ""));
}

static void
add_int(struct json_object *o, const char *name, long long v)
{
	json_object_object_add(o, name, json_object_new_int64(v));
}

struct json_object *
importview_lists(struct req *r, enum movie_list selected)
{
	struct json_object *a = json_object_new_array();

	for (int k = 0; k < LIST_COUNT; k++) {
		struct json_object *o = json_object_new_object();

		add_str(o, "name", list_name((enum movie_list)k));
		add_str(o, "label", list_label((enum movie_list)k));
		add_str(o, "csv_url", arena_printf(r->arena, "%s.csv", list_url((enum movie_list)k)));
		if (k == (int)selected)
			json_object_object_add(o, "selected", json_object_new_boolean(1));
		json_object_array_add(a, o);
	}
	return a;
}

static void
add_job(struct req *r, struct json_object *ctx, const struct import_job *job)
{
	add_int(ctx, "job_id", job->id);
	add_str(ctx, "job_url", arena_printf(r->arena, "/import/%lld", (long long)job->id));
	add_str(ctx, "list_name", list_name(job->list));
	add_str(ctx, "list_label", list_label(job->list));
	add_str(ctx, "list_url", list_url(job->list));
	add_str(ctx, "format", job->format);
	add_str(ctx, "filename", job->filename);
	add_int(ctx, "total", (long long)job->total);
}

struct json_object *
importview_progress(struct req *r, const struct import_job *job)
{
	struct json_object *ctx = req_object(r);

	add_job(r, ctx, job);
	add_int(ctx, "done", (long long)job->done);
	add_int(ctx, "percent", job->total ? (long long)(job->done * 100 / job->total) : 100);
	if (job->stalls > 0)
		json_object_object_add(ctx, "stalled", json_object_new_boolean(1));
	/* The page asks for the next batch by reloading itself: no script needed. */
	add_int(ctx, "refresh_seconds", 1);
	return ctx;
}

/* What the file said of a row: "Title (1999)", the IMDb id or the TMDb id. */
static const char *
row_source(struct req *r, const struct import_row *row)
{
	const char *title = row->title[0] ? row->title : "(no title)";

	if (row->tmdb_id)
		return arena_printf(r->arena, "%s (TMDb id %lld)", title, (long long)row->tmdb_id);
	if (row->imdb_id)
		return arena_printf(r->arena, "%s (IMDb %s)", title, row->imdb_id);
	return row->year ? arena_printf(r->arena, "%s (%d)", title, row->year) : title;
}

static struct json_object *
movie(struct req *r, const struct import_candidate *c)
{
	struct json_object *o = json_object_new_object();

	add_int(o, "id", c->id);
	add_str(o, "title", c->title);
	add_str(o, "year", c->year);
	add_str(o, "date", c->date);
	add_str(o, "url", arena_printf(r->arena, "/movie/%lld", (long long)c->id));
	return o;
}

/* Rows listed in full before a list folds into a <details> (a page of 100 stays readable). */
#define PREVIEW_OPEN_ROWS	10

/*
 * A preview list (this page's rows of a group of total rows) and what its section shows:
 * has_<name> (an empty <ul> is not valid), fold_<name> with the summary to unfold it.
 */
static void
add_list(struct req *r, struct json_object *ctx, const char *name, struct json_object *list, size_t total)
{
	size_t n = json_object_array_length(list);

	json_object_object_add(ctx, name, list);
	json_object_object_add(ctx, arena_printf(r->arena, "has_%s", name), json_object_new_boolean(n > 0));
	if (n > PREVIEW_OPEN_ROWS)
		add_str(ctx, arena_printf(r->arena, "fold_%s", name), n == total ?
		    arena_printf(r->arena, "Show all %zu", n) : arena_printf(r->arena, "Show these %zu of %zu", n, total));
}

static struct json_object *
ambiguous(struct req *r, const struct import_row *row)
{
	struct json_object *o = json_object_new_object(), *cands = json_object_new_array();

	add_int(o, "line", row->line);
	add_str(o, "source", row_source(r, row));
	add_str(o, "field", arena_printf(r->arena, "pick%zu", row->index));
	for (int k = 0; k < row->ncand; k++) {
		struct json_object *m = movie(r, &row->cand[k]);

		add_str(m, "radio_id", arena_printf(r->arena, "pick%zu-%lld", row->index, (long long)row->cand[k].id));
		json_object_array_add(cands, m);
	}
	json_object_object_add(o, "candidates", cands);
	if (row->choosable)
		json_object_object_add(o, "choosable", json_object_new_boolean(1));
	return o;
}

struct json_object *
importview_preview_context(struct req *r, const struct import_job *job)
{
	struct json_object *ctx = req_object(r);

	add_job(r, ctx, job);
	add_int(ctx, "n_matched", (long long)job->n_matched);
	add_int(ctx, "n_ambiguous", (long long)job->n_ambiguous);
	add_int(ctx, "n_missing", (long long)job->n_missing);
	add_int(ctx, "n_already", (long long)job->n_already);
	if (job->n_ambiguous > IMPORT_MAX_CHOICES)
		add_int(ctx, "choices_cut", IMPORT_MAX_CHOICES);
	return ctx;
}

void
importview_preview(struct req *r, struct json_object *ctx, const struct import_job *job, const struct import_page *pg)
{
	struct json_object	*matched = json_object_new_array(), *already = json_object_new_array(),
				*amb = json_object_new_array(), *missing = json_object_new_array();

	for (size_t i = 0; i < pg->n; i++) {
		const struct import_row	*row = &pg->rows[i];
		struct json_object	*o;

		if (row->state == IMPORT_AMBIGUOUS) {
			json_object_array_add(amb, ambiguous(r, row));
			continue;
		}
		o = row->state == IMPORT_MATCHED ? movie(r, &row->cand[0]) : json_object_new_object();
		add_int(o, "line", row->line);
		add_str(o, "source", row_source(r, row));
		if (row->failed)
			json_object_object_add(o, "failed", json_object_new_boolean(1));
		json_object_array_add(row->state != IMPORT_MATCHED ? missing : row->present ? already : matched, o);
	}
	add_list(r, ctx, "matched", matched, job->n_matched);
	add_list(r, ctx, "already", already, job->n_already);
	add_list(r, ctx, "missing", missing, job->n_missing);
	json_object_object_add(ctx, "ambiguous", amb);
}

void
importview_csv(struct buf *out, const struct list_row *rows, int n)
{
	static const char *const header[] = { "Name", "Year", "tmdbID" };

	csv_write_row(out, header, 3);
	for (int i = 0; i < n; i++) {
		const char	*title = rows[i].movie ? json_str(rows[i].movie, "title") : NULL;
		const char	*date = rows[i].movie ? json_str(rows[i].movie, "release_date") : NULL;
		char		 year[5] = "", id[24];
		const char	*cells[3] = { title ? title : "", year, id };

		if (date && strlen(date) >= 4)
			memcpy(year, date, 4);
		snprintf(id, sizeof(id), "%lld", (long long)rows[i].movie_id);
		csv_write_row(out, cells, 3);
	}
}
