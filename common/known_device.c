/* known_device.c: the opaque "this browser logged in as this user, with this password, before" cookie value. */
#include <string.h>

#include "buf.h"
#include "known_device.h"
#include "rand.h"
#include "util.h"

/* A salt of its own: no other signed value of the site can be replayed as this cookie. */
#define KNOWN_DEVICE_SALT	"movies.auth.known_device.v3"
#define HEX_DIGITS		"0123456789abcdef"

void
known_device_value(const char *secret, const char *username, const char *password_hash,
    const char *device_id, char out[KNOWN_DEVICE_LEN + 1])
{
	unsigned char	md[SIGNING_MAX_DIGEST];
	struct buf	msg = BUF_INIT;

	/* The unit separator: no username, id or Django hash contains it, so fields stay apart. */
	buf_printf(&msg, "%s\x1f%.*s\x1f%s", username, KNOWN_DEVICE_ID_HEX, device_id, password_hash);
	signing_salted_hmac(SIGNING_SHA256, KNOWN_DEVICE_SALT, secret, buf_cstr(&msg), msg.len, md);
	buf_free(&msg);
	memcpy(out, device_id, KNOWN_DEVICE_ID_HEX);
	out[KNOWN_DEVICE_ID_HEX] = '.';
	hex_encode(md, KNOWN_DEVICE_HEX / 2, out + KNOWN_DEVICE_ID_HEX + 1);
	out[KNOWN_DEVICE_LEN] = '\0';
}

/* Is cookie "<32 hex>.<...>" of the full length? */
static int
well_formed(const char *cookie, size_t len)
{
	return cookie != NULL && len == KNOWN_DEVICE_LEN && cookie[KNOWN_DEVICE_ID_HEX] == '.' &&
	    strspn(cookie, HEX_DIGITS) == KNOWN_DEVICE_ID_HEX;
}

int
known_device_check(const struct signing_key *key, const char *username, const char *password_hash,
    const char *cookie, size_t len)
{
	char want[KNOWN_DEVICE_LEN + 1];

	if (password_hash == NULL || !well_formed(cookie, len))
		return 0;
	known_device_value(key->secret, username, password_hash, cookie, want);
	if (ct_equal(want, KNOWN_DEVICE_LEN, cookie, len))
		return 1;
	for (const char *const *fb = key->fallbacks; fb && *fb; fb++) {
		known_device_value(*fb, username, password_hash, cookie, want);
		if (ct_equal(want, KNOWN_DEVICE_LEN, cookie, len))
			return 1;
	}
	return 0;
}

void
known_device_id(const char *cookie, size_t len, char out[KNOWN_DEVICE_ID_HEX + 1])
{
	if (well_formed(cookie, len))
		memcpy(out, cookie, KNOWN_DEVICE_ID_HEX);
	else
		rand_string(out, KNOWN_DEVICE_ID_HEX, HEX_DIGITS);
	out[KNOWN_DEVICE_ID_HEX] = '\0';
}
