/* model_favorites.h: the users_favoritemovie rows: add, remove, exists, a page with the total, recent ids. */
#ifndef MODEL_FAVORITES_H
#define MODEL_FAVORITES_H

#include <stdint.h>

#include <json-c/json.h>

#include "fail.h"
#include "http.h"

#define FAVORITES_PER_PAGE	20

/* One saved movie of a page: the movie's card entry, or NULL when TMDb and the cache failed. */
struct favorite {
	int64_t			 movie_id;
	const char		*created_at;	/* ISO 8601 UTC with microseconds */
	struct json_object	*movie;		/* request-owned */
};

/* One page of a user's favorites, newest first, and how many they saved in all. */
struct favorites_page {
	struct favorite		 rows[FAVORITES_PER_PAGE];
	int			 n;
	long long		 total;
};

/*
 * Saves movie_id for the user once TMDb confirms it exists. On the origin app's table the
 * movie's title, overview, date and images are stored too, so the Django side keeps showing
 * them. *movie (may be NULL) receives the details and *created_at the row's time (both
 * request-owned). FAIL_OK; FAIL_CONFLICT when saved already (also when a concurrent add won);
 * FAIL_NOT_FOUND when TMDb does not know the id; FAIL_MOVIES; FAIL_DB.
 */
enum fail	 favorite_add(struct req *, int64_t user_id, int64_t movie_id, struct json_object **movie,
		    const char **created_at);
/* FAIL_OK, FAIL_NOT_FOUND when it was not saved, or FAIL_DB. */
enum fail	 favorite_remove(struct req *, int64_t user_id, int64_t movie_id);
/* Is movie_id saved? FAIL_OK (and *saved) or FAIL_DB. */
enum fail	 favorite_exists(struct req *, int64_t user_id, int64_t movie_id, int *saved);
/* How many movies the user saved: FAIL_OK (and *n) or FAIL_DB. */
enum fail	 favorite_count(struct req *, int64_t user_id, long long *n);
/*
 * Page page (1-based, FAVORITES_PER_PAGE rows) with each movie's card entry (one Redis round
 * trip, the misses from TMDb concurrently) and the total: FAIL_OK or FAIL_DB.
 */
enum fail	 favorites_page(struct req *, int64_t user_id, int page, struct favorites_page *out);
/*
 * Every favorite of the user, newest first, in *rows (request arena, *n of them), each with its
 * card entry: read MOVIES_MANY_MAX at a time; once TMDb has failed for one batch the rest come
 * from the cache only (movie NULL when absent), so a long list costs one TMDb timeout at most.
 * FAIL_OK or FAIL_DB.
 */
enum fail	 favorites_all(struct req *, int64_t user_id, struct favorite **rows, int *n);
/* The ids of the user's max most recent favorites (request arena): FAIL_OK or FAIL_DB. */
enum fail	 favorite_recent_ids(struct req *, int64_t user_id, int max, int64_t **ids, int *n);
/*
 * Saves ids[0..n) (titles[i]: the movie's title, kept on the origin app's table) in one
 * statement, so all or none; saved ones are skipped. *added: rows added. FAIL_OK or FAIL_DB.
 */
enum fail	 favorites_add_many(struct req *, int64_t user_id, const int64_t *ids, const char *const *titles,
		    size_t n, long long *added);
/* Which of ids[0..n) the user saved: present[i] = 1 or 0. FAIL_OK or FAIL_DB. */
enum fail	 favorites_among(struct req *, int64_t user_id, const int64_t *ids, size_t n, int *present);
/* The Redis key of the user's "for you" list, deleted whenever their favorites change. */
const char	*favorite_for_you_key(struct req *, int64_t user_id);

#endif
