/* known_device.h: the opaque "this browser logged in as this user before" cookie value. */
#ifndef KNOWN_DEVICE_H
#define KNOWN_DEVICE_H

#include <stddef.h>

#include "signing.h"

#define KNOWN_DEVICE_HEX	64	/* the value: hex of an HMAC-SHA256 */

/*
 * The cookie value for username: hex(salted_hmac(salt, username)) under SECRET_KEY. It
 * names nobody to whoever reads the browser's cookies, and only the server can make it.
 */
void	 known_device_value(const char *secret, const char *username, char out[KNOWN_DEVICE_HEX + 1]);

/*
 * Does cookie (len bytes, may be NULL) prove a login as username? Checked against SECRET_KEY
 * and each fallback in constant time. Any other form (older cookies that held the name)
 * proves nothing. 1 or 0.
 */
int	 known_device_check(const struct signing_key *, const char *username, const char *cookie, size_t len);

#endif
