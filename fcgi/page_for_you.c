/* page_for_you.c: "for you": recommendations merged from a user's recent favorites and watchlist, cached per user. */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "cache.h"
#include "handlers.h"
#include "model_user.h"
#include "model_lists.h"
#include "movieview.h"
#include "reqjson.h"
#include "view.h"

#define FOR_YOU_SEEDS		10	/* most recently saved movies (either list) whose recommendations are merged */
#define FOR_YOU_MAX		40
#define FOR_YOU_TTL		3600
#define SAVED_MAX		1000	/* saved movies (either list) considered when leaving saved titles out */

struct candidate {
	int64_t			 id;
	int			 votes;		/* how many seeds recommend it */
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

/* Every seed's recommendations at once (one round trip to Redis, then to TMDb); NULL where none. */
static int
resolve_seeds(const int64_t *saved_ids, int nsaved, struct json_object **got)
{
	struct tmdb_query	 qs[FOR_YOU_SEEDS];
	enum movies_status	 sts[FOR_YOU_SEEDS];
	int			 n = nsaved < FOR_YOU_SEEDS ? nsaved : FOR_YOU_SEEDS;

	for (int s = 0; s < n; s++)
		qs[s] = (struct tmdb_query){ .kind = TMDB_RECOMMENDATIONS, .id = saved_ids[s], .page = 1 };
	movies_resolve_many(app.movies, qs, (size_t)n, got, sts, MOVIES_VISITOR);
	return n;
}

/*
 * Merges the recommendations of the movies most recently saved as favorites or on the watchlist,
 * ranked by how many recommend each, leaving out every movie on either list.
 */
static struct json_object *
build_for_you(struct req *r, int *nseeds)
{
	int			 nsaved, ncand = 0, nseed;
	int64_t			*saved_ids;
	struct json_object	*got[FOR_YOU_SEEDS];
	struct candidate	*cand;
	struct json_object	*pages, *out;

	*nseeds = 0;
	if (lists_recent_ids(r, r->user->id, SAVED_MAX, &saved_ids, &nsaved) != FAIL_OK)
		return NULL;
	pages = req_keep_json(r, json_object_new_array());
	out = req_keep_json(r, json_object_new_array());
	cand = arena_alloc(r->arena, sizeof(*cand) * FOR_YOU_SEEDS * 40);
	nseed = resolve_seeds(saved_ids, nsaved, got);
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
		/* A copy: the item belongs to a cached page other requests share (movies.h). */
		struct json_object *o = json_object_new_object();

		json_object_object_foreach(cand[i].item, name, value)
			json_object_object_add(o, name, json_object_get(value));
		json_object_object_add(o, "for_you_votes", json_object_new_int(cand[i].votes));
		json_object_array_add(out, o);
	}
	return out;
}

/* The user's list from the cache, else built (and cached when any seed answered); NULL when the database failed. */
static struct json_object *
for_you_items(struct req *r)
{
	struct json_object	*items = NULL;
	struct buf		 cached = BUF_INIT;
	const char		*key = lists_for_you_key(r, r->user->id);
	int			 nseeds = -1;

	/* Cached per user; any change to either list deletes the entry. */
	if (app.cache && cache_get(app.cache, key, &cached) == 1)
		items = req_keep_json(r, json_tokener_parse(buf_cstr(&cached)));
	buf_free(&cached);
	if (items && json_object_is_type(items, json_type_array))
		return items;
	if ((items = build_for_you(r, &nseeds)) == NULL)
		return NULL;
	if (app.cache && nseeds > 0) {
		const char *s = json_object_to_json_string_ext(items, JSON_C_TO_STRING_PLAIN);
		cache_set(app.cache, key, s, strlen(s), FOR_YOU_TTL);
	}
	return items;
}

void
page_for_you(struct req *r, struct resp *rs)
{
	struct json_object	*items = for_you_items(r), *ctx = req_object(r), *cards;

	if (items == NULL) {
		answer_fail(r, rs, FAIL_DB, MSG_FOR_YOU);
		return;
	}
	cards = json_object_new_array();
	for (size_t i = 0; i < json_object_array_length(items); i++) {
		struct json_object	*item = json_object_array_get_idx(items, i), *v;
		/* The visitor's own list: rendered per request (src NULL), nothing of it kept. */
		struct json_object	*card = movieview_card_part(r, NULL, (int)i, item, "card_movie");

		if (json_object_object_get_ex(item, "for_you_votes", &v) && json_object_get_int(v) > 1)
			json_object_object_add(card, "votes", json_object_new_int(json_object_get_int(v)));
		json_object_array_add(cards, card);
	}
	json_object_object_add(ctx, "movies", cards);
	if (json_object_array_length(cards) == 0)
		json_object_object_add(ctx, "empty", json_object_new_boolean(1));
	movieview_watch_buttons(r, ctx, "movies");
	view_page(r, rs, "foryou", "For you", ctx);
}
