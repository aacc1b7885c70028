/* movieview.h: turns the movie layer's normalised TMDb JSON into what the templates show. */
#ifndef MOVIEVIEW_H
#define MOVIEVIEW_H

#include <json-c/json.h>

#include "http.h"
#include "movies.h"

/*
 * A card for a list item or details object: id, title, year, rating, overview, url, poster
 * (w342 URL, with w185/w500 srcset) or no_poster. Returns a new object.
 */
struct json_object	*movieview_card(struct json_object *item);
/* Cards for every result of a page object; NULL-safe. Returns a new array. */
struct json_object	*movieview_cards(struct json_object *page);
/* The image URL of a path at a size ("w342"), or NULL when path is null. Arena-owned. */
const char		*movieview_image(struct req *, const char *size, const char *path);
/*
 * Adds "pager" to ctx: {page, total_pages, prev_url, next_url} for a list page, where base is
 * the URL up to (and including) "page=". Returns 0; or -1 after answering 404 when page is past
 * the last page (ctx stays the caller's to free).
 */
int			 movieview_pager(struct req *, struct resp *, struct json_object *ctx, int page,
			    int total_pages, const char *base);
/*
 * Answers a failed movie call the way the site does: 404 page for NOT_FOUND, 503 "the movie
 * service is unavailable" for UNAVAILABLE/CONFIG_ERROR, 400 for BAD_REQUEST.
 */
void			 movieview_fail(struct req *, struct resp *, enum movies_status);
/* Parses ?page= (missing = 1); -1 and a 400 answer when it is not 1..500. */
int			 movieview_page_param(struct req *, struct resp *);

#endif
