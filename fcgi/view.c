/* view.c: renders pages inside the site layout, error pages and JSON bodies. */
#include <string.h>

#include "app.h"
#include "auth.h"
#include "config.h"
#include "log.h"
#include "mustache.h"

static void
put_json(void *o)
{
	json_object_put(o);
}

const char *
json_str(struct json_object *o, const char *name)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, name, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

struct json_object *
req_keep_json(struct req *r, struct json_object *o)
{
	arena_defer(r->arena, put_json, o);
	return o;
}

/* The context every page shares: who is visiting, the CSRF token, where assets live. */
static void
add_common(struct req *r, struct resp *rs, struct json_object *ctx, const char *title)
{
	/* A signed-in visitor's header holds the logout form, which needs a token. */
	if (r->user)
		auth_csrf_token(r, rs);
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
	arena_defer(r->arena, put_json, ctx);
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
	struct json_object *ctx = json_object_new_object();

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
	arena_defer(r->arena, put_json, o);
	rs->status = status;
	rs->content_type = "application/json";
	buf_reset(&rs->body);
	if (status != 204)
		buf_puts(&rs->body, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
		    JSON_C_TO_STRING_NOSLASHESCAPE));
}
