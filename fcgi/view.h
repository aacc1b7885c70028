/* view.h: turns a handler's result into a response: pages in the layout, JSON, and every failure. */
#ifndef VIEW_H
#define VIEW_H

#include <json-c/json.h>

#include "fail.h"
#include "http.h"

/*
 * Renders template name inside the site layout with ctx (request-owned: see req_object()).
 * Adds the visitor, CSRF token and static URL to the context. A template that fails to render
 * gives a plain 500 page.
 */
void	 view_page(struct req *, struct resp *, const char *name, const char *title,
	    struct json_object *ctx);
/* A JSON body (o request-owned; none for 204). */
void	 view_json(struct req *, struct resp *, int status, struct json_object *o);
/* The same answer from text already written as view_json writes it (movies_json_text). */
void	 view_json_text(struct resp *, int status, const char *text, size_t len);
/* The site's error page (in the layout) with a message a person understands. */
void	 view_error(struct req *, struct resp *, int status, const char *message);
/*
 * The one place a failure becomes a response: the status from fail_status(), the message's
 * Retry-After, and a body in the route's language: {"<key>": text, "code": ...} plus extra's
 * members (request-owned, may be NULL) under /api/ and on R_JSON routes, the error page
 * otherwise. text NULL means the table's text.
 */
void	 answer_failure(struct req *, struct resp *, enum fail, enum msg, const char *text,
	    struct json_object *extra);
/* answer_failure() with the table's text. */
void	 answer_fail(struct req *, struct resp *, enum fail, enum msg);
/* answer_failure() with the table's text as a printf format. */
void	 answer_failf(struct req *, struct resp *, enum fail, enum msg, ...);

/* A page's 429: m formatted with the minutes to wait (and their plural 's'), and Retry-After. */
void	 answer_throttled(struct req *, struct resp *, int retry_after, enum msg m);

#endif
