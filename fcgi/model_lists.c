/* model_lists.c: owns the users_favoritemovie and users_watchlistmovie rows (and each list's names): the only code that knows their columns. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "cache.h"
#include "db.h"
#include "model_lists.h"
#include "model_user.h"
#include "movies.h"
#include "reqjson.h"
#include "router.h"

/* Each list's names: in forms and files, for people, its page. */
static const struct {
	const char	*name, *label, *url;
} names[LIST_COUNT] = {
	[LIST_FAVORITES] = { "favorites", "Favorites", "/favorites" },
	[LIST_WATCHLIST] = { "watchlist", "Watchlist", "/watchlist" },
};

/* Each list's statements: the two tables have the same columns but for the origin's movie copy. */
static const struct {
	enum db_stmt	 add, remove, list, count, exists, add_many, among;
} stmts[LIST_COUNT] = {
	[LIST_FAVORITES] = { DB_FAV_ADD, DB_FAV_REMOVE, DB_FAV_LIST, DB_FAV_COUNT, DB_FAV_EXISTS,
	    DB_FAV_ADD_MANY, DB_FAV_AMONG },
	[LIST_WATCHLIST] = { DB_WATCH_ADD, DB_WATCH_REMOVE, DB_WATCH_LIST, DB_WATCH_COUNT, DB_WATCH_EXISTS,
	    DB_WATCH_ADD_MANY, DB_WATCH_AMONG },
};

const char *
list_name(enum movie_list l)
{
	return names[l].name;
}

const char *
list_label(enum movie_list l)
{
	return names[l].label;
}

const char *
list_url(enum movie_list l)
{
	return names[l].url;
}

enum movie_list
list_of_route(const struct req *r)
{
	for (int i = 0; i < LIST_COUNT; i++)
		if (strstr(r->route->pattern, names[i].name))
			return (enum movie_list)i;
	return LIST_FAVORITES;
}

int
list_by_name(const char *name, enum movie_list *l)
{
	for (int i = 0; name && i < LIST_COUNT; i++)
		if (strcmp(name, names[i].name) == 0) {
			*l = (enum movie_list)i;
			return 0;
		}
	return -1;
}

static const char *
num(struct req *r, long long v)
{
	return arena_printf(r->arena, "%lld", v);
}

const char *
lists_for_you_key(struct req *r, int64_t user_id)
{
	return arena_printf(r->arena, "movie_rec:for_you_%lld", (long long)user_id);
}

/* "For you" is built from both lists and leaves out what is on either: a change makes it stale. */
static void
forget_for_you(struct req *r, int64_t user_id)
{
	if (app.cache)
		cache_del(app.cache, lists_for_you_key(r, user_id));
}

enum fail
list_count(struct req *r, enum movie_list l, int64_t user_id, long long *n)
{
	const char	*params[1] = { num(r, user_id) };
	PGresult	*res = db_exec(app.db, stmts[l].count, 1, params);

	*n = 0;
	if (res == NULL)
		return FAIL_DB;
	*n = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return FAIL_OK;
}

/*
 * Runs a statement that saves a favorite: params[0..1] are the user and movie ids; on the
 * origin's table (the *_LEGACY form, 7 parameters) params[2..6] the movie's copy from its details.
 */
static PGresult *
exec_favorite_write(enum db_stmt plain, enum db_stmt legacy, const char **params, struct json_object *movie)
{
	const char *title = json_str(movie, "title"), *overview = json_str(movie, "overview");
	const char *date = json_str(movie, "release_date");

	if (!db_has_legacy_favorites(app.db))
		return db_exec(app.db, plain, 2, params);
	params[2] = title ? title : "";
	params[3] = overview ? overview : "";
	params[4] = date ? date : "";
	params[5] = json_str(movie, "poster_path");
	params[6] = json_str(movie, "backdrop_path");
	return db_exec(app.db, legacy, 7, params);
}

/* Inserts the row (with the movie's copy on the origin's table): FAIL_OK, FAIL_CONFLICT or FAIL_DB. */
static enum fail
insert_row(struct req *r, enum movie_list l, int64_t user_id, int64_t movie_id, struct json_object *movie,
    const char **created_at)
{
	const char	*params[7] = { num(r, user_id), num(r, movie_id) };
	PGresult	*res = l == LIST_FAVORITES ?
	    exec_favorite_write(stmts[l].add, DB_FAV_ADD_LEGACY, params, movie) :
	    db_exec(app.db, stmts[l].add, 2, params);

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
list_add(struct req *r, enum movie_list l, int64_t user_id, int64_t movie_id, struct json_object **movie_out,
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
	if ((f = insert_row(r, l, user_id, movie_id, movie, created_at)) == FAIL_OK)
		forget_for_you(r, user_id);
	return f;
}

enum fail
list_remove(struct req *r, enum movie_list l, int64_t user_id, int64_t movie_id)
{
	const char	*params[2] = { num(r, user_id), num(r, movie_id) };
	PGresult	*res = db_exec(app.db, stmts[l].remove, 2, params);
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
list_exists(struct req *r, enum movie_list l, int64_t user_id, int64_t movie_id, int *saved)
{
	const char	*params[2] = { num(r, user_id), num(r, movie_id) };
	PGresult	*res;

	*saved = 0;
	/* A list's table kept the session waiting past its timeout this request: not again. */
	if (r->lists_waited)
		return FAIL_DB;
	res = db_exec(app.db, stmts[l].exists, 2, params);
	*saved = 0;
	if (res == NULL)
		return FAIL_DB;
	*saved = PQntuples(res) > 0;
	PQclear(res);
	return FAIL_OK;
}

/* The page's rows and total from fav_list/watch_list: FAIL_OK or FAIL_DB. */
static enum fail
query_page(struct req *r, enum movie_list l, int64_t user_id, int page, struct list_page *out)
{
	const char	*params[3] = { num(r, user_id), num(r, LIST_PER_PAGE),
	    num(r, (long long)(page - 1) * LIST_PER_PAGE) };
	PGresult	*res = db_exec(app.db, stmts[l].list, 3, params);

	if (res == NULL)
		return FAIL_DB;
	out->n = PQntuples(res) < LIST_PER_PAGE ? PQntuples(res) : LIST_PER_PAGE;
	/* Columns of DB_FAV_LIST and DB_WATCH_LIST: movie_id, created_at, the user's total. */
	for (int i = 0; i < out->n; i++) {
		out->rows[i].movie_id = strtoll(PQgetvalue(res, i, 0), NULL, 10);
		out->rows[i].created_at = arena_strdup(r->arena, PQgetvalue(res, i, 1));
	}
	if (out->n > 0)
		out->total = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
	PQclear(res);
	/* The list carries the total; only an empty page past the first needs it asked for. */
	if (out->n == 0 && page > 1 && list_count(r, l, user_id, &out->total) != FAIL_OK)
		return FAIL_DB;
	return FAIL_OK;
}

enum fail
list_page(struct req *r, enum movie_list l, int64_t user_id, int page, struct list_page *out)
{
	memset(out, 0, sizeof(*out));
	if (query_page(r, l, user_id, page, out) != FAIL_OK)
		return FAIL_DB;
	list_page_movies(r, out);
	return FAIL_OK;
}

void
list_page_movies(struct req *r, struct list_page *out)
{
	int64_t			 ids[LIST_PER_PAGE];
	struct json_object	*movies[LIST_PER_PAGE] = { 0 };

	for (int i = 0; i < out->n; i++)
		ids[i] = out->rows[i].movie_id;
	/* One Redis round trip for all, the misses from TMDb concurrently. */
	if (out->n > 0)
		movies_cards_many(app.movies, ids, (size_t)out->n, movies);
	for (int i = 0; i < out->n; i++)
		out->rows[i].movie = req_keep_json(r, movies[i]);
}

/* The movies of rows, MOVIES_MANY_MAX at a time; after TMDb fails once, the cache's cards only. */
static void
fill_movies(struct req *r, struct list_row *rows, int n)
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
list_all(struct req *r, enum movie_list l, int64_t user_id, struct list_row **rows, int *n)
{
	const char	*params[3] = { num(r, user_id), num(r, INT32_MAX), "0" };
	PGresult	*res = db_exec(app.db, stmts[l].list, 3, params);

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
	fill_movies(r, *rows, *n);
	return FAIL_OK;
}

enum fail
lists_recent_ids(struct req *r, int64_t user_id, int max, int64_t **ids, int *n)
{
	const char	*params[2] = { num(r, user_id), num(r, max) };
	PGresult	*res = db_exec(app.db, DB_LISTS_RECENT_IDS, 2, params);

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

/* A PostgreSQL array literal of integers ({550,680}): nothing of the visitor's reaches the SQL text. */
static const char *
int_array(struct req *r, const int64_t *ids, size_t n)
{
	/* Each id takes at most 20 characters and a comma; then the braces and the NUL. */
	size_t	 size = n * 21 + 3, len = 1;
	char	*s = arena_alloc(r->arena, size);

	s[0] = '{';
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(s + len, size - len, i ? ",%lld" : "%lld", (long long)ids[i]);
	snprintf(s + len, size - len, "}");
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

const char *
lists_id_array(struct req *r, const int64_t *ids, int n)
{
	return int_array(r, ids, (size_t)n);
}

enum fail
list_among(struct req *r, enum movie_list l, int64_t user_id, const int64_t *ids, size_t n, int *in)
{
	const char	*params[2];
	PGresult	*res;

	if (n == 0)
		return FAIL_OK;
	memset(in, 0, sizeof(*in) * n);
	params[0] = num(r, user_id);
	params[1] = int_array(r, ids, n);
	if (r->lists_waited || (res = db_exec(app.db, stmts[l].among, 2, params)) == NULL)
		return FAIL_DB;
	for (int k = 0; k < PQntuples(res); k++) {
		int64_t id = strtoll(PQgetvalue(res, k, 0), NULL, 10);

		for (size_t i = 0; i < n; i++)
			if (ids[i] == id)
				in[i] = 1;
	}
	PQclear(res);
	return FAIL_OK;
}

enum fail
list_add_many(struct req *r, enum movie_list l, int64_t user_id, const int64_t *ids, const char *const *titles,
    size_t n, long long *added)
{
	const char	*params[3] = { 0 };
	PGresult	*res;

	*added = 0;
	if (n == 0)
		return FAIL_OK;
	params[0] = num(r, user_id);
	params[1] = int_array(r, ids, n);
	/* Only the origin's favorites table keeps a copy of the movie: its title, so Django shows it. */
	if (l == LIST_FAVORITES && db_has_legacy_favorites(app.db)) {
		params[2] = text_array(r, titles, n);
		res = db_exec(app.db, DB_FAV_ADD_MANY_LEGACY, 3, params);
	} else
		res = db_exec(app.db, stmts[l].add_many, 2, params);
	if (res == NULL)
		return FAIL_DB;
	*added = strtoll(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	if (*added > 0)
		forget_for_you(r, user_id);
	return FAIL_OK;
}

enum fail
watchlist_watched(struct req *r, int64_t user_id, int64_t movie_id, int to_favorites)
{
	const char		*params[7] = { num(r, user_id), num(r, movie_id) };
	struct json_object	*movie = NULL;
	PGresult		*res;
	int			 moved;

	if (!to_favorites)
		return list_remove(r, LIST_WATCHLIST, user_id, movie_id);
	/* Only the origin's table keeps a copy of the movie: only there are its details needed. */
	if (db_has_legacy_favorites(app.db)) {
		enum movies_status st = movies_details(app.movies, movie_id, &movie);

		req_keep_json(r, movie);
		if (st != MOVIES_OK && st != MOVIES_STALE)
			return FAIL_MOVIES;
	}
	if ((res = exec_favorite_write(DB_WATCH_TO_FAV, DB_WATCH_TO_FAV_LEGACY, params, movie)) == NULL)
		return FAIL_DB;
	/* Columns: rows taken off the watchlist, rows added to favorites. */
	moved = strcmp(PQgetvalue(res, 0, 0), "0") != 0;
	PQclear(res);
	if (!moved)
		return FAIL_NOT_FOUND;
	forget_for_you(r, user_id);
	return FAIL_OK;
}
