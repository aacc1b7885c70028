/* known_device.h: the opaque "this browser logged in as this user, with this password, before" cookie value. */
#ifndef KNOWN_DEVICE_H
#define KNOWN_DEVICE_H

#include <stddef.h>

#include "signing.h"

#define KNOWN_DEVICE_ID_HEX	32	/* the browser's random id: 128 bits, hex */
#define KNOWN_DEVICE_HEX	64	/* the proof: hex of an HMAC-SHA256 */
/* The cookie: "<id>.<proof>". */
#define KNOWN_DEVICE_LEN	(KNOWN_DEVICE_ID_HEX + 1 + KNOWN_DEVICE_HEX)

/*
 * The cookie value for username on the browser device_id (KNOWN_DEVICE_ID_HEX hex digits,
 * from known_device_id) while the user's stored password hash is password_hash:
 * "<device_id>.<hex(salted_hmac(salt, username US device_id US password_hash))>" under
 * secret. It names nobody, only the server can make it, and it proves nothing once the
 * password changes (here or in Django: any new hash has a new salt).
 */
void	 known_device_value(const char *secret, const char *username, const char *password_hash,
	    const char *device_id, char out[KNOWN_DEVICE_LEN + 1]);

/*
 * Does cookie (len bytes, may be NULL) prove a login as username while its password hash
 * was password_hash (NULL: no such user, never)? Checked against SECRET_KEY and each
 * fallback in constant time. Every other form (the older cookies of the username alone, or
 * of the name) proves nothing. 1 or 0.
 */
int	 known_device_check(const struct signing_key *, const char *username, const char *password_hash,
	    const char *cookie, size_t len);

/* The device id for a new cookie: the one cookie carries when well formed (any user), else a fresh random one. */
void	 known_device_id(const char *cookie, size_t len, char out[KNOWN_DEVICE_ID_HEX + 1]);

#endif
