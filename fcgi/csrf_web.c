/* csrf_web.c: the csrftoken cookie, the masked token of this page's forms, and the POST check. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "csrf.h"
#include "csrf_web.h"
#include "log.h"
#include "util.h"

#define CSRF_COOKIE	"csrftoken"
#define CSRF_COOKIE_AGE	31449600	/* Django's CSRF_COOKIE_AGE: 52 weeks */

/* The csrftoken cookie's secret, or NULL when absent or malformed. */
static const char *
csrf_cookie_secret(struct req *r)
{
	const char	*cookie = params_get(&r->cookies, CSRF_COOKIE);
	char		 secret[CSRF_SECRET_LEN + 1];

	if (cookie == NULL || csrf_secret_from_cookie(cookie, strlen(cookie), secret) != 0)
		return NULL;
	return arena_strdup(r->arena, secret);
}

static void
csrf_set_cookie(struct req *r, struct resp *rs, const char *secret)
{
	/* Django 4.1+ stores the unmasked secret; scripts may read it (not HttpOnly). */
	resp_cookie(rs, r, CSRF_COOKIE, secret, CSRF_COOKIE_AGE, 1);
	r->csrf_cookie_set = 1;
	r->csrf_secret = arena_strdup(r->arena, secret);
}

const char *
csrf_form_token(struct req *r, struct resp *rs)
{
	char token[CSRF_TOKEN_LEN + 1], fresh[CSRF_SECRET_LEN + 1];

	if (r->csrf_token)
		return r->csrf_token;
	if (r->csrf_secret == NULL)
		r->csrf_secret = csrf_cookie_secret(r);
	if (r->csrf_secret == NULL) {
		csrf_new_secret(fresh);
		csrf_set_cookie(r, rs, fresh);
	}
	csrf_mask(r->csrf_secret, token);
	r->csrf_token = arena_strdup(r->arena, token);
	return r->csrf_token;
}

void
csrf_rotate_cookie(struct req *r, struct resp *rs)
{
	char fresh[CSRF_SECRET_LEN + 1];

	csrf_new_secret(fresh);
	csrf_set_cookie(r, rs, fresh);
	r->csrf_token = NULL;
}

/* Is origin one of CSRF_TRUSTED_ORIGINS: exact, or a wildcard entry such as https:// + *.example.com? */
static int
origin_trusted(const char *origin)
{
	const char	*cur = config.csrf_trusted_origins, *list;
	size_t		 olen = strlen(origin), n;

	while (util_list_next(&cur, &list, &n)) {
		if (n == olen && strncasecmp(list, origin, n) == 0)
			return 1;
		const char *star = memchr(list, '*', n);
		if (star && star > list && star[-1] == '/' && star + 1 < list + n && star[1] == '.') {
			size_t	prefix = (size_t)(star - list);
			size_t	suffix = n - prefix - 1;	/* ".domain" */

			if (olen > prefix + suffix && strncasecmp(origin, list, prefix) == 0 &&
			    strncasecmp(origin + olen - suffix, star + 1, suffix) == 0)
				return 1;
		}
	}
	return 0;
}

static enum fail
refused(struct req *r, const char *reason)
{
	char origin[96];

	log_warn("csrf: refused %s %s: %s (origin %s scheme %s host %s)", r->method_name, r->path, reason,
	    log_sanitize(r->origin ? r->origin : "-", origin, sizeof(origin)), r->scheme, r->host ? r->host : "-");
	return FAIL_FORBIDDEN;
}

enum fail
csrf_verify_post(struct req *r)
{
	const char	*cookie, *token;
	char		 expected[512];

	snprintf(expected, sizeof(expected), "%s://%s", r->scheme, r->host ? r->host : "");
	if (r->origin) {
		if (strcasecmp(r->origin, expected) != 0 && !origin_trusted(r->origin))
			return refused(r, "Origin checking failed");
	} else if (strcmp(r->scheme, "https") == 0) {
		/* Without Origin, an HTTPS POST must name this site as its Referer (Django's rule). */
		size_t n = strlen(expected);

		if (r->referer == NULL || strncasecmp(r->referer, expected, n) != 0 ||
		    (r->referer[n] != '/' && r->referer[n] != '\0'))
			return refused(r, "Referer checking failed");
	}
	cookie = params_get(&r->cookies, CSRF_COOKIE);
	token = params_get(&r->form, "csrfmiddlewaretoken");
	if (token == NULL || *token == '\0')
		token = r->csrf_header;
	enum csrf_result res = csrf_check(cookie, cookie ? strlen(cookie) : 0, token,
	    token ? strlen(token) : 0);
	if (res != CSRF_OK)
		return refused(r, csrf_reason(res));
	return FAIL_OK;
}
