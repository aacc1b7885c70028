/* mailview.h: the mails the site writes to its outbox, rendered from templates as pages are. */
#ifndef MAILVIEW_H
#define MAILVIEW_H

#include <json-c/json.h>

#include "fail.h"
#include "http.h"
#include "model_user.h"

/*
 * Renders templates mail_<name>_text and mail_<name>_html with ctx (request-owned; the site's
 * address is added as "site") into *out, addressed to to with subject (all in the request
 * arena). FAIL_OK, or FAIL_INTERNAL (logged) when a template is missing or fails.
 */
enum fail	 mailview_compose(struct req *, const char *name, struct json_object *ctx, const char *to,
		    const char *subject, struct mail *out);
/* The absolute address of path on this site, as the request reached it (host checked against ALLOWED_HOSTS). */
const char	*mailview_site_url(struct req *, const char *path);

#endif
