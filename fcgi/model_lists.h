/* model_lists.h: the lists a user keeps, behind one enum: what importing and exporting need of each list (favorites; the watchlist joins here). */
#ifndef MODEL_LISTS_H
#define MODEL_LISTS_H

#include <stddef.h>
#include <stdint.h>

#include "fail.h"
#include "http.h"
#include "model_favorites.h"

/*
 * The lists imports go into and exports come from. A new list adds its kind here and a case in
 * each function of model_lists.c (its model's add-many, among and all); the import and export
 * pages, their templates and the tests take it from list_kinds().
 */
enum list_kind {
	LIST_FAVORITES,
	LIST_KIND_COUNT
};

/* Its name in forms and addresses ("favorites"), what people read ("Favorites"), its page. */
const char	*list_name(enum list_kind);
const char	*list_label(enum list_kind);
const char	*list_url(enum list_kind);
/* The list called name: 0, or -1 for none. */
int		 list_kind_by_name(const char *name, enum list_kind *);

/* Adds ids[0..n) (titles[i] each one's title) in one transaction; *added counts new rows. */
enum fail	 list_add_many(struct req *, enum list_kind, int64_t user_id, const int64_t *ids,
		    const char *const *titles, size_t n, long long *added);
/* Which of ids[0..n) the list holds: present[i] 1 or 0. */
enum fail	 list_among(struct req *, enum list_kind, int64_t user_id, const int64_t *ids, size_t n,
		    int *present);
/* Every movie of the list, newest first, each with its card entry (or NULL): the export. */
enum fail	 list_all(struct req *, enum list_kind, int64_t user_id, struct favorite **rows, int *n);

#endif
