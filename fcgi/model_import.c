/* model_import.c: owns the import jobs in Redis (import:<user id>:<job id>): created from a parsed file, matched in bounded batches, read for the preview. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <json-c/json.h>

#include "app.h"
#include "cache.h"
#include "config.h"
#include "model_import.h"
#include "movies.h"
#include "rand.h"
#include "reqjson.h"
#include "throttle.h"
#include "util.h"

static const char *
job_key(struct req *r, int64_t user_id, int64_t job_id)
{
	return arena_printf(r->arena, "import:%lld:%lld", (long long)user_id, (long long)job_id);
}

static struct json_object *
get(struct json_object *o, const char *name)
{
	struct json_object *v = NULL;

	return json_object_object_get_ex(o, name, &v) ? v : NULL;
}

/* A user's job slots: imports:<user id>:<k> holds "<job id>.<bytes>" while that job lives. */
static const char *
slot_key(struct req *r, int64_t user_id, int k)
{
	return arena_printf(r->arena, "imports:%lld:%d", (long long)user_id, k);
}

/* Seconds a job expiring at exp (wall clock) has left: a job and its slot go together. */
static int
ttl_left(int64_t exp)
{
	int64_t left = exp - (int64_t)time(NULL);

	return left < 1 ? 1 : left > IMPORT_TTL_S ? IMPORT_TTL_S : (int)left;
}

static enum fail
save(struct req *r, int64_t user_id, int64_t job_id, struct json_object *doc)
{
	size_t		 len;
	const char	*s = json_object_to_json_string_length(doc, JSON_C_TO_STRING_PLAIN, &len);
	int		 ttl = ttl_left(json_object_get_int64(get(doc, "exp")));

	if (app.cache == NULL || cache_set(app.cache, job_key(r, user_id, job_id), s, len, ttl) != 0)
		return FAIL_CACHE;
	return FAIL_OK;
}

int
import_throttled(struct req *r, int64_t user_id, int *retry_after)
{
	return throttle_attempt(app.cache, "import", arena_printf(r->arena, "%lld", (long long)user_id),
	    config.import_upload_limit, config.import_upload_window, retry_after);
}

/*
 * Takes a free slot for a new job of bytes: FAIL_OK with *slot and *token, FAIL_THROTTLED when
 * every slot is taken, FAIL_TOO_LARGE when the user's jobs would keep more than
 * IMPORT_MAX_BYTES, FAIL_CACHE. SET NX makes a slot one job's; two uploads at once may both
 * pass the byte check (each is still bounded by the file limit).
 */
static enum fail
reserve(struct req *r, int64_t user_id, int64_t job_id, size_t bytes, int *slot, const char **token)
{
	int		 n = config.import_max_jobs;
	const char	**keys = arena_alloc(r->arena, (size_t)n * sizeof(*keys));
	char		**vals = arena_alloc(r->arena, (size_t)n * sizeof(*vals));
	size_t		 held = 0;
	enum fail	 f = FAIL_THROTTLED;

	for (int k = 0; k < n; k++)
		keys[k] = slot_key(r, user_id, k);
	if (app.cache == NULL || cache_mget(app.cache, keys, (size_t)n, vals, NULL) != 0)
		return FAIL_CACHE;
	for (int k = 0; k < n; k++) {
		const char *dot = vals[k] ? strchr(vals[k], '.') : NULL;

		held += dot ? strtoull(dot + 1, NULL, 10) : 0;
	}
	*token = arena_printf(r->arena, "%lld.%zu", (long long)job_id, bytes);
	if (held + bytes > (size_t)config.import_max_bytes)
		f = FAIL_TOO_LARGE;
	for (int k = 0; k < n && f == FAIL_THROTTLED; k++)
		if (vals[k] == NULL) {
			int got = cache_lock(app.cache, keys[k], *token, IMPORT_TTL_S * 1000);

			f = got < 0 ? FAIL_CACHE : got == 1 ? FAIL_OK : f;
			*slot = k;
		}
	for (int k = 0; k < n; k++)
		free(vals[k]);
	return f;
}

/* What the file said of a row: line, title, year and the ids it gave. */
static void
add_row_fields(struct json_object *o, long line, const char *title, int year, int64_t tmdb_id, const char *imdb_id)
{
	json_object_object_add(o, "l", json_object_new_int64(line));
	json_object_object_add(o, "t", json_object_new_string(title));
	json_object_object_add(o, "y", json_object_new_int(year));
	if (tmdb_id)
		json_object_object_add(o, "id", json_object_new_int64(tmdb_id));
	if (imdb_id)
		json_object_object_add(o, "imdb", json_object_new_string(imdb_id));
}

static struct json_object *
row_json(const struct listfile_row *row)
{
	struct json_object *o = json_object_new_object();

	add_row_fields(o, row->line, row->title, row->year, row->tmdb_id, row->imdb_id);
	return o;
}

enum fail
import_create(struct req *r, int64_t user_id, enum movie_list list, const struct listfile *lf,
    const char *filename, int64_t *job_id)
{
	struct json_object	*doc = req_object(r), *rows = json_object_new_array_ext((int)lf->n);
	uint32_t		 rnd;
	size_t			 len;
	const char		*token;
	int			 slot = 0;
	enum fail		 f;

	rand_bytes(&rnd, sizeof(rnd));
	/* A positive 31-bit number: the route's {id}. Jobs are per user, so it need not be secret. */
	*job_id = (rnd & 0x7fffffff) ? (rnd & 0x7fffffff) : 1;
	json_object_object_add(doc, "exp", json_object_new_int64((int64_t)time(NULL) + IMPORT_TTL_S));
	json_object_object_add(doc, "list", json_object_new_string(list_name(list)));
	json_object_object_add(doc, "format", json_object_new_string(listfile_format_name(lf->format)));
	json_object_object_add(doc, "file", json_object_new_string(filename ? filename : ""));
	json_object_object_add(doc, "stalls", json_object_new_int(0));
	for (size_t i = 0; i < lf->n; i++)
		json_object_array_add(rows, row_json(&lf->rows[i]));
	json_object_object_add(doc, "rows", rows);
	json_object_object_add(doc, "res", json_object_new_array());
	/* What it keeps in Redis: the rows as stored, and room for their results. */
	(void)json_object_to_json_string_length(doc, JSON_C_TO_STRING_PLAIN, &len);
	len += lf->n * IMPORT_RESULT_BYTES;
	if ((f = reserve(r, user_id, *job_id, len, &slot, &token)) != FAIL_OK)
		return f;
	json_object_object_add(doc, "slot", json_object_new_int(slot));
	json_object_object_add(doc, "tok", json_object_new_string(token));
	if ((f = save(r, user_id, *job_id, doc)) != FAIL_OK)
		cache_unlock(app.cache, slot_key(r, user_id, slot), token);
	return f;
}

static const char *
str_or_empty(struct json_object *o, const char *name)
{
	const char *s = json_str(o, name);

	return s ? s : "";
}

/* o's member name when it is an array, else NULL (stored data is checked, never trusted). */
static struct json_object *
array_of(struct json_object *o, const char *name)
{
	struct json_object *a = get(o, name);

	return a && json_object_is_type(a, json_type_array) ? a : NULL;
}

/* One stored result ({"s": state, "f": failed, "c": [{id, t: title, y: year, d: date}]}) into row. */
static int
decode_result(struct json_object *res, struct import_row *row)
{
	struct json_object	*c = array_of(res, "c");
	int			 st = json_object_get_int(get(res, "s"));

	if (st < IMPORT_MATCHED || st > IMPORT_MISSING)
		return -1;
	row->state = (enum import_state)st;
	row->failed = json_object_get_boolean(get(res, "f"));
	row->ncand = 0;
	for (size_t i = 0; c && i < json_object_array_length(c) && i < IMPORT_MAX_CANDIDATES; i++) {
		struct json_object *e = json_object_array_get_idx(c, i);

		row->cand[row->ncand++] = (struct import_candidate){ json_object_get_int64(get(e, "id")),
		    str_or_empty(e, "t"), str_or_empty(e, "y"), str_or_empty(e, "d") };
	}
	/* A match names its movie: the confirm saves cand[0]. */
	return row->state != IMPORT_MISSING && row->ncand == 0 ? -1 : 0;
}

/* What the file said of a row, from o. */
static void
decode_row(struct json_object *o, struct import_row *row)
{
	memset(row, 0, sizeof(*row));
	row->line = (long)json_object_get_int64(get(o, "l"));
	row->title = str_or_empty(o, "t");
	row->year = json_object_get_int(get(o, "y"));
	row->tmdb_id = json_object_get_int64(get(o, "id"));
	row->imdb_id = json_str(o, "imdb");
}

/* The job's rows while it is matched: rows[i] and, for i < done, res[i]. -1 when malformed. */
static int
decode_matching(struct arena *a, struct json_object *rows, struct json_object *res, struct import_job *job)
{
	job->total = json_object_array_length(rows);
	job->done = json_object_array_length(res);
	if (job->done > job->total)
		return -1;
	job->rows = arena_alloc(a, (job->total + 1) * sizeof(*job->rows));
	for (size_t i = 0; i < job->total; i++) {
		decode_row(json_object_array_get_idx(rows, i), &job->rows[i]);
		job->rows[i].index = i;
		if (i < job->done && decode_result(json_object_array_get_idx(res, i), &job->rows[i]) != 0)
			return -1;
	}
	return 0;
}

/* The built preview's summary ({"pages": P, "n": [ambiguous, matched, missing, already]}). */
static int
decode_preview(struct json_object *pv, struct import_job *job)
{
	struct json_object	*n = array_of(pv, "n");
	size_t			 c[IMPORT_GROUPS];

	if (n == NULL || json_object_array_length(n) != IMPORT_GROUPS)
		return -1;
	for (size_t i = 0; i < IMPORT_GROUPS; i++) {
		int64_t v = json_object_get_int64(json_object_array_get_idx(n, i));

		if (v < 0 || v > LISTFILE_MAX_ROWS)
			return -1;
		c[i] = (size_t)v;
	}
	job->built = 1;
	job->n_ambiguous = c[0], job->n_matched = c[1], job->n_missing = c[2], job->n_already = c[3];
	job->total = job->done = c[0] + c[1] + c[2] + c[3];
	job->pages = (size_t)json_object_get_int64(get(pv, "pages"));
	return job->pages == (job->total + IMPORT_PAGE_ROWS - 1) / IMPORT_PAGE_ROWS ? 0 : -1;
}

/* The stored document into job: every field decoded here only. -1 when it is not a job. */
static int
decode(struct arena *a, struct json_object *doc, struct import_job *job)
{
	struct json_object *rows = array_of(doc, "rows"), *res = array_of(doc, "res"), *pv = get(doc, "pv");

	if (!json_object_is_type(doc, json_type_object) || list_by_name(json_str(doc, "list"), &job->list) != 0)
		return -1;
	job->doc = doc;
	job->format = str_or_empty(doc, "format");
	job->filename = str_or_empty(doc, "file");
	job->stalls = json_object_get_int(get(doc, "stalls"));
	job->slot = json_object_get_int(get(doc, "slot"));
	job->token = str_or_empty(doc, "tok");
	if (pv != NULL)
		return decode_preview(pv, job);
	return rows && res ? decode_matching(a, rows, res, job) : -1;
}

static void
put_json(void *o)
{
	json_object_put(o);
}

/* JSON text (len bytes, need not be terminated) as an object the arena releases, or NULL. */
static struct json_object *
parse_kept(struct arena *a, const char *text, size_t len)
{
	struct json_tokener	*tok = json_tokener_new();
	struct json_object	*o;

	if (tok == NULL || len > INT32_MAX) {
		json_tokener_free(tok);
		return NULL;
	}
	o = json_tokener_parse_ex(tok, text, (int)len);
	if (o != NULL && tok->char_offset != (int)len) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	if (o != NULL)
		arena_defer(a, put_json, o);
	return o;
}

int
import_decode(struct arena *a, const char *text, size_t len, struct import_job *job)
{
	struct json_object *doc = parse_kept(a, text, len);

	memset(job, 0, sizeof(*job));
	return doc != NULL && decode(a, doc, job) == 0 ? 0 : -1;
}

int
import_decode_page(struct arena *a, const char *text, size_t len, struct import_page *pg)
{
	struct json_object	*page = parse_kept(a, text, len);
	size_t			 n;

	memset(pg, 0, sizeof(*pg));
	if (page == NULL || !json_object_is_type(page, json_type_array) ||
	    (n = json_object_array_length(page)) > IMPORT_PAGE_ROWS)
		return -1;
	pg->rows = arena_alloc(a, (n + 1) * sizeof(*pg->rows));
	for (size_t i = 0; i < n; i++) {
		struct json_object	*o = json_object_array_get_idx(page, i);
		struct import_row	*row = &pg->rows[i];
		int64_t			 index = json_object_get_int64(get(o, "i"));

		decode_row(o, row);
		if (decode_result(o, row) != 0 || index < 0 || index >= LISTFILE_MAX_ROWS)
			return -1;
		row->index = (size_t)index;
		row->present = json_object_get_boolean(get(o, "p"));
		row->choosable = json_object_get_boolean(get(o, "ch"));
	}
	pg->n = n;
	return 0;
}

enum fail
import_load(struct req *r, int64_t user_id, int64_t job_id, struct import_job *job)
{
	struct buf	 b = BUF_INIT;
	int		 got, bad;

	memset(job, 0, sizeof(*job));
	got = app.cache ? cache_get(app.cache, job_key(r, user_id, job_id), &b) : -1;
	bad = got == 1 ? import_decode(r->arena, b.data, b.len, job) : -1;
	buf_free(&b);
	job->id = job_id;
	if (got < 0)
		return FAIL_CACHE;
	return got == 0 || bad ? FAIL_NOT_FOUND : FAIL_OK;
}

/* Page p's key (p from 1): its rows as the preview shows them. */
static const char *
page_key(struct req *r, int64_t user_id, int64_t job_id, size_t p)
{
	return arena_printf(r->arena, "import:%lld:%lld:%zu", (long long)user_id, (long long)job_id, p);
}

void
import_forget(struct req *r, int64_t user_id, const struct import_job *job)
{
	if (app.cache == NULL)
		return;
	cache_del(app.cache, job_key(r, user_id, job->id));
	for (size_t p = 1; p <= job->pages; p++)
		cache_del(app.cache, page_key(r, user_id, job->id, p));
	cache_unlock(app.cache, slot_key(r, user_id, job->slot), job->token);
}

/* present[i]: row i matched a movie the list holds already. FAIL_OK or FAIL_DB. */
static enum fail
already_listed(struct req *r, int64_t user_id, const struct import_job *job, int *present)
{
	int64_t	*ids = arena_alloc(r->arena, (job->total + 1) * sizeof(*ids));

	for (size_t i = 0; i < job->total; i++)
		ids[i] = job->rows[i].state == IMPORT_MATCHED ? job->rows[i].cand[0].id : 0;
	if (list_among(r, job->list, user_id, ids, job->total, present) != FAIL_OK)
		return FAIL_DB;
	for (size_t i = 0; i < job->total; i++)
		present[i] = ids[i] != 0 && present[i];
	return FAIL_OK;
}

/* Which preview group a row is in: 0 several candidates (first, so the choices are on page 1), 1 matched, 2 not found, 3 already in the list. */
static int
group_of(const struct import_row *row, int present)
{
	if (row->state == IMPORT_AMBIGUOUS)
		return 0;
	if (row->state == IMPORT_MISSING)
		return 2;
	return present ? 3 : 1;
}

/* The entry of row i as a preview page keeps it: the row, its result, i, p (present), ch (choosable). */
static struct json_object *
entry_json(const struct import_job *job, size_t i, int present, int choosable)
{
	const struct import_row	*row = &job->rows[i];
	struct json_object	*o = json_object_new_object();
	struct json_object	*res = json_object_array_get_idx(get(job->doc, "res"), i);

	add_row_fields(o, row->line, row->title, row->year, row->tmdb_id, row->imdb_id);
	json_object_object_add(o, "s", json_object_new_int(row->state));
	if (row->failed)
		json_object_object_add(o, "f", json_object_new_boolean(1));
	if (get(res, "c"))
		json_object_object_add(o, "c", json_object_get(get(res, "c")));
	json_object_object_add(o, "i", json_object_new_int64((int64_t)i));
	if (present)
		json_object_object_add(o, "p", json_object_new_boolean(1));
	if (choosable)
		json_object_object_add(o, "ch", json_object_new_boolean(1));
	return o;
}

/* The pages' arrays, the rows in group order, IMPORT_PAGE_ROWS each; counts[g] per group. */
static struct json_object *
preview_pages(struct req *r, const struct import_job *job, const int *present, size_t *counts)
{
	struct json_object	*pages = req_keep_json(r, json_object_new_array()), *page = NULL;
	size_t			 choices = 0;

	for (int g = 0; g < IMPORT_GROUPS; g++)
		counts[g] = 0;
	for (int g = 0; g < IMPORT_GROUPS; g++)
		for (size_t i = 0; i < job->total; i++) {
			if (group_of(&job->rows[i], present[i]) != g)
				continue;
			if (page == NULL || json_object_array_length(page) == IMPORT_PAGE_ROWS)
				json_object_array_add(pages, page = json_object_new_array());
			json_object_array_add(page, entry_json(job, i, present[i], g == 0 && choices++ < IMPORT_MAX_CHOICES));
			counts[g]++;
		}
	return pages;
}

/* The job's summary once its preview is built: what it was, and the preview's counts and pages. */
static struct json_object *
preview_meta(struct req *r, const struct import_job *job, const size_t *counts, size_t npages)
{
	static const char *const kept[] = { "exp", "list", "format", "file", "slot", "tok" };
	struct json_object	*meta = req_object(r), *pv = json_object_new_object(), *n = json_object_new_array();

	for (size_t k = 0; k < NELEM(kept); k++)
		if (get(job->doc, kept[k]))
			json_object_object_add(meta, kept[k], json_object_get(get(job->doc, kept[k])));
	for (int g = 0; g < IMPORT_GROUPS; g++)
		json_object_array_add(n, json_object_new_int64((int64_t)counts[g]));
	json_object_object_add(pv, "pages", json_object_new_int64((int64_t)npages));
	json_object_object_add(pv, "n", n);
	json_object_object_add(meta, "pv", pv);
	return meta;
}

enum fail
import_build_preview(struct req *r, int64_t user_id, struct import_job *job)
{
	int			*present = arena_alloc(r->arena, (job->total + 1) * sizeof(*present));
	size_t			 counts[IMPORT_GROUPS], npages;
	struct json_object	*pages, *meta;
	struct cache_item	*items;
	int			 ttl = ttl_left(json_object_get_int64(get(job->doc, "exp")));

	if (already_listed(r, user_id, job, present) != FAIL_OK)
		return FAIL_DB;
	pages = preview_pages(r, job, present, counts);
	npages = json_object_array_length(pages);
	meta = preview_meta(r, job, counts, npages);
	items = arena_alloc(r->arena, (npages + 1) * sizeof(*items));
	for (size_t p = 0; p < npages; p++) {
		items[p].key = page_key(r, user_id, job->id, p + 1);
		items[p].val = json_object_to_json_string_length(json_object_array_get_idx(pages, p),
		    JSON_C_TO_STRING_PLAIN, &items[p].len);
		items[p].ttl_s = ttl;
	}
	/* The summary last: a job whose pages are not all stored is still the matched one. */
	items[npages] = (struct cache_item){ job_key(r, user_id, job->id), NULL, 0, ttl };
	items[npages].val = json_object_to_json_string_length(meta, JSON_C_TO_STRING_PLAIN, &items[npages].len);
	if (app.cache == NULL || cache_set_many(app.cache, items, npages + 1) != 0)
		return FAIL_CACHE;
	return decode(r->arena, meta, job) == 0 ? FAIL_OK : FAIL_CACHE;
}

enum fail
import_load_pages(struct req *r, int64_t user_id, const struct import_job *job, size_t first, size_t n,
    struct import_page *out)
{
	const char	**keys = arena_alloc(r->arena, (n + 1) * sizeof(*keys));
	char		**vals = arena_alloc(r->arena, (n + 1) * sizeof(*vals));
	size_t		 *lens = arena_alloc(r->arena, (n + 1) * sizeof(*lens));
	enum fail	  f = FAIL_OK;

	for (size_t k = 0; k < n; k++)
		keys[k] = page_key(r, user_id, job->id, first + k);
	if (app.cache == NULL || cache_mget(app.cache, keys, n, vals, lens) != 0)
		return FAIL_CACHE;
	for (size_t k = 0; k < n; k++) {
		if (f == FAIL_OK && (vals[k] == NULL || import_decode_page(r->arena, vals[k], lens[k], &out[k]) != 0))
			f = FAIL_NOT_FOUND;
		free(vals[k]);
	}
	return f;
}

/* The TMDb call that identifies a row; text points into norm (search) or the row. */
static void
row_query(const struct import_row *row, struct buf *norm, struct tmdb_query *q)
{
	if (row->tmdb_id)
		*q = (struct tmdb_query){ .kind = TMDB_DETAILS, .id = row->tmdb_id };
	else if (row->imdb_id)
		*q = (struct tmdb_query){ .kind = TMDB_FIND, .text = row->imdb_id };
	else {
		/* An empty or over-long title stays empty: the movie layer refuses it (not found). */
		buf_reset(norm);
		(void)movies_normalize_query(row->title, norm);
		*q = (struct tmdb_query){ .kind = TMDB_SEARCH, .text = buf_cstr(norm), .page = 1,
		    .primary_release_year = row->year };
	}
}

static struct json_object *
candidate(struct json_object *movie)
{
	struct json_object	*c = json_object_new_object();
	const char		*date = json_str(movie, "release_date");

	json_object_object_add(c, "id", json_object_new_int64(json_object_get_int64(get(movie, "id"))));
	json_object_object_add(c, "t", json_object_new_string(str_or_empty(movie, "title")));
	json_object_object_add(c, "y", json_object_new_string_len(date ? date : "", date && strlen(date) >= 4 ? 4 : 0));
	json_object_object_add(c, "d", json_object_new_string(date ? date : ""));
	return c;
}

/* Is the movie's title (or original title) the row's? TMDb's search also finds partial matches. */
static int
same_title(struct json_object *movie, const char *title)
{
	const char *t = json_str(movie, "title"), *o = json_str(movie, "original_title");

	return (t && strcasecmp(t, title) == 0) || (o && strcasecmp(o, title) == 0);
}

/*
 * A result from the movies found: one is a match; several are a match when exactly one has the
 * row's very title, else a choice among those with it (or among the first few when none has it).
 */
static struct json_object *
result_of(const struct import_row *row, struct json_object *found)
{
	struct json_object	*res = json_object_new_object(), *c = json_object_new_array();
	size_t			 n = found ? json_object_array_length(found) : 0, exact = 0;

	for (size_t i = 0; i < n && row->title[0]; i++)
		exact += same_title(json_object_array_get_idx(found, i), row->title);
	for (size_t i = 0; i < n && json_object_array_length(c) < IMPORT_MAX_CANDIDATES; i++) {
		struct json_object *m = json_object_array_get_idx(found, i);

		if (n == 1 || exact == 0 || same_title(m, row->title))
			json_object_array_add(c, candidate(m));
	}
	json_object_object_add(res, "s", json_object_new_int(json_object_array_length(c) == 0 ? IMPORT_MISSING :
	    json_object_array_length(c) == 1 ? IMPORT_MATCHED : IMPORT_AMBIGUOUS));
	json_object_object_add(res, "c", c);
	return res;
}

static struct json_object *
missing(int failed)
{
	struct json_object *res = json_object_new_object();

	json_object_object_add(res, "s", json_object_new_int(IMPORT_MISSING));
	if (failed)
		json_object_object_add(res, "f", json_object_new_boolean(1));
	return res;
}

/* The stored result of one answer, or NULL when the movie service did not answer (try again). */
static struct json_object *
answer(const struct import_row *row, const struct tmdb_query *q, enum movies_status st, struct json_object *out)
{
	struct json_object *one, *res;

	if (st == MOVIES_NOT_FOUND || st == MOVIES_BAD_REQUEST)
		return missing(0);
	if ((st != MOVIES_OK && st != MOVIES_STALE) || out == NULL)
		return NULL;
	if (q->kind == TMDB_FIND)
		return result_of(row, get(out, "movie_results"));
	if (q->kind == TMDB_SEARCH)
		return result_of(row, get(out, "results"));
	/* Details by TMDb id: the movie itself, a list of one. */
	one = json_object_new_array();
	json_object_array_add(one, json_object_get(out));
	res = result_of(&(struct import_row){ .title = "" }, one);
	json_object_put(one);
	return res;
}

enum fail
import_match_next(struct req *r, int64_t user_id, struct import_job *job)
{
	size_t			 n = job->total - job->done < IMPORT_BATCH ? job->total - job->done : IMPORT_BATCH;
	struct tmdb_query	 qs[IMPORT_BATCH];
	struct buf		 norm[IMPORT_BATCH];
	struct json_object	*outs[IMPORT_BATCH] = { 0 }, *res = get(job->doc, "res");
	enum movies_status	 sts[IMPORT_BATCH];
	size_t			 k = 0;
	int			 deferred = 0;

	for (size_t i = 0; i < n; i++) {
		norm[i] = (struct buf)BUF_INIT;
		row_query(&job->rows[job->done + i], &norm[i], &qs[i]);
	}
	/* Imports spend their share of the TMDb budget only: visitors keep the rest. */
	movies_resolve_many(app.movies, qs, n, outs, sts, MOVIES_BACKGROUND);
	/* In file order: a row the service did not answer stops the batch, unless it keeps failing. */
	for (; k < n; k++) {
		/* The share is spent for now: the row waits for the next batch, and no stall counts. */
		if ((deferred = sts[k] == MOVIES_DEFERRED))
			break;
		struct json_object *one = answer(&job->rows[job->done + k], &qs[k], sts[k], outs[k]);

		if (one == NULL && job->stalls + 1 < IMPORT_MAX_STALLS)
			break;
		json_object_array_add(res, one ? one : missing(1));
	}
	for (size_t i = 0; i < n; i++) {
		json_object_put(outs[i]);
		buf_free(&norm[i]);
	}
	/* Nothing answered and nothing given up: the stored job is as it was, so it is not written again. */
	if (k == 0 && deferred)
		return FAIL_OK;
	job->stalls = k == 0 && n > 0 ? job->stalls + 1 : 0;
	json_object_object_add(job->doc, "stalls", json_object_new_int(job->stalls));
	if (save(r, user_id, job->id, job->doc) != FAIL_OK)
		return FAIL_CACHE;
	return decode(r->arena, job->doc, job) == 0 ? FAIL_OK : FAIL_CACHE;
}
