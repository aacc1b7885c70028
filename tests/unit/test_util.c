/* test_util.c: strict number parsing, constant-time compare, UTF-8 decoding and counting, hex. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util.h"

static void
test_parse_int64_strict(void **state)
{
	int64_t	v;
	int	i;

	(void)state;
	assert_int_equal(parse_int64("42", 2, 0, 100, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(parse_int64("-5", 2, -10, 10, &v), 0);
	assert_int_equal(v, -5);
	assert_int_equal(parse_int64("", 0, 0, 100, &v), -1);
	assert_int_equal(parse_int64("4x", 2, 0, 100, &v), -1);
	assert_int_equal(parse_int64(" 4", 2, 0, 100, &v), -1);
	assert_int_equal(parse_int64("101", 3, 0, 100, &v), -1);
	assert_int_equal(parse_int64("99999999999999999999", 20, INT64_MIN, INT64_MAX, &v), -1);
	/* The length bounds the parse: "12" of "123". */
	assert_int_equal(parse_int64("123", 2, 0, 100, &v), 0);
	assert_int_equal(v, 12);
	assert_int_equal(parse_int("500", 1, 500, &i), 0);
	assert_int_equal(i, 500);
	assert_int_equal(parse_int("0", 1, 500, &i), -1);
	assert_int_equal(parse_int("1.5", 1, 500, &i), -1);
}

static void
test_list_next(void **state)
{
	const char	*cur = " a.example , ,b , 127.0.0.1,,", *e;
	size_t		 n;
	const char	*want[] = { "a.example", "b", "127.0.0.1" };

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(util_list_next(&cur, &e, &n), 1);
		assert_int_equal(n, strlen(want[i]));
		assert_memory_equal(e, want[i], n);
	}
	assert_int_equal(util_list_next(&cur, &e, &n), 0);
	assert_int_equal(util_list_next(&cur, &e, &n), 0);
	cur = NULL;
	assert_int_equal(util_list_next(&cur, &e, &n), 0);
	cur = " , ";
	assert_int_equal(util_list_next(&cur, &e, &n), 0);
}

static void
test_ct_equal(void **state)
{
	(void)state;
	assert_int_equal(ct_equal("abc", 3, "abc", 3), 1);
	assert_int_equal(ct_equal("abc", 3, "abd", 3), 0);
	assert_int_equal(ct_equal("abc", 3, "ab", 2), 0);
	assert_int_equal(ct_equal("", 0, "", 0), 1);
}

static void
test_utf8(void **state)
{
	const char	*s = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x8e\xac";	/* a é € 🎬 */
	size_t		 i = 0;

	(void)state;
	assert_int_equal(utf8_valid(s, strlen(s)), 1);
	assert_int_equal(utf8_length(s, strlen(s)), 4);
	assert_int_equal(utf8_next(s, strlen(s), &i), 'a');
	assert_int_equal(utf8_next(s, strlen(s), &i), 0xe9);
	assert_int_equal(utf8_next(s, strlen(s), &i), 0x20ac);
	assert_int_equal(utf8_next(s, strlen(s), &i), 0x1f3ac);
	assert_int_equal(i, strlen(s));
	/* Overlong, surrogate, truncated, beyond U+10FFFF. */
	assert_int_equal(utf8_valid("\xc0\xaf", 2), 0);
	assert_int_equal(utf8_valid("\xed\xa0\x80", 3), 0);
	assert_int_equal(utf8_valid("\xc3", 1), 0);
	assert_int_equal(utf8_valid("\xf4\x90\x80\x80", 4), 0);
}

static void
test_hex_and_clock(void **state)
{
	char	 hex[7];
	int64_t	 t = now_ms();

	(void)state;
	hex_encode((const unsigned char *)"\x00\xab\xff", 3, hex);
	assert_string_equal(hex, "00abff");
	assert_true(now_ms() >= t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_int64_strict),
		cmocka_unit_test(test_ct_equal),
		cmocka_unit_test(test_list_next),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_hex_and_clock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
