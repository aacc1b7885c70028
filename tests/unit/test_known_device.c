/* test_known_device.c: the opaque known_device cookie: no name inside, server-made, per device, dies with the password, key rotation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "known_device.h"

#define HASH_A	"pbkdf2_sha256$870000$saltA$aaaa"
#define HASH_B	"pbkdf2_sha256$870000$saltB$bbbb"
#define DEV_1	"0123456789abcdef0123456789abcdef"
#define DEV_2	"fedcba9876543210fedcba9876543210"

static void
test_value_is_opaque(void **state)
{
	char a[KNOWN_DEVICE_LEN + 1], b[KNOWN_DEVICE_LEN + 1];

	(void)state;
	known_device_value("a-secret-key-of-enough-length", "moviebuff", HASH_A, DEV_1, a);
	assert_int_equal(strlen(a), KNOWN_DEVICE_LEN);
	assert_memory_equal(a, DEV_1, KNOWN_DEVICE_ID_HEX);
	assert_int_equal(a[KNOWN_DEVICE_ID_HEX], '.');
	assert_int_equal(strspn(a + KNOWN_DEVICE_ID_HEX + 1, "0123456789abcdef"), KNOWN_DEVICE_HEX);
	assert_null(strstr(a, "moviebuff"));
	known_device_value("a-secret-key-of-enough-length", "moviebuff", HASH_A, DEV_1, b);
	assert_string_equal(a, b);
	known_device_value("a-secret-key-of-enough-length", "moviebuf", HASH_A, DEV_1, b);
	assert_string_not_equal(a, b);
	known_device_value("another-secret-key-entirely", "moviebuff", HASH_A, DEV_1, b);
	assert_string_not_equal(a, b);
	known_device_value("a-secret-key-of-enough-length", "moviebuff", HASH_B, DEV_1, b);
	assert_string_not_equal(a, b);
	known_device_value("a-secret-key-of-enough-length", "moviebuff", HASH_A, DEV_2, b);
	assert_string_not_equal(a + KNOWN_DEVICE_ID_HEX, b + KNOWN_DEVICE_ID_HEX);
}

static void
test_check(void **state)
{
	const char *const	 fallbacks[] = { "the-old-secret-key-value", NULL };
	struct signing_key	 key = { "the-new-secret-key-value", fallbacks, 0 };
	char			 v[KNOWN_DEVICE_LEN + 1];

	(void)state;
	known_device_value(key.secret, "Ünïcødé", HASH_A, DEV_1, v);
	assert_true(known_device_check(&key, "Ünïcødé", HASH_A, v, strlen(v)));
	assert_false(known_device_check(&key, "Unicode", HASH_A, v, strlen(v)));
	assert_false(known_device_check(&key, "Ünïcødé", HASH_A, v, strlen(v) - 1));
	assert_false(known_device_check(&key, "Ünïcødé", HASH_A, NULL, 0));
	/* A password change (a new hash) or no such user: the cookie proves nothing. */
	assert_false(known_device_check(&key, "Ünïcødé", HASH_B, v, strlen(v)));
	assert_false(known_device_check(&key, "Ünïcødé", NULL, v, strlen(v)));
	/* Another device's id with this proof: nothing. */
	memcpy(v, DEV_2, KNOWN_DEVICE_ID_HEX);
	assert_false(known_device_check(&key, "Ünïcødé", HASH_A, v, strlen(v)));
	/* Made under a fallback key: still counts until the fallback is dropped. */
	known_device_value(fallbacks[0], "moviebuff", HASH_A, DEV_1, v);
	assert_true(known_device_check(&key, "moviebuff", HASH_A, v, strlen(v)));
	key.fallbacks = NULL;
	assert_false(known_device_check(&key, "moviebuff", HASH_A, v, strlen(v)));
	/* The older forms (an HMAC of the name alone; name:signature) prove nothing. */
	assert_false(known_device_check(&key, "moviebuff", HASH_A,
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", 64));
	assert_false(known_device_check(&key, "moviebuff", HASH_A,
	    "moviebuff%3AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 64));
}

static void
test_device_id(void **state)
{
	char v[KNOWN_DEVICE_LEN + 1], id[KNOWN_DEVICE_ID_HEX + 1], other[KNOWN_DEVICE_ID_HEX + 1];

	(void)state;
	/* A well-formed cookie keeps its browser's id (for any user); anything else gets a new one. */
	known_device_value("a-secret-key-of-enough-length", "moviebuff", HASH_A, DEV_2, v);
	known_device_id(v, strlen(v), id);
	assert_string_equal(id, DEV_2);
	known_device_id(NULL, 0, id);
	known_device_id("junk", 4, other);
	assert_int_equal(strspn(id, "0123456789abcdef"), KNOWN_DEVICE_ID_HEX);
	assert_int_equal(strlen(other), KNOWN_DEVICE_ID_HEX);
	assert_string_not_equal(id, other);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_value_is_opaque),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_device_id),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
