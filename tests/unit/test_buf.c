/* test_buf.c: the growable buffer: appends, printf growth, embedded bytes, reset, detach. */
#include <setjmp.h>
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_is_empty_string),
		cmocka_unit_test(test_appends_and_growth),
		cmocka_unit_test(test_reset_keeps_capacity_detach_hands_over),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
