/* page_favorites.c: a user's favorites (list, add, remove) and "for you" built from them. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth.h"
#include "cache.h"
#include "db.h"
#include "favorites.h"
#include "movieview.h"
#include "pages.h"
#include "util.h"

#define FAVORITES_PER_PAGE	20
#define FOR_YOU_SEEDS		10	/* most recent favorites whose recommendations are merged */
#define FOR_YOU_MAX		40
#define FOR_YOU_TTL		3600
#define SAVED_MAX		1000	/* favorites considered when leaving saved titles out */

static const char *
user_id_str(struct req *r)
{
	return arena_printf(r->arena, "%lld", (long long)r->user->id);
}


void
page_favorites(struct req *r, struct resp *rs)
{
	struct json_object	*ctx, *cards, *outs[FAVORITES_PER_PAGE] = { 0 };
	int64_t			 ids[FAVORITES_PER_PAGE];
	int			 page, n, total_pages;
	long long		 count;
	PGresult		*res;

	if ((page = movieview_page_param(r, rs)) < 0)
		return;
	const char *params[3] = { user_id_str(r), arena_printf(r->arena, "%d", FAVORITES_PER_PAGE),
	    arena_printf(r->arena, "%d", (page - 1) * FAVORITES_PER_PAGE) };
	if ((res = db_exec(app.db, DB_FAV_LIST, 3, params)) == NULL) {
		view_error(r, rs, 503, "Your favorites cannot be shown right now. Please try again in a minute.");
		return;
	}
	n = PQntuples(res);
	/* The list carries the total; only an empty page past the first needs it asked for. */
	count = n > 0 ? strtoll(PQgetvalue(res, 0, 2), NULL, 10) : page == 1 ? 0 : favorite_count(r, r->user->id);
	if (count < 0) {
		PQclear(res);
		view_error(r, rs, 503, "Your favorites cannot be shown right now. Please try again in a minute.");
		return;
	}
	for (int i = 0; i < n; i++)
		ids[i] = strtoll(PQgetvalue(res, i, 0), NULL, 10);
	/* One Redis round trip for all, the misses from TMDb concurrently. */
	if (n > 0)
		movies_cards_many(app.movies, ids, (size_t)n, outs);
	cards = json_object_new_array();
	for (int i = 0; i < n; i++) {
		struct json_object *card;

		if (outs[i]) {
			card = movieview_card(outs[i]);
			json_object_put(outs[i]);
		} else {
			/* TMDb is unreachable and nothing is cached: still list the saved id. */
			card = json_object_new_object();
			json_object_object_add(card, "id", json_object_new_int64(ids[i]));
			json_object_object_add(card, "url", json_object_new_string(
			    arena_printf(r->arena, "/movie/%lld", (long long)ids[i])));
			json_object_object_add(card, "title", json_object_new_string(
			    arena_printf(r->arena, "Movie %lld", (long long)ids[i])));
			json_object_object_add(card, "no_poster", json_object_new_boolean(1));
		}
		json_object_object_add(card, "saved_at", json_object_new_string(PQgetvalue(res, i, 1)));
		json_object_array_add(cards, card);
	}
	PQclear(res);
	ctx = json_object_new_object();
	json_object_object_add(ctx, "movies", cards);
	json_object_object_add(ctx, "count", json_object_new_int64(count));
	json_object_object_add(ctx, count == 1 ? "count_one" : "count_many", json_object_new_boolean(1));
	json_object_object_add(ctx, "return_to", json_object_new_string(
	    arena_printf(r->arena, "/favorites?page=%d", page)));
	total_pages = (int)((count + FAVORITES_PER_PAGE - 1) / FAVORITES_PER_PAGE);
	if (movieview_pager(r, rs, ctx, page, total_pages, "/favorites?page=") != 0) {
		json_object_put(ctx);
		return;
	}
	auth_csrf_token(r, rs);
	view_page(r, rs, "favorites", "My favorites", ctx);
}

static int
wants_json(const struct req *r)
{
	return r->accept && strstr(r->accept, "application/json") != NULL;
}

/* After a change: JSON for the page's script, else back to where the form was. */
static void
favorite_done(struct req *r, struct resp *rs, int64_t id, int favorite)
{
	if (wants_json(r)) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "movie_id", json_object_new_int64(id));
		json_object_object_add(o, "favorite", json_object_new_boolean(favorite));
		json_object_object_add(o, "count", json_object_new_int64(favorite_count(r, r->user->id)));
		json_object_object_add(o, "csrf_token", json_object_new_string(auth_csrf_token(r, rs)));
		view_json(r, rs, 200, o);
		return;
	}
	const char *next = params_get(&r->form, "next");
	resp_redirect(rs, 303, next ? auth_safe_next(next) : arena_printf(r->arena, "/movie/%lld", (long long)id));
}

void
page_favorite_add(struct req *r, struct resp *rs)
{
	switch (favorite_add(r, r->user->id, r->path_int[0], NULL, NULL)) {
	case FAVORITE_UNKNOWN_MOVIE:
		app_error(r, rs, 404, "This movie cannot be saved: TMDb does not know a movie with this id.");
		return;
	case FAVORITE_MOVIES_DOWN:
		resp_header(rs, "Retry-After", "30");
		app_error(r, rs, 503, "The movie service is unavailable, so the movie cannot be checked and saved. "
		    "Please try again in a minute.");
		return;
	case FAVORITE_DB_DOWN:
		app_error(r, rs, 503, "Your favorite could not be saved right now. Please try again in a minute.");
		return;
	default:
		favorite_done(r, rs, r->path_int[0], 1);
	}
}

void
page_favorite_remove(struct req *r, struct resp *rs)
{
	if (favorite_remove(r, r->user->id, r->path_int[0]) == FAVORITE_DB_DOWN) {
		app_error(r, rs, 503, "Your favorite could not be removed right now. Please try again in a minute.");
		return;
	}
	favorite_done(r, rs, r->path_int[0], 0);
}

/* ---- for you ---- */

struct candidate {
	int64_t			 id;
	int			 votes;		/* how many favorites recommend it */
	double			 popularity;
	struct json_object	*item;		/* borrowed from a recommendations page */
};

static int
candidate_cmp(const void *a, const void *b)
{
	const struct candidate *x = a, *y = b;

	if (x->votes != y->votes)
		return y->votes - x->votes;
	if (x->popularity != y->popularity)
		return y->popularity > x->popularity ? 1 : -1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int
saved(const int64_t *ids, int n, int64_t id)
{
	for (int i = 0; i < n; i++)
		if (ids[i] == id)
			return 1;
	return 0;
}

/* Merges the recommendations of the most recent favorites, ranked by how many recommend each. */
static struct json_object *
build_for_you(struct req *r, int *nseeds)
{
	const char		*params[2] = { user_id_str(r), arena_printf(r->arena, "%d", SAVED_MAX) };
	PGresult		*res = db_exec(app.db, DB_FAV_RECENT_IDS, 2, params);
	int			 nsaved, ncand = 0;
	int64_t			*saved_ids;
	struct candidate	*cand;
	struct json_object	*pages = json_object_new_array(), *out = json_object_new_array();

	req_keep_json(r, pages);
	*nseeds = 0;
	if (res == NULL) {
		json_object_put(out);
		return NULL;
	}
	nsaved = PQntuples(res);
	saved_ids = arena_alloc(r->arena, sizeof(*saved_ids) * (size_t)(nsaved + 1));
	for (int i = 0; i < nsaved; i++)
		saved_ids[i] = strtoll(PQgetvalue(res, i, 0), NULL, 10);
	PQclear(res);
	cand = arena_alloc(r->arena, sizeof(*cand) * FOR_YOU_SEEDS * 40);
	/* Every seed's recommendations at once: one round trip to Redis, then to TMDb. */
	struct tmdb_query	qs[FOR_YOU_SEEDS];
	struct json_object	*got[FOR_YOU_SEEDS];
	enum movies_status	 sts[FOR_YOU_SEEDS];
	int			 nseed = nsaved < FOR_YOU_SEEDS ? nsaved : FOR_YOU_SEEDS;
	for (int s = 0; s < nseed; s++)
		qs[s] = (struct tmdb_query){ .kind = TMDB_RECOMMENDATIONS, .id = saved_ids[s], .page = 1 };
	movies_resolve_many(app.movies, qs, (size_t)nseed, got, sts);
	for (int s = 0; s < nseed; s++) {
		struct json_object	*page = got[s], *results;

		if (page == NULL)
			continue;
		(*nseeds)++;
		json_object_array_add(pages, page);
		if (!json_object_object_get_ex(page, "results", &results))
			continue;
		for (size_t i = 0; i < json_object_array_length(results); i++) {
			struct json_object	*item = json_object_array_get_idx(results, i), *v;
			int64_t			 id;
			int			 k;

			if (!json_object_object_get_ex(item, "id", &v))
				continue;
			id = json_object_get_int64(v);
			if (saved(saved_ids, nsaved, id))
				continue;
			for (k = 0; k < ncand && cand[k].id != id; k++)
				;
			if (k == ncand) {
				if (ncand == FOR_YOU_SEEDS * 40)
					continue;
				cand[k].id = id;
				cand[k].item = item;
				cand[k].popularity = json_object_object_get_ex(item, "popularity", &v) ?
				    json_object_get_double(v) : 0;
				ncand++;
			}
			cand[k].votes++;
		}
	}
	qsort(cand, (size_t)ncand, sizeof(*cand), candidate_cmp);
	for (int i = 0; i < ncand && i < FOR_YOU_MAX; i++) {
		struct json_object *o = json_object_get(cand[i].item);

		json_object_object_add(o, "for_you_votes", json_object_new_int(cand[i].votes));
		json_object_array_add(out, o);
	}
	return out;
}

void
page_for_you(struct req *r, struct resp *rs)
{
	struct json_object	*items = NULL, *ctx, *cards;
	struct buf		 cached = BUF_INIT;
	const char		*key = favorite_for_you_key(r, r->user->id);
	int			 nseeds = -1;

	/* Cached per user; adding or removing a favorite deletes the entry. */
	if (app.cache && cache_get(app.cache, key, &cached) == 1)
		items = json_tokener_parse(buf_cstr(&cached));
	buf_free(&cached);
	if (items == NULL || !json_object_is_type(items, json_type_array)) {
		json_object_put(items);
		items = build_for_you(r, &nseeds);
		if (items == NULL) {
			view_error(r, rs, 503, "Your recommendations cannot be built right now. Please try again in a minute.");
			return;
		}
		if (app.cache && nseeds > 0) {
			const char *s = json_object_to_json_string_ext(items, JSON_C_TO_STRING_PLAIN);
			cache_set(app.cache, key, s, strlen(s), FOR_YOU_TTL);
		}
	}
	req_keep_json(r, items);
	cards = json_object_new_array();
	for (size_t i = 0; i < json_object_array_length(items); i++) {
		struct json_object *item = json_object_array_get_idx(items, i), *card = movieview_card(item), *v;

		if (json_object_object_get_ex(item, "for_you_votes", &v) && json_object_get_int(v) > 1)
			json_object_object_add(card, "votes", json_object_new_int(json_object_get_int(v)));
		json_object_array_add(cards, card);
	}
	ctx = json_object_new_object();
	json_object_object_add(ctx, "movies", cards);
	if (json_object_array_length(cards) == 0)
		json_object_object_add(ctx, "empty", json_object_new_boolean(1));
	view_page(r, rs, "foryou", "For you", ctx);
}
