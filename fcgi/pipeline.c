/* pipeline.c: one request through the middleware, the route's checks, its handler and the session save. */
#include <string.h>

#include "app.h"
#include "args.h"
#include "auth.h"
#include "bearer.h"
#include "csrf_web.h"
#include "pipeline.h"
#include "router.h"
#include "session.h"
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
	url_encode(&loc, r->method == M_GET ? r->path : "/");
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

void
app_handle(struct req *r, struct resp *rs)
{
	int	 status = 0;
	char	 allow[64];

	r->route = router_match(r, &status, allow, sizeof(allow));
	/* Sessions are read for every page: the header shows who is logged in, even on a 404. */
	if (app.db && !(r->route && (r->route->flags & R_NO_SESSION)) && auth_load_visitor(r) != FAIL_OK) {
		/* Unknown is not anonymous: logging the visitor out would be wrong. */
		answer_fail(r, rs, FAIL_DB, MSG_SESSION_DOWN);
		return;
	}
	if (r->route == NULL) {
		if (status == 405) {
			rs->allow = arena_strdup(r->arena, allow);
			answer_fail(r, rs, FAIL_METHOD, MSG_BAD_METHOD);
		} else
			answer_fail(r, rs, FAIL_NOT_FOUND, MSG_NO_PAGE);
	} else if (route_checks(r, rs) == 0) {
		r->route->fn(r, rs);
		if ((r->route->flags & R_PUBLIC) && r->user == NULL && rs->status == 200 && !r->csrf_cookie_set)
			rs->public_cache = 1;
	}
	if (r->session)
		save_session(r, rs);
}
