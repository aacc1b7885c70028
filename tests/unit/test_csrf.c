/* test_csrf.c: CSRF secret generation, masking (django-compat.md §6.3) and the token check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "csrf.h"

#define SECRET	"abcdefghijklmnopqrstuvwxyzABCDEF"
#define MASK	"0123456789ABCDEFGHIJKLMNOPQRSTUV"
#define TOKEN	MASK "02468acegiKMOQSUWY02468acegikmoq"

static void
test_vector(void **state)
{
	char token[CSRF_TOKEN_LEN + 1], secret[CSRF_SECRET_LEN + 1];

	(void)state;
	csrf_mask_with(SECRET, MASK, token);
	assert_string_equal(token, TOKEN);
	assert_int_equal(csrf_unmask(TOKEN, strlen(TOKEN), secret), 0);
	assert_string_equal(secret, SECRET);
}

static void
test_random_mask_roundtrip(void **state)
{
	char s[CSRF_SECRET_LEN + 1], t1[CSRF_TOKEN_LEN + 1], t2[CSRF_TOKEN_LEN + 1];
	char back[CSRF_SECRET_LEN + 1];

	(void)state;
	for (int i = 0; i < 200; i++) {
		csrf_new_secret(s);
		assert_int_equal(strlen(s), CSRF_SECRET_LEN);
		assert_int_equal(strspn(s, CSRF_CHARS), CSRF_SECRET_LEN);
		csrf_mask(s, t1);
		csrf_mask(s, t2);
		assert_int_equal(strspn(t1, CSRF_CHARS), CSRF_TOKEN_LEN);
		/* each get_token() is freshly masked */
		assert_string_not_equal(t1, t2);
		assert_int_equal(csrf_unmask(t1, CSRF_TOKEN_LEN, back), 0);
		assert_string_equal(back, s);
		assert_int_equal(csrf_check(s, CSRF_SECRET_LEN, t1, CSRF_TOKEN_LEN), CSRF_OK);
		assert_int_equal(csrf_check(t2, CSRF_TOKEN_LEN, t1, CSRF_TOKEN_LEN), CSRF_OK);
	}
}

static void
test_unmask_refuses(void **state)
{
	char out[CSRF_SECRET_LEN + 1];

	(void)state;
	assert_int_equal(csrf_unmask(TOKEN, 63, out), -1);
	assert_int_equal(csrf_unmask(SECRET, 32, out), -1);
	assert_int_equal(csrf_unmask(MASK "02468acegiKMOQSUWY02468acegikmo-", 64, out), -1);
	assert_int_equal(csrf_secret_from_cookie(SECRET, 32, out), 0);
	assert_string_equal(out, SECRET);
	assert_int_equal(csrf_secret_from_cookie(TOKEN, 64, out), 0);
	assert_string_equal(out, SECRET);
	assert_int_equal(csrf_secret_from_cookie("abcdefghijklmnopqrstuvwxyzABCDE!", 32, out), -1);
	assert_int_equal(csrf_secret_from_cookie(SECRET "a", 33, out), -1);
	assert_int_equal(csrf_secret_from_cookie("", 0, out), -1);
}

static void
test_check(void **state)
{
	(void)state;
	/* 32 or 64 characters on both sides, in every combination */
	assert_int_equal(csrf_check(SECRET, 32, SECRET, 32), CSRF_OK);
	assert_int_equal(csrf_check(SECRET, 32, TOKEN, 64), CSRF_OK);
	assert_int_equal(csrf_check(TOKEN, 64, SECRET, 32), CSRF_OK);
	assert_int_equal(csrf_check(TOKEN, 64, TOKEN, 64), CSRF_OK);

	assert_int_equal(csrf_check(NULL, 0, TOKEN, 64), CSRF_NO_COOKIE);
	assert_int_equal(csrf_check("short", 5, TOKEN, 64), CSRF_BAD_COOKIE);
	assert_int_equal(csrf_check(SECRET, 32, NULL, 0), CSRF_NO_TOKEN);
	assert_int_equal(csrf_check(SECRET, 32, "", 0), CSRF_NO_TOKEN);
	assert_int_equal(csrf_check(SECRET, 32, TOKEN, 63), CSRF_BAD_TOKEN);
	assert_int_equal(csrf_check(SECRET, 32, "abcdefghijklmnopqrstuvwxyzABCDE=", 32),
	    CSRF_BAD_TOKEN);
	assert_int_equal(csrf_check(SECRET, 32, "abcdefghijklmnopqrstuvwxyzABCDEG", 32),
	    CSRF_MISMATCH);
	assert_int_equal(csrf_check(SECRET, 32, MASK MASK, 64), CSRF_MISMATCH);
	assert_string_equal(csrf_reason(CSRF_NO_COOKIE), "CSRF cookie not set.");
	assert_string_equal(csrf_reason(CSRF_MISMATCH), "CSRF token incorrect.");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vector),
		cmocka_unit_test(test_random_mask_roundtrip),
		cmocka_unit_test(test_unmask_refuses),
		cmocka_unit_test(test_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
