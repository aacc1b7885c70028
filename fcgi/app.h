/* app.h: a worker's long-lived state and the helpers every page handler uses to answer. */
#ifndef APP_H
#define APP_H

#include <json-c/json.h>

#include "hashers.h"
#include "http.h"
#include "signing.h"

struct cache;
struct db;
struct movies;
struct mustache_set;

/* Process lifetime (templates, read before fork) and worker lifetime (connections, after fork). */
struct app {
	struct mustache_set	*templates;
	struct hasher_policy	 policy;	/* how new hashes are made: the Django run beside */
	struct signing_key	 signing;	/* SECRET_KEY and its fallbacks */
	struct db		*db;
	struct movies		*movies;
	struct cache		*cache;		/* the movies' Redis connection, shared */
};

extern struct app app;

/* Loads what every worker shares (templates). 0, or -1 after logging why. */
int	 app_load(void);
/* Opens this worker's connections. Never fails: unreachable servers are retried per request. */
void	 app_worker_init(void);
void	 app_worker_close(void);
/* Turns one parsed request into a response: middleware, routing, handler, error pages. */
void	 app_handle(struct req *, struct resp *);

/*
 * Renders template name inside the site layout with ctx (consumed: the caller's reference
 * goes to the arena). Adds the visitor, CSRF token and static URL to the context.
 */
void	 view_page(struct req *, struct resp *, const char *name, const char *title,
	    struct json_object *ctx);
/* An error answer in the request's language: JSON under /api/, the site's error page otherwise. */
void	 app_error(struct req *, struct resp *, int status, const char *message);
/* The site's error page (in the layout) with a message a person understands. */
void	 view_error(struct req *, struct resp *, int status, const char *message);
/* The string member name of o, or NULL when absent or not a string. */
const char *json_str(struct json_object *o, const char *name);
/* Hands a json-c reference to the request: released with the arena. Returns o. */
struct json_object *req_keep_json(struct req *, struct json_object *o);
/* A JSON body (consumed). */
void	 view_json(struct req *, struct resp *, int status, struct json_object *);

#endif
