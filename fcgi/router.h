/* router.h: the route table type and the matcher that turns a path into a handler. */
#ifndef ROUTER_H
#define ROUTER_H

#include "fail.h"
#include "http.h"

typedef void (*handler_fn)(struct req *, struct resp *);

enum route_flags {
	R_LOGIN		= 1,	/* anonymous visitors are sent to /login?next=... */
	R_NO_CSRF	= 2,	/* POSTs that carry no cookie authority (token APIs) */
	R_PUBLIC	= 4,	/* anonymous responses may be cached (ETag) */
	R_JSON		= 8,	/* errors are answered as JSON, not HTML pages */
	R_NO_SESSION	= 16,	/* never reads the session (health checks) */
	R_TOKEN		= 32,	/* needs a Bearer access token naming an active user (the API) */
};

struct route {
	unsigned	 methods;	/* M_GET | M_POST ...; GET implies HEAD */
	const char	*pattern;	/* "/movie/{id}": {name} is a positive 32-bit integer */
	handler_fn	 fn;
	unsigned	 flags;
	unsigned	 args;		/* the query parameters it takes (enum arg_decl) */
};

extern const struct route routes[];
extern const size_t nroutes;

/* The few routes whose bodies may exceed REQ_MAX_BODY (forms that take files). */
struct route_body {
	unsigned	 methods;
	const char	*pattern;	/* as in routes[] */
	size_t		 max_body;
	enum msg	 too_large;	/* the 413 page's message */
};

extern const struct route_body route_bodies[];
extern const size_t nroute_bodies;

/*
 * The pages that show the visitor's own lists declare, before the session is read, what its
 * statement is to read with it (visitor.h): ask is called with the request once routed.
 */
struct route_ask {
	const char	*pattern;	/* as in routes[] (GET) */
	void		(*ask)(struct req *);
};

extern const struct route_ask route_asks[];
extern const size_t nroute_asks;

/* Runs the declaration of r's route in route_asks[], if it has one. */
void router_ask(struct req *r);

/*
 * Finds the route for a path and method and stores its integer parameters in r->path_int.
 * Returns the route, or NULL with *status 404 (no pattern matches) or 405 (the path exists
 * for other methods, listed in allow as "GET, HEAD, POST").
 */
const struct route *router_match(struct req *r, int *status, char *allow, size_t allowsz);

/*
 * The body limit of a request (a body_limit_fn for req_parse_limited): its route_bodies[]
 * entry's max_body and message, or REQ_MAX_BODY.
 */
size_t router_body_limit(const struct req *r, const char **why);

/*
 * Django's APPEND_SLASH: 1 if path lacks a trailing slash and path + "/" is a route (for any
 * method), so a GET or HEAD of path is redirected there. The path is not changed.
 */
int router_slash_exists(const char *path);

#endif
