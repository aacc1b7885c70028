/* model_favorites.c: owns the users_favoritemovie rows: the only code that knows their columns. */
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "cache.h"
#include "db.h"
#include "model_favorites.h"
#include "movies.h"
#include "reqjson.h"

static const char *
num(struct req *r, long long v)
{
	return arena_printf(r->arena, "%lld", v);
}

const char *
favorite_for_you_key(struct req *r, int64_t user_id)
{
	return arena_printf(r->arena, "movie_rec:for_you_%lld", (long long)user_id);
}

static void
forget_for_you(struct req *r, int64_t user_id)
{
	if (app.cache)
		cache_del(app.cache, favorite_for_you_key(r, user_id));
}

enum fail
favorite_count(struct req *r, int64_t user_id, long long *n)
{
	const char	*params[1] = { num(r, user_id) };
	PGresult	*res = db_exec(app.db, DB_FAV_COUNT, 1, params);

	*n = 0;
	if (res == NULL)
		return FAIL_DB;
	*n = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return FAIL_OK;
}

/* Inserts the row (with the movie's copy on the origin's table): FAIL_OK, FAIL_CONFLICT or FAIL_DB. */
static enum fail
insert_row(struct req *r, int64_t user_id, int64_t movie_id, struct json_object *movie,
    const char **created_at)
{
	const char	*uid = num(r, user_id), *mid = num(r, movie_id);
	PGresult	*res;

	if (db_has_legacy_favorites(app.db)) {
		const char *title = json_str(movie, "title"), *overview = json_str(movie, "overview");
		const char *date = json_str(movie, "release_date");
		const char *params[7] = { uid, mid, title ? title : "", overview ? overview : "",
		    date ? date : "", json_str(movie, "poster_path"), json_str(movie, "backdrop_path") };

		res = db_exec(app.db, DB_FAV_ADD_LEGACY, 7, params);
	} else {
		const char *params[2] = { uid, mid };

		res = db_exec(app.db, DB_FAV_ADD, 2, params);
	}
	if (res == NULL)
		return FAIL_DB;
	/* ON CONFLICT DO NOTHING: no row back means it was saved already, even under a race. */
	if (PQntuples(res) == 0) {
		PQclear(res);
		return FAIL_CONFLICT;
	}
	if (created_at)
		*created_at = arena_strdup(r->arena, PQgetvalue(res, 0, 1));
	PQclear(res);
	return FAIL_OK;
}

enum fail
favorite_add(struct req *r, int64_t user_id, int64_t movie_id, struct json_object **movie_out,
    const char **created_at)
{
	struct json_object	*movie = NULL;
	enum movies_status	 st;
	enum fail		 f;

	/* Only movies TMDb knows can be saved. */
	st = movies_details(app.movies, movie_id, &movie);
	if (st == MOVIES_NOT_FOUND)
		return FAIL_NOT_FOUND;
	if (st != MOVIES_OK && st != MOVIES_STALE)
		return FAIL_MOVIES;
	req_keep_json(r, movie);
	if (movie_out)
		*movie_out = movie;
	if ((f = insert_row(r, user_id, movie_id, movie, created_at)) == FAIL_OK)
		forget_for_you(r, user_id);
	return f;
}

enum fail
favorite_remove(struct req *r, int64_t user_id, int64_t movie_id)
{
	const char	*params[2] = { num(r, user_id), num(r, movie_id) };
	PGresult	*res = db_exec(app.db, DB_FAV_REMOVE, 2, params);
	int		 removed;

	if (res == NULL)
		return FAIL_DB;
	removed = strcmp(PQcmdTuples(res), "0") != 0;
	PQclear(res);
	if (!removed)
		return FAIL_NOT_FOUND;
	forget_for_you(r, user_id);
	return FAIL_OK;
}

enum fail
favorite_exists(struct req *r, int64_t user_id, int64_t movie_id, int *saved)
{
	const char	*params[2] = { num(r, user_id), num(r, movie_id) };
	PGresult	*res = db_exec(app.db, DB_FAV_EXISTS, 2, params);

	*saved = 0;
	if (res == NULL)
		return FAIL_DB;
	*saved = PQntuples(res) > 0;
	PQclear(res);
	return FAIL_OK;
}

enum fail
favorites_page(struct req *r, int64_t user_id, int page, struct favorites_page *out)
{
	const char		*params[3] = { num(r, user_id), num(r, FAVORITES_PER_PAGE),
	    num(r, (long long)(page - 1) * FAVORITES_PER_PAGE) };
	PGresult		*res = db_exec(app.db, DB_FAV_LIST, 3, params);
	int64_t			 ids[FAVORITES_PER_PAGE];
	struct json_object	*movies[FAVORITES_PER_PAGE] = { 0 };

	memset(out, 0, sizeof(*out));
	if (res == NULL)
		return FAIL_DB;
	out->n = PQntuples(res) < FAVORITES_PER_PAGE ? PQntuples(res) : FAVORITES_PER_PAGE;
	/* Columns of DB_FAV_LIST: movie_id, created_at, the user's total (a window count). */
	for (int i = 0; i < out->n; i++) {
		out->rows[i].movie_id = ids[i] = strtoll(PQgetvalue(res, i, 0), NULL, 10);
		out->rows[i].created_at = arena_strdup(r->arena, PQgetvalue(res, i, 1));
	}
	if (out->n > 0)
		out->total = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
	PQclear(res);
	/* The list carries the total; only an empty page past the first needs it asked for. */
	if (out->n == 0 && page > 1 && favorite_count(r, user_id, &out->total) != FAIL_OK)
		return FAIL_DB;
	/* One Redis round trip for all, the misses from TMDb concurrently. */
	if (out->n > 0)
		movies_cards_many(app.movies, ids, (size_t)out->n, movies);
	for (int i = 0; i < out->n; i++)
		out->rows[i].movie = req_keep_json(r, movies[i]);
	return FAIL_OK;
}

/* The movies of rows, MOVIES_MANY_MAX at a time; after TMDb fails once, the cache's cards only. */
static void
favorites_fill_movies(struct req *r, struct favorite *rows, int n)
{
	int64_t			 ids[MOVIES_MANY_MAX];
	struct json_object	*outs[MOVIES_MANY_MAX];
	int			 tmdb_failed = 0;

	for (int start = 0; start < n; start += MOVIES_MANY_MAX) {
		int k = n - start < MOVIES_MANY_MAX ? n - start : MOVIES_MANY_MAX;

		for (int i = 0; i < k; i++) {
			ids[i] = rows[start + i].movie_id;
			outs[i] = NULL;
		}
		if (tmdb_failed)
			movies_cards_cached(app.movies, ids, (size_t)k, outs);
		else {
			enum movies_status st = movies_cards_many(app.movies, ids, (size_t)k, outs);

			tmdb_failed = st == MOVIES_UNAVAILABLE || st == MOVIES_CONFIG_ERROR;
		}
		for (int i = 0; i < k; i++)
			rows[start + i].movie = req_keep_json(r, outs[i]);
	}
}

enum fail
favorites_all(struct req *r, int64_t user_id, struct favorite **rows, int *n)
{
	const char	*params[3] = { num(r, user_id), num(r, INT32_MAX), "0" };
	PGresult	*res = db_exec(app.db, DB_FAV_LIST, 3, params);

	*rows = NULL;
	*n = 0;
	if (res == NULL)
		return FAIL_DB;
	*n = PQntuples(res);
	*rows = arena_alloc(r->arena, sizeof(**rows) * (size_t)(*n + 1));
	for (int i = 0; i < *n; i++) {
		(*rows)[i].movie_id = strtoll(PQgetvalue(res, i, 0), NULL, 10);
		(*rows)[i].created_at = arena_strdup(r->arena, PQgetvalue(res, i, 1));
		(*rows)[i].movie = NULL;
	}
	PQclear(res);
	favorites_fill_movies(r, *rows, *n);
	return FAIL_OK;
}

enum fail
favorite_recent_ids(struct req *r, int64_t user_id, int max, int64_t **ids, int *n)
{
	const char	*params[2] = { num(r, user_id), num(r, max) };
	PGresult	*res = db_exec(app.db, DB_FAV_RECENT_IDS, 2, params);

	*ids = NULL;
	*n = 0;
	if (res == NULL)
		return FAIL_DB;
	*n = PQntuples(res);
	*ids = arena_alloc(r->arena, sizeof(**ids) * (size_t)(*n + 1));
	for (int i = 0; i < *n; i++)
		(*ids)[i] = strtoll(PQgetvalue(res, i, 0), NULL, 10);
	PQclear(res);
	return FAIL_OK;
}

/* A PostgreSQL array literal of ids: {1,2,3}. */
static const char *
int_array(struct req *r, const int64_t *ids, size_t n)
{
	struct buf	 b = BUF_INIT;
	const char	*s;

	buf_putc(&b, '{');
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "%s%lld", i ? "," : "", (long long)ids[i]);
	buf_putc(&b, '}');
	s = arena_strdup(r->arena, buf_cstr(&b));
	buf_free(&b);
	return s;
}

/* A PostgreSQL array literal of texts: every element quoted, '"' and '\\' escaped. */
static const char *
text_array(struct req *r, const char *const *v, size_t n)
{
	struct buf	 b = BUF_INIT;
	const char	*s;

	buf_putc(&b, '{');
	for (size_t i = 0; i < n; i++) {
		buf_puts(&b, i ? ",\"" : "\"");
		for (const char *p = v[i] ? v[i] : ""; *p; p++) {
			if (*p == '"' || *p == '\\')
				buf_putc(&b, '\\');
			buf_putc(&b, *p);
		}
		buf_putc(&b, '"');
	}
	buf_putc(&b, '}');
	s = arena_strdup(r->arena, buf_cstr(&b));
	buf_free(&b);
	return s;
}

enum fail
favorites_add_many(struct req *r, int64_t user_id, const int64_t *ids, const char *const *titles, size_t n,
    long long *added)
{
	const char	*params[3] = { num(r, user_id), int_array(r, ids, n), text_array(r, titles, n) };
	PGresult	*res;

	*added = 0;
	if (n == 0)
		return FAIL_OK;
	res = db_has_legacy_favorites(app.db) ? db_exec(app.db, DB_FAV_ADD_MANY_LEGACY, 3, params) :
	    db_exec(app.db, DB_FAV_ADD_MANY, 2, params);
	if (res == NULL)
		return FAIL_DB;
	*added = strtoll(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	if (*added > 0)
		forget_for_you(r, user_id);
	return FAIL_OK;
}

enum fail
favorites_among(struct req *r, int64_t user_id, const int64_t *ids, size_t n, int *present)
{
	const char	*params[2] = { num(r, user_id), int_array(r, ids, n) };
	PGresult	*res;

	memset(present, 0, n * sizeof(*present));
	if (n == 0)
		return FAIL_OK;
	if ((res = db_exec(app.db, DB_FAV_IDS_AMONG, 2, params)) == NULL)
		return FAIL_DB;
	for (int i = 0; i < PQntuples(res); i++) {
		int64_t id = strtoll(PQgetvalue(res, i, 0), NULL, 10);

		for (size_t k = 0; k < n; k++)
			if (ids[k] == id)
				present[k] = 1;
	}
	PQclear(res);
	return FAIL_OK;
}
