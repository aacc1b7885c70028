/* movieview.h: turns the movie layer's normalised TMDb JSON into what the templates show. */
#ifndef MOVIEVIEW_H
#define MOVIEVIEW_H

#include <json-c/json.h>

#include "fail.h"
#include "http.h"
#include "movies.h"

/* The id, url ("/movie/<id>", if with_url) and title ("Untitled" when none) of a list item or details object. A new object. */
struct json_object	*movieview_card_brief(struct json_object *item, int with_url);
/*
 * A card for a list item or details object: movieview_card_brief's and year, rating, overview,
 * poster (w342 URL, with w185/w500 srcset) or no_poster. Returns a new object.
 */
struct json_object	*movieview_card(struct json_object *item);
/* Builds the context (a new object) a fragment of the movie's data is rendered from. */
typedef struct json_object *(*movieview_fragment_fn)(struct req *, struct json_object *item);
/*
 * Template name rendered against build(r, item), as a new string object: the part of a page that
 * shows only movie data. item must come from src (index: which of its items, -1 for src itself),
 * and the context must hold nothing of the visitor's: when src is a value kept by the movie layer
 * (movies_derived), the text is kept with it and later requests for the same data, templates and
 * settings get it without building or rendering. Pages splice it in unescaped ({{{x}}}).
 */
struct json_object	*movieview_fragment(struct req *, struct json_object *src, int index,
			    struct json_object *item, const char *name, movieview_fragment_fn build);
/*
 * A card as a grid shows it: movieview_card_brief's id and title (the visitor's buttons use
 * them) and "html", template tpl (card_movie, card_head) rendered from item as a fragment of src.
 */
struct json_object	*movieview_card_part(struct req *, struct json_object *src, int index,
			    struct json_object *item, const char *tpl);
/* movieview_card_part (card_movie) for the first max results of a page object (0: every one); NULL-safe. A new array. */
struct json_object	*movieview_cards(struct req *, struct json_object *page, size_t max);
/* The image URL of a path at a size ("w342"), or NULL when path is null. Arena-owned. */
const char		*movieview_image(struct req *, const char *size, const char *path);
/*
 * Adds "pager" to ctx: {page, total_pages, prev_url, next_url} for a list page, where base is
 * the URL up to (and including) "page=". Returns 0; or -1 after answering 404 when page is past
 * the last page.
 */
int			 movieview_pager(struct req *, struct resp *, struct json_object *ctx, int page,
			    int total_pages, const char *base);
/*
 * For a logged-in visitor, gives each card of the array ctx[key] a watchlist button
 * ("watch_button", and "in_watchlist" for those on it; one query for all) and ctx the address
 * its form returns to. Anonymous visitors (cacheable pages), or a failed query, get no buttons.
 */
void			 movieview_watch_buttons(struct req *, struct json_object *ctx, const char *key);
/* The failure a movie-layer status stands for: FAIL_OK for fresh and stale data. */
enum fail		 movieview_fail(enum movies_status);
/*
 * Takes a movie call's result: 0 with *out request-owned when there is data, else -1 after
 * answering as the site does (404 page, 400, or 503 "try again" with Retry-After).
 */
int			 movieview_take(struct req *, struct resp *, enum movies_status, struct json_object **out);
/* An integer member of a TMDb object, or 0. */
int			 movieview_int(struct json_object *o, const char *name);

#endif
