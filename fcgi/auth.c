/* auth.c: who the visitor is (from the session), login, logout, password changes and login throttling. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "auth.h"
#include "config.h"
#include "csrf_web.h"
#include "djsession.h"
#include "hashgate.h"
#include "known_device.h"
#include "log.h"
#include "metrics.h"
#include "reqjson.h"
#include "session.h"
#include "throttle.h"
#include "util.h"
#include "validators.h"

#define DEVICE_COOKIE	"known_device"
#define DEVICE_AGE	31449600

static void
set_visitor(struct req *r, struct user *u)
{
	struct json_object *o = req_object(r);

	r->user = u;
	json_object_object_add(o, "id", json_object_new_int64(u->id));
	json_object_object_add(o, "username", json_object_new_string(u->username));
	json_object_object_add(o, "email", json_object_new_string(u->email));
	/* The header's counts (read with the row: session_get or user_visitor). */
	if (u->favorites >= 0 && u->watchlist >= 0) {
		struct json_object *lists = json_object_new_object();

		json_object_object_add(lists, "favorites", json_object_new_int64(u->favorites));
		json_object_object_add(lists, "watchlist", json_object_new_int64(u->watchlist));
		json_object_object_add(o, "lists", lists);
	}
	r->user_json = o;
}

/*
 * Which user each recent session key named, per worker: the guess that brings the session row,
 * its user with the header's counts and what the page asked of the lists in one round trip. A wrong or missing guess costs the
 * second query it saves, nothing else: the signed session data decides who the visitor is.
 */
#define USER_GUESSES	256
static struct {
	char	 key[DJSESSION_KEY_MAX + 1];
	int64_t	 user_id;
} guesses[USER_GUESSES];

static size_t
guess_slot(const char *key)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (; *key; key++)
		h = (h ^ (unsigned char)*key) * 16777619u;
	return h % USER_GUESSES;
}

static int64_t
guess_user(const char *key)
{
	size_t i;

	if (key == NULL || strlen(key) > DJSESSION_KEY_MAX)
		return 0;
	i = guess_slot(key);
	return strcmp(guesses[i].key, key) == 0 ? guesses[i].user_id : 0;
}

static void
remember_user(const char *key, int64_t user_id)
{
	size_t i;

	if (key == NULL || strlen(key) > DJSESSION_KEY_MAX)
		return;
	i = guess_slot(key);
	snprintf(guesses[i].key, sizeof(guesses[i].key), "%s", key);
	guesses[i].user_id = user_id;
}

/* The session's user: the row read with the session if it was the one named, else a query. */
static enum fail
session_user(struct req *r, const struct model_session_row *with, int64_t id, struct user **u)
{
	const char *key = params_get(&r->cookies, SESSION_COOKIE);

	if (with->user_id == id) {
		*u = with->user;
		return *u ? FAIL_OK : FAIL_NOT_FOUND;
	}
	remember_user(key, id);
	return user_visitor(r, id, u);
}

enum fail
auth_load_visitor(struct req *r)
{
	struct session	*s;
	struct model_session_row with = { .user_id = guess_user(params_get(&r->cookies, SESSION_COOKIE)) };
	const char	*uid, *backend;
	int64_t		 id;
	struct user	*u;
	enum fail	 f;

	if ((f = session_load(r, &s, &with)) != FAIL_OK)
		return f;
	r->session = s;
	uid = session_get(s, DJSESSION_USER_ID);
	backend = session_get(s, DJSESSION_USER_BACKEND);
	/* get_user(): a missing or foreign backend means anonymous, without a flush. */
	if (uid == NULL || backend == NULL || strcmp(backend, DJSESSION_MODEL_BACKEND) != 0)
		return FAIL_OK;
	if (parse_int64(uid, strlen(uid), 1, INT32_MAX, &id) != 0)
		return FAIL_OK;
	if ((f = session_user(r, &with, id, &u)) == FAIL_NOT_FOUND)
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

/* ---- throttling ---- */

/*
 * A "known device" cookie proves this browser logged in as username while the password
 * hash was password_hash (NULL: no such user): a password change, here or in Django,
 * leaves every earlier cookie proving nothing.
 */
static int
known_device(struct req *r, const char *username, const char *password_hash)
{
	const char *cookie = params_get(&r->cookies, DEVICE_COOKIE);

	return known_device_check(&app.signing, username, password_hash, cookie, cookie ? strlen(cookie) : 0);
}

/* Opaque (the browser's id and an HMAC): the browser's cookie jar does not say who logged in. */
static void
remember_device(struct req *r, struct resp *rs, const struct user *u)
{
	const char	*cookie = params_get(&r->cookies, DEVICE_COOKIE);
	char		 id[KNOWN_DEVICE_ID_HEX + 1], value[KNOWN_DEVICE_LEN + 1];

	known_device_id(cookie, cookie ? strlen(cookie) : 0, id);
	known_device_value(app.signing.secret, u->username, u->password, id, value);
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
throttled(struct req *r, const char *username, int device_ok, int *retry_after)
{
	char pair[512];

	if (!device_ok) {
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
	const char	*cur = config.throttle_exempt_addrs, *e;
	size_t		 n = strlen(addr), len;

	while (util_list_next(&cur, &e, &len))
		if (len == n && strncmp(e, addr, n) == 0)
			return 1;
	return 0;
}

/* ---- the password-hash budget ---- */

/*
 * How many hashes may run at once across all workers: HASH_CONCURRENCY, else every worker
 * but one and every CPU but one (at least 1): hashes beyond the cores add no throughput,
 * only wait for CPU beside the pages.
 */
static int
hash_cap(void)
{
	static long	cpus;
	int		cap = config.workers - 1;

	if (config.hash_concurrency > 0)
		return config.hash_concurrency;
	if (cpus == 0)
		cpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (cpus > 1 && cpus - 1 < cap)
		cap = (int)cpus - 1;
	return cap > 0 ? cap : 1;
}

/* A place among the hashes running at once (hashgate): FAIL_OK, or FAIL_THROTTLED to retry in a second. */
static enum fail
take_place(int *retry_after)
{
	if (hashgate_enter(hash_cap()) == 0)
		return FAIL_OK;
	log_debug("auth: every password-hash place is taken");
	*retry_after = 1;
	return FAIL_THROTTLED;
}

/*
 * A place among the hashes running at once, then one hash from the address's budget and,
 * unless device_ok, from username's. Why the username's budget cannot be turned against its
 * user: it never counts a browser holding the user's valid known_device cookie (which a
 * password change kills), so the user's own browser always passes; and it is kept
 * (config.c) above the LOGIN_FAIL_LIMIT failures one address may make for a user within a
 * window (the next are refused before any hash), so only a guesser spread over many
 * addresses, or a holder of the password, can spend it, and then only the user's
 * cookie-less clients (the API) wait for the window, as under LOGIN_USER_FAIL_CEILING. The
 * address's budget only ever refuses that address.
 */
static enum fail
admit(struct req *r, const char *username, int device_ok, int *retry_after)
{
	const char *addr = client_address(r);

	if (take_place(retry_after) != FAIL_OK)
		return FAIL_THROTTLED;
	if (exempt_address(addr))
		return FAIL_OK;
	if (throttle_attempt(app.cache, "hash:addr", addr, config.hash_addr_limit, config.hash_window,
	    retry_after) || (username && !device_ok && throttle_attempt(app.cache, "hash:user", username,
	    config.hash_user_limit, config.hash_window, retry_after))) {
		hashgate_leave();
		return FAIL_THROTTLED;
	}
	return FAIL_OK;
}

enum fail
auth_hash_admit(struct req *r, const char *username, const char *password_hash, int *retry_after)
{
	return admit(r, username, username && known_device(r, username, password_hash), retry_after);
}

void
auth_hash_done(void)
{
	hashgate_leave();
}

int
auth_throttle_costly(struct req *r, enum auth_costly what, int *retry_after)
{
	const char *addr = client_address(r);

	if (!exempt_address(addr)) {
		/* A registration's hash is admitted by registration_create, once its name is known. */
		if (what == AUTH_COSTLY_REGISTER)
			return throttle_attempt(app.cache, "register:addr", addr, config.register_limit,
			    config.register_window, retry_after);
		if (what == AUTH_COSTLY_PASSWORD_RESET)
			return throttle_attempt(app.cache, "reset:addr", addr, config.password_reset_limit,
			    config.password_reset_window, retry_after);
		if (throttle_attempt(app.cache, "password:addr", addr, config.password_check_limit,
		    config.login_fail_window, retry_after))
			return 1;
	}
	return what == AUTH_COSTLY_PASSWORD_CHECK && r->user &&
	    auth_hash_admit(r, r->user->username, r->user->password, retry_after) != FAIL_OK;
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

/* The password against u's hash, or against nobody's at the same cost (u NULL). 1 if it matches. */
static int
check_password(const struct user *u, const char *password, int *must_update)
{
	if (u == NULL) {
		/* Costs what a real check costs, so response times do not reveal who exists. */
		password_dummy_hash(&app.policy, password, strlen(password));
		return 0;
	}
	return password_check(&app.policy, password, strlen(password), u->password, must_update);
}

/*
 * May this login hash? The user's row (*u, NULL for nobody) read on the way. FAIL_OK with a
 * hashing place held; FAIL_THROTTLED or FAIL_DB with none.
 */
static enum fail
login_admit(struct req *r, const char *username, struct user **u, int *retry_after)
{
	int device_ok;

	/* The cheapest refusal first: no query for a login that could not hash now anyway. */
	if (take_place(retry_after) != FAIL_OK) {
		metrics_inc(MET_LOGINS, "throttled");
		return FAIL_THROTTLED;
	}
	/* Then the row: the known-device cookie is checked against its password hash. */
	if (user_by_name(r, username, u) == FAIL_DB) {
		hashgate_leave();
		metrics_inc(MET_LOGINS, "unavailable");
		return FAIL_DB;
	}
	device_ok = known_device(r, username, *u ? (*u)->password : NULL);
	if (throttled(r, username, device_ok, retry_after) || admit(r, username, device_ok, retry_after) != FAIL_OK) {
		hashgate_leave();
		log_warn("auth: login throttled");
		metrics_inc(MET_LOGINS, "throttled");
		return FAIL_THROTTLED;
	}
	return FAIL_OK;
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
	if (norm == NULL) {
		metrics_inc(MET_LOGINS, "failed");
		return FAIL_UNAUTHENTICATED;
	}
	/* One exit for the heap copy: the rest works on the arena's. */
	username = arena_strdup(r->arena, norm);
	free(norm);
	if ((f = login_admit(r, username, &u, retry_after)) != FAIL_OK)
		return f;
	correct = check_password(u, password, &must_update);
	if (!correct || !u->is_active) {
		hashgate_leave();
		count_failure(r, username);
		metrics_inc(MET_LOGINS, "failed");
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
	hashgate_leave();
	metrics_inc(MET_LOGINS, "ok");
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
	return auth_sign_in(r, rs, u);
}

enum fail
auth_sign_in(struct req *r, struct resp *rs, struct user *u)
{
	enum fail f;

	if ((f = start_session(r, rs, u)) != FAIL_OK || (f = user_touch_last_login(r, u->id)) != FAIL_OK)
		return f;
	remember_device(r, rs, u);
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
auth_change_password(struct req *r, struct resp *rs, const char *new_password)
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
	if (r->session == NULL)		/* the API's: no session of its own */
		return FAIL_OK;
	djsession_auth_hash(app.signing.secret, r->user->password, hash);
	session_cycle_key(r->session);
	session_set(r->session, DJSESSION_USER_HASH, hash);
	remember_device(r, rs, r->user);
	hashgate_leave();
	return FAIL_OK;
}
