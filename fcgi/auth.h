/* auth.h: who the visitor is (Django sessions), CSRF, login, logout, password changes, throttling. */
#ifndef AUTH_H
#define AUTH_H

#include <stdint.h>

#include "http.h"

struct user {
	int64_t		 id;
	const char	*username;
	const char	*email;
	const char	*password;	/* the encoded hash, for the session auth hash */
	int		 is_active;
};

enum login_result {
	LOGIN_OK,
	LOGIN_BAD_CREDENTIALS,	/* unknown user, wrong password or inactive: one message for all */
	LOGIN_THROTTLED,	/* too many failures for this username or address */
	LOGIN_UNAVAILABLE	/* the database is down */
};

/* Reads the session and, if it names a valid user whose auth hash matches, sets r->user. */
void		 auth_load_visitor(struct req *);
/* Origin and token checks of a POST; on failure renders the 403 page and returns -1. */
int		 auth_check_csrf(struct req *, struct resp *);
/* The masked CSRF token for this page's forms (sets the csrftoken cookie when missing). */
const char	*auth_csrf_token(struct req *, struct resp *);
/* 303 to /login?next=<this path> (or a 401 JSON answer under /api/). */
void		 auth_redirect_to_login(struct req *, struct resp *);
/* A same-site path to go to after login: next if it is one, "/" otherwise. */
const char	*auth_safe_next(const char *next);
/*
 * Django's authenticate() without a session (token APIs): throttle check, NFKC username,
 * password check with the dummy hash for unknown users, re-hash when Django would; failures
 * are counted for the throttle. On LOGIN_OK sets *out (request arena), else *out is NULL.
 * Fills *retry_after (seconds) when throttled. auth_login() is this plus the session.
 */
enum login_result auth_authenticate(struct req *, const char *username, const char *password,
		    struct user **out, int *retry_after);
/*
 * The auth_user row with this id (request arena), active or not, or NULL when there is none
 * or the database is down (*unavailable is then 1).
 */
struct user	*auth_user_by_id(struct req *, int64_t id, int *unavailable);
/*
 * Django's authenticate + login: throttle check, NFKC username, password check with the
 * dummy hash for unknown users, re-hash when Django would, session key rotation,
 * last_login, CSRF rotation. Fills *retry_after (seconds) when throttled.
 */
enum login_result auth_login(struct req *, struct resp *, const char *username, const char *password,
		    int *retry_after);
/* Deletes the session row and clears the cookie. */
void		 auth_logout(struct req *, struct resp *);
/* Sets a new password for the visitor and keeps this session (update_session_auth_hash). */
int		 auth_change_password(struct req *, struct resp *, const char *new_password);
/* Actions that cost a full password hash whatever their outcome. */
enum auth_costly {
	AUTH_COSTLY_REGISTER,		/* a registration (site or API) */
	AUTH_COSTLY_PASSWORD_CHECK	/* the current-password check of a password change */
};
/*
 * Counts one such attempt from the client's address; 1 if it goes past the limit (answer
 * 429 with Retry-After: *retry_after), else 0. Fails open when Redis is down.
 */
int		 auth_throttle_costly(struct req *, enum auth_costly, int *retry_after);
/* Checks the visitor's current password (no re-hash). 1 if it matches. */
int		 auth_verify_current_password(struct req *, const char *password);

#endif
