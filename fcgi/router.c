/* router.c: matches a request path and method against the route table. */
#include <stdio.h>
#include <string.h>

#include "router.h"
#include "util.h"

/* Matches one pattern; integer segments go to ints, a final '*' any non-empty rest. 1 on match. */
static int
pattern_match(const char *pat, const char *path, int64_t *ints, size_t *nints)
{
	*nints = 0;
	while (*pat && *path) {
		/* A trailing '*' takes the rest of the path, whatever it is (the handler reads it). */
		if (pat[0] == '*' && pat[1] == '\0')
			return 1;
		if (*pat == '{') {
			const char	*close = strchr(pat, '}');
			size_t		 n = strcspn(path, "/");
			int64_t		 v;

			if (close == NULL || n == 0 || *nints == REQ_MAX_PATH_INTS)
				return 0;
			/* Leading zeros would give one resource two addresses. */
			if (path[0] == '0' || parse_int64(path, n, 1, INT32_MAX, &v) != 0)
				return 0;
			ints[(*nints)++] = v;
			pat = close + 1;
			path += n;
			continue;
		}
		if (*pat != *path)
			return 0;
		pat++;
		path++;
	}
	return *pat == '\0' && *path == '\0';
}

const struct route *
router_match(struct req *r, int *status, char *allow, size_t allowsz)
{
	unsigned	 methods = 0;
	int64_t		 ints[REQ_MAX_PATH_INTS];
	size_t		 nints;
	unsigned	 want = r->method == M_HEAD ? M_GET : r->method;

	for (size_t i = 0; i < nroutes; i++) {
		if (!pattern_match(routes[i].pattern, r->path, ints, &nints))
			continue;
		if (routes[i].methods & want) {
			memcpy(r->path_int, ints, sizeof(ints));
			r->npath_int = nints;
			return &routes[i];
		}
		methods |= routes[i].methods;
	}
	if (methods == 0) {
		*status = 404;
		return NULL;
	}
	*status = 405;
	snprintf(allow, allowsz, "%s%s%s%s",
	    methods & M_GET ? "GET, HEAD" : "",
	    methods & M_POST ? (methods & M_GET ? ", POST" : "POST") : "",
	    methods & M_DELETE ? ((methods & (M_GET | M_POST)) ? ", DELETE" : "DELETE") : "",
	    "");
	return NULL;
}

size_t
router_body_limit(const struct req *r, const char **why)
{
	int64_t	 ints[REQ_MAX_PATH_INTS];
	size_t	 nints;

	for (size_t i = 0; i < nroute_bodies; i++)
		if ((route_bodies[i].methods & r->method) && pattern_match(route_bodies[i].pattern, r->path, ints, &nints)) {
			*why = msg_def(route_bodies[i].too_large)->text;
			return route_bodies[i].max_body;
		}
	return REQ_MAX_BODY;
}

int
router_slash_exists(const char *path)
{
	char	 slashed[REQ_MAX_URI + 2];
	int64_t	 ints[REQ_MAX_PATH_INTS];
	size_t	 n = strlen(path), nints;

	if (n == 0 || path[n - 1] == '/' || n > REQ_MAX_URI)
		return 0;
	memcpy(slashed, path, n);
	slashed[n] = '/';
	slashed[n + 1] = '\0';
	for (size_t i = 0; i < nroutes; i++)
		if (pattern_match(routes[i].pattern, slashed, ints, &nints))
			return 1;
	return 0;
}

void
router_ask(struct req *r)
{
	for (size_t i = 0; r->route && i < nroute_asks; i++)
		if (strcmp(route_asks[i].pattern, r->route->pattern) == 0)
			route_asks[i].ask(r);
}
