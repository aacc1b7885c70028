/* auth.h: who the visitor is (from the session), login, logout, password changes and login throttling. */
#ifndef AUTH_H
#define AUTH_H

#include "fail.h"
#include "http.h"
#include "model_user.h"

/*
 * Reads the session and, if it names a valid user whose auth hash matches, sets r->user and
 * r->user_json. FAIL_OK (known or anonymous), or FAIL_DB when the session or user cannot be read.
 */
enum fail	 auth_load_visitor(struct req *);
/*
 * Django's authenticate() without a session (token APIs): throttle check, NFKC username,
 * password check with the dummy hash for unknown users, re-hash when Django would; failures
 * are counted for the throttle. FAIL_OK with *out (request arena); FAIL_UNAUTHENTICATED for an
 * unknown user, wrong password or inactive user (one answer for all); FAIL_THROTTLED with
 * *retry_after (seconds); FAIL_DB.
 */
enum fail	 auth_authenticate(struct req *, const char *username, const char *password,
		    struct user **out, int *retry_after);
/*
 * Django's authenticate + login: auth_authenticate(), then session key rotation,
 * last_login, CSRF rotation and the known-device cookie. Same results.
 */
enum fail	 auth_login(struct req *, struct resp *, const char *username, const char *password,
		    int *retry_after);
/*
 * Django's login() for a user already known (a new registration): the session, last_login,
 * CSRF rotation and the known-device cookie. FAIL_OK or FAIL_DB.
 */
enum fail	 auth_sign_in(struct req *, struct resp *, struct user *);
/* Deletes the session row and makes the visitor anonymous: FAIL_OK or FAIL_DB. */
enum fail	 auth_logout(struct req *);
/*
 * Sets a new password for the visitor and keeps this session (update_session_auth_hash), if
 * the request has one (the API's have none); that browser gets a known_device cookie for the
 * new password. Every other session, known_device cookie and API token issued before is
 * refused from now on. FAIL_OK, FAIL_DB or FAIL_INTERNAL.
 */
enum fail	 auth_change_password(struct req *, struct resp *, const char *new_password);
/* Actions that cost a full password hash whatever their outcome. */
enum auth_costly {
	AUTH_COSTLY_REGISTER,		/* a registration (site or API) */
	AUTH_COSTLY_PASSWORD_CHECK,	/* the current-password check of a password change */
	AUTH_COSTLY_PASSWORD_RESET	/* a password reset request (a mail), site or API */
};
/*
 * Counts one such attempt from the client's address; 1 if it goes past the limit (answer
 * 429 with Retry-After: *retry_after), else 0. Fails open when Redis is down. A password
 * check also takes its hash's admission (auth_hash_admit, for the visitor).
 */
int		 auth_throttle_costly(struct req *, enum auth_costly, int *retry_after);
/*
 * Admits one request's password hashing (login of any outcome, registration, password
 * change or reset: call it right before the hash): a place among the HASH_CONCURRENCY
 * hashes all workers may run at once, then one hash from the client address's budget and
 * one from username's (HASH_ADDR_LIMIT, HASH_USER_LIMIT per HASH_WINDOW; THROTTLE_EXEMPT_ADDRS
 * spared both). username NULL: no per-user count. A browser whose known_device cookie is
 * valid for username and password_hash (the user's stored hash; NULL: none) is not counted
 * for the user. FAIL_OK: the place is held until auth_hash_done() or the end of the
 * request; FAIL_THROTTLED with *retry_after (1 when only the places were full). Budgets fail
 * open when Redis is down; the places do not depend on it.
 */
enum fail	 auth_hash_admit(struct req *, const char *username, const char *password_hash,
		    int *retry_after);
/* Gives the place auth_hash_admit() took back (no-op without one). */
void		 auth_hash_done(void);
/* Checks the visitor's current password (no re-hash). 1 if it matches. */
int		 auth_verify_current_password(struct req *, const char *password);

#endif
