/* api_lists.c: the JSON API's favorites and watchlist of the token's user: list a page, add, delete. */
#include <string.h>

#include "api_body.h"
#include "api_fields.h"
#include "handlers.h"
#include "model_lists.h"
#include "reqjson.h"
#include "router.h"
#include "util.h"
#include "view.h"

/* What differs between the two resources: the origin's member names and messages for favorites. */
struct api_list {
	const char	*many;		/* the list's member in a listing */
	const char	*one;		/* the saved movie's member in a 201 */
	enum msg	 list_down, save_down, exists, remove_down, absent;
};

static const struct api_list api_lists[] = {
	[LIST_FAVORITES] = { "favorite_movies", "favorite_movie", MSG_API_FAVORITES_LIST, MSG_API_FAVORITE_SAVE,
	    MSG_API_FAVORITE_EXISTS, MSG_API_FAVORITE_REMOVE, MSG_API_FAVORITE_ABSENT },
	[LIST_WATCHLIST] = { "watchlist_movies", "watchlist_movie", MSG_WATCHLIST_SHOW, MSG_WATCHLIST_SAVE,
	    MSG_API_WATCHLIST_EXISTS, MSG_WATCHLIST_REMOVE, MSG_API_WATCHLIST_ABSENT },
};


static void
copy_field(struct json_object *to, struct json_object *details, const char *name)
{
	struct json_object *v = NULL;

	if (details)
		json_object_object_get_ex(details, name, &v);
	json_object_object_add(to, name, v ? json_object_get(v) : NULL);
}

/* The origin's FavoriteMovieSerializer fields (the watchlist's too); details NULL when TMDb and the cache failed. */
static struct json_object *
saved_json(int64_t movie_id, const char *created_at, struct json_object *details)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "movie_id", json_object_new_int64(movie_id));
	json_object_object_add(o, "created_at", json_object_new_string(created_at));
	copy_field(o, details, "title");
	copy_field(o, details, "overview");
	copy_field(o, details, "release_date");
	copy_field(o, details, "poster_path");
	return o;
}

/*
 * Without ?page=: the whole list as the origin listed favorites, {"user", "favorite_movies"}
 * (no pagination members).
 */
static void
list_whole(struct req *r, struct resp *rs, enum movie_list l)
{
	struct json_object	*o = req_object(r), *list = json_object_new_array();
	struct list_row		*rows;
	int			 n;

	json_object_object_add(o, "user", api_user_json(r->user));
	json_object_object_add(o, api_lists[l].many, list);
	if (list_all(r, l, r->user->id, &rows, &n) != FAIL_OK) {
		answer_fail(r, rs, FAIL_DB, api_lists[l].list_down);
		return;
	}
	for (int i = 0; i < n; i++)
		json_object_array_add(list, saved_json(rows[i].movie_id, rows[i].created_at, rows[i].movie));
	view_json(r, rs, 200, o);
}

/* GET /api/v1/auth/favorites/ and /api/v1/auth/watchlist/. */
void
api_list_index(struct req *r, struct resp *rs)
{
	enum movie_list		 l = list_of_route(r);
	struct list_page	 fp;
	struct json_object	*o, *list;
	int			 page = r->arg.page, total_pages;

	if (params_get(&r->query, "page") == NULL) {
		list_whole(r, rs, l);
		return;
	}
	/* Made after the branch: the whole list's answer would leave the array unowned (a leak). */
	o = req_object(r);
	list = json_object_new_array();
	json_object_object_add(o, "user", api_user_json(r->user));
	json_object_object_add(o, api_lists[l].many, list);
	if (list_page(r, l, r->user->id, page, &fp) != FAIL_OK) {
		answer_fail(r, rs, FAIL_DB, api_lists[l].list_down);
		return;
	}
	total_pages = (int)((fp.total + LIST_PER_PAGE - 1) / LIST_PER_PAGE);
	/* DRF's PageNumberPagination: page 1 always exists, others only up to the last. */
	if (page > 1 && page > total_pages) {
		answer_fail(r, rs, FAIL_NOT_FOUND, MSG_API_INVALID_PAGE);
		return;
	}
	for (int i = 0; i < fp.n; i++)
		json_object_array_add(list, saved_json(fp.rows[i].movie_id, fp.rows[i].created_at, fp.rows[i].movie));
	json_object_object_add(o, "count", json_object_new_int64(fp.total));
	json_object_object_add(o, "page", json_object_new_int(page));
	json_object_object_add(o, "total_pages", json_object_new_int(total_pages));
	view_json(r, rs, 200, o);
}

/* POST /api/v1/auth/favorites/ and /api/v1/auth/watchlist/. */
void
api_list_add(struct req *r, struct resp *rs)
{
	enum movie_list		 l = list_of_route(r);
	struct api_values	*in;
	struct json_object	*details = NULL, *o;
	const char		*created_at = NULL;
	int64_t			 id;
	enum fail		 f;
	const enum msg		 msgs[] = { [FAIL_NOT_FOUND] = MSG_API_INVALID_MOVIE,
	    [FAIL_MOVIES] = MSG_API_MOVIES_DOWN, [FAIL_CONFLICT] = api_lists[l].exists };

	if ((in = api_fields(r, rs)) == NULL)
		return;
	if ((id = api_int(in, "movie_id")) < 0) {
		view_json(r, rs, 400, in->errors);
		return;
	}
	if ((f = list_add(r, l, r->user->id, id, &details, &created_at)) != FAIL_OK) {
		/* An unknown movie is a bad movie_id in the body: 400, as the origin documents. */
		if (f == FAIL_NOT_FOUND || f == FAIL_MOVIES || f == FAIL_CONFLICT)
			answer_fail(r, rs, f == FAIL_NOT_FOUND ? FAIL_INPUT : f, msgs[f]);
		else
			answer_fail(r, rs, FAIL_DB, api_lists[l].save_down);
		return;
	}
	o = req_object(r);
	json_object_object_add(o, "user", api_user_json(r->user));
	json_object_object_add(o, api_lists[l].one, saved_json(id, created_at, details));
	view_json(r, rs, 201, o);
}

/* DELETE /api/v1/auth/favorites/{id}/ and /api/v1/auth/watchlist/{id}/. */
void
api_list_delete(struct req *r, struct resp *rs)
{
	enum movie_list l = list_of_route(r);

	switch (list_remove(r, l, r->user->id, r->path_int[0])) {
	case FAIL_OK:
		/* A 204 has no body (the origin sent one). */
		rs->status = 204;
		buf_reset(&rs->body);
		return;
	case FAIL_NOT_FOUND:
		answer_fail(r, rs, FAIL_NOT_FOUND, api_lists[l].absent);
		return;
	default:
		answer_fail(r, rs, FAIL_DB, api_lists[l].remove_down);
		return;
	}
}
