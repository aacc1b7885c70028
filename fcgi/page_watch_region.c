/* page_watch_region.c: the visitor's choice of country for "where to watch", kept in their session. */
#include "app.h"
#include "csrf_web.h"
#include "handlers.h"
#include "reqjson.h"
#include "session.h"
#include "view.h"
#include "watchview.h"

/*
 * A page of its own rather than a form on the movie page: the form needs a CSRF token, and a
 * token would keep nginx from caching the anonymous movie page.
 */
void
page_watch_region(struct req *r, struct resp *rs)
{
	struct json_object *ctx = req_object(r);

	json_object_object_add(ctx, "regions", watchview_regions(watchview_region(r)));
	json_object_object_add(ctx, "next", json_object_new_string(r->arg.next ? r->arg.next : "/"));
	csrf_form_token(r, rs);
	view_page(r, rs, "watch_region", "Where you watch", ctx);
}

void
page_watch_region_post(struct req *r, struct resp *rs)
{
	session_set(r->session, WATCH_REGION_KEY, r->arg.region);
	resp_redirect(rs, 303, r->arg.next ? r->arg.next : "/");
}
