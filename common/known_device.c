/* known_device.c: the opaque "this browser logged in as this user before" cookie value. */
#include <string.h>

#include "known_device.h"
#include "util.h"

/* A salt of its own: no other signed value of the site can be replayed as this cookie. */
#define KNOWN_DEVICE_SALT	"movies.auth.known_device.v2"

void
known_device_value(const char *secret, const char *username, char out[KNOWN_DEVICE_HEX + 1])
{
	unsigned char md[SIGNING_MAX_DIGEST];

	signing_salted_hmac(SIGNING_SHA256, KNOWN_DEVICE_SALT, secret, username, strlen(username), md);
	hex_encode(md, KNOWN_DEVICE_HEX / 2, out);
	out[KNOWN_DEVICE_HEX] = '\0';
}

int
known_device_check(const struct signing_key *key, const char *username, const char *cookie, size_t len)
{
	char want[KNOWN_DEVICE_HEX + 1];

	if (cookie == NULL || len != KNOWN_DEVICE_HEX)
		return 0;
	known_device_value(key->secret, username, want);
	if (ct_equal(want, KNOWN_DEVICE_HEX, cookie, len))
		return 1;
	for (const char *const *fb = key->fallbacks; fb && *fb; fb++) {
		known_device_value(*fb, username, want);
		if (ct_equal(want, KNOWN_DEVICE_HEX, cookie, len))
			return 1;
	}
	return 0;
}
