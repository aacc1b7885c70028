/* registration.c: Django's registration rules and the new user's row: shared by the form and the JSON API. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth.h"
#include "log.h"
#include "model_user.h"
#include "registration.h"
#include "validators.h"

/* Django's dot-atom local part: atoms of these characters (and letters, digits) joined by single dots. */
static int
local_valid(const char *e, const char *at)
{
	static const char specials[] = "-!#$%&'*+/=?^_`{}|~";

	if (at == e || at - e > 64 || *e == '.' || at[-1] == '.')
		return 0;
	for (const char *p = e; p < at; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '.' ? p[1] == '.' : !(c < 0x80 && (isalnum(c) || strchr(specials, c))))
			return 0;
	}
	return 1;
}

/*
 * Django's domain part: labels of letters, digits and hyphens (not at either end; non-ASCII
 * letters as IDNA allows them), at most 63 each, a last label of two or more; or localhost.
 */
static int
domain_valid(const char *d)
{
	const char *label = d, *p;

	if (strcmp(d, "localhost") == 0)
		return 1;
	if (strchr(d, '.') == NULL)
		return 0;
	for (p = d;; p++) {
		if (*p == '.' || *p == '\0') {
			if (p == label || p - label > 63 || *label == '-' || p[-1] == '-')
				return 0;
			if (*p == '\0')
				return p - label >= 2;
			label = p + 1;
		} else if (!((unsigned char)*p >= 0x80 || isalnum((unsigned char)*p) || *p == '-'))
			return 0;
	}
}

/* Django's EmailValidator without quoted local parts and address literals: one '@' between the two. */
static int
email_valid(const char *e)
{
	const char *at = strrchr(e, '@');

	return at && strlen(e) <= EMAIL_MAX && local_valid(e, at) && domain_valid(at + 1);
}

/* A heap string from the validators, moved into the request arena (NULL stays NULL). */
static const char *
adopt(struct req *r, char *s)
{
	const char *copy = s ? arena_strdup(r->arena, s) : NULL;

	free(s);
	return copy;
}

/* The username's rules, then whether it is taken: FAIL_OK or FAIL_DB. */
static enum fail
check_username(struct req *r, struct registration *g, int *nerrors)
{
	struct validators_error	 errs[VALIDATORS_MAX_ERRORS];
	char			*clean = NULL;
	int			 n = validators_username(g->username, strlen(g->username), &clean, errs), taken;

	g->clean_username = adopt(r, clean);
	for (int i = 0; i < n; i++)
		g->error(g->ctx, "username", errs[i].message);
	*nerrors += n;
	if (n != 0)
		return FAIL_OK;
	if (user_name_taken(r, g->clean_username, &taken) != FAIL_OK)
		return FAIL_DB;
	if (taken) {
		g->error(g->ctx, "username", msg_text(MSG_USERNAME_TAKEN));
		(*nerrors)++;
	}
	return FAIL_OK;
}

static void
check_passwords(struct registration *g, int *nerrors)
{
	struct validators_error	 errs[VALIDATORS_MAX_ERRORS];
	int			 n;

	if (g->password1 == NULL || g->password2 == NULL)
		return;
	if (strcmp(g->password1, g->password2) != 0) {
		g->error(g->ctx, g->password_field, g->mismatch);
		(*nerrors)++;
		return;
	}
	struct validators_user u = { g->clean_username ? g->clean_username : g->username, NULL, NULL,
	    g->clean_email };
	n = validators_password(g->password2, &u, errs);
	if (n < 0) {
		g->error(g->ctx, g->password_field, msg_text(MSG_PASSWORD_UNCHECKED));
		(*nerrors)++;
	}
	for (int i = 0; i < n; i++)
		g->error(g->ctx, g->password_field, errs[i].message);
	*nerrors += n > 0 ? n : 0;
}

const char *
registration_clean_email(struct req *r, const char *email)
{
	const char *clean = adopt(r, validators_normalize_email(email));

	return clean && email_valid(clean) ? clean : NULL;
}

enum fail
registration_check(struct req *r, struct registration *g, int *nerrors)
{
	*nerrors = 0;
	g->clean_username = g->clean_email = NULL;
	if (g->username && check_username(r, g, nerrors) != FAIL_OK)
		return FAIL_DB;
	if (g->email) {
		g->clean_email = registration_clean_email(r, g->email);
		if (g->clean_email == NULL) {
			g->error(g->ctx, "email", msg_text(MSG_EMAIL_INVALID));
			(*nerrors)++;
		}
	}
	check_passwords(g, nerrors);
	return FAIL_OK;
}

enum fail
registration_create(struct req *r, struct registration *g, int64_t *id)
{
	char		*hash;
	enum fail	 f;

	*id = 0;
	if ((f = auth_hash_admit(r, g->clean_username, NULL, &g->retry_after)) != FAIL_OK)
		return f;
	hash = password_make(&app.policy, g->password1, strlen(g->password1));
	auth_hash_done();
	if (hash == NULL)
		return FAIL_INTERNAL;
	f = user_create(r, hash, g->clean_username, g->clean_email, id);
	free(hash);
	if (f == FAIL_OK)
		log_debug("account: registered a user");
	return f;
}
