/* test_buf.c: the growable buffer: appends, printf growth, integers, embedded bytes, reset, detach. */
#include <limits.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"

static void
test_empty_is_empty_string(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	assert_string_equal(buf_cstr(&b), "");
	assert_int_equal(b.len, 0);
	buf_free(&b);
}

static void
test_appends_and_growth(void **state)
{
	struct buf	 b = BUF_INIT;
	char		 big[5000];

	(void)state;
	buf_puts(&b, "ab");
	buf_putc(&b, 'c');
	buf_append(&b, "d\0e", 3);
	assert_int_equal(b.len, 6);
	assert_memory_equal(b.data, "abcd\0e", 7);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	buf_printf(&b, "%s|%d", big, 42);
	assert_int_equal(b.len, 6 + 4999 + 3);
	assert_string_equal(buf_cstr(&b) + 6 + 4999, "|42");
	assert_true(b.cap > b.len);
	buf_free(&b);
	assert_null(b.data);
}

static void
test_reset_keeps_capacity_detach_hands_over(void **state)
{
	struct buf	 b = BUF_INIT;
	size_t		 cap;
	char		*s;

	(void)state;
	buf_printf(&b, "%0100d", 7);
	cap = b.cap;
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, cap);
	assert_string_equal(buf_cstr(&b), "");
	buf_puts(&b, "mine");
	s = buf_detach(&b);
	assert_string_equal(s, "mine");
	assert_int_equal(b.len, 0);
	assert_string_equal(buf_cstr(&b), "");
	free(s);
	buf_free(&b);
}

/* buf_put_int writes what printf's %lld writes, at the edges too. */
static void
test_put_int_is_printf_lld(void **state)
{
	static const long long	 v[] = { 0, 7, -7, 9, 10, -10, 550, 1000000, LLONG_MAX, LLONG_MIN,
	    LLONG_MIN + 1, 2147483647LL, -2147483648LL };
	char			 want[32];

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct buf b = BUF_INIT;

		buf_puts(&b, "x");
		buf_put_int(&b, v[i]);
		snprintf(want, sizeof(want), "x%lld", v[i]);
		assert_string_equal(buf_cstr(&b), want);
		assert_int_equal(b.len, strlen(want));
		buf_free(&b);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_is_empty_string),
		cmocka_unit_test(test_appends_and_growth),
		cmocka_unit_test(test_reset_keeps_capacity_detach_hands_over),
		cmocka_unit_test(test_put_int_is_printf_lld),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
