/* test_known_device.c: the opaque known_device cookie: no name inside, server-made, key rotation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "known_device.h"

static void
test_value_is_opaque_hex(void **state)
{
	char a[KNOWN_DEVICE_HEX + 1], b[KNOWN_DEVICE_HEX + 1];

	(void)state;
	known_device_value("a-secret-key-of-enough-length", "moviebuff", a);
	assert_int_equal(strlen(a), KNOWN_DEVICE_HEX);
	assert_int_equal(strspn(a, "0123456789abcdef"), KNOWN_DEVICE_HEX);
	assert_null(strstr(a, "moviebuff"));
	known_device_value("a-secret-key-of-enough-length", "moviebuff", b);
	assert_string_equal(a, b);
	known_device_value("a-secret-key-of-enough-length", "moviebuf", b);
	assert_string_not_equal(a, b);
	known_device_value("another-secret-key-entirely", "moviebuff", b);
	assert_string_not_equal(a, b);
}

static void
test_check(void **state)
{
	const char *const	 fallbacks[] = { "the-old-secret-key-value", NULL };
	struct signing_key	 key = { "the-new-secret-key-value", fallbacks, 0 };
	char			 v[KNOWN_DEVICE_HEX + 1];

	(void)state;
	known_device_value(key.secret, "Ünïcødé", v);
	assert_true(known_device_check(&key, "Ünïcødé", v, strlen(v)));
	assert_false(known_device_check(&key, "Unicode", v, strlen(v)));
	assert_false(known_device_check(&key, "Ünïcødé", v, strlen(v) - 1));
	assert_false(known_device_check(&key, "Ünïcødé", NULL, 0));
	/* Made under a fallback key: still counts until the fallback is dropped. */
	known_device_value(fallbacks[0], "moviebuff", v);
	assert_true(known_device_check(&key, "moviebuff", v, strlen(v)));
	key.fallbacks = NULL;
	assert_false(known_device_check(&key, "moviebuff", v, strlen(v)));
	/* The old form, name:signature, proves nothing. */
	assert_false(known_device_check(&key, "moviebuff", "moviebuff%3AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 64));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_value_is_opaque_hex),
		cmocka_unit_test(test_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
