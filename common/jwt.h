/* jwt.h: JSON Web Tokens as djangorestframework-simplejwt makes and checks them (HS256, typed, expiring). */
#ifndef JWT_H
#define JWT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct json_object;

#define JWT_ACCESS		"access"	/* token_type claims */
#define JWT_REFRESH		"refresh"
#define JWT_ACCESS_LIFETIME	(30 * 60)	/* the origin app's SIMPLE_JWT: 30 minutes */
#define JWT_REFRESH_LIFETIME	(24 * 3600)	/* and 1 day */
#define JWT_MAX_TOKEN		8192		/* longer tokens are refused unread */
#define JWT_JTI_HEX		32		/* uuid4().hex */

/* Why a token was refused; jwt_status_message() gives simplejwt's wording. */
enum jwt_status {
	JWT_OK,
	JWT_INVALID,		/* malformed, bad signature, alg not HS256, expired, iat/nbf in the future */
	JWT_NO_EXP,		/* no exp claim */
	JWT_NO_ID,		/* no jti claim */
	JWT_NO_TYPE,		/* no token_type claim */
	JWT_WRONG_TYPE		/* token_type is not the one wanted */
};

/*
 * A new payload as simplejwt's Token() starts it, in its key order: token_type, exp (now +
 * lifetime), iat (now), jti (32 random lowercase hex digits). The caller adds its claims
 * (user_id, username) and owns the object (json_object_put).
 */
struct json_object *jwt_new_payload(const char *token_type, int64_t lifetime, int64_t now);

/*
 * The access token a refresh token yields (RefreshToken.access_token): a new access payload
 * (exp = now + JWT_ACCESS_LIFETIME, own jti) carrying every other claim of the refresh
 * payload. Unlike simplejwt, iat is the time this access token was issued, not copied.
 * Returns a new object (caller puts).
 */
struct json_object *jwt_access_from_refresh(struct json_object *refresh_payload, int64_t now);

/*
 * Appends the compact token base64url(header).base64url(payload).base64url(HMAC-SHA256) to
 * out, without padding. The header is {"alg":"HS256","typ":"JWT"} and the payload is
 * serialised as Python's json.dumps(separators=(",", ":")), so the bytes equal PyJWT's.
 * secret is the key as bytes (Django's SECRET_KEY). Returns 0, or -1 when payload holds a
 * string that is not UTF-8 (out unchanged).
 */
int	 jwt_encode(const char *secret, struct json_object *payload, struct buf *out);

/*
 * Verifies a compact token as PyJWT + simplejwt do: three base64url parts; header a JSON
 * object whose alg is exactly "HS256" ("none" and every other algorithm refused); the
 * signature compared in constant time; payload a JSON object; exp, iat and nbf numbers when
 * present, exp in the future, iat and nbf not; then exp and jti present and token_type equal
 * to want_type (NULL skips the type check, like UntypedToken). now is Unix seconds.
 * On JWT_OK sets *payload to the claims (caller puts); otherwise *payload is NULL.
 * Nothing is logged: callers decide whether a refused token is news.
 */
enum jwt_status jwt_decode(const char *secret, const char *token, size_t len, const char *want_type,
	    int64_t now, struct json_object **payload);

/* simplejwt's message for a status: "Token is invalid or expired", "Token has no id", ... */
const char	*jwt_status_message(enum jwt_status);

#endif
