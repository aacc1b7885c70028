/* visitor.h: the visitor's own lists as a page shows them, read with the session: asked before, decoded by name, forgotten after a change. */
#ifndef VISITOR_H
#define VISITOR_H

#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "fail.h"
#include "http.h"
#include "model_lists.h"

/*
 * One place for all a page shows of the visitor's own state: a new kind (a diary's, a rating's)
 * is one more named column of DB_SESSION_GET (common/db.c), one more thing a page may ask here,
 * decoded in visitor_decode, answered here and forgotten by visitor_forget.
 */

/* How many "more like this" ids a movie's page may have its watchlist state read with the session. */
#define VISITOR_AMONG_MAX	12
/* DB_SESSION_GET's parameters that are the visitor's ($3 to $7, after the key and the user). */
#define VISITOR_PARAMS		5

/*
 * What a page will show of the visitor's lists, declared by the page (routes.c's route_asks[])
 * before the session is read, so that the session's statement reads it in the same round trip.
 * Only a wish: a page whose wish was not read asks model_lists as usual.
 */
/* A movie's page: is movie_id on each list, and the watchlist state of the ids it asked last time. */
void		 visitor_ask_movie(struct req *, int64_t movie_id);
/* A list's page: page page (1-based) of list l. */
void		 visitor_ask_list_page(struct req *, enum movie_list l, int page);

/* The parameters of what was asked into params[0..VISITOR_PARAMS) (request arena; NULL when not asked). */
void		 visitor_params(struct req *, const char *params[VISITOR_PARAMS]);
/*
 * Keeps what row 0 of res (a DB_SESSION_GET result, still the caller's) says of user_id's lists,
 * each column found by its name. Used only for that user: the session's signed data decides.
 */
void		 visitor_decode(struct req *, int64_t user_id, const PGresult *res);
/* Forgets all that was read: every writer of a list calls it after a change, so no stale answer is shown. */
void		 visitor_forget(struct req *);

/* Whether a movie is on one of the visitor's lists; unknown when that list's table could not be read. */
enum on_list { ON_LIST_NO, ON_LIST_YES, ON_LIST_UNKNOWN };
/* Is movie_id on each list of the visitor (r->user)? out[l] for each; read with the session if it was. */
void		 visitor_movie_lists(struct req *, int64_t movie_id, enum on_list out[LIST_COUNT]);
/* Which of ids[0..n) are on the visitor's watchlist (as list_among), read with the session if they were. */
enum fail	 visitor_watchlist_among(struct req *, const int64_t *ids, size_t n, int *in);
/* The visitor's page of list l with its movies (as list_page), read with the session if it was. */
enum fail	 visitor_list_page(struct req *, enum movie_list l, int page, struct list_page *out);

#endif
