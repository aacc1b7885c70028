/* cors.h: cross-origin requests to the JSON API, answered as django-cors-headers 3.x does. */
#ifndef CORS_H
#define CORS_H

#include "http.h"

/* django-cors-headers' defaults (CORS_ALLOW_HEADERS, CORS_ALLOW_METHODS, CORS_PREFLIGHT_MAX_AGE). */
#define CORS_ALLOW_HEADERS	"accept, accept-encoding, authorization, content-type, dnt, origin, " \
				"user-agent, x-csrftoken, x-requested-with"
#define CORS_ALLOW_METHODS	"DELETE, GET, OPTIONS, PATCH, POST, PUT"
#define CORS_MAX_AGE		86400

/*
 * Checks CORS_ALLOWED_ORIGINS (comma-separated "scheme://host[:port]", no path) once at start,
 * as django-cors-headers' system checks do. 0, or -1 after logging the bad entry.
 */
int	 cors_check_origins(const char *list);
/* 1 if origin is one of list's entries (exact match, as django-cors-headers compares them). */
int	 cors_origin_listed(const char *list, const char *origin);
/* 1 if CORS applies to this path: the API under /api/, never the HTML site. */
int	 cors_path_applies(const char *path);
/*
 * Answers a CORS preflight (OPTIONS with Access-Control-Request-Method on an API path) with
 * an empty 200 before routing; returns 1 when it did, 0 when the request goes on.
 */
int	 cors_preflight(struct req *, struct resp *);
/*
 * Adds the CORS headers to an API answer: Vary: Origin always; Access-Control-Allow-Origin
 * only for an allowed Origin, with the allowed methods, headers and max-age on OPTIONS.
 */
void	 cors_headers(const struct req *, struct resp *);

#endif
