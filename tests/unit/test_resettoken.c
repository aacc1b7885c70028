/* test_resettoken.c: password reset tokens and uidb64 exactly as Django's PasswordResetTokenGenerator and urlsafe_base64_encode make them (vectors from Django 3.2). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "resettoken.h"

#define SECRET	"unit-test-secret-key-0123456789"

/* The user the vectors were made for; last_login had microseconds (.123456), which Django drops. */
static const struct resettoken_user zoe = { 42, "pbkdf2_sha256$870000$abc$def=", "2026-12-08 01:22:33",
    "Zo\xc3\xab@example.com" };

static void
test_tokens_match_django(void **state)
{
	char				 t[RESETTOKEN_MAX];
	const struct resettoken_user	 fresh = { 42, "pbkdf2_sha256$870000$abc$def=", NULL, "" };

	(void)state;
	resettoken_make(SECRET, &zoe, 817000000, t);
	assert_string_equal(t, "dif58g-d2312325caa9aeddd9163b2dcb01ce4c");
	resettoken_make(SECRET, &fresh, 5, t);
	assert_string_equal(t, "5-9deff8ccdfb43fa69ea9cfab29c12cd0");
}

static void
test_check_rules(void **state)
{
	const char			*fallbacks[] = { "old-secret-key-abcdefghijk", NULL };
	struct signing_key		 k = { SECRET, NULL, 0 }, rotated = { "new-secret-key-abcdefghijk", fallbacks, 0 };
	struct resettoken_user		 u = zoe;
	char				 t[RESETTOKEN_MAX], old[RESETTOKEN_MAX];

	(void)state;
	resettoken_make(SECRET, &u, 1000, t);
	assert_true(resettoken_check(&k, &u, t, 1000, 259200));
	assert_true(resettoken_check(&k, &u, t, 1000 + 259200, 259200));
	assert_false(resettoken_check(&k, &u, t, 1000 + 259201, 259200));	/* expired */
	u.password = "pbkdf2_sha256$870000$abc$other=";
	assert_false(resettoken_check(&k, &u, t, 1000, 259200));		/* password changed */
	u = zoe;
	u.last_login = "2026-12-08 01:22:34";
	assert_false(resettoken_check(&k, &u, t, 1000, 259200));		/* logged in since */
	u = zoe;
	u.email = "zoe@example.com";
	assert_false(resettoken_check(&k, &u, t, 1000, 259200));		/* email changed */
	u = zoe;
	u.id = 43;
	assert_false(resettoken_check(&k, &u, t, 1000, 259200));		/* another user's */
	/* SECRET_KEY_FALLBACKS: a link made before the key was rotated still works. */
	resettoken_make("old-secret-key-abcdefghijk", &zoe, 1000, old);
	assert_true(resettoken_check(&rotated, &zoe, old, 1000, 259200));
	assert_false(resettoken_check(&k, &zoe, old, 1000, 259200));
	/* A changed timestamp breaks the hash. */
	t[0] = t[0] == '1' ? '2' : '1';
	assert_false(resettoken_check(&k, &zoe, t, 1000, 259200));
}

static void
test_parse_refuses_odd_shapes(void **state)
{
	static const char *bad[] = { "", "-", "abc", "abc-", "-abc", "ABC-abc", "a-b-c", "a-xyz",
	    "a -abc", "+a-abc", "zzzzzzzzzzzzzz-ab", "a-abc\n", "a_b-ab", "set-password" };
	int64_t ts;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		if (resettoken_parse(bad[i], strlen(bad[i]), &ts) == 0)
			fail_msg("accepted %s", bad[i]);
	assert_int_equal(resettoken_parse("dif58g-d2312325", 15, &ts), 0);
	assert_int_equal(ts, 817000000);
	assert_int_equal(resettoken_parse("zzzzzzzzzzzzz-ab", 16, &ts), -1);	/* past int64 */
}

static void
test_uidb64(void **state)
{
	char	uid[RESETTOKEN_UID_MAX];
	int64_t	id;

	(void)state;
	resettoken_uid_encode(42, uid);
	assert_string_equal(uid, "NDI");
	resettoken_uid_encode(1234567, uid);
	assert_string_equal(uid, "MTIzNDU2Nw");
	assert_int_equal(resettoken_uid_decode("MTIzNDU2Nw", 10, &id), 0);
	assert_int_equal(id, 1234567);
	assert_int_equal(resettoken_uid_decode("NDI=", 4, &id), 0);
	assert_int_equal(id, 42);
	assert_int_equal(resettoken_uid_decode("", 0, &id), -1);
	assert_int_equal(resettoken_uid_decode("YWJj", 4, &id), -1);		/* "abc" */
	assert_int_equal(resettoken_uid_decode("LTE", 3, &id), -1);		/* "-1" */
	assert_int_equal(resettoken_uid_decode("NDI\n", 4, &id), -1);
	assert_int_equal(resettoken_uid_decode("OTk5OTk5OTk5OTk5OTk5OTk5OTk", 27, &id), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tokens_match_django),
		cmocka_unit_test(test_check_rules),
		cmocka_unit_test(test_parse_refuses_odd_shapes),
		cmocka_unit_test(test_uidb64),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
