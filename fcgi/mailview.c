/* mailview.c: the mails the site writes to its outbox, rendered from templates as pages are. */
#include <string.h>

#include "app.h"
#include "log.h"
#include "mailview.h"
#include "mustache.h"

const char *
mailview_site_url(struct req *r, const char *path)
{
	return arena_printf(r->arena, "%s://%s%s", r->scheme, r->host ? r->host : "localhost", path);
}

/* One part of the mail into the arena, or NULL (logged). */
static const char *
render_part(struct req *r, const char *name, const char *part, struct json_object *ctx)
{
	struct buf	 b = BUF_INIT;
	const char	*tpl = arena_printf(r->arena, "mail_%s_%s", name, part), *out = NULL;

	if (app.templates && mustache_set_render(app.templates, tpl, ctx, &b) == 0)
		out = arena_strndup(r->arena, buf_cstr(&b), strlen(buf_cstr(&b)));
	else
		log_error("mail: template %s failed to render", tpl);
	buf_free(&b);
	return out;
}

enum fail
mailview_compose(struct req *r, const char *name, struct json_object *ctx, const char *to, const char *subject,
    struct mail *out)
{
	json_object_object_add(ctx, "site", json_object_new_string(mailview_site_url(r, "/")));
	out->to = to;
	out->subject = subject;
	out->text = render_part(r, name, "text", ctx);
	out->html = render_part(r, name, "html", ctx);
	return out->text && out->html ? FAIL_OK : FAIL_INTERNAL;
}
