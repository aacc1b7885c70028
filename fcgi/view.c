/* view.c: turns a handler's result into a response: pages in the layout, JSON, and every failure. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "config.h"
#include "csrf_web.h"
#include "log.h"
#include "mustache.h"
#include "reqjson.h"
#include "router.h"
#include "view.h"

/* The context every page shares: who is visiting, the CSRF token, where assets live. */
static void
add_common(struct req *r, struct resp *rs, struct json_object *ctx, const char *title)
{
	/* A signed-in visitor's header holds the logout form, which needs a token. */
	if (r->user)
		csrf_form_token(r, rs);
	json_object_object_add(ctx, "page_title", json_object_new_string(title));
	json_object_object_add(ctx, "static_url", json_object_new_string(config.static_url));
	if (r->csrf_token)
		json_object_object_add(ctx, "csrf_token", json_object_new_string(r->csrf_token));
	if (r->user_json)
		json_object_object_add(ctx, "user", json_object_get(r->user_json));
}

void
view_page(struct req *r, struct resp *rs, const char *name, const char *title, struct json_object *ctx)
{
	add_common(r, rs, ctx, title);
	buf_reset(&rs->body);
	if (app.templates == NULL || mustache_set_render(app.templates, name, ctx, &rs->body) != 0) {
		log_error("view: template %s failed to render", name);
		buf_reset(&rs->body);
		rs->status = 500;
		rs->public_cache = 0;
		buf_puts(&rs->body, "<!doctype html><html lang=\"en\"><title>Server error</title>"
		    "<h1>Something went wrong</h1><p>The page could not be shown. Please try again.</p></html>\n");
	}
	rs->content_type = "text/html; charset=utf-8";
}

void
view_error(struct req *r, struct resp *rs, int status, const char *message)
{
	struct json_object *ctx = req_object(r);

	rs->status = status;
	rs->public_cache = 0;
	json_object_object_add(ctx, "status", json_object_new_int(status));
	json_object_object_add(ctx, "reason", json_object_new_string(http_reason(status)));
	json_object_object_add(ctx, "message", json_object_new_string(message));
	view_page(r, rs, "error", http_reason(status), ctx);
	if (rs->status == 500 && status != 500)
		rs->status = status;
}

void
view_json(struct req *r, struct resp *rs, int status, struct json_object *o)
{
	(void)r;
	rs->status = status;
	rs->content_type = "application/json";
	buf_reset(&rs->body);
	if (status != 204)
		buf_puts(&rs->body, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
		    JSON_C_TO_STRING_NOSLASHESCAPE));
}

void
view_json_text(struct resp *rs, int status, const char *text, size_t len)
{
	rs->status = status;
	rs->content_type = "application/json";
	buf_reset(&rs->body);
	buf_append(&rs->body, text, len);
}

/* JSON under /api/ (even where no route matched) and on R_JSON routes; pages elsewhere. */
static int
speaks_json(const struct req *r)
{
	return strncmp(r->path, "/api/", 5) == 0 || (r->route && (r->route->flags & R_JSON));
}

void
answer_failure(struct req *r, struct resp *rs, enum fail f, enum msg m, const char *text,
    struct json_object *extra)
{
	const struct msg_def	*d = msg_def(m);
	int			 status = fail_status(f);

	if (text == NULL)
		text = d->text;
	if (d->retry_after)
		resp_header(rs, "Retry-After", "%d", d->retry_after);
	if (!speaks_json(r)) {
		view_error(r, rs, status, text);
		return;
	}
	struct json_object *o = req_object(r);
	json_object_object_add(o, d->json_key, json_object_new_string(text));
	if (d->code)
		json_object_object_add(o, "code", json_object_new_string(d->code));
	if (extra) {
		json_object_object_foreach(extra, name, value)
			json_object_object_add(o, name, json_object_get(value));
	}
	/* DRF names the scheme of a refused credential. */
	if (status == 401)
		resp_header(rs, "WWW-Authenticate", "Bearer realm=\"api\"");
	view_json(r, rs, status, o);
}

void
answer_fail(struct req *r, struct resp *rs, enum fail f, enum msg m)
{
	answer_failure(r, rs, f, m, NULL, NULL);
}

void
answer_failf(struct req *r, struct resp *rs, enum fail f, enum msg m, ...)
{
	va_list		 ap;
	char		 text[512];

	va_start(ap, m);
	msg_vformat(text, sizeof(text), m, ap);
	va_end(ap);
	answer_failure(r, rs, f, m, text, NULL);
}

void
answer_throttled(struct req *r, struct resp *rs, int retry_after, enum msg m)
{
	int minutes = (retry_after + 59) / 60;

	resp_header(rs, "Retry-After", "%d", retry_after);
	answer_failf(r, rs, FAIL_THROTTLED, m, minutes, minutes == 1 ? "" : "s");
}
