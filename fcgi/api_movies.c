/* api_movies.c: the JSON API's movies: trending, details, recommendations, search (TMDb's JSON as cached). */
#include "app.h"
#include "handlers.h"
#include "movies.h"
#include "movieview.h"
#include "reqjson.h"
#include "view.h"

/* Answers a movie-layer call: the data, or the origin's {"error": ...} with the status it stands for. */
static void
movie_answer(struct req *r, struct resp *rs, enum movies_status st, struct json_object *out)
{
	enum fail f = movieview_fail(st);

	size_t len;

	req_keep_json(r, out);
	if (f == FAIL_OK) {
		const char *text = movies_json_text(out, &len);

		view_json_text(rs, 200, text, len);
	} else
		answer_fail(r, rs, f, f == FAIL_NOT_FOUND ? MSG_API_MOVIE_NOT_FOUND : f == FAIL_INPUT ?
		    MSG_API_INVALID_REQUEST : MSG_API_MOVIES_DOWN_RETRY);
}

void
api_trending(struct req *r, struct resp *rs)
{
	struct json_object *out = NULL;
	enum movies_status st = movies_trending(app.movies, r->arg.window, r->arg.page, &out);

	movie_answer(r, rs, st, out);
}

void
api_movie(struct req *r, struct resp *rs)
{
	struct json_object *out = NULL;
	enum movies_status st = movies_details(app.movies, r->path_int[0], &out);

	movie_answer(r, rs, st, out);
}

void
api_recommendations(struct req *r, struct resp *rs)
{
	struct json_object *out = NULL;
	enum movies_status st = movies_recommendations(app.movies, r->path_int[0], r->arg.page, &out);

	movie_answer(r, rs, st, out);
}

void
api_search(struct req *r, struct resp *rs)
{
	struct json_object *out = NULL;
	enum movies_status st = movies_search_years(app.movies, r->arg.q, r->arg.year, r->arg.release_year,
	    r->arg.page, &out);

	movie_answer(r, rs, st, out);
}
