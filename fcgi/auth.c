/* auth.c: who the visitor is (Django sessions), CSRF, login, logout, password changes, throttling. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app.h"
#include "auth.h"
#include "cache.h"
#include "config.h"
#include "csrf.h"
#include "db.h"
#include "djsession.h"
#include "known_device.h"
#include "log.h"
#include "metrics.h"
#include "router.h"
#include "session.h"
#include "throttle.h"
#include "util.h"
#include "validators.h"

#define CSRF_COOKIE	"csrftoken"
#define CSRF_COOKIE_AGE	31449600	/* Django's CSRF_COOKIE_AGE: 52 weeks */
#define DEVICE_COOKIE	"known_device"
#define DEVICE_AGE	31449600

static char *
arena_value(struct req *r, PGresult *res, int col)
{
	return arena_strndup(r->arena, PQgetvalue(res, 0, col), (size_t)PQgetlength(res, 0, col));
}

/* Columns of DB_USER_BY_*: id, password, username, email, is_active, ... */
static struct user *
user_from_row(struct req *r, PGresult *res)
{
	struct user *u = arena_alloc(r->arena, sizeof(*u));

	u->id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	u->password = arena_value(r, res, 1);
	u->username = arena_value(r, res, 2);
	u->email = arena_value(r, res, 3);
	u->is_active = PQgetvalue(res, 0, 4)[0] == 't';
	return u;
}

static void
set_visitor(struct req *r, struct user *u)
{
	struct json_object *o = json_object_new_object();

	r->user = u;
	json_object_object_add(o, "id", json_object_new_int64(u->id));
	json_object_object_add(o, "username", json_object_new_string(u->username));
	json_object_object_add(o, "email", json_object_new_string(u->email));
	req_keep_json(r, o);
	r->user_json = o;
}

void
auth_load_visitor(struct req *r)
{
	struct session	*s = session_load(r);
	const char	*uid = session_get(s, DJSESSION_USER_ID);
	const char	*backend = session_get(s, DJSESSION_USER_BACKEND);
	int64_t		 id;
	PGresult	*res;

	r->session = s;
	/* get_user(): a missing or foreign backend means anonymous, without a flush. */
	if (uid == NULL || backend == NULL || strcmp(backend, DJSESSION_MODEL_BACKEND) != 0)
		return;
	if (parse_int64(uid, strlen(uid), 1, INT32_MAX, &id) != 0)
		return;
	const char *params[1] = { uid };
	res = db_exec(app.db, DB_USER_BY_ID, 1, params);
	if (res == NULL || PQntuples(res) == 0) {
		s->unavailable = res == NULL;
		PQclear(res);
		return;
	}
	struct user *u = user_from_row(r, res);
	PQclear(res);
	if (!u->is_active)
		return;
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
		session_flush(s);
		return;
	}
	set_visitor(r, u);
}

/* The csrftoken cookie's secret, or NULL when absent or malformed. */
static const char *
csrf_cookie_secret(struct req *r)
{
	const char	*cookie = params_get(&r->cookies, CSRF_COOKIE);
	char		 secret[CSRF_SECRET_LEN + 1];

	if (cookie == NULL || csrf_secret_from_cookie(cookie, strlen(cookie), secret) != 0)
		return NULL;
	return arena_strdup(r->arena, secret);
}

static void
csrf_set_cookie(struct req *r, struct resp *rs, const char *secret)
{
	/* Django 4.1+ stores the unmasked secret; scripts may read it (not HttpOnly). */
	resp_cookie(rs, r, CSRF_COOKIE, secret, CSRF_COOKIE_AGE, 1);
	r->csrf_cookie_set = 1;
	r->csrf_secret = arena_strdup(r->arena, secret);
}

const char *
auth_csrf_token(struct req *r, struct resp *rs)
{
	char token[CSRF_TOKEN_LEN + 1], fresh[CSRF_SECRET_LEN + 1];

	if (r->csrf_token)
		return r->csrf_token;
	if (r->csrf_secret == NULL)
		r->csrf_secret = csrf_cookie_secret(r);
	if (r->csrf_secret == NULL) {
		csrf_new_secret(fresh);
		csrf_set_cookie(r, rs, fresh);
	}
	csrf_mask(r->csrf_secret, token);
	r->csrf_token = arena_strdup(r->arena, token);
	return r->csrf_token;
}

/* Django's rotate_token at login: a new secret, so a token planted before login is useless. */
static void
csrf_rotate(struct req *r, struct resp *rs)
{
	char fresh[CSRF_SECRET_LEN + 1];

	csrf_new_secret(fresh);
	csrf_set_cookie(r, rs, fresh);
	r->csrf_token = NULL;
}

/* Is origin one of CSRF_TRUSTED_ORIGINS: exact, or a wildcard entry such as https:// + *.example.com? */
static int
origin_trusted(const char *origin)
{
	const char	*list = config.csrf_trusted_origins;
	size_t		 olen = strlen(origin);

	while (*list) {
		size_t n = strcspn(list, ",");

		if (n == olen && strncasecmp(list, origin, n) == 0)
			return 1;
		const char *star = memchr(list, '*', n);
		if (star && star > list && star[-1] == '/' && star + 1 < list + n && star[1] == '.') {
			size_t	prefix = (size_t)(star - list);
			size_t	suffix = n - prefix - 1;	/* ".domain" */

			if (olen > prefix + suffix && strncasecmp(origin, list, prefix) == 0 &&
			    strncasecmp(origin + olen - suffix, star + 1, suffix) == 0)
				return 1;
		}
		list += n;
		if (*list == ',')
			list++;
	}
	return 0;
}

static int
csrf_fail(struct req *r, struct resp *rs, const char *reason)
{
	char origin[96];

	log_warn("csrf: refused %s %s: %s (origin %s scheme %s host %s)", r->method_name, r->path, reason,
	    log_sanitize(r->origin ? r->origin : "-", origin, sizeof(origin)), r->scheme, r->host ? r->host : "-");
	app_error(r, rs, 403, "This form could not be accepted because its security check failed "
	    "(CSRF verification failed). Reload the page and try again; make sure your browser "
	    "accepts cookies from this site.");
	return -1;
}

int
auth_check_csrf(struct req *r, struct resp *rs)
{
	const char	*cookie, *token;
	char		 expected[512];

	snprintf(expected, sizeof(expected), "%s://%s", r->scheme, r->host ? r->host : "");
	if (r->origin) {
		if (strcasecmp(r->origin, expected) != 0 && !origin_trusted(r->origin))
			return csrf_fail(r, rs, "Origin checking failed");
	} else if (strcmp(r->scheme, "https") == 0) {
		/* Without Origin, an HTTPS POST must name this site as its Referer (Django's rule). */
		size_t n = strlen(expected);

		if (r->referer == NULL || strncasecmp(r->referer, expected, n) != 0 ||
		    (r->referer[n] != '/' && r->referer[n] != '\0'))
			return csrf_fail(r, rs, "Referer checking failed");
	}
	cookie = params_get(&r->cookies, CSRF_COOKIE);
	token = params_get(&r->form, "csrfmiddlewaretoken");
	if (token == NULL || *token == '\0')
		token = r->csrf_header;
	enum csrf_result res = csrf_check(cookie, cookie ? strlen(cookie) : 0, token,
	    token ? strlen(token) : 0);
	if (res != CSRF_OK)
		return csrf_fail(r, rs, csrf_reason(res));
	return 0;
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

void
auth_redirect_to_login(struct req *r, struct resp *rs)
{
	struct buf loc = BUF_INIT;

	if (strncmp(r->path, "/api/", 5) == 0) {
		app_error(r, rs, 401, "Authentication credentials were not provided.");
		return;
	}
	buf_puts(&loc, "/login?next=");
	/* After a POST the page to return to is the one the form was on, if it was ours. */
	url_encode(&loc, r->method == M_GET ? r->path : "/");
	resp_redirect(rs, 303, buf_cstr(&loc));
	buf_free(&loc);
}

/* ---- throttling ---- */

/* A "known device" cookie proves this browser logged in as username before. */
static int
known_device(struct req *r, const char *username)
{
	const char *cookie = params_get(&r->cookies, DEVICE_COOKIE);

	return known_device_check(&app.signing, username, cookie, cookie ? strlen(cookie) : 0);
}

/* Opaque (an HMAC of the name): the browser's cookie jar no longer says who logged in. */
static void
remember_device(struct req *r, struct resp *rs, const char *username)
{
	char value[KNOWN_DEVICE_HEX + 1];

	known_device_value(app.signing.secret, username, value);
	resp_cookie(rs, r, DEVICE_COOKIE, value, DEVICE_AGE, 0);
}

static const char *
client_address(const struct req *r)
{
	return r->remote_addr ? r->remote_addr : "-";
}

/*
 * Failures are counted per (username, address), per username and per address, in fixed
 * windows (a lockout ends at most one window after the first failure). One address can fail
 * LOGIN_FAIL_LIMIT times for a user before it is refused; the username's own ceiling is far
 * higher, so no single address can lock a user out, while a guesser spread over many
 * addresses is still slowed. A browser that logged in as the user before is exempt from both.
 */
static int
throttled(struct req *r, const char *username, int *retry_after)
{
	char pair[512];

	if (!known_device(r, username)) {
		throttle_pair(pair, sizeof(pair), username, client_address(r));
		if (throttle_reached(app.cache, "login:pair", pair, config.login_fail_limit,
		    config.login_fail_window, retry_after) ||
		    throttle_reached(app.cache, "login:user", username, config.login_user_fail_ceiling,
		    config.login_fail_window, retry_after))
			return 1;
	}
	return throttle_reached(app.cache, "login:addr", client_address(r), config.login_fail_limit * 5,
	    config.login_fail_window, retry_after);
}

static void
count_failure(struct req *r, const char *username)
{
	char pair[512];

	throttle_pair(pair, sizeof(pair), username, client_address(r));
	if (throttle_count(app.cache, "login:pair", pair, config.login_fail_window) != 0) {
		log_warn("auth: login throttling is off while Redis is unavailable");
		return;
	}
	throttle_count(app.cache, "login:user", username, config.login_fail_window);
	throttle_count(app.cache, "login:addr", client_address(r), config.login_fail_window);
}

/* Is the client address one the costly-action limits spare (THROTTLE_EXEMPT_ADDRS)? */
static int
exempt_address(const char *addr)
{
	const char	*list = config.throttle_exempt_addrs;
	size_t		 n = strlen(addr);

	while (*list) {
		size_t len = strcspn(list, ",");

		if (len == n && strncmp(list, addr, n) == 0)
			return 1;
		list += len;
		if (*list == ',')
			list++;
	}
	return 0;
}

int
auth_throttle_costly(struct req *r, enum auth_costly what, int *retry_after)
{
	const char *addr = client_address(r);

	if (exempt_address(addr))
		return 0;
	if (what == AUTH_COSTLY_REGISTER)
		return throttle_attempt(app.cache, "register:addr", addr, config.register_limit,
		    config.register_window, retry_after);
	return throttle_attempt(app.cache, "password:addr", addr, config.password_check_limit,
	    config.login_fail_window, retry_after);
}

/* ---- login, logout, password ---- */

/* Writes new_hash (kept in u only once stored). Returns 0, or -1 if no row was updated. */
static int
store_password(struct user *u, const char *new_hash, int only_if_unchanged)
{
	char		 id[24];
	const char	*params[3] = { id, new_hash, u->password };
	PGresult	*res;
	int		 rc = -1;

	snprintf(id, sizeof(id), "%lld", (long long)u->id);
	res = db_exec(app.db, only_if_unchanged ? DB_USER_SET_PASSWORD_IF_UNCHANGED : DB_USER_SET_PASSWORD,
	    only_if_unchanged ? 3 : 2, params);
	if (res && PQcmdTuples(res)[0] == '1') {
		u->password = new_hash;
		rc = 0;
	}
	PQclear(res);
	return rc;
}

/* Django's login(): flush for a different user or hash, else cycle; store the three keys. */
static void
start_session(struct req *r, struct resp *rs, struct user *u)
{
	struct session	*s = r->session;
	char		 hash[DJSESSION_HASH_HEX + 1], id[24];
	const char	*old_id = session_get(s, DJSESSION_USER_ID);
	const char	*old_hash = session_get(s, DJSESSION_USER_HASH);

	snprintf(id, sizeof(id), "%lld", (long long)u->id);
	djsession_auth_hash(app.signing.secret, u->password, hash);
	if ((old_id && strcmp(old_id, id) != 0) || (old_hash && !ct_equal(old_hash, strlen(old_hash), hash, strlen(hash))))
		session_flush(s);
	else
		session_cycle_key(s);
	session_set(s, DJSESSION_USER_ID, id);
	session_set(s, DJSESSION_USER_BACKEND, DJSESSION_MODEL_BACKEND);
	session_set(s, DJSESSION_USER_HASH, hash);
	csrf_rotate(r, rs);
	set_visitor(r, u);
}

struct user *
auth_user_by_id(struct req *r, int64_t id, int *unavailable)
{
	const char	*params[1] = { arena_printf(r->arena, "%lld", (long long)id) };
	PGresult	*res = db_exec(app.db, DB_USER_BY_ID, 1, params);
	struct user	*u = NULL;

	*unavailable = res == NULL;
	if (res && PQntuples(res) == 1)
		u = user_from_row(r, res);
	PQclear(res);
	return u;
}

enum login_result
auth_authenticate(struct req *r, const char *username_raw, const char *password, struct user **out,
    int *retry_after)
{
	char		*username;
	PGresult	*res;
	struct user	*u = NULL;
	int		 must_update = 0, correct;

	*out = NULL;
	/* The login form skips NFKC for overlong input (CVE-2023-46695); such names match nobody. */
	if (utf8_length(username_raw, strlen(username_raw)) > VALIDATORS_USERNAME_MAX)
		username = xstrdup(username_raw);
	else if ((username = validators_normalize_username(username_raw, strlen(username_raw))) == NULL) {
		metrics_inc(MET_LOGINS, "failed");
		return LOGIN_BAD_CREDENTIALS;
	}
	if (throttled(r, username, retry_after)) {
		log_warn("auth: login throttled");
		metrics_inc(MET_LOGINS, "throttled");
		free(username);
		return LOGIN_THROTTLED;
	}
	const char *params[1] = { username };
	res = db_exec(app.db, DB_USER_BY_USERNAME, 1, params);
	if (res == NULL) {
		metrics_inc(MET_LOGINS, "unavailable");
		free(username);
		return LOGIN_UNAVAILABLE;
	}
	if (PQntuples(res) == 1)
		u = user_from_row(r, res);
	PQclear(res);
	if (u == NULL) {
		/* Costs what a real check costs, so response times do not reveal who exists. */
		password_dummy_hash(&app.policy, password, strlen(password));
		correct = 0;
	} else
		correct = password_check(&app.policy, password, strlen(password), u->password, &must_update);
	if (!correct || !u->is_active) {
		count_failure(r, username);
		metrics_inc(MET_LOGINS, "failed");
		free(username);
		return LOGIN_BAD_CREDENTIALS;
	}
	if (must_update) {
		/* The same upgrade Django would make, so the two never re-hash each other's users. */
		char *fresh = password_make(&app.policy, password, strlen(password));

		if (fresh) {
			store_password(u, arena_strdup(r->arena, fresh), 1);
			free(fresh);
		}
	}
	free(username);
	metrics_inc(MET_LOGINS, "ok");
	*out = u;
	return LOGIN_OK;
}

enum login_result
auth_login(struct req *r, struct resp *rs, const char *username_raw, const char *password, int *retry_after)
{
	struct user		*u;
	enum login_result	 result = auth_authenticate(r, username_raw, password, &u, retry_after);

	if (result != LOGIN_OK)
		return result;
	start_session(r, rs, u);
	char id[24];
	snprintf(id, sizeof(id), "%lld", (long long)u->id);
	const char *idp[1] = { id };
	PQclear(db_exec(app.db, DB_USER_TOUCH_LAST_LOGIN, 1, idp));
	remember_device(r, rs, u->username);
	return LOGIN_OK;
}

void
auth_logout(struct req *r, struct resp *rs)
{
	(void)rs;
	session_flush(r->session);
	r->user = NULL;
	r->user_json = NULL;
}

int
auth_verify_current_password(struct req *r, const char *password)
{
	int must_update = 0;

	if (r->user == NULL)
		return 0;
	return password_check(&app.policy, password, strlen(password), r->user->password, &must_update);
}

int
auth_change_password(struct req *r, struct resp *rs, const char *new_password)
{
	char *fresh = password_make(&app.policy, new_password, strlen(new_password));
	char  hash[DJSESSION_HASH_HEX + 1];

	(void)rs;
	if (fresh == NULL)
		return -1;
	/* Unsaved, the old password would still work while the page says it changed. */
	if (store_password(r->user, arena_strdup(r->arena, fresh), 0) != 0) {
		free(fresh);
		return -1;
	}
	free(fresh);
	/* update_session_auth_hash: this session stays valid, every other one is now stale. */
	djsession_auth_hash(app.signing.secret, r->user->password, hash);
	session_cycle_key(r->session);
	session_set(r->session, DJSESSION_USER_HASH, hash);
	return 0;
}
