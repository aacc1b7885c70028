/* model_reset.c: password resets, Django's way: the users an address names, their mail, the link's user, the new password. */
#include <ctype.h>
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "app.h"
#include "auth.h"
#include "cache.h"
#include "config.h"
#include "db.h"
#include "emailaddr.h"
#include "log.h"
#include "model_reset.h"
#include "model_user.h"
#include "mustache.h"
#include "reqjson.h"
#include "throttle.h"
#include "util.h"

int
reset_throttled(struct req *r, const char *email, int *retry_after)
{
	char lower[EMAILADDR_MAX + 1];

	if (auth_throttle_costly(r, AUTH_COSTLY_PASSWORD_RESET, retry_after))
		return 1;
	/* One address's mailbox is not flooded from many clients: counted lower-cased. */
	snprintf(lower, sizeof(lower), "%s", email);
	for (char *p = lower; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return throttle_attempt(app.cache, "reset:email", lower, config.password_reset_email_limit,
	    config.password_reset_window, retry_after);
}

/* Row i of RESET_USER_COLUMNS (common/db.c). */
static struct reset_user *
reset_row(struct req *r, PGresult *res, int i)
{
	struct reset_user *u = arena_alloc(r->arena, sizeof(*u));

	memset(u, 0, sizeof(*u));
	u->t.id = atoll(PQgetvalue(res, i, 0));
	u->t.password = arena_strdup(r->arena, PQgetvalue(res, i, 1));
	u->t.email = arena_strdup(r->arena, PQgetvalue(res, i, 2));
	u->username = arena_strdup(r->arena, PQgetvalue(res, i, 3));
	u->t.last_login = PQgetisnull(res, i, 4) ? NULL : arena_strdup(r->arena, PQgetvalue(res, i, 4));
	u->is_active = PQgetvalue(res, i, 5)[0] == 't';
	return u;
}

/* Renders one mail template with the link's context into a request-owned string. */
static const char *
render_mail(struct req *r, const char *tpl, struct json_object *ctx)
{
	struct buf	 b = BUF_INIT;
	const char	*s;

	if (mustache_set_render(app.templates, tpl, ctx, &b) != 0)
		log_error("reset: the mail template %s cannot be rendered", tpl);
	s = arena_strdup(r->arena, buf_cstr(&b));
	buf_free(&b);
	return s;
}

/*
 * The outbox row of one user's mail; for an address nobody has (ghost), the same work (a
 * token, both bodies rendered, the same statement) inserting nothing, so that the answer's
 * time does not tell whether the address is known.
 */
static enum fail
queue_mail(struct req *r, const struct reset_user *u, int ghost)
{
	const char		*p[5];
	char			 uid[RESETTOKEN_UID_MAX], token[RESETTOKEN_MAX];
	struct json_object	*ctx = req_object(r);
	PGresult		*res;

	resettoken_uid_encode(u->t.id, uid);
	resettoken_make(app.signing.secret, &u->t, resettoken_now(time(NULL)), token);
	json_object_object_add(ctx, "site_name", json_object_new_string(r->host));
	json_object_object_add(ctx, "username", json_object_new_string(u->username));
	json_object_object_add(ctx, "link", json_object_new_string(arena_printf(r->arena,
	    "%s://%s/reset/%s/%s/", r->scheme, r->host, uid, token)));
	p[0] = u->t.email;
	p[1] = arena_printf(r->arena, "Password reset on %s", r->host);
	p[2] = render_mail(r, "password_reset_email", ctx);
	p[3] = render_mail(r, "password_reset_email_html", ctx);
	p[4] = ghost ? "false" : "true";
	if ((res = db_exec(app.db, DB_OUTBOX_QUEUE, 5, p)) == NULL)
		return FAIL_DB;
	PQclear(res);
	return FAIL_OK;
}

enum fail
reset_send_mail(struct req *r, const char *email)
{
	const char	*p[1] = { email };
	PGresult	*res = db_exec(app.db, DB_RESET_USERS, 1, p);
	int		 sent = 0;
	enum fail	 f = FAIL_OK;

	if (res == NULL)
		return FAIL_DB;
	for (int i = 0; i < PQntuples(res) && f == FAIL_OK; i++) {
		struct reset_user *u = reset_row(r, res, i);

		/*
		 * get_users: a usable password, and the address equal once case is folded (ASCII:
		 * the form takes no other; UPPER() alone can match more in some collations).
		 */
		if (!password_usable(u->t.password) || strcasecmp(u->t.email, email) != 0)
			continue;
		f = queue_mail(r, u, 0);
		sent++;
	}
	PQclear(res);
	if (f == FAIL_OK && sent == 0) {
		const struct reset_user ghost = { { 0, "", "", email }, "", 0 };

		f = queue_mail(r, &ghost, 1);
	}
	return f;
}

enum fail
reset_user_by_uid(struct req *r, const char *uidb64, size_t len, struct reset_user **out)
{
	int64_t		 id;
	const char	*p[1];
	PGresult	*res;

	*out = NULL;
	if (resettoken_uid_decode(uidb64, len, &id) != 0 || id > INT32_MAX)
		return FAIL_NOT_FOUND;
	p[0] = arena_printf(r->arena, "%lld", (long long)id);
	if ((res = db_exec(app.db, DB_RESET_USER, 1, p)) == NULL)
		return FAIL_DB;
	if (PQntuples(res) == 1)
		*out = reset_row(r, res, 0);
	PQclear(res);
	return *out ? FAIL_OK : FAIL_NOT_FOUND;
}

int
reset_token_valid(const struct reset_user *u, const char *token)
{
	return u != NULL && token != NULL && resettoken_check(&app.signing, &u->t, token,
	    resettoken_now(time(NULL)), config.password_reset_timeout);
}

enum fail
reset_set_password(struct req *r, struct reset_user *u, const char *password, int *retry_after)
{
	struct user	 who = { u->t.id, u->username, u->t.email, u->t.password, u->is_active, -1, -1 };
	char		*fresh;
	enum fail	 f;

	if (auth_hash_admit(r, u->username, u->t.password, retry_after) != FAIL_OK)
		return FAIL_THROTTLED;
	fresh = password_make(&app.policy, password, strlen(password));
	auth_hash_done();
	if (fresh == NULL)
		return FAIL_INTERNAL;
	f = user_set_password(r, &who, fresh, 0);
	free(fresh);
	if (f != FAIL_OK)
		return f == FAIL_CONFLICT ? FAIL_DB : f;
	u->t.password = who.password;
	return FAIL_OK;
}
