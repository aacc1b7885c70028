/* page_account.c: the account forms: register, log in, log out and change password; what the other account forms share. */
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "csrf_web.h"
#include "form.h"
#include "handlers.h"
#include "model_user.h"
#include "page_account.h"
#include "registration.h"
#include "reqjson.h"
#include "validators.h"
#include "view.h"

void
page_account_form(struct req *r, struct resp *rs, const char *tpl, const char *title, struct form *f,
    int status, struct json_object *ctx)
{
	if (ctx == NULL)
		ctx = req_object(r);
	csrf_form_token(r, rs);
	form_into(f, ctx);
	view_page(r, rs, tpl, title, ctx);
	if (rs->status == 200)
		rs->status = status;
}

/* ---- log in ---- */

static void
login_form(struct req *r, struct resp *rs, struct form *f, int status, const char *notice)
{
	struct json_object	*ctx = req_object(r);

	json_object_object_add(ctx, "next", json_object_new_string(r->arg.next ? r->arg.next : "/"));
	if (notice)
		json_object_object_add(ctx, "notice", json_object_new_string(notice));
	page_account_form(r, rs, "login", "Log in", f, status, ctx);
}

void
page_login(struct req *r, struct resp *rs)
{
	struct form f;

	form_init(&f, r);
	login_form(r, rs, &f, 200, params_get(&r->query, "registered") ?
	    msg_text(MSG_ACCOUNT_CREATED) : NULL);
}

void
page_login_post(struct req *r, struct resp *rs)
{
	struct form	 f;
	const char	*username, *password;
	int		 retry_after = 0;

	form_init(&f, r);
	/* UsernameField is a CharField: surrounding blanks are stripped, as for the email. */
	username = form_field(&f, "username", VALIDATORS_USERNAME_MAX, 1, 1);
	password = form_field(&f, "password", PASSWORD_MAX, 0, 0);
	if (f.nerrors) {
		login_form(r, rs, &f, 400, NULL);
		return;
	}
	switch (auth_login(r, rs, username, password, &retry_after)) {
	case FAIL_OK:
		resp_redirect(rs, 303, r->arg.next ? r->arg.next : "/");
		return;
	case FAIL_UNAUTHENTICATED:
		form_error_all(&f, msg_text(MSG_LOGIN_INVALID));
		login_form(r, rs, &f, 400, NULL);
		return;
	case FAIL_THROTTLED:
		answer_throttled(r, rs, retry_after, MSG_LOGIN_THROTTLED);
		return;
	default:
		answer_fail(r, rs, FAIL_DB, MSG_LOGIN_DOWN);
		return;
	}
}

void
page_logout_post(struct req *r, struct resp *rs)
{
	/* Told "logged out" while the session row still works would be worse than an error. */
	if (auth_logout(r) != FAIL_OK) {
		answer_fail(r, rs, FAIL_DB, MSG_SESSION_DOWN);
		return;
	}
	resp_redirect(rs, 303, "/");
}

/* ---- register ---- */

static void
add_errors(struct form *f, const char *field, const struct validators_error *errs, int n)
{
	for (int i = 0; i < n; i++)
		form_error(f, field, errs[i].message);
}

/* The form keeps where the visitor was going (a checked next), as the login form does. */
static void
register_form(struct req *r, struct resp *rs, struct form *f, int status)
{
	struct json_object *ctx = req_object(r);

	json_object_object_add(ctx, "next", json_object_new_string(r->arg.next ? r->arg.next : "/"));
	page_account_form(r, rs, "register", "Register", f, status, ctx);
}

void
page_register(struct req *r, struct resp *rs)
{
	struct form f;

	form_init(&f, r);
	register_form(r, rs, &f, 200);
}

/* Passes a check's error to the form. */
static void
form_error_cb(void *ctx, const char *field, const char *message)
{
	form_error(ctx, field, message);
}

void
page_register_post(struct req *r, struct resp *rs)
{
	struct form		 f;
	struct registration	 g;
	struct user		*u;
	int64_t			 id;
	int			 nerrors, retry_after;
	enum fail		 res;

	form_init(&f, r);
	memset(&g, 0, sizeof(g));
	if (auth_throttle_costly(r, AUTH_COSTLY_REGISTER, &retry_after)) {
		answer_throttled(r, rs, retry_after, MSG_REGISTER_THROTTLED);
		return;
	}
	g.username = form_field(&f, "username", 10 * VALIDATORS_USERNAME_MAX, 1, 1);
	g.email = form_field(&f, "email", EMAIL_MAX, 1, 1);
	g.password1 = form_field(&f, "password1", PASSWORD_MAX, 0, 0);
	g.password2 = form_field(&f, "password2", PASSWORD_MAX, 0, 0);
	g.password_field = "password2";
	g.mismatch = msg_text(MSG_PASSWORDS_DIFFER);
	g.error = form_error_cb;
	g.ctx = &f;
	if (registration_check(r, &g, &nerrors) != FAIL_OK) {
		answer_fail(r, rs, FAIL_DB, MSG_REGISTER_DOWN);
		return;
	}
	if (f.nerrors) {
		register_form(r, rs, &f, 400);
		return;
	}
	if ((res = registration_create(r, &g, &id)) == FAIL_THROTTLED) {
		answer_throttled(r, rs, g.retry_after, MSG_REGISTER_THROTTLED);
		return;
	}
	if (res == FAIL_CONFLICT) {
		form_error(&f, "username", msg_text(MSG_USERNAME_TAKEN));
		register_form(r, rs, &f, 400);
		return;
	}
	if (res != FAIL_OK) {
		answer_fail(r, rs, FAIL_DB, MSG_REGISTER_DOWN);
		return;
	}
	/* Signed in as login does; the account exists even if that fails, so the login form is next. */
	if (user_by_id(r, id, &u) != FAIL_OK || auth_sign_in(r, rs, u) != FAIL_OK) {
		resp_redirect(rs, 303, "/login?registered=1");
		return;
	}
	resp_redirect(rs, 303, r->arg.next ? r->arg.next : "/");
}

/* ---- change password ---- */

void
page_password(struct req *r, struct resp *rs)
{
	struct form		 f;
	struct json_object	*ctx = req_object(r);

	form_init(&f, r);
	if (params_get(&r->query, "changed"))
		json_object_object_add(ctx, "notice", json_object_new_string(msg_text(MSG_PASSWORD_CHANGED)));
	page_account_form(r, rs, "password", "Change password", &f, 200, ctx);
}

void
page_password_post(struct req *r, struct resp *rs)
{
	struct form			 f;
	const char			*old, *pw1, *pw2;
	struct validators_error		 errs[VALIDATORS_MAX_ERRORS];
	int				 n, retry_after;

	form_init(&f, r);
	old = form_field(&f, "old_password", PASSWORD_MAX, 0, 0);
	if (old && auth_throttle_costly(r, AUTH_COSTLY_PASSWORD_CHECK, &retry_after)) {
		answer_throttled(r, rs, retry_after, MSG_PASSWORD_THROTTLED);
		return;
	}
	pw1 = form_field(&f, "new_password1", PASSWORD_MAX, 0, 0);
	pw2 = form_field(&f, "new_password2", PASSWORD_MAX, 0, 0);
	if (old && !auth_verify_current_password(r, old))
		form_error(&f, "old_password",
		    msg_text(MSG_OLD_PASSWORD_WRONG));
	if (pw1 && pw2 && strcmp(pw1, pw2) != 0)
		form_error(&f, "new_password2", msg_text(MSG_PASSWORDS_DIFFER));
	else if (pw1 && pw2 && f.nerrors == 0) {
		struct validators_user u = { r->user->username, NULL, NULL, r->user->email };

		n = validators_password(pw2, &u, errs);
		if (n < 0)
			form_error(&f, "new_password2", msg_text(MSG_PASSWORD_UNCHECKED));
		else
			add_errors(&f, "new_password2", errs, n);
	}
	if (f.nerrors) {
		page_account_form(r, rs, "password", "Change password", &f, 400, NULL);
		return;
	}
	if (auth_change_password(r, rs, pw1) != FAIL_OK) {
		answer_fail(r, rs, FAIL_DB, MSG_PASSWORD_DOWN);
		return;
	}
	resp_redirect(rs, 303, "/account/password?changed=1");
}

int
page_account_password_again(struct req *r, struct resp *rs, struct form *f, const char *field)
{
	const char	*password = form_field(f, field, PASSWORD_MAX, 0, 0);
	int		 retry_after;

	if (password == NULL)
		return 0;
	if (auth_throttle_costly(r, AUTH_COSTLY_PASSWORD_CHECK, &retry_after)) {
		answer_throttled(r, rs, retry_after, MSG_PASSWORD_CHECK_THROTTLED);
		return -1;
	}
	if (auth_verify_current_password(r, password))
		return 1;
	form_error(f, field, msg_text(MSG_PASSWORD_WRONG));
	return 0;
}
