/* api_accounts.c: the JSON API's accounts: register, log in (a simplejwt token pair), refresh the access token, change the password. */
#include <string.h>
#include <time.h>

#include "api_body.h"
#include "api_fields.h"
#include "app.h"
#include "auth.h"
#include "bearer.h"
#include "handlers.h"
#include "jwt.h"
#include "log.h"
#include "model_lists.h"
#include "registration.h"
#include "reqjson.h"
#include "token_gate.h"
#include "token_revocation.h"
#include "util.h"
#include "validators.h"
#include "view.h"

/* Appends "name": token for a payload (handed to the request). */
static void
add_token(struct req *r, struct json_object *o, const char *name, struct json_object *payload)
{
	struct buf t = BUF_INIT;

	req_keep_json(r, payload);
	if (jwt_encode(app.signing.secret, payload, &t) != 0)
		die("api: a token payload could not be serialised");
	json_object_object_add(o, name, json_object_new_string(buf_cstr(&t)));
	buf_free(&t);
}

void
api_register(struct req *r, struct resp *rs)
{
	struct api_values	*in;
	struct json_object	*errors, *o;
	struct registration	 g;
	int64_t			 id;
	int			 nerrors, retry_after;
	enum fail		 f;

	if (auth_throttle_costly(r, AUTH_COSTLY_REGISTER, &retry_after)) {
		api_throttled(r, rs, retry_after);
		return;
	}
	if ((in = api_fields(r, rs)) == NULL)
		return;
	errors = in->errors;
	memset(&g, 0, sizeof(g));
	g.username = api_text(in, "username");
	g.password1 = api_text(in, "password");
	g.password2 = api_text(in, "password2");
	g.email = api_text(in, "email");
	g.password_field = "password";
	g.mismatch = msg_text(MSG_API_PASSWORDS_DIFFER);
	g.error = api_field_error;
	g.ctx = errors;
	if (registration_check(r, &g, &nerrors) != FAIL_OK) {
		answer_fail(r, rs, FAIL_DB, MSG_API_REGISTER_DOWN);
		return;
	}
	if (json_object_object_length(errors) == 0 && (f = registration_create(r, &g, &id)) != FAIL_CONFLICT) {
		if (f == FAIL_THROTTLED) {
			api_throttled(r, rs, g.retry_after);
			return;
		}
		if (f != FAIL_OK) {
			answer_fail(r, rs, FAIL_DB, MSG_API_REGISTER_DOWN);
			return;
		}
		struct user u = { id, g.clean_username, g.clean_email, NULL, 1, -1, -1 };
		o = req_object(r);
		json_object_object_add(o, "message", json_object_new_string(msg_text(MSG_API_REGISTERED)));
		json_object_object_add(o, "user", api_user_json(&u));
		view_json(r, rs, 201, o);
		return;
	}
	if (json_object_object_length(errors) == 0)
		api_field_error(errors, "username", msg_text(MSG_USERNAME_TAKEN));
	view_json(r, rs, 400, errors);
}

/*
 * Adds "access" and "refresh" with the origin's username claim and the password's change
 * time (pw_changed: exact revocation, token_revocation.h) to o; the pair share one clock.
 */
static void
add_pair(struct req *r, struct json_object *o, const struct user *u, int64_t pw_changed)
{
	int64_t			 now = (int64_t)time(NULL);
	struct json_object	*refresh = jwt_new_payload(JWT_REFRESH, JWT_REFRESH_LIFETIME, now);

	json_object_object_add(refresh, "user_id", json_object_new_int64(u->id));
	json_object_object_add(refresh, "username", json_object_new_string(u->username));
	json_object_object_add(refresh, TOKEN_PASSWORD_CLAIM, json_object_new_int64(pw_changed));
	add_token(r, o, "access", jwt_access_from_refresh(refresh, now));
	add_token(r, o, "refresh", refresh);
}

/* TokenObtainPairSerializer's answer with the user as the origin added it. */
static struct json_object *
token_pair(struct req *r, const struct user *u, long long favorites, int64_t pw_changed)
{
	struct json_object *o = req_object(r), *user;

	add_pair(r, o, u, pw_changed);
	user = api_user_json(u);
	json_object_object_add(user, "favourite_count", json_object_new_int64(favorites));
	json_object_object_add(o, "user", user);
	return o;
}

void
api_login(struct req *r, struct resp *rs)
{
	struct api_values	*in;
	struct user		*u;
	int			 retry_after = 0;
	long long		 count;
	int64_t			 pw_changed;

	if ((in = api_fields(r, rs)) == NULL)
		return;
	if (json_object_object_length(in->errors) > 0) {
		view_json(r, rs, 400, in->errors);
		return;
	}
	switch (auth_authenticate(r, api_text(in, "username"), api_text(in, "password"), &u, &retry_after)) {
	case FAIL_OK:
		break;
	case FAIL_UNAUTHENTICATED:
		answer_fail(r, rs, FAIL_UNAUTHENTICATED, MSG_API_NO_ACTIVE_ACCOUNT);
		return;
	case FAIL_THROTTLED:
		api_throttled(r, rs, retry_after);
		return;
	default:
		answer_fail(r, rs, FAIL_DB, MSG_API_LOGIN_DOWN);
		return;
	}
	switch (token_password_changed(app.db, u->id, u->password, &pw_changed)) {
	case 0:
		break;
	case 1:
		/* The password changed while this one was checked: it earns nothing. */
		answer_fail(r, rs, FAIL_UNAUTHENTICATED, MSG_API_NO_ACTIVE_ACCOUNT);
		return;
	default:
		answer_fail(r, rs, FAIL_DB, MSG_API_LOGIN_DOWN);
		return;
	}
	if (list_count(r, LIST_FAVORITES, u->id, &count) != FAIL_OK) {
		answer_fail(r, rs, FAIL_DB, MSG_API_LOGIN_DOWN);
		return;
	}
	log_debug("api: issued tokens");
	view_json(r, rs, 200, token_pair(r, u, count, pw_changed));
}

void
api_token_refresh(struct req *r, struct resp *rs)
{
	struct api_values	*in;
	struct json_object	*payload = NULL, *o;
	const char		*token;
	enum jwt_status		 st;
	int64_t			 now = (int64_t)time(NULL), id;
	struct user		*u = NULL;
	enum fail		 f;
	enum msg		 m;

	if ((in = api_fields(r, rs)) == NULL)
		return;
	if ((token = api_text(in, "refresh")) == NULL) {
		view_json(r, rs, 400, in->errors);
		return;
	}
	st = jwt_decode(app.signing.secret, token, strlen(token), JWT_REFRESH, now, &payload);
	if (st != JWT_OK) {
		answer_failure(r, rs, FAIL_UNAUTHENTICATED, MSG_API_REFRESH_INVALID, jwt_status_message(st), NULL);
		return;
	}
	req_keep_json(r, payload);
	/* Unlike simplejwt 5.2, a deleted or deactivated user gets no new access token. */
	if ((id = bearer_claim_user_id(payload)) > 0 && user_by_id(r, id, &u) == FAIL_DB) {
		answer_fail(r, rs, FAIL_DB, MSG_API_SERVICE_DOWN);
		return;
	}
	if (u == NULL || !u->is_active) {
		answer_fail(r, rs, FAIL_UNAUTHENTICATED, MSG_API_REFRESH_NO_ACCOUNT);
		return;
	}
	if ((f = token_gate_check(u->id, payload, JWT_REFRESH_LIFETIME, &m)) != FAIL_OK) {
		answer_fail(r, rs, f, m);
		return;
	}
	o = req_object(r);
	add_token(r, o, "access", jwt_access_from_refresh(payload, now));
	view_json(r, rs, 200, o);
}

/* dj-rest-auth's PasswordChangeSerializer checks: errors go to errors in DRF's shape. */
static void
check_password_change(struct req *r, struct json_object *errors, const char *old, const char *pw1,
    const char *pw2)
{
	struct validators_error	 errs[VALIDATORS_MAX_ERRORS];
	int			 n;

	if (old && !auth_verify_current_password(r, old))
		api_field_error(errors, "old_password", msg_text(MSG_OLD_PASSWORD_WRONG));
	if (pw1 && pw2 && strcmp(pw1, pw2) != 0)
		api_field_error(errors, "new_password2", msg_text(MSG_PASSWORDS_DIFFER));
	else if (pw1 && pw2 && json_object_object_length(errors) == 0) {
		struct validators_user u = { r->user->username, NULL, NULL, r->user->email };

		if ((n = validators_password(pw2, &u, errs)) < 0)
			api_field_error(errors, "new_password2", msg_text(MSG_PASSWORD_UNCHECKED));
		for (int i = 0; i < n; i++)
			api_field_error(errors, "new_password2", errs[i].message);
	}
}

/*
 * dj-rest-auth's /password/change/ (old_password, new_password1, new_password2; DRF trims
 * them as at registration): 200 {"detail"} with a fresh token pair, since every token issued
 * before the change, the caller's included, is refused from now on (as every site session).
 */
void
api_password_change(struct req *r, struct resp *rs)
{
	struct api_values	*in;
	struct json_object	*errors, *o;
	const char		*old, *pw1, *pw2;
	int			 retry_after;
	int64_t			 pw_changed;

	if ((in = api_fields(r, rs)) == NULL)
		return;
	errors = in->errors;
	old = api_text(in, "old_password");
	if (old && auth_throttle_costly(r, AUTH_COSTLY_PASSWORD_CHECK, &retry_after)) {
		api_throttled(r, rs, retry_after);
		return;
	}
	pw1 = api_text(in, "new_password1");
	pw2 = api_text(in, "new_password2");
	check_password_change(r, errors, old, pw1, pw2);
	if (json_object_object_length(errors) > 0) {
		view_json(r, rs, 400, errors);
		return;
	}
	/* The fresh pair carries the new change time (0 from token_password_changed: current). */
	if (auth_change_password(r, rs, pw1) != FAIL_OK ||
	    token_password_changed(app.db, r->user->id, r->user->password, &pw_changed) != 0) {
		answer_fail(r, rs, FAIL_DB, MSG_API_PASSWORD_DOWN);
		return;
	}
	log_info("api: a password was changed");
	o = req_object(r);
	json_object_object_add(o, "detail", json_object_new_string(msg_text(MSG_API_PASSWORD_SAVED)));
	add_pair(r, o, r->user, pw_changed);
	view_json(r, rs, 200, o);
}
