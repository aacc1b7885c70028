/* page_movie.c: one movie's page: details, cast, trailer, where to watch, "more like this", the favorite and watchlist buttons. */
#include <string.h>

#include "app.h"
#include "buf.h"
#include "config.h"
#include "csrf_web.h"
#include "handlers.h"
#include "model_user.h"
#include "model_lists.h"
#include "movieview.h"
#include "reqjson.h"
#include "view.h"
#include "visitor.h"
#include "watchview.h"

/* "More like this" cards; up to VISITOR_AMONG_MAX (visitor.h) have their watchlist state read with the session. */
#define MORE_LIKE_THIS	12

/* The first official YouTube trailer, else any YouTube trailer or teaser. */
static const char *
trailer_url(struct req *r, struct json_object *details)
{
	struct json_object	*videos, *results;
	const char		*best = NULL;
	int			 best_rank = 0;

	if (!json_object_object_get_ex(details, "videos", &videos) ||
	    !json_object_object_get_ex(videos, "results", &results))
		return NULL;
	for (size_t i = 0; i < json_object_array_length(results); i++) {
		struct json_object	*v = json_object_array_get_idx(results, i), *official;
		const char		*site = json_str(v, "site"), *type = json_str(v, "type");
		const char		*key = json_str(v, "key");
		int			 rank;

		if (site == NULL || key == NULL || type == NULL || strcmp(site, "YouTube") != 0)
			continue;
		rank = strcmp(type, "Trailer") == 0 ? 2 : strcmp(type, "Teaser") == 0 ? 1 : 0;
		if (rank && json_object_object_get_ex(v, "official", &official) && json_object_get_boolean(official))
			rank += 2;
		if (rank > best_rank) {
			best_rank = rank;
			best = key;
		}
	}
	if (best == NULL)
		return NULL;
	struct buf url = BUF_INIT;
	buf_puts(&url, "https://www.youtube.com/watch?v=");
	url_encode(&url, best);
	const char *s = arena_strdup(r->arena, buf_cstr(&url));
	buf_free(&url);
	return s;
}

static struct json_object *
people(struct json_object *details, const char *list, size_t max, const char *job)
{
	struct json_object *out = json_object_new_array(), *credits, *arr;

	if (!json_object_object_get_ex(details, "credits", &credits) ||
	    !json_object_object_get_ex(credits, list, &arr))
		return out;
	for (size_t i = 0; i < json_object_array_length(arr) && json_object_array_length(out) < max; i++) {
		struct json_object	*p = json_object_array_get_idx(arr, i), *o;
		const char		*name = json_str(p, "name");

		if (name == NULL || (job && (json_str(p, "job") == NULL || strcmp(json_str(p, "job"), job) != 0)))
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "name", json_object_new_string(name));
		if (json_str(p, "character") && *json_str(p, "character"))
			json_object_object_add(o, "character", json_object_new_string(json_str(p, "character")));
		json_object_array_add(out, o);
	}
	return out;
}

/* "A", "A and B", "A, B and C": one credit line instead of one per person. NULL when empty. */
static const char *
names_joined(struct req *r, struct json_object *list)
{
	size_t		 n = json_object_array_length(list);
	struct buf	 b = BUF_INIT;
	const char	*s;

	if (n == 0)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			buf_puts(&b, i == n - 1 ? " and " : ", ");
		buf_puts(&b, json_str(json_object_array_get_idx(list, i), "name"));
	}
	s = arena_strdup(r->arena, buf_cstr(&b));
	buf_free(&b);
	return s;
}

/* The details the card adds on the movie's own page: large poster, runtime, tagline, genres, people. */
static void
add_details(struct req *r, struct json_object *card, struct json_object *details)
{
	struct json_object	*v, *cast, *directors;
	const char		*poster = json_str(details, "poster_path"), *directed_by, *trailer;

	if (poster)
		json_object_object_add(card, "poster_large", json_object_new_string(movieview_image(r, "w500", poster)));
	if (json_object_object_get_ex(details, "runtime", &v) && json_object_get_int(v) > 0) {
		int m = json_object_get_int(v);
		const char *text = m >= 60 ? arena_printf(r->arena, "%dh %02dm", m / 60, m % 60) :
		    arena_printf(r->arena, "%dm", m);
		json_object_object_add(card, "runtime", json_object_new_string(text));
	}
	if (json_str(details, "tagline") && *json_str(details, "tagline"))
		json_object_object_add(card, "tagline", json_object_new_string(json_str(details, "tagline")));
	if (json_object_object_get_ex(details, "genres", &v))
		json_object_object_add(card, "genres", json_object_get(v));
	cast = people(details, "cast", 12, NULL);
	if (json_object_array_length(cast) > 0)
		json_object_object_add(card, "has_cast", json_object_new_boolean(1));
	json_object_object_add(card, "cast", cast);
	directors = people(details, "crew", 3, "Director");
	directed_by = names_joined(r, directors);
	json_object_object_add(card, "directors", directors);
	if (directed_by)
		json_object_object_add(card, "directed_by", json_object_new_string(directed_by));
	if ((trailer = trailer_url(r, details)) != NULL)
		json_object_object_add(card, "trailer", json_object_new_string(trailer));
}

/* What movie_top and movie_cast show: the movie's card with the details of its own page, nothing of the visitor's. */
static struct json_object *
movie_context(struct req *r, struct json_object *details)
{
	struct json_object *ctx = json_object_new_object(), *card = movieview_card(details);

	add_details(r, card, details);
	json_object_object_add(ctx, "movie", card);
	json_object_object_add(ctx, "static_url", json_object_new_string(config.static_url));
	return ctx;
}

/* "More like this" is a bonus: the page still works without it. */
static void
add_recommendations(struct req *r, struct json_object *ctx, struct json_object *recs, enum movies_status st)
{
	struct json_object *cards;

	req_keep_json(r, recs);
	if (recs == NULL || movieview_fail(st) != FAIL_OK)
		return;
	/* Only the cards shown are built (TMDb sends 20). */
	cards = movieview_cards(r, recs, MORE_LIKE_THIS);
	json_object_object_add(ctx, "recommendations", cards);
	movieview_watch_buttons(r, ctx, "recommendations");
}

/*
 * Is the movie a favorite, on the watchlist? Unknown is not "not saved": an "Add" button would
 * mislead, so a list whose table cannot be read shows that instead (the rest of the page works).
 */
static const char *const saved_key[LIST_COUNT] = { [LIST_FAVORITES] = "is_favorite",
    [LIST_WATCHLIST] = "in_watchlist" };
static const char *const unknown_key[LIST_COUNT] = { [LIST_FAVORITES] = "favorite_unavailable",
    [LIST_WATCHLIST] = "watchlist_unavailable" };

void
page_movie_ask(struct req *r)
{
	visitor_ask_movie(r, r->path_int[0]);
}

void
page_movie(struct req *r, struct resp *rs)
{
	int64_t			 id = r->path_int[0];
	struct json_object	*details, *ctx = req_object(r), *card;
	/* Everything at once: the page costs one Redis and at most one TMDb round trip. */
	const struct tmdb_query	 qs[3] = { { .kind = TMDB_DETAILS, .id = id },
	    { .kind = TMDB_RECOMMENDATIONS, .id = id, .page = 1 },
	    { .kind = TMDB_WATCH_PROVIDERS, .id = id } };
	struct json_object	*got[3] = { NULL, NULL, NULL };
	enum movies_status	 sts[3];

	movies_resolve_many(app.movies, qs, 3, got, sts, MOVIES_VISITOR);
	details = got[0];
	if (movieview_take(r, rs, sts[0], &details) != 0) {
		req_keep_json(r, got[1]);
		req_keep_json(r, got[2]);
		return;
	}
	/* The movie's own parts are rendered once per data version; the visitor's forms need only these. */
	card = movieview_card_brief(details, 1);
	json_object_object_add(ctx, "movie", card);
	json_object_object_add(ctx, "movie_top", movieview_fragment(r, details, -1, details, "movie_top", movie_context));
	json_object_object_add(ctx, "movie_cast", movieview_fragment(r, details, -1, details, "movie_cast",
	    movie_context));
	add_recommendations(r, ctx, got[1], sts[1]);
	watchview_add(r, ctx, got[2], sts[2], json_str(card, "url"));
	if (r->user) {
		enum on_list on[LIST_COUNT];

		visitor_movie_lists(r, id, on);
		for (int l = 0; l < LIST_COUNT; l++)
			if (on[l] != ON_LIST_NO)
				json_object_object_add(ctx, on[l] == ON_LIST_YES ? saved_key[l] : unknown_key[l],
				    json_object_new_boolean(1));
		csrf_form_token(r, rs);
	}
	view_page(r, rs, "movie", json_str(details, "title") ? json_str(details, "title") : "Movie", ctx);
}
