/* page_account.c: register, log in, log out and change password: the account forms. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth.h"
#include "db.h"
#include "form.h"
#include "hashers.h"
#include "log.h"
#include "pages.h"
#include "util.h"
#include "validators.h"

/* Longer passwords are refused before hashing: a megabyte password would only burn CPU. */
#define PASSWORD_MAX	4096
#define EMAIL_MAX	254

static const char BAD_LOGIN[] =
    "Please enter a correct username and password. Note that both fields may be case-sensitive.";

static void
render_form(struct req *r, struct resp *rs, const char *tpl, const char *title, struct form *f,
    int status, struct json_object *ctx)
{
	if (ctx == NULL)
		ctx = json_object_new_object();
	auth_csrf_token(r, rs);
	form_into(f, ctx);
	view_page(r, rs, tpl, title, ctx);
	if (rs->status == 200)
		rs->status = status;
}

/* ---- log in ---- */

static void
login_form(struct req *r, struct resp *rs, struct form *f, int status, const char *notice)
{
	struct json_object	*ctx = json_object_new_object();
	const char		*next = params_get(r->method == M_POST ? &r->form : &r->query, "next");

	json_object_object_add(ctx, "next", json_object_new_string(auth_safe_next(next)));
	if (notice)
		json_object_object_add(ctx, "notice", json_object_new_string(notice));
	render_form(r, rs, "login", "Log in", f, status, ctx);
}

void
page_login(struct req *r, struct resp *rs)
{
	struct form f;

	form_init(&f, r);
	login_form(r, rs, &f, 200, params_get(&r->query, "registered") ?
	    "Your account has been created. You can log in now." : NULL);
}

/* The 429 page: what was refused, and how many minutes to wait (also in Retry-After). */
static void
throttled_page(struct req *r, struct resp *rs, int retry_after, const char *what)
{
	int minutes = (retry_after + 59) / 60;

	resp_header(rs, "Retry-After", "%d", retry_after);
	view_error(r, rs, 429, arena_printf(r->arena, "%s Please wait %d minute%s and try again.", what,
	    minutes, minutes == 1 ? "" : "s"));
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
	case LOGIN_OK:
		resp_redirect(rs, 303, auth_safe_next(params_get(&r->form, "next")));
		return;
	case LOGIN_BAD_CREDENTIALS:
		form_error_all(&f, BAD_LOGIN);
		login_form(r, rs, &f, 400, NULL);
		return;
	case LOGIN_THROTTLED:
		throttled_page(r, rs, retry_after, "Too many failed login attempts.");
		return;
	case LOGIN_UNAVAILABLE:
		view_error(r, rs, 503, "Logging in is not possible right now. Please try again in a minute.");
		return;
	}
}

void
page_logout_post(struct req *r, struct resp *rs)
{
	auth_logout(r, rs);
	resp_redirect(rs, 303, "/");
}

/* ---- register ---- */

/* A pragmatic email check: one '@', a non-empty local part, a dotted domain, no spaces. */
static int
email_valid(const char *e)
{
	const char *at = strchr(e, '@'), *dot;

	if (at == NULL || at == e || strchr(at + 1, '@') || at - e > 64)
		return 0;
	if (strpbrk(e, " \t\r\n<>()[],;:\"\\"))
		return 0;
	dot = strrchr(at + 1, '.');
	return dot && dot > at + 1 && dot[1] != '\0' && strstr(at + 1, "..") == NULL;
}

static void
add_errors(struct form *f, const char *field, const struct validators_error *errs, int n)
{
	for (int i = 0; i < n; i++)
		form_error(f, field, errs[i].message);
}

void
page_register(struct req *r, struct resp *rs)
{
	struct form f;

	form_init(&f, r);
	render_form(r, rs, "register", "Register", &f, 200, NULL);
}

/* Passes a check's error to the form. */
static void
form_error_cb(void *ctx, const char *field, const char *message)
{
	form_error(ctx, field, message);
}

int
page_register_check(struct registration *g)
{
	struct validators_error	 errs[VALIDATORS_MAX_ERRORS];
	int			 n, nerrors = 0;
	PGresult		*res;

	g->clean_username = g->clean_email = NULL;
	if (g->username) {
		n = validators_username(g->username, strlen(g->username), &g->clean_username, errs);
		for (int i = 0; i < n; i++)
			g->error(g->ctx, "username", errs[i].message);
		nerrors += n;
		if (n == 0) {
			const char *params[1] = { g->clean_username };

			if ((res = db_exec(app.db, DB_USERNAME_TAKEN_ICASE, 1, params)) == NULL)
				return -1;
			if (PQntuples(res) > 0) {
				g->error(g->ctx, "username", "A user with that username already exists.");
				nerrors++;
			}
			PQclear(res);
		}
	}
	if (g->email) {
		g->clean_email = validators_normalize_email(g->email);
		if (g->clean_email == NULL || !email_valid(g->clean_email)) {
			g->error(g->ctx, "email", "Enter a valid email address.");
			nerrors++;
		}
	}
	if (g->password1 && g->password2 && strcmp(g->password1, g->password2) != 0) {
		g->error(g->ctx, g->password_field, g->mismatch);
		nerrors++;
	} else if (g->password1 && g->password2) {
		struct validators_user u = { g->clean_username ? g->clean_username : g->username, NULL, NULL,
		    g->clean_email };

		n = validators_password(g->password2, &u, errs);
		if (n < 0) {
			g->error(g->ctx, g->password_field, "This password could not be checked. Please try another.");
			nerrors++;
		}
		for (int i = 0; i < n; i++)
			g->error(g->ctx, g->password_field, errs[i].message);
		nerrors += n > 0 ? n : 0;
	}
	return nerrors;
}

int64_t
page_register_create(struct registration *g)
{
	char		*hash = password_make(&app.policy, g->password1, strlen(g->password1));
	const char	*params[3] = { hash, g->clean_username, g->clean_email };
	PGresult	*res = hash ? db_exec(app.db, DB_USER_INSERT, 3, params) : NULL;
	int64_t		 id = -1;

	free(hash);
	if (res == NULL)
		return -1;
	/* No row: somebody took the name between the check and the insert. */
	id = PQntuples(res) == 0 ? 0 : strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	if (id > 0)
		log_debug("account: registered a user");
	return id;
}

void
page_register_free(struct registration *g)
{
	free(g->clean_username);
	free(g->clean_email);
	g->clean_username = g->clean_email = NULL;
}

void
page_register_post(struct req *r, struct resp *rs)
{
	struct form		 f;
	struct registration	 g;
	int64_t			 id;
	int			 retry_after;

	form_init(&f, r);
	memset(&g, 0, sizeof(g));
	if (auth_throttle_costly(r, AUTH_COSTLY_REGISTER, &retry_after)) {
		throttled_page(r, rs, retry_after, "Too many registrations from your address.");
		return;
	}
	g.username = form_field(&f, "username", 10 * VALIDATORS_USERNAME_MAX, 1, 1);
	g.email = form_field(&f, "email", EMAIL_MAX, 1, 1);
	g.password1 = form_field(&f, "password1", PASSWORD_MAX, 0, 0);
	g.password2 = form_field(&f, "password2", PASSWORD_MAX, 0, 0);
	g.password_field = "password2";
	g.mismatch = "The two password fields didn\xe2\x80\x99t match.";
	g.error = form_error_cb;
	g.ctx = &f;
	if (page_register_check(&g) < 0) {
		view_error(r, rs, 503, "Registration is not possible right now. Please try again in a minute.");
		goto out;
	}
	if (f.nerrors) {
		render_form(r, rs, "register", "Register", &f, 400, NULL);
		goto out;
	}
	if ((id = page_register_create(&g)) < 0) {
		view_error(r, rs, 503, "Registration is not possible right now. Please try again in a minute.");
		goto out;
	}
	if (id == 0) {
		form_error(&f, "username", "A user with that username already exists.");
		render_form(r, rs, "register", "Register", &f, 400, NULL);
		goto out;
	}
	resp_redirect(rs, 303, "/login?registered=1");
out:
	page_register_free(&g);
}

/* ---- change password ---- */

void
page_password(struct req *r, struct resp *rs)
{
	struct form		 f;
	struct json_object	*ctx = json_object_new_object();

	form_init(&f, r);
	if (params_get(&r->query, "changed"))
		json_object_object_add(ctx, "notice", json_object_new_string("Your password was changed."));
	render_form(r, rs, "password", "Change password", &f, 200, ctx);
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
		throttled_page(r, rs, retry_after, "Too many password changes from your address.");
		return;
	}
	pw1 = form_field(&f, "new_password1", PASSWORD_MAX, 0, 0);
	pw2 = form_field(&f, "new_password2", PASSWORD_MAX, 0, 0);
	if (old && !auth_verify_current_password(r, old))
		form_error(&f, "old_password",
		    "Your old password was entered incorrectly. Please enter it again.");
	if (pw1 && pw2 && strcmp(pw1, pw2) != 0)
		form_error(&f, "new_password2", "The two password fields didn\xe2\x80\x99t match.");
	else if (pw1 && pw2 && f.nerrors == 0) {
		struct validators_user u = { r->user->username, NULL, NULL, r->user->email };

		n = validators_password(pw2, &u, errs);
		if (n < 0)
			form_error(&f, "new_password2", "This password could not be checked. Please try another.");
		else
			add_errors(&f, "new_password2", errs, n);
	}
	if (f.nerrors) {
		render_form(r, rs, "password", "Change password", &f, 400, NULL);
		return;
	}
	if (auth_change_password(r, rs, pw1) != 0) {
		view_error(r, rs, 503, "Your password could not be changed right now. Please try again.");
		return;
	}
	resp_redirect(rs, 303, "/account/password?changed=1");
}
