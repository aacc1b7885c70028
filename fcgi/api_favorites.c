/* api_favorites.c: the JSON API's favorites of the token's user: list a page, add, delete. */
#include <ctype.h>
#include <math.h>

#include "api_body.h"
#include "handlers.h"
#include "model_favorites.h"
#include "reqjson.h"
#include "util.h"
#include "view.h"

static void
copy_field(struct json_object *to, struct json_object *details, const char *name)
{
	struct json_object *v = NULL;

	if (details)
		json_object_object_get_ex(details, name, &v);
	json_object_object_add(to, name, v ? json_object_get(v) : NULL);
}

/* The origin's FavoriteMovieSerializer fields; details NULL when TMDb and the cache failed. */
static struct json_object *
favorite_json(int64_t movie_id, const char *created_at, struct json_object *details)
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
 * Without ?page=: every favorite as the origin listed them, {"user", "favorite_movies"}
 * (no pagination members).
 */
static void
favorites_all_list(struct req *r, struct resp *rs)
{
	struct json_object	*o = req_object(r), *list = json_object_new_array();
	struct favorite		*rows;
	int			 n;

	json_object_object_add(o, "user", api_user_json(r->user));
	json_object_object_add(o, "favorite_movies", list);
	if (favorites_all(r, r->user->id, &rows, &n) != FAIL_OK) {
		answer_fail(r, rs, FAIL_DB, MSG_API_FAVORITES_LIST);
		return;
	}
	for (int i = 0; i < n; i++)
		json_object_array_add(list, favorite_json(rows[i].movie_id, rows[i].created_at, rows[i].movie));
	view_json(r, rs, 200, o);
}

void
api_favorites_list(struct req *r, struct resp *rs)
{
	struct favorites_page	 fp;
	struct json_object	*o = req_object(r), *list = json_object_new_array();
	int			 page = r->arg.page, total_pages;

	if (params_get(&r->query, "page") == NULL) {
		favorites_all_list(r, rs);
		return;
	}
	json_object_object_add(o, "user", api_user_json(r->user));
	json_object_object_add(o, "favorite_movies", list);
	if (favorites_page(r, r->user->id, page, &fp) != FAIL_OK) {
		answer_fail(r, rs, FAIL_DB, MSG_API_FAVORITES_LIST);
		return;
	}
	total_pages = (int)((fp.total + FAVORITES_PER_PAGE - 1) / FAVORITES_PER_PAGE);
	/* DRF's PageNumberPagination: page 1 always exists, others only up to the last. */
	if (page > 1 && page > total_pages) {
		answer_fail(r, rs, FAIL_NOT_FOUND, MSG_API_INVALID_PAGE);
		return;
	}
	for (int i = 0; i < fp.n; i++)
		json_object_array_add(list, favorite_json(fp.rows[i].movie_id, fp.rows[i].created_at, fp.rows[i].movie));
	json_object_object_add(o, "count", json_object_new_int64(fp.total));
	json_object_object_add(o, "page", json_object_new_int(page));
	json_object_object_add(o, "total_pages", json_object_new_int(total_pages));
	view_json(r, rs, 200, o);
}

/* DRF's IntegerField for movie_id: an int, integral float or digit string, 1..2^31-1. */
static int64_t
movie_id_field(struct json_object *data, struct json_object *errors)
{
	struct json_object	*v;
	int64_t			 id;

	if (!json_object_object_get_ex(data, "movie_id", &v)) {
		api_field_error(errors, "movie_id", "This field is required.");
		return -1;
	}
	switch (json_object_get_type(v)) {
	case json_type_null:
		api_field_error(errors, "movie_id", "This field may not be null.");
		return -1;
	case json_type_int:
		id = json_object_get_int64(v);
		break;
	case json_type_double: {
		double d = json_object_get_double(v);

		if (!(d >= -1e12 && d <= 1e12) || d != trunc(d)) {
			api_field_error(errors, "movie_id", "A valid integer is required.");
			return -1;
		}
		id = (int64_t)d;
		break;
	}
	case json_type_string: {
		const char *s = json_object_get_string(v);
		size_t len = (size_t)json_object_get_string_len(v);

		while (len && isspace((unsigned char)*s))
			s++, len--;
		while (len && isspace((unsigned char)s[len - 1]))
			len--;
		if (parse_int64(s, len, INT64_MIN, INT64_MAX, &id) != 0) {
			api_field_error(errors, "movie_id", "A valid integer is required.");
			return -1;
		}
		break;
	}
	default:
		api_field_error(errors, "movie_id", "A valid integer is required.");
		return -1;
	}
	if (id < 1) {
		api_field_error(errors, "movie_id", "Ensure this value is greater than or equal to 1.");
		return -1;
	}
	if (id > INT32_MAX) {
		api_field_error(errors, "movie_id", "Ensure this value is less than or equal to 2147483647.");
		return -1;
	}
	return id;
}

void
api_favorite_add(struct req *r, struct resp *rs)
{
	struct json_object	*data, *errors, *details = NULL, *o;
	const char		*created_at = NULL;
	int64_t			 id;
	enum fail		 f;
	static const enum msg	 msgs[] = { [FAIL_NOT_FOUND] = MSG_API_INVALID_MOVIE,
	    [FAIL_MOVIES] = MSG_API_MOVIES_DOWN, [FAIL_CONFLICT] = MSG_API_FAVORITE_EXISTS };

	if ((data = api_body(r, rs)) == NULL)
		return;
	errors = req_object(r);
	if ((id = movie_id_field(data, errors)) < 0) {
		view_json(r, rs, 400, errors);
		return;
	}
	if ((f = favorite_add(r, r->user->id, id, &details, &created_at)) != FAIL_OK) {
		/* An unknown movie is a bad movie_id in the body: 400, as the origin documents. */
		if (f == FAIL_NOT_FOUND || f == FAIL_MOVIES || f == FAIL_CONFLICT)
			answer_fail(r, rs, f == FAIL_NOT_FOUND ? FAIL_INPUT : f, msgs[f]);
		else
			answer_fail(r, rs, FAIL_DB, MSG_API_FAVORITE_SAVE);
		return;
	}
	o = req_object(r);
	json_object_object_add(o, "user", api_user_json(r->user));
	json_object_object_add(o, "favorite_movie", favorite_json(id, created_at, details));
	view_json(r, rs, 201, o);
}

void
api_favorite_delete(struct req *r, struct resp *rs)
{
	switch (favorite_remove(r, r->user->id, r->path_int[0])) {
	case FAIL_OK:
		/* A 204 has no body (the origin sent one). */
		rs->status = 204;
		buf_reset(&rs->body);
		return;
	case FAIL_NOT_FOUND:
		answer_fail(r, rs, FAIL_NOT_FOUND, MSG_API_FAVORITE_ABSENT);
		return;
	default:
		answer_fail(r, rs, FAIL_DB, MSG_API_FAVORITE_REMOVE);
		return;
	}
}
