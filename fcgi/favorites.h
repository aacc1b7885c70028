/* favorites.h: saving and removing a user's favorite movies, shared by the pages and the JSON API. */
#ifndef FAVORITES_H
#define FAVORITES_H

#include <stdint.h>

#include <json-c/json.h>

#include "http.h"

enum favorite_result {
	FAVORITE_ADDED,
	FAVORITE_EXISTS,		/* saved already (also when a concurrent add won) */
	FAVORITE_REMOVED,
	FAVORITE_ABSENT,		/* nothing to remove */
	FAVORITE_UNKNOWN_MOVIE,		/* TMDb does not know the id */
	FAVORITE_MOVIES_DOWN,		/* the movie could not be checked: TMDb and the cache failed */
	FAVORITE_DB_DOWN
};

/*
 * Saves movie_id for the user once TMDb confirms it exists. On the origin app's table the movie's
 * title, overview, date and images are stored too, so the Django side keeps showing them.
 * *details (may be NULL) receives the movie (request-owned); *created_at the row's time
 * (ISO 8601 UTC, request-owned) when added.
 */
enum favorite_result favorite_add(struct req *, int64_t user_id, int64_t movie_id,
		    struct json_object **details, const char **created_at);
/* How many movies the user saved, or -1 when the database is unavailable. */
long long	 favorite_count(struct req *, int64_t user_id);
enum favorite_result favorite_remove(struct req *, int64_t user_id, int64_t movie_id);
/* The Redis key of the user's "for you" list, deleted whenever their favorites change. */
const char	*favorite_for_you_key(struct req *, int64_t user_id);

#endif
