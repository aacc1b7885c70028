/* djsession.h: Django's session_data encoding, session keys and the session auth hash. */
#ifndef DJSESSION_H
#define DJSESSION_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "signing.h"

struct json_object;

/* SessionBase.key_salt for every built-in engine ('django.contrib.sessions.' + 'SessionStore'). */
#define DJSESSION_KEY_SALT	"django.contrib.sessions.SessionStore"
/* Key salt of the pre-3.1 session format (no dot), read by 3.2 only. */
#define DJSESSION_LEGACY_SALT	"django.contrib.sessionsSessionStore"
#define DJSESSION_AUTH_HASH_SALT \
	"django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"
#define DJSESSION_KEY_LEN	32	/* generated keys: [a-z0-9]{32} */
#define DJSESSION_KEY_MIN	8	/* _validate_session_key: shorter keys mean "no session" */
#define DJSESSION_KEY_MAX	40	/* django_session.session_key is varchar(40) */
#define DJSESSION_HASH_HEX	64	/* SHA-256 auth hash in hex */
#define DJSESSION_LEGACY_HASH_HEX 40	/* SHA-1 auth hash (3.1/3.2 legacy) */

/* Session dictionary keys written by django.contrib.auth.login(). */
#define DJSESSION_USER_ID	"_auth_user_id"
#define DJSESSION_USER_BACKEND	"_auth_user_backend"
#define DJSESSION_USER_HASH	"_auth_user_hash"
#define DJSESSION_MODEL_BACKEND	"django.contrib.auth.backends.ModelBackend"

/*
 * SessionBase.encode: signing.dumps(data, salt=DJSESSION_KEY_SALT, compress=True) signed with
 * key->secret at the current time (djsession_encode) or at timestamp (djsession_encode_at).
 * data is any json-c value (normally an object; key order is kept, output JSON is ASCII).
 * Appends the session_data text to out. Returns 0, or -1 if a string is not valid UTF-8.
 */
int	 djsession_encode(const struct signing_key *, struct json_object *data, struct buf *out);
int	 djsession_encode_at(const struct signing_key *, struct json_object *data,
	    int64_t timestamp, struct buf *out);

/*
 * SessionBase.decode without its fallback to {}: verifies the signature against the secret and
 * fallbacks (no max_age: expire_date decides), inflates and parses. With key->accept_sha1
 * (Django 3.2 compatibility) it also reads the pre-3.1 format that 3.2 writes under
 * DEFAULT_HASHING_ALGORITHM='sha1'. Returns a new json-c
 * object (caller json_object_put()s), or NULL on a bad signature or corrupt data, or if the
 * JSON is not an object; Django then uses an empty session. Failures are logged (warn).
 */
struct json_object *djsession_decode(const struct signing_key *, const char *session_data,
	    size_t len);

/* Writes a new session key, 32 characters of [a-z0-9] plus NUL (CSPRNG). */
void	 djsession_new_key(char out[DJSESSION_KEY_LEN + 1]);
/*
 * 1 if a cookie value may name a session: at least 8 bytes (Django's rule), at most 40, and
 * only printable ASCII. The extra limits refuse nothing Django could have stored, since its
 * keys are always generated [a-z0-9]{32}. 0 otherwise (treat as no session).
 */
int	 djsession_key_valid(const char *key, size_t len);

/* get_session_auth_hash(): HMAC-SHA256 hex of the password column under secret. */
void	 djsession_auth_hash(const char *secret, const char *password,
	    char out[DJSESSION_HASH_HEX + 1]);
/* 3.1/3.2's _legacy_get_session_auth_hash(): the same with SHA-1 (40 hex). */
void	 djsession_auth_hash_legacy(const char *secret, const char *password,
	    char out[DJSESSION_LEGACY_HASH_HEX + 1]);

enum djsession_hash_result {
	DJSESSION_HASH_MISMATCH = 0,	/* flush the session: anonymous */
	DJSESSION_HASH_OK = 1,		/* matches under SECRET_KEY */
	DJSESSION_HASH_FALLBACK = 2	/* matches a fallback key or the legacy SHA-1 form: the
					   caller cycles the key and stores the current hash */
};
/*
 * The check of django.contrib.auth.get_user: compares the stored _auth_user_hash (NULL or ""
 * never matches) in constant time with the hash under key->secret, then under each fallback
 * (4.1.8+), then, if key->accept_sha1, the legacy SHA-1 hash under key->secret (3.2).
 */
enum djsession_hash_result djsession_auth_hash_check(const struct signing_key *,
	    const char *password, const char *stored_hash);

#endif
