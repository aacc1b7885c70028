/* resettoken.h: Django's PasswordResetTokenGenerator tokens and the uidb64 of reset links. */
#ifndef RESETTOKEN_H
#define RESETTOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "signing.h"

#define RESETTOKEN_MAX		64	/* room for any token made here, NUL included */
#define RESETTOKEN_UID_MAX	32	/* room for any uidb64 of an int64, NUL included */
/* Django's _num_seconds counts from 2001-01-01: this many Unix seconds later. */
#define RESETTOKEN_EPOCH	978307200

/*
 * What _make_hash_value reads of a user. Strings are borrowed. last_login is the UTC time as
 * str(datetime) prints it with microseconds and tzinfo removed ("2026-12-08 01:22:33"), or NULL
 * (never logged in); email NULL counts as "".
 */
struct resettoken_user {
	int64_t		 id;
	const char	*password;
	const char	*last_login;
	const char	*email;
};

/*
 * PasswordResetTokenGenerator._make_token_with_timestamp with SHA-256 (Django 3.1+'s default,
 * the only algorithm of 4.0+): base36(ts) '-' every second hex digit of salted_hmac(key_salt,
 * pk + password + last_login + ts + email, secret). ts counts seconds from RESETTOKEN_EPOCH.
 */
void	 resettoken_make(const char *secret, const struct resettoken_user *, int64_t ts,
	    char out[RESETTOKEN_MAX]);
/*
 * check_token: the token's shape (resettoken_parse), then its hash against the secret and each
 * fallback (constant-time), then its age: refused when now_ts - ts > timeout_s. 1 valid, 0 not.
 */
int	 resettoken_check(const struct signing_key *, const struct resettoken_user *,
	    const char *token, int64_t now_ts, int timeout_s);
/*
 * The shape of a token: 1 to 13 base36 digits, '-', 1 to 64 hex digits, nothing else (Django's
 * split("-") and base36_to_int refuse the rest, or its comparison does). Sets *ts. 0 or -1.
 */
int	 resettoken_parse(const char *token, size_t len, int64_t *ts);
/* Unix seconds to the generator's seconds (from 2001-01-01, in UTC: see README on TIME_ZONE). */
int64_t	 resettoken_now(int64_t unix_seconds);
/* urlsafe_base64_encode(str(id)) without padding, as in Django's reset links. */
void	 resettoken_uid_encode(int64_t id, char out[RESETTOKEN_UID_MAX]);
/* The id of a uidb64: base64url (padding optional) of 1 to 18 decimal digits. 0 or -1. */
int	 resettoken_uid_decode(const char *s, size_t len, int64_t *id);

/*
 * A request path fit for logs: /reset/<uidb64>/<token>/ with the token replaced by "<token>"
 * (a live token must never be written down); any other path as it is. Returns path or out.
 */
const char *resettoken_log_path(const char *path, char *out, size_t outsz);

#endif
