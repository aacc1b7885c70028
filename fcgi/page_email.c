/* page_email.c: changing the account's email address: the form, the signed link to the new address, and following it. */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "config.h"
#include "handlers.h"
#include "log.h"
#include "mailview.h"
#include "page_account.h"
#include "registration.h"
#include "reqjson.h"
#include "signing.h"
#include "view.h"

/* Our own salt: a link signed for any other purpose (a session, a reset) never confirms a change. */
#define EMAIL_CHANGE_SALT	"movies.email_change"
#define TOKEN_MAX		2048	/* two addresses of EMAIL_MAX, an id and the signature fit */

/* What a link says: this user, while their address is old, wants new. */
struct email_change {
	int64_t		 id;
	const char	*old_email, *new_email;
};

/* signing.dumps({"id", "old", "new"}) with our salt, now: the link's token (request arena). */
static const char *
token_make(struct req *r, const struct email_change *c)
{
	struct json_object	*o = req_object(r);
	struct buf		 b = BUF_INIT;
	const char		*t = NULL;

	json_object_object_add(o, "id", json_object_new_int64(c->id));
	json_object_object_add(o, "old", json_object_new_string(c->old_email));
	json_object_object_add(o, "new", json_object_new_string(c->new_email));
	if (signing_dumps(&app.signing, EMAIL_CHANGE_SALT, o, 0, (int64_t)time(NULL), &b) == 0)
		t = arena_strndup(r->arena, buf_cstr(&b), strlen(buf_cstr(&b)));
	buf_free(&b);
	return t;
}

static const char *
string_member(struct req *r, struct json_object *o, const char *name)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, name, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return arena_strdup(r->arena, json_object_get_string(v));
}

/* signing.loads with our salt and EMAIL_CHANGE_MAX_AGE: 0 and *c, or -1 (bad, altered or expired). */
static int
token_read(struct req *r, const char *token, struct email_change *c)
{
	struct json_object	*o = NULL, *id;
	int			 ok;

	if (token == NULL || strlen(token) > TOKEN_MAX ||
	    signing_loads(&app.signing, EMAIL_CHANGE_SALT, token, strlen(token), config.email_change_max_age,
	    (int64_t)time(NULL), &o) != 0 || o == NULL)
		return -1;
	req_keep_json(r, o);
	ok = json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, "id", &id) &&
	    json_object_is_type(id, json_type_int);
	c->id = ok ? json_object_get_int64(id) : 0;
	c->old_email = ok ? string_member(r, o, "old") : NULL;
	c->new_email = ok ? string_member(r, o, "new") : NULL;
	return c->id > 0 && c->old_email && c->new_email ? 0 : -1;
}

static void
email_form(struct req *r, struct resp *rs, struct form *f, int status)
{
	struct json_object *ctx = req_object(r);

	if (params_get(&r->query, "sent"))
		json_object_object_add(ctx, "sent", json_object_new_boolean(1));
	page_account_form(r, rs, "email", "Change email address", f, status, ctx);
}

void
page_email(struct req *r, struct resp *rs)
{
	struct form f;

	form_init(&f, r);
	email_form(r, rs, &f, 200);
}

/* The two mails: the link to the new address, the notice to the old one. */
static enum fail
compose(struct req *r, const struct email_change *c, const char *token, struct mail *link,
    struct mail *notice)
{
	struct json_object	*ctx = req_object(r);
	enum fail		 f;

	json_object_object_add(ctx, "username", json_object_new_string(r->user->username));
	json_object_object_add(ctx, "old_email", json_object_new_string(c->old_email));
	json_object_object_add(ctx, "new_email", json_object_new_string(c->new_email));
	json_object_object_add(ctx, "link", json_object_new_string(mailview_site_url(r,
	    arena_printf(r->arena, "/account/email/confirm?token=%s", token))));
	json_object_object_add(ctx, "days", json_object_new_int((config.email_change_max_age + 86399) / 86400));
	if ((f = mailview_compose(r, "email_confirm", ctx, c->new_email, "Confirm your new email address", link)) != FAIL_OK)
		return f;
	return mailview_compose(r, "email_notice", ctx, c->old_email, "A change of your email address was asked for", notice);
}

/* Queues the link and the notice: FAIL_OK (*queued 0 when the address changed meanwhile) or a failure. */
static enum fail
send_link(struct req *r, const char *new_email, int *queued)
{
	struct email_change	 c = { r->user->id, r->user->email, new_email };
	struct mail		 link, notice;
	const char		*token = token_make(r, &c);
	enum fail		 f;

	if (token == NULL)
		return FAIL_INTERNAL;
	if ((f = compose(r, &c, token, &link, &notice)) != FAIL_OK)
		return f;
	return user_queue_email_change(r, r->user, &link, &notice, queued);
}

void
page_email_post(struct req *r, struct resp *rs)
{
	struct form	 f;
	const char	*email, *clean = NULL;
	int		 queued = 0;

	form_init(&f, r);
	email = form_field(&f, "email", EMAIL_MAX, 1, 1);
	if (page_account_password_again(r, rs, &f, "password") < 0)
		return;
	if (email && (clean = registration_clean_email(r, email)) == NULL)
		form_error(&f, "email", msg_text(MSG_EMAIL_INVALID));
	else if (clean && strcmp(clean, r->user->email) == 0)
		form_error(&f, "email", msg_text(MSG_EMAIL_SAME));
	if (f.nerrors) {
		email_form(r, rs, &f, 400);
		return;
	}
	if (send_link(r, clean, &queued) != FAIL_OK) {
		answer_fail(r, rs, FAIL_DB, MSG_EMAIL_DOWN);
		return;
	}
	if (queued == 0) {
		form_error_all(&f, msg_text(MSG_EMAIL_CHANGED_MEANWHILE));
		email_form(r, rs, &f, 400);
		return;
	}
	log_info("account: an email change was asked for");
	resp_redirect(rs, 303, "/account/email?sent=1");
}

/*
 * What a link can do now: FAIL_OK (confirmable: *u has the old address), FAIL_CONFLICT (done
 * already: *u has the new one), or a failure answered here (invalid, stale, database down).
 */
static enum fail
link_state(struct req *r, struct resp *rs, const char *token, struct email_change *c, struct user **u)
{
	enum fail f;

	if (token_read(r, token, c) != 0) {
		answer_fail(r, rs, FAIL_INPUT, MSG_EMAIL_LINK_INVALID);
		return FAIL_INPUT;
	}
	if ((f = user_by_id(r, c->id, u)) == FAIL_DB) {
		answer_fail(r, rs, FAIL_DB, MSG_EMAIL_DOWN);
		return FAIL_DB;
	}
	if (f == FAIL_OK && strcmp((*u)->email, c->new_email) == 0)
		return FAIL_CONFLICT;
	if (f != FAIL_OK || strcmp((*u)->email, c->old_email) != 0) {
		answer_fail(r, rs, FAIL_INPUT, MSG_EMAIL_LINK_STALE);
		return FAIL_INPUT;
	}
	return FAIL_OK;
}

/* The confirmation page: a button (a GET never changes anything: mail scanners follow links), or done. */
static void
confirm_page(struct req *r, struct resp *rs, const char *token, const struct email_change *c, int done)
{
	struct json_object	*ctx = req_object(r);
	struct form		 f;

	json_object_object_add(ctx, "token", json_object_new_string(token));
	json_object_object_add(ctx, "new_email", json_object_new_string(c->new_email));
	json_object_object_add(ctx, "old_email", json_object_new_string(c->old_email));
	if (done)
		json_object_object_add(ctx, params_get(&r->query, "done") ? "done" : "again",
		    json_object_new_boolean(1));
	form_init(&f, r);
	page_account_form(r, rs, "email_confirm", "Confirm email address", &f, 200, ctx);
}

void
page_email_confirm(struct req *r, struct resp *rs)
{
	const char		*token = params_get(&r->query, "token");
	struct email_change	 c;
	struct user		*u;
	enum fail		 f = link_state(r, rs, token, &c, &u);

	if (f == FAIL_OK || f == FAIL_CONFLICT)
		confirm_page(r, rs, token, &c, f == FAIL_CONFLICT);
}

void
page_email_confirm_post(struct req *r, struct resp *rs)
{
	struct form		 f;
	const char		*token;
	struct email_change	 c;
	struct user		*u;
	enum fail		 res;

	form_init(&f, r);
	token = form_field(&f, "token", TOKEN_MAX, 1, 0);
	if ((res = link_state(r, rs, token, &c, &u)) == FAIL_CONFLICT)
		confirm_page(r, rs, token, &c, 1);
	if (res != FAIL_OK)
		return;
	if ((res = user_set_email(r, c.id, c.old_email, c.new_email)) == FAIL_DB) {
		answer_fail(r, rs, FAIL_DB, MSG_EMAIL_DOWN);
		return;
	}
	if (res == FAIL_CONFLICT) {
		answer_fail(r, rs, FAIL_INPUT, MSG_EMAIL_LINK_STALE);
		return;
	}
	log_info("account: an email change was confirmed");
	resp_redirect(rs, 303, arena_printf(r->arena, "/account/email/confirm?done=1&token=%s", token));
}
