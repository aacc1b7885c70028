/* auth.c: who the visitor is (from the session), login, logout, password changes and login throttling. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "app.h"
#include "auth.h"
#include "cache.h"
#include "config.h"
#include "csrf_web.h"
#include "djsession.h"
#include "log.h"
#include "reqjson.h"
#include "session.h"
#include "util.h"
#include "validators.h"

#define DEVICE_COOKIE	"known_device"
#define DEVICE_SALT	"movies.auth.known_device"
#define DEVICE_AGE	31449600

static void
set_visitor(struct req *r, struct user *u)
{
	struct json_object *o = req_object(r);

	r->user = u;
	json_object_object_add(o, "id", json_object_new_int64(u->id));
	json_object_object_add(o, "username", json_object_new_string(u->username));
	json_object_object_add(o, "email", json_object_new_string(u->email));
	r->user_json = o;
}

enum fail
auth_load_visitor(struct req *r)
{
	struct session	*s;
	const char	*uid, *backend;
	int64_t		 id;
	struct user	*u;
	enum fail	 f;

	if ((f = session_load(r, &s)) != FAIL_OK)
		return f;
	r->session = s;
	uid = session_get(s, DJSESSION_USER_ID);
	backend = session_get(s, DJSESSION_USER_BACKEND);
	/* get_user(): a missing or foreign backend means anonymous, without a flush. */
	if (uid == NULL || backend == NULL || strcmp(backend, DJSESSION_MODEL_BACKEND) != 0)
		return FAIL_OK;
	if (parse_int64(uid, strlen(uid), 1, INT32_MAX, &id) != 0)
		return FAIL_OK;
	if ((f = user_by_id(r, id, &u)) == FAIL_NOT_FOUND)
		return FAIL_OK;
	if (f != FAIL_OK)
		return f;
	if (!u->is_active)
		return FAIL_OK;
	switch (djsession_auth_hash_check(&app.signing, u->password, session_get(s, DJSESSION_USER_HASH))) {
	case DJSESSION_HASH_OK:
		break;
	case DJSESSION_HASH_FALLBACK: {
		/* Signed with an old key (or SHA-1): keep the user, move to the current key. */
		char hash[DJSESSION_HASH_HEX + 1];

		djsession_auth_hash(app.signing.secret, u->password, hash);
		session_cycle_key(s);
		session_set(s, DJSESSION_USER_HASH, hash);
		break;
	}
	default:
		/* The password changed since this session was made: Django flushes it. */
		return session_flush(r, s);
	}
	set_visitor(r, u);
	return FAIL_OK;
}

const char *
auth_safe_next(const char *next)
{
	/* Only a path on this site: "/x", never "//host", "/\host", a scheme or control bytes. */
	if (next == NULL || next[0] != '/' || next[1] == '/' || next[1] == '\\')
		return "/";
	for (const char *p = next; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '\\')
			return "/";
	return next;
}

/* ---- throttling ---- */

/* Key of a throttle counter; usernames are hashed so the key neither grows nor leaks them. */
static void
throttle_key(char *out, size_t outsz, const char *kind, const char *value)
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	mdlen = 0;
	char		hex[2 * 16 + 1];

	EVP_Digest(value, strlen(value), md, &mdlen, EVP_sha256(), NULL);
	hex_encode(md, 16, hex);
	snprintf(out, outsz, "throttle:login:%s:%s", kind, hex);
}

/* A "known device" cookie proves this browser logged in as username before. */
static int
known_device(struct req *r, const char *username)
{
	const char	*cookie = params_get(&r->cookies, DEVICE_COOKIE);
	struct buf	 value = BUF_INIT, pair = BUF_INIT;
	struct params	 decoded = { .n = 0 };
	int		 ok;

	if (cookie == NULL)
		return 0;
	/* remember_device percent-encodes the value (':' and non-ASCII names); cookies arrive raw. */
	buf_puts(&pair, "v=");
	buf_puts(&pair, cookie);
	if (params_parse_urlencoded(&decoded, r->arena, buf_cstr(&pair), pair.len) != 0 ||
	    decoded.n != 1) {
		buf_free(&pair);
		return 0;
	}
	buf_free(&pair);
	ok = signing_unsign(&app.signing, DEVICE_SALT, decoded.v[0].value, decoded.v[0].len, &value) == 0 &&
	    strcmp(buf_cstr(&value), username) == 0;
	buf_free(&value);
	return ok;
}

static void
remember_device(struct req *r, struct resp *rs, const char *username)
{
	struct buf signed_value = BUF_INIT, encoded = BUF_INIT;

	signing_sign(&app.signing, DEVICE_SALT, username, strlen(username), &signed_value);
	url_encode(&encoded, buf_cstr(&signed_value));
	resp_cookie(rs, r, DEVICE_COOKIE, buf_cstr(&encoded), DEVICE_AGE, 0);
	buf_free(&signed_value);
	buf_free(&encoded);
}

/*
 * Counts failures per username and per address in fixed windows: a counter's expiry is set
 * when it is created and never extended, so a lockout ends at most one window after the
 * first failure. A browser that logged in as the user before is exempt from the username
 * counter, so nobody can keep a user out by failing on purpose.
 */
static int
throttled(struct req *r, const char *username, int *retry_after)
{
	char		 key[96];
	long long	 count = 0, ttl = 0;

	if (app.cache == NULL)
		return 0;
	if (!known_device(r, username)) {
		throttle_key(key, sizeof(key), "user", username);
		if (cache_counter_get(app.cache, key, &count, &ttl) == 0 && count >= config.login_fail_limit) {
			*retry_after = ttl > 0 ? (int)ttl : config.login_fail_window;
			return 1;
		}
	}
	throttle_key(key, sizeof(key), "addr", r->remote_addr ? r->remote_addr : "-");
	if (cache_counter_get(app.cache, key, &count, &ttl) == 0 && count >= config.login_fail_limit * 5) {
		*retry_after = ttl > 0 ? (int)ttl : config.login_fail_window;
		return 1;
	}
	return 0;
}

static void
count_failure(struct req *r, const char *username)
{
	char key[96];

	if (app.cache == NULL)
		return;
	throttle_key(key, sizeof(key), "user", username);
	if (cache_counter_incr(app.cache, key, config.login_fail_window) != 0) {
		log_warn("auth: login throttling is off while Redis is unavailable");
		return;
	}
	throttle_key(key, sizeof(key), "addr", r->remote_addr ? r->remote_addr : "-");
	cache_counter_incr(app.cache, key, config.login_fail_window);
}

/* ---- login, logout, password ---- */

/* Django's login(): flush for a different user or hash, else cycle; store the three keys. */
static enum fail
start_session(struct req *r, struct resp *rs, struct user *u)
{
	struct session	*s = r->session;
	char		 hash[DJSESSION_HASH_HEX + 1], id[24];
	const char	*old_id = session_get(s, DJSESSION_USER_ID);
	const char	*old_hash = session_get(s, DJSESSION_USER_HASH);

	snprintf(id, sizeof(id), "%lld", (long long)u->id);
	djsession_auth_hash(app.signing.secret, u->password, hash);
	if ((old_id && strcmp(old_id, id) != 0) || (old_hash && !ct_equal(old_hash, strlen(old_hash), hash, strlen(hash)))) {
		if (session_flush(r, s) != FAIL_OK)
			return FAIL_DB;
	} else
		session_cycle_key(s);
	session_set(s, DJSESSION_USER_ID, id);
	session_set(s, DJSESSION_USER_BACKEND, DJSESSION_MODEL_BACKEND);
	session_set(s, DJSESSION_USER_HASH, hash);
	csrf_rotate_cookie(r, rs);
	set_visitor(r, u);
	return FAIL_OK;
}

/* The login form skips NFKC for overlong input (CVE-2023-46695); such names match nobody. */
static char *
login_username(const char *raw)
{
	if (utf8_length(raw, strlen(raw)) > VALIDATORS_USERNAME_MAX)
		return xstrdup(raw);
	return validators_normalize_username(raw, strlen(raw));
}

enum fail
auth_authenticate(struct req *r, const char *username_raw, const char *password, struct user **out,
    int *retry_after)
{
	char		*norm = login_username(username_raw);
	const char	*username;
	struct user	*u = NULL;
	int		 must_update = 0, correct;
	enum fail	 f;

	*out = NULL;
	if (norm == NULL)
		return FAIL_UNAUTHENTICATED;
	/* One exit for the heap copy: the rest works on the arena's. */
	username = arena_strdup(r->arena, norm);
	free(norm);
	if (throttled(r, username, retry_after)) {
		log_warn("auth: login throttled");
		return FAIL_THROTTLED;
	}
	if ((f = user_by_name(r, username, &u)) == FAIL_DB)
		return FAIL_DB;
	if (u == NULL) {
		/* Costs what a real check costs, so response times do not reveal who exists. */
		password_dummy_hash(&app.policy, password, strlen(password));
		correct = 0;
	} else
		correct = password_check(&app.policy, password, strlen(password), u->password, &must_update);
	if (!correct || !u->is_active) {
		count_failure(r, username);
		return FAIL_UNAUTHENTICATED;
	}
	if (must_update) {
		/* The same upgrade Django would make, so the two never re-hash each other's users. */
		char *fresh = password_make(&app.policy, password, strlen(password));

		/* Best effort: if it is not stored, the old hash still verifies next time. */
		if (fresh)
			(void)user_set_password(r, u, fresh, 1);
		free(fresh);
	}
	*out = u;
	return FAIL_OK;
}

enum fail
auth_login(struct req *r, struct resp *rs, const char *username_raw, const char *password, int *retry_after)
{
	struct user	*u;
	enum fail	 f = auth_authenticate(r, username_raw, password, &u, retry_after);

	if (f != FAIL_OK)
		return f;
	if ((f = start_session(r, rs, u)) != FAIL_OK || (f = user_touch_last_login(r, u->id)) != FAIL_OK)
		return f;
	remember_device(r, rs, u->username);
	return FAIL_OK;
}

enum fail
auth_logout(struct req *r)
{
	enum fail f = session_flush(r, r->session);

	if (f == FAIL_OK) {
		r->user = NULL;
		r->user_json = NULL;
	}
	return f;
}

int
auth_verify_current_password(struct req *r, const char *password)
{
	int must_update = 0;

	if (r->user == NULL)
		return 0;
	return password_check(&app.policy, password, strlen(password), r->user->password, &must_update);
}

enum fail
auth_change_password(struct req *r, const char *new_password)
{
	char		*fresh = password_make(&app.policy, new_password, strlen(new_password));
	char		 hash[DJSESSION_HASH_HEX + 1];
	enum fail	 f;

	if (fresh == NULL)
		return FAIL_INTERNAL;
	/* Unsaved, the old password would still work while the page says it changed. */
	f = user_set_password(r, r->user, fresh, 0);
	free(fresh);
	if (f != FAIL_OK)
		return f == FAIL_CONFLICT ? FAIL_DB : f;
	/* update_session_auth_hash: this session stays valid, every other one is now stale. */
	djsession_auth_hash(app.signing.secret, r->user->password, hash);
	session_cycle_key(r->session);
	session_set(r->session, DJSESSION_USER_HASH, hash);
	return FAIL_OK;
}
