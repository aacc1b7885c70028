/* cors.c: cross-origin requests to the JSON API, answered as django-cors-headers 3.x does. */
#include <string.h>

#include "config.h"
#include "cors.h"
#include "log.h"
#include "util.h"

/* One "scheme://host[:port]" entry: a scheme, a host, no path, query or fragment. */
static int
valid_origin(const char *s, size_t n)
{
	const char *sep = memmem(s, n, "://", 3);
	size_t rest;

	if (sep == NULL || sep == s)
		return 0;
	rest = n - (size_t)(sep + 3 - s);
	if (rest == 0)
		return 0;
	for (const char *p = sep + 3; p < s + n; p++)
		if (*p == '/' || *p == '?' || *p == '#' || *p == ' ' || *p == '\t')
			return 0;
	return 1;
}

/* Calls fn on each non-empty, space-trimmed entry until it returns non-zero; returns that. */
static int
each_entry(const char *list, int (*fn)(const char *, size_t, const void *), const void *arg)
{
	const char	*e;
	size_t		 n;
	int		 rv;

	while (util_list_next(&list, &e, &n))
		if ((rv = fn(e, n, arg)) != 0)
			return rv;
	return 0;
}

static int
bad_entry(const char *s, size_t n, const void *arg)
{
	(void)arg;
	if (valid_origin(s, n))
		return 0;
	log_error("config: CORS_ALLOWED_ORIGINS entry \"%.*s\" is not scheme://host[:port] (no path)",
	    (int)(n > 200 ? 200 : n), s);
	return -1;
}

int
cors_check_origins(const char *list)
{
	return each_entry(list, bad_entry, NULL);
}

static int
same_entry(const char *s, size_t n, const void *arg)
{
	const char *origin = arg;

	return strlen(origin) == n && memcmp(origin, s, n) == 0;
}

int
cors_origin_listed(const char *list, const char *origin)
{
	if (origin == NULL || *origin == '\0')
		return 0;
	return each_entry(list, same_entry, origin);
}

int
cors_path_applies(const char *path)
{
	return path != NULL && strncmp(path, "/api/", 5) == 0;
}

int
cors_preflight(struct req *r, struct resp *rs)
{
	if (r->method != M_OPTIONS || r->cors_request_method == NULL || !cors_path_applies(r->path))
		return 0;
	/* As django-cors-headers: an empty 200 whatever the origin; the headers decide. */
	rs->status = 200;
	buf_reset(&rs->body);
	return 1;
}

void
cors_headers(const struct req *r, struct resp *rs)
{
	if (!cors_path_applies(r->path))
		return;
	/* Always: a shared cache must not hand one origin's answer to another. */
	resp_header(rs, "Vary", "Origin");
	if (!cors_origin_listed(config.cors_allowed_origins, r->origin))
		return;
	resp_header(rs, "Access-Control-Allow-Origin", "%s", r->origin);
	if (r->method == M_OPTIONS) {
		resp_header(rs, "Access-Control-Allow-Headers", "%s", CORS_ALLOW_HEADERS);
		resp_header(rs, "Access-Control-Allow-Methods", "%s", CORS_ALLOW_METHODS);
		resp_header(rs, "Access-Control-Max-Age", "%d", CORS_MAX_AGE);
	}
}
