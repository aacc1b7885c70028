/* pipeline.c: one request through the middleware, the route's checks, its handler and the session save. */
#include <string.h>
#include <strings.h>

#include "app.h"
#include "args.h"
#include "auth.h"
#include "bearer.h"
#include "config.h"
#include "cors.h"
#include "csrf_web.h"
#include "form.h"
#include "hostcheck.h"
#include "movies.h"
#include "pipeline.h"
#include "router.h"
#include "session.h"
#include "util.h"
#include "view.h"

/* 303 to /login?next=<this path> (a 401 answer under /api/). */
static void
redirect_to_login(struct req *r, struct resp *rs)
{
	struct buf loc = BUF_INIT;

	if (strncmp(r->path, "/api/", 5) == 0) {
		answer_fail(r, rs, FAIL_UNAUTHENTICATED, MSG_NO_CREDENTIALS);
		return;
	}
	buf_puts(&loc, "/login?next=");
	/* After a POST the page to return to is the one the form was on, if it was ours. */
	url_encode(&loc, r->method != M_GET ? "/" : *r->query_string ?
	    arena_printf(r->arena, "%s?%s", r->path, r->query_string) : r->path);
	resp_redirect(rs, 303, buf_cstr(&loc));
	buf_free(&loc);
}

/* The route's own checks, in order; 0 when the handler may run, -1 after answering. */
static int
route_checks(struct req *r, struct resp *rs)
{
	unsigned		 flags = r->route->flags;
	enum msg		 m;
	struct json_object	*extra;
	enum fail		 f;

	/* A site form with a file input comes as multipart: its CSRF token is one of its fields. */
	if (r->method == M_POST && !(flags & R_JSON) && r->content_type &&
	    strncasecmp(r->content_type, "multipart/form-data", 19) == 0) {
		const char *why;

		if (form_read_multipart(r, &why) != 0) {
			answer_failure(r, rs, FAIL_INPUT, MSG_NONE, why, NULL);
			return -1;
		}
	}
	if (r->method == M_POST && !(flags & R_NO_CSRF) && csrf_verify_post(r) != FAIL_OK) {
		answer_fail(r, rs, FAIL_FORBIDDEN, MSG_CSRF);
		return -1;
	}
	if ((flags & R_LOGIN) && r->user == NULL) {
		redirect_to_login(r, rs);
		return -1;
	}
	if ((flags & R_TOKEN) && (f = bearer_authenticate(r, &m, &extra)) != FAIL_OK) {
		answer_failure(r, rs, f, m, NULL, extra);
		return -1;
	}
	if ((f = args_parse(r, &m)) != FAIL_OK) {
		answer_fail(r, rs, f, m);
		return -1;
	}
	return 0;
}

/* A save that failed must not answer as if it worked: no cookie, no redirect, a 503. */
static void
save_session(struct req *r, struct resp *rs)
{
	if (session_save(r, rs, r->session) == FAIL_OK)
		return;
	buf_reset(&rs->headers);
	rs->allow = NULL;
	answer_fail(r, rs, FAIL_DB, MSG_SESSION_DOWN);
}

/*
 * Django's APPEND_SLASH for a path that exists only with a trailing slash: GET and HEAD are
 * redirected (301, query kept); other methods get a 404 naming the right address, since a
 * redirected POST would lose its body (Django raises an error there in DEBUG).
 */
static void
append_slash(struct req *r, struct resp *rs)
{
	if (r->method == M_GET || r->method == M_HEAD) {
		/* The path matched a route pattern, so it holds only letters, digits, '-', '_', '/'. */
		resp_redirect(rs, 301, *r->query_string ?
		    arena_printf(r->arena, "%s/?%s", r->path, r->query_string) :
		    arena_printf(r->arena, "%s/", r->path));
		return;
	}
	answer_failure(r, rs, FAIL_NOT_FOUND, MSG_NO_PAGE, msg_format(r->arena, MSG_NO_PAGE_SLASH, r->path), NULL);
}

/* No route: 405 naming the allowed methods, APPEND_SLASH's redirect, or 404. */
static void
answer_unrouted(struct req *r, struct resp *rs, int status, const char *allow)
{
	if (status == 405) {
		rs->allow = arena_strdup(r->arena, allow);
		answer_fail(r, rs, FAIL_METHOD, MSG_BAD_METHOD);
	} else if (router_slash_exists(r->path))
		append_slash(r, rs);
	else
		answer_fail(r, rs, FAIL_NOT_FOUND, MSG_NO_PAGE);
}

void
pipeline_handle(struct req *r, struct resp *rs)
{
	int	 status = 0;
	char	 allow[64];

	if (hostcheck_refused(r, rs))
		return;
	if (cors_preflight(r, rs))
		goto done;
	if (app.movies) {
		movies_set_deadline(app.movies, now_ms() + config.tmdb_page_deadline_ms);
		movies_set_client(app.movies, r->remote_addr);
	}
	r->route = router_match(r, &status, allow, sizeof(allow));
	router_ask(r);
	/* Sessions are read for every page: the header shows who is logged in, even on a 404. */
	if (app.db && !(r->route && (r->route->flags & R_NO_SESSION)) && auth_load_visitor(r) != FAIL_OK) {
		/* Unknown is not anonymous: logging the visitor out would be wrong (the cookie stays). */
		answer_fail(r, rs, FAIL_DB, MSG_SESSION_READ_DOWN);
		goto done;
	}
	if (r->route == NULL)
		answer_unrouted(r, rs, status, allow);
	else if (route_checks(r, rs) == 0) {
		r->route->fn(r, rs);
		if ((r->route->flags & R_PUBLIC) && r->user == NULL && rs->status == 200 && !r->csrf_cookie_set)
			rs->public_cache = 1;
	}
	if (r->session)
		save_session(r, rs);
done:
	cors_headers(r, rs);
}
