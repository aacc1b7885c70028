/* model_lists.h: a user's movie lists (favorites, watchlist): names, add, remove, exists, a page with the total, ids, an import's many rows. */
#ifndef MODEL_LISTS_H
#define MODEL_LISTS_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "fail.h"
#include "http.h"

#define LIST_PER_PAGE	20

/*
 * The lists; each is one Django model's table (users_favoritemovie, users_watchlistmovie). A
 * new list adds a row to each table of model_lists.c (its names, its statements), page_lists.c
 * and api_lists.c, and its routes; the import form and its export links list every one.
 */
enum movie_list {
	LIST_FAVORITES,
	LIST_WATCHLIST,
	LIST_COUNT	/* how many lists there are */
};

/* Its name in forms and files ("watchlist"), what people read ("Watchlist"), its page. */
const char	*list_name(enum movie_list);
const char	*list_label(enum movie_list);
const char	*list_url(enum movie_list);
/* The list a route is about: the one its address names ("/watchlist/{id}", "/api/v1/auth/favorites/"). */
enum movie_list	 list_of_route(const struct req *);
/* The list called name (NULL: none): 0, or -1 for none. */
int		 list_by_name(const char *name, enum movie_list *);

/* One saved movie of a page: the movie's card entry, or NULL when TMDb and the cache failed. */
struct list_row {
	int64_t			 movie_id;
	const char		*created_at;	/* ISO 8601 UTC with microseconds */
	struct json_object	*movie;		/* request-owned */
};

/* One page of a user's list, newest first, and how many movies it holds in all. */
struct list_page {
	struct list_row		 rows[LIST_PER_PAGE];
	int			 n;
	long long		 total;
};

/*
 * Saves movie_id on the list once TMDb confirms it exists. On the origin app's favorites table
 * the movie's title, overview, date and images are stored too, so the Django side keeps showing
 * them. *movie (may be NULL) receives the details and *created_at the row's time (both
 * request-owned). FAIL_OK; FAIL_CONFLICT when saved already (also when a concurrent add won);
 * FAIL_NOT_FOUND when TMDb does not know the id; FAIL_MOVIES; FAIL_DB.
 */
enum fail	 list_add(struct req *, enum movie_list, int64_t user_id, int64_t movie_id,
		    struct json_object **movie, const char **created_at);
/* FAIL_OK, FAIL_NOT_FOUND when it was not on the list, or FAIL_DB. */
enum fail	 list_remove(struct req *, enum movie_list, int64_t user_id, int64_t movie_id);
/* Is movie_id on the list? FAIL_OK (and *saved) or FAIL_DB. */
enum fail	 list_exists(struct req *, enum movie_list, int64_t user_id, int64_t movie_id, int *saved);
/* How many movies the list holds: FAIL_OK (and *n) or FAIL_DB. */
enum fail	 list_count(struct req *, enum movie_list, int64_t user_id, long long *n);
/*
 * Page page (1-based, LIST_PER_PAGE rows) with each movie's card entry (one Redis round
 * trip, the misses from TMDb concurrently) and the total: FAIL_OK or FAIL_DB.
 */
enum fail	 list_page(struct req *, enum movie_list, int64_t user_id, int page, struct list_page *out);
/* Each of out's rows' card entry (one Redis round trip, the misses from TMDb concurrently). */
void		 list_page_movies(struct req *, struct list_page *out);
/*
 * The whole list, newest first, in *rows (request arena, *n of them), each with its card
 * entry: read MOVIES_MANY_MAX at a time; once TMDb has failed for one batch the rest come
 * from the cache only (movie NULL when absent), so a long list costs one TMDb timeout at most.
 * FAIL_OK or FAIL_DB.
 */
enum fail	 list_all(struct req *, enum movie_list, int64_t user_id, struct list_row **rows, int *n);
/*
 * Which of ids[0..n) are on the user's list: in[i] set to 1 or 0 (one query).
 * FAIL_OK or FAIL_DB (in[] all 0).
 */
enum fail	 list_among(struct req *, enum movie_list, int64_t user_id, const int64_t *ids, size_t n, int *in);
/*
 * Saves ids[0..n) on the list in one statement, so all or none (an import's confirm); movies on
 * it already, or twice in ids, are skipped. titles[i] is ids[i]'s title, kept on the origin
 * app's favorites table. *added: rows added. FAIL_OK or FAIL_DB.
 */
enum fail	 list_add_many(struct req *, enum movie_list, int64_t user_id, const int64_t *ids,
		    const char *const *titles, size_t n, long long *added);
/* ids[0..n) as an int array literal for SQL ("{550,680}", request arena). */
const char	*lists_id_array(struct req *, const int64_t *ids, int n);
/*
 * Marks a watchlist movie watched: takes it off the watchlist and, with to_favorites, saves it
 * as a favorite in the same transaction (a favorite already stays as it was). FAIL_OK;
 * FAIL_NOT_FOUND when it was not on the watchlist; FAIL_MOVIES (the origin's table needs the
 * movie's details, and TMDb and the cache failed); FAIL_DB.
 */
enum fail	 watchlist_watched(struct req *, int64_t user_id, int64_t movie_id, int to_favorites);
/*
 * The max movies most recently saved on either list, each once (request arena): "for you"'s
 * seeds and what it leaves out. FAIL_OK or FAIL_DB.
 */
enum fail	 lists_recent_ids(struct req *, int64_t user_id, int max, int64_t **ids, int *n);
/* The Redis key of the user's "for you" list, deleted whenever either list changes. */
const char	*lists_for_you_key(struct req *, int64_t user_id);

#endif
