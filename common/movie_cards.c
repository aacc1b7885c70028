/* movie_cards.c: the small poster-grid cards of movies, read from Redis and refilled from details. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cache.h"
#include "metrics.h"
#include "movies.h"
#include "util.h"

/* The fields a poster grid shows, copied from a details object. */
static struct json_object *
card_of(struct json_object *details)
{
	static const char *fields[] = { "id", "title", "original_title", "release_date", "poster_path",
	    "backdrop_path", "overview", "vote_average", "vote_count" };
	struct json_object *card = json_object_new_object(), *v;

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (json_object_object_get_ex(details, fields[i], &v))
			json_object_object_add(card, fields[i], json_object_get(v));
	return card;
}

/* The Redis keys of the cards of ids, each allocated (the caller frees them and the array). */
static char **
card_keys(const int64_t *ids, size_t n)
{
	char **keys = xcalloc(n ? n : 1, sizeof(*keys));

	for (size_t i = 0; i < n; i++) {
		struct buf k = BUF_INIT;

		buf_printf(&k, "movie_%lld_card", (long long)ids[i]);
		keys[i] = buf_detach(&k);
	}
	return keys;
}

/* Fills outs[miss_at[j]] from the details of miss_ids[j] (through the movie layer) and stores
 * the new cards under keys in one round trip. Returns movies_details_many's status. */
static enum movies_status
fill_missing_cards(struct movies *m, char **keys, const int64_t *miss_ids, const size_t *miss_at,
    size_t nmiss, struct json_object **outs)
{
	struct json_object	**details = xcalloc(nmiss, sizeof(*details));
	struct cache_item	 *items = xcalloc(nmiss, sizeof(*items));
	size_t			  nitems = 0;
	enum movies_status	  st;

	st = movies_details_many(m, miss_ids, nmiss, details, NULL);
	for (size_t j = 0; j < nmiss; j++) {
		if (details[j] == NULL)
			continue;
		outs[miss_at[j]] = card_of(details[j]);
		json_object_put(details[j]);
		const char *v = json_object_to_json_string_ext(outs[miss_at[j]],
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
		items[nitems++] = (struct cache_item){ keys[miss_at[j]], v, strlen(v), movies_ttl(TMDB_DETAILS) };
	}
	if (nitems > 0)
		cache_set_many(movies_cache(m), items, nitems);
	free(details);
	free(items);
	return st;
}

enum movies_status
movies_cards_many(struct movies *m, const int64_t *ids, size_t n, struct json_object **outs)
{
	char			**keys, **vals;
	int64_t			 *miss_ids;
	size_t			 *miss_at, nmiss = 0;
	enum movies_status	  st = MOVIES_OK;

	if (n > MOVIES_MANY_MAX)
		return MOVIES_BAD_REQUEST;
	keys = card_keys(ids, n);
	vals = xcalloc(n ? n : 1, sizeof(*vals));
	miss_ids = xcalloc(n ? n : 1, sizeof(*miss_ids));
	miss_at = xcalloc(n ? n : 1, sizeof(*miss_at));
	for (size_t i = 0; i < n; i++)
		outs[i] = NULL;
	/* One round trip for every card; a miss costs the details call, which refills the card. */
	int cache_up = cache_mget(movies_cache(m), (const char *const *)keys, n, vals, NULL) == 0;
	for (size_t i = 0; i < n; i++) {
		if ((outs[i] = movies_parse_cached(vals[i])) == NULL) {
			miss_ids[nmiss] = ids[i];
			miss_at[nmiss++] = i;
		}
	}
	/* Counted once per page, not once per card (a metric update formats its labels). */
	if (cache_up && n > nmiss)
		metrics_add(MET_CACHE_LOOKUPS, n - nmiss, METRICS_LABELS("card", "hit"));
	if (cache_up && nmiss > 0)
		metrics_add(MET_CACHE_LOOKUPS, nmiss, METRICS_LABELS("card", "miss"));
	if (nmiss > 0)
		st = fill_missing_cards(m, keys, miss_ids, miss_at, nmiss, outs);
	for (size_t i = 0; i < n; i++) {
		free(keys[i]);
		free(vals[i]);
	}
	free(keys);
	free(vals);
	free(miss_ids);
	free(miss_at);
	return st;
}

void
movies_cards_cached(struct movies *m, const int64_t *ids, size_t n, struct json_object **outs)
{
	char **keys = card_keys(ids, n), **vals = xcalloc(n ? n : 1, sizeof(*vals));

	if (n > 0)
		cache_mget(movies_cache(m), (const char *const *)keys, n, vals, NULL);
	for (size_t i = 0; i < n; i++) {
		outs[i] = movies_parse_cached(vals[i]);
		free(keys[i]);
		free(vals[i]);
	}
	free(keys);
	free(vals);
}
