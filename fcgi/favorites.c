/* favorites.c: saving and removing a user's favorite movies, shared by the pages and the JSON API. */
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "cache.h"
#include "db.h"
#include "favorites.h"
#include "movies.h"

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

long long
favorite_count(struct req *r, int64_t user_id)
{
	const char	*params[1] = { arena_printf(r->arena, "%lld", (long long)user_id) };
	PGresult	*res = db_exec(app.db, DB_FAV_COUNT, 1, params);
	long long	 n = res ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : -1;

	PQclear(res);
	return n;
}

enum favorite_result
favorite_add(struct req *r, int64_t user_id, int64_t movie_id, struct json_object **details_out,
    const char **created_at)
{
	struct json_object	*details = NULL;
	enum movies_status	 st;
	PGresult		*res;
	const char		*uid = arena_printf(r->arena, "%lld", (long long)user_id);
	const char		*mid = arena_printf(r->arena, "%lld", (long long)movie_id);

	/* Only movies TMDb knows can be saved. */
	st = movies_details(app.movies, movie_id, &details);
	if (st == MOVIES_NOT_FOUND)
		return FAVORITE_UNKNOWN_MOVIE;
	if (st != MOVIES_OK && st != MOVIES_STALE)
		return FAVORITE_MOVIES_DOWN;
	req_keep_json(r, details);
	if (details_out)
		*details_out = details;
	if (db_has_legacy_favorites(app.db)) {
		const char *title = json_str(details, "title"), *overview = json_str(details, "overview");
		const char *date = json_str(details, "release_date");
		const char *params[7] = { uid, mid, title ? title : "", overview ? overview : "",
		    date ? date : "", json_str(details, "poster_path"), json_str(details, "backdrop_path") };

		res = db_exec(app.db, DB_FAV_ADD_LEGACY, 7, params);
	} else {
		const char *params[2] = { uid, mid };

		res = db_exec(app.db, DB_FAV_ADD, 2, params);
	}
	if (res == NULL)
		return FAVORITE_DB_DOWN;
	/* ON CONFLICT DO NOTHING: no row back means it was saved already, even under a race. */
	if (PQntuples(res) == 0) {
		PQclear(res);
		return FAVORITE_EXISTS;
	}
	if (created_at)
		*created_at = arena_strdup(r->arena, PQgetvalue(res, 0, 1));
	PQclear(res);
	forget_for_you(r, user_id);
	return FAVORITE_ADDED;
}

enum favorite_result
favorite_remove(struct req *r, int64_t user_id, int64_t movie_id)
{
	const char	*params[2] = { arena_printf(r->arena, "%lld", (long long)user_id),
	    arena_printf(r->arena, "%lld", (long long)movie_id) };
	PGresult	*res = db_exec(app.db, DB_FAV_REMOVE, 2, params);
	int		 removed;

	if (res == NULL)
		return FAVORITE_DB_DOWN;
	removed = strcmp(PQcmdTuples(res), "0") != 0;
	PQclear(res);
	if (!removed)
		return FAVORITE_ABSENT;
	forget_for_you(r, user_id);
	return FAVORITE_REMOVED;
}
