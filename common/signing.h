/* signing.h: Django's salted_hmac, base62, Signer/TimestampSigner and signing.dumps/loads. */
#ifndef SIGNING_H
#define SIGNING_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct json_object;

/* Django's default salts (signing.dumps/loads, Signer(), TimestampSigner()). */
#define SIGNING_SALT_DUMPS		"django.core.signing"
#define SIGNING_SALT_SIGNER		"django.core.signing.Signer"
#define SIGNING_SALT_TIMESTAMP_SIGNER	"django.core.signing.TimestampSigner"

#define SIGNING_MAX_DIGEST	32	/* bytes of the largest digest (SHA-256) */
#define SIGNING_B62_MAX		16	/* room for any int64 in base62, sign and NUL */
#define SIGNING_MAX_INFLATE	(16u << 20)	/* refuse compressed payloads that inflate beyond this */

enum signing_digest { SIGNING_SHA1, SIGNING_SHA256 };

/* The keys a Signer uses. The strings are borrowed; nothing is copied. */
struct signing_key {
	const char		*secret;	/* SECRET_KEY: signs, and is tried first when verifying */
	const char *const	*fallbacks;	/* SECRET_KEY_FALLBACKS (4.1+), NULL-terminated; may be NULL */
	int			 accept_sha1;	/* also accept HMAC-SHA1 signatures, as 3.2's Signer does */
};

/*
 * django.utils.crypto.salted_hmac: key = H(key_salt || secret), then HMAC-H(key, value).
 * Writes the raw digest to out and returns its length (20 for SHA-1, 32 for SHA-256).
 */
size_t	 signing_salted_hmac(enum signing_digest, const char *key_salt, const char *secret,
	    const void *value, size_t len, unsigned char out[SIGNING_MAX_DIGEST]);

/* Django's base62 (0-9A-Za-z, '-' for negatives) into out, NUL-terminated. */
void	 signing_b62_encode(int64_t, char out[SIGNING_B62_MAX]);
/* Returns 0 and sets *out, or -1 on a bad character or int64 overflow ("" is 0, as in Django). */
int	 signing_b62_decode(const char *, size_t, int64_t *out);

/* Signer(salt=salt).sign(value): appends value ':' signature (SHA-256, 43 chars) to out. */
void	 signing_sign(const struct signing_key *, const char *salt, const char *value, size_t len,
	    struct buf *out);
/*
 * Signer.unsign: checks the signature after the last ':' against the secret, then each
 * fallback (constant time), and appends the value before it to out.
 * Returns 0, or -1 (BadSignature: no ':' or no key matches; nothing appended).
 */
int	 signing_unsign(const struct signing_key *, const char *salt, const char *signed_value,
	    size_t len, struct buf *out);

/* TimestampSigner.sign at the given Unix time (normally time(NULL)): value:b62(ts):sig. */
void	 signing_timestamp_sign(const struct signing_key *, const char *salt, const char *value,
	    size_t len, int64_t timestamp, struct buf *out);
/*
 * TimestampSigner.unsign: verifies as signing_unsign, then splits off the base62 timestamp.
 * max_age < 0 means no age check; otherwise the value is refused when now - ts > max_age.
 * Appends the value to out and sets *timestamp (may be NULL). Returns 0 or -1.
 */
int	 signing_timestamp_unsign(const struct signing_key *, const char *salt,
	    const char *signed_value, size_t len, int64_t max_age, int64_t now, struct buf *out,
	    int64_t *timestamp);

/*
 * Python's json.dumps(obj, separators=(',', ':')) with ensure_ascii: every character outside
 * 0x20-0x7E is written as \uXXXX (lower-case hex, surrogate pairs above U+FFFF); object keys
 * keep their order; doubles use Python's repr. Appends to out.
 * Returns 0, or -1 if a string is not valid UTF-8 (out may hold partial output).
 */
int	 signing_json_dumps(struct json_object *, struct buf *out);
/*
 * Python's json.loads(bytes.decode('latin-1')): each byte is one code point, so ASCII JSON
 * with \u escapes round-trips. Returns 0 and sets *out to a new object (caller
 * json_object_put()s; NULL when the text is JSON null), or -1 on invalid JSON.
 */
int	 signing_json_loads(const char *, size_t, struct json_object **out);

/*
 * signing.dumps(obj, salt=salt, compress=compress) with the JSON serializer at the given time:
 * zlib (level 6) is used only if it saves more than one byte, marked by a leading '.'.
 * Appends the signed string to out. Returns 0, or -1 if obj cannot be serialized.
 */
int	 signing_dumps(const struct signing_key *, const char *salt, struct json_object *obj,
	    int compress, int64_t timestamp, struct buf *out);
/*
 * signing.loads(s, salt=salt, max_age=...): max_age < 0 means no age check (now is then unused).
 * Returns 0 and sets *out to a new object (caller puts it; NULL for JSON null), or -1 on a bad
 * signature, expiry, bad base64, a corrupt or oversized zlib stream, or invalid JSON.
 * Failures are not logged here.
 */
int	 signing_loads(const struct signing_key *, const char *salt, const char *s, size_t len,
	    int64_t max_age, int64_t now, struct json_object **out);

#endif
