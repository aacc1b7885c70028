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

static struct json_object *
row_json(const struct listfile_row *row)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "l", json_object_new_int64(row->line));
	json_object_object_add(o, "t", json_object_new_string(row->title));
	json_object_object_add(o, "y", json_object_new_int(row->year));
	if (row->tmdb_id)
		json_object_object_add(o, "id", json_object_new_int64(row->tmdb_id));
	if (row->imdb_id)
		json_object_object_add(o, "imdb", json_object_new_string(row->imdb_id));
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

/* One stored result ({"s": state, "f": failed, "c": [{id, t: title, y: year, d: date}]}) into row. */
static void
decode_result(struct json_object *res, struct import_row *row)
{
	struct json_object *c = get(res, "c");

	row->state = (enum import_state)json_object_get_int(get(res, "s"));
	row->failed = json_object_get_boolean(get(res, "f"));
	row->ncand = 0;
	for (size_t i = 0; c && i < json_object_array_length(c) && i < IMPORT_MAX_CANDIDATES; i++) {
		struct json_object *e = json_object_array_get_idx(c, i);

		row->cand[row->ncand++] = (struct import_candidate){ json_object_get_int64(get(e, "id")),
		    str_or_empty(e, "t"), str_or_empty(e, "y"), str_or_empty(e, "d") };
	}
}

/* The stored document into job: every field decoded here only. -1 when it is not a job. */
static int
decode(struct req *r, struct json_object *doc, struct import_job *job)
{
	struct json_object *rows = get(doc, "rows"), *res = get(doc, "res");

	if (rows == NULL || res == NULL || !json_object_is_type(rows, json_type_array) ||
	    !json_object_is_type(res, json_type_array) || list_by_name(json_str(doc, "list"), &job->list) != 0)
		return -1;
	job->doc = doc;
	job->format = str_or_empty(doc, "format");
	job->filename = str_or_empty(doc, "file");
	job->total = json_object_array_length(rows);
	job->done = json_object_array_length(res);
	job->stalls = json_object_get_int(get(doc, "stalls"));
	job->slot = json_object_get_int(get(doc, "slot"));
	job->token = str_or_empty(doc, "tok");
	job->rows = arena_alloc(r->arena, (job->total + 1) * sizeof(*job->rows));
	for (size_t i = 0; i < job->total; i++) {
		struct json_object	*o = json_object_array_get_idx(rows, i);
		struct import_row	*row = &job->rows[i];

		memset(row, 0, sizeof(*row));
		row->line = (long)json_object_get_int64(get(o, "l"));
		row->title = str_or_empty(o, "t");
		row->year = json_object_get_int(get(o, "y"));
		row->tmdb_id = json_object_get_int64(get(o, "id"));
		row->imdb_id = json_str(o, "imdb");
		if (i < job->done)
			decode_result(json_object_array_get_idx(res, i), row);
	}
	return 0;
}

enum fail
import_load(struct req *r, int64_t user_id, int64_t job_id, struct import_job *job)
{
	struct buf		 b = BUF_INIT;
	struct json_object	*doc;
	int			 got;

	memset(job, 0, sizeof(*job));
	job->id = job_id;
	got = app.cache ? cache_get(app.cache, job_key(r, user_id, job_id), &b) : -1;
	doc = got == 1 ? req_keep_json(r, json_tokener_parse(buf_cstr(&b))) : NULL;
	buf_free(&b);
	if (got < 0)
		return FAIL_CACHE;
	if (doc == NULL || decode(r, doc, job) != 0)
		return FAIL_NOT_FOUND;
	return FAIL_OK;
}

void
import_forget(struct req *r, int64_t user_id, int64_t job_id, const struct import_job *job)
{
	if (app.cache) {
		cache_del(app.cache, job_key(r, user_id, job_id));
		cache_unlock(app.cache, slot_key(r, user_id, job->slot), job->token);
	}
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
	if (k > 0 || !deferred)
		job->stalls = k == 0 && n > 0 ? job->stalls + 1 : 0;
	json_object_object_add(job->doc, "stalls", json_object_new_int(job->stalls));
	if (save(r, user_id, job->id, job->doc) != FAIL_OK)
		return FAIL_CACHE;
	return decode(r, job->doc, job) == 0 ? FAIL_OK : FAIL_CACHE;
}
