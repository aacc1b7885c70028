/* page_reset.c: password reset, Django's URLs and flow: ask by email, follow the mailed link, set a new password. */
#include <stdio.h>
#include <string.h>

#include "csrf_web.h"
#include "emailaddr.h"
#include "form.h"
#include "handlers.h"
#include "model_reset.h"
#include "registration.h"
#include "reqjson.h"
#include "session.h"
#include "validators.h"
#include "view.h"

/* Django's INTERNAL_RESET_SESSION_TOKEN and the URL segment that stands for it. */
#define SESSION_TOKEN	"_password_reset_token"
#define SET_PASSWORD	"set-password"

static void
render(struct req *r, struct resp *rs, const char *tpl, const char *title, struct form *f, int status)
{
	struct json_object *ctx = req_object(r);

	csrf_form_token(r, rs);
	if (f)
		form_into(f, ctx);
	view_page(r, rs, tpl, title, ctx);
	if (rs->status == 200)
		rs->status = status;
}

void
page_reset(struct req *r, struct resp *rs)
{
	struct form f;

	form_init(&f, r);
	render(r, rs, "password_reset_form", "Password reset", &f, 200);
}

/* PasswordResetView: a valid address gets the same answer whether or not it is anybody's. */
void
page_reset_post(struct req *r, struct resp *rs)
{
	struct form	 f;
	const char	*raw;
	char		*email = NULL;
	int		 retry_after;

	form_init(&f, r);
	raw = form_field(&f, "email", EMAIL_MAX, 1, 1);
	if (raw && (email = emailaddr_normalize(raw, strlen(raw))) == NULL)
		form_error(&f, "email", msg_text(MSG_EMAIL_INVALID));
	if (f.nerrors) {
		render(r, rs, "password_reset_form", "Password reset", &f, 400);
		return;
	}
	if (reset_throttled(r, email, &retry_after))
		answer_throttled(r, rs, retry_after, MSG_RESET_THROTTLED);
	else if (reset_send_mail(r, email) != FAIL_OK)
		answer_fail(r, rs, FAIL_DB, MSG_RESET_DOWN);
	else
		resp_redirect(rs, 303, "/password-reset/done/");
	free(email);
}

void
page_reset_done(struct req *r, struct resp *rs)
{
	render(r, rs, "password_reset_done", "Password reset sent", NULL, 200);
}

void
page_reset_complete(struct req *r, struct resp *rs)
{
	render(r, rs, "password_reset_complete", "Password reset complete", NULL, 200);
}

/*
 * The user and token of /reset/<uidb64>/<token>/ (the token of "set-password" is the session's).
 * FAIL_OK with both valid, FAIL_NOT_FOUND for any bad link (one answer), FAIL_DB. *set_password
 * tells which of the two URLs it was; *uid_len how long the uidb64 is.
 */
static enum fail
link_user(struct req *r, struct reset_user **u, int *set_password, const char **token, size_t *uid_len)
{
	const char	*uid = r->path + strlen("/reset/"), *slash = strchr(uid, '/'), *end;
	enum fail	 f;

	*token = NULL;
	if (slash == NULL || (end = strchr(slash + 1, '/')) == NULL || end[1] != '\0')
		return FAIL_NOT_FOUND;
	*uid_len = (size_t)(slash - uid);
	*token = arena_strndup(r->arena, slash + 1, (size_t)(end - slash - 1));
	*set_password = strcmp(*token, SET_PASSWORD) == 0;
	if (*set_password)
		*token = session_get(r->session, SESSION_TOKEN);
	if ((f = reset_user_by_uid(r, uid, *uid_len, u)) != FAIL_OK)
		return f;
	return reset_token_valid(*u, *token) ? FAIL_OK : FAIL_NOT_FOUND;
}

/* The invalid-link page (Django says so with 200; here a 400, so clients and logs see it). */
static void
bad_link(struct req *r, struct resp *rs, enum fail f)
{
	if (f == FAIL_DB)
		answer_fail(r, rs, FAIL_DB, MSG_RESET_DOWN);
	else
		answer_fail(r, rs, FAIL_INPUT, MSG_RESET_LINK);
}

/* PasswordResetConfirmView.dispatch: a live token moves into the session and out of the URL. */
void
page_reset_link(struct req *r, struct resp *rs)
{
	struct reset_user	*u;
	const char		*token;
	size_t			 uid_len;
	int			 set_password;
	enum fail		 f = link_user(r, &u, &set_password, &token, &uid_len);
	struct form		 form;

	/* This URL carries the token: no page it leads to learns it through Referer. */
	rs->referrer_policy = "no-referrer";
	if (f != FAIL_OK) {
		bad_link(r, rs, f);
		return;
	}
	if (!set_password) {
		session_set(r->session, SESSION_TOKEN, token);
		resp_redirect(rs, 302, arena_printf(r->arena, "/reset/%.*s/" SET_PASSWORD "/",
		    (int)uid_len, r->path + strlen("/reset/")));
		return;
	}
	form_init(&form, r);
	render(r, rs, "password_reset_confirm", "Enter new password", &form, 200);
}

/* SetPasswordForm's checks: both fields, equal, and the site's validators. */
static const char *
new_password(struct form *f, const struct reset_user *u)
{
	const char			*pw1 = form_field(f, "new_password1", PASSWORD_MAX, 0, 0);
	const char			*pw2 = form_field(f, "new_password2", PASSWORD_MAX, 0, 0);
	struct validators_error		 errs[VALIDATORS_MAX_ERRORS];
	struct validators_user		 who = { u->username, NULL, NULL, u->t.email };
	int				 n;

	if (pw1 && pw2 && strcmp(pw1, pw2) != 0)
		form_error(f, "new_password2", msg_text(MSG_PASSWORDS_DIFFER));
	else if (pw1 && pw2 && (n = validators_password(pw2, &who, errs)) < 0)
		form_error(f, "new_password2", msg_text(MSG_PASSWORD_UNCHECKED));
	else if (pw1 && pw2)
		for (int i = 0; i < n; i++)
			form_error(f, "new_password2", errs[i].message);
	return f->nerrors ? NULL : pw2;
}

void
page_reset_link_post(struct req *r, struct resp *rs)
{
	struct reset_user	*u;
	const char		*token, *pw;
	size_t			 uid_len;
	int			 set_password, retry_after = 0;
	enum fail		 f = link_user(r, &u, &set_password, &token, &uid_len);
	struct form		 form;

	rs->referrer_policy = "no-referrer";
	if (f != FAIL_OK || !set_password) {
		bad_link(r, rs, f == FAIL_OK ? FAIL_NOT_FOUND : f);
		return;
	}
	form_init(&form, r);
	if ((pw = new_password(&form, u)) == NULL) {
		render(r, rs, "password_reset_confirm", "Enter new password", &form, 400);
		return;
	}
	if ((f = reset_set_password(r, u, pw, &retry_after)) == FAIL_THROTTLED) {
		answer_throttled(r, rs, retry_after, MSG_PASSWORD_THROTTLED);
		return;
	}
	if (f != FAIL_OK) {
		answer_fail(r, rs, FAIL_DB, MSG_PASSWORD_DOWN);
		return;
	}
	session_del(r->session, SESSION_TOKEN);
	resp_redirect(rs, 303, "/reset/done/");
}
