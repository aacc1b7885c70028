/* test_validators.c: username rules, normalize_email and the password validators against Django 3.2's results. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>

#include "buf.h"
#include "util.h"
#include "validators.h"

#define MSG_SHORT	"This password is too short. It must contain at least 8 characters."
#define MSG_COMMON	"This password is too common."
#define MSG_NUMERIC	"This password is entirely numeric."

/* Unit tests run from the repository root; DATA_DIR overrides. */
static const char *
data_dir(void)
{
	const char *d = getenv("DATA_DIR");

	return d != NULL ? d : "common/data";
}

static int
load_real_list(void **state)
{
	(void)state;
	return validators_init(data_dir(), NULL);
}

static int
unload_list(void **state)
{
	(void)state;
	validators_cleanup();
	return 0;
}

static const struct validators_user alice = {
	"alice_smith", "Alice", "Smith", "alice.smith@example.com"
};

/* The codes, space-separated, or "valid". */
static char *
password_codes(const char *pw, const struct validators_user *user)
{
	struct validators_error	 errs[VALIDATORS_MAX_ERRORS];
	struct buf		 out = BUF_INIT;
	int			 n = validators_password(pw, user, errs);

	assert_true(n >= 0 && n <= VALIDATORS_MAX_ERRORS);
	if (n == 0)
		buf_puts(&out, "valid");
	for (int i = 0; i < n; i++)
		buf_printf(&out, "%s%s", i ? " " : "", errs[i].code);
	return buf_detach(&out);
}

static void
expect_password(const char *pw, const struct validators_user *user, const char *codes)
{
	char *got = password_codes(pw, user);

	if (strcmp(got, codes) != 0)
		fail_msg("password '%s': got '%s', want '%s'", pw, got, codes);
	free(got);
}

/* django-compat.md §4.2 examples (identical on Django 3.2 and 5.2). */
static void
test_doc_examples(void **state)
{
	(void)state;
	expect_password("short", &alice, "password_too_short");
	expect_password("password", &alice, "password_too_common");
	expect_password("12345678901", &alice, "password_too_common password_entirely_numeric");
	expect_password("alicesmith", &alice, "password_too_similar");
	expect_password("alice.smith@example", &alice, "password_too_similar");
	expect_password("Smith2024", &alice, "password_too_similar");
	expect_password("\xd9\xa1\xd9\xa2\xd9\xa3\xd9\xa4\xd9\xa5\xd9\xa6\xd9\xa7\xd9\xa8"
	    "\xd9\xa9\xd9\xa0", &alice, "password_entirely_numeric");
	expect_password("P@ssw0rd", &alice, "password_too_common");
	expect_password(" Password ", &alice, "password_too_common");
	expect_password("correct horse battery staple", &alice, "valid");
	expect_password("xK9#mQ2$vL", &alice, "valid");
}

static void
test_messages(void **state)
{
	struct validators_error	 errs[VALIDATORS_MAX_ERRORS];

	(void)state;
	assert_int_equal(validators_password("alicesmith", &alice, errs), 1);
	assert_string_equal(errs[0].message, "The password is too similar to the username.");
	assert_int_equal(validators_password("alice.smith@example", &alice, errs), 1);
	assert_string_equal(errs[0].message, "The password is too similar to the email address.");
	assert_int_equal(validators_password("Smith2024", &alice, errs), 1);
	assert_string_equal(errs[0].message, "The password is too similar to the last name.");
	assert_int_equal(validators_password("1", &alice, errs), 3);
	assert_string_equal(errs[0].code, "password_too_short");
	assert_string_equal(errs[0].message, MSG_SHORT);
	assert_string_equal(errs[1].message, MSG_COMMON);
	assert_string_equal(errs[2].message, MSG_NUMERIC);
}

/* More cases checked against Django 3.2 (with this repository's 20,000-entry list). */
static void
test_edge_cases(void **state)
{
	const struct validators_user greek = { "\xce\xa3\xce\x91\xce\xa3", "\xc4\xb0", NULL, ".x" };

	(void)state;
	expect_password("", &alice, "password_too_short");
	expect_password("a", NULL, "password_too_short password_too_common");
	expect_password("\xc4\xb0stanbul!", &alice, "valid");
	expect_password("\xc2\xb2\xc2\xb3\xc2\xb9\xc2\xb2\xc2\xb3\xc2\xb9\xc2\xb2\xc2\xb3", &alice,
	    "password_entirely_numeric");			/* superscripts are digits */
	expect_password("\xc2\xbd\xc2\xbd\xc2\xbd\xc2\xbd\xc2\xbd\xc2\xbd\xc2\xbd\xc2\xbd", &alice,
	    "valid");						/* but not fractions */
	expect_password("   ", &alice, "password_too_short");
	expect_password("\xe2\x80\x83password\xe3\x80\x80", &alice, "password_too_common");
	expect_password("\xd0\x9f\xd0\x90\xd0\xa0\xd0\x9e\xd0\x9b\xd0\xac", &alice,
	    "password_too_short password_too_common");		/* ПАРОЛЬ */
	expect_password("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", &alice,
	    "valid");
	/* a long password is not compared with a short part (max-length-ratio skip) */
	expect_password("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxab",
	    &alice, "valid");
	/* username "ΣΑΣ" lower-cases to "σας" (final sigma) */
	expect_password("\xcf\x83\xce\xb1\xcf\x82", &greek, "password_too_similar password_too_short");
	expect_password("\xcf\x83\xce\xb1\xcf\x83", &greek, "password_too_short");
	/* "İ".lower() is "i" + U+0307; the split yields an empty part that "" matches */
	expect_password("i\xcc\x87", &greek, "password_too_similar password_too_short");
	expect_password("", &greek, "password_too_similar password_too_short");
	expect_password("x", &greek, "password_too_similar password_too_short password_too_common");
}

static void
test_common_list(void **state)
{
	(void)state;
	/* Django's {x.strip() for x in f} of the shipped 20,000-line file */
	assert_int_equal(validators_common_count(), 19729);
	/* idempotent */
	assert_int_equal(validators_init(data_dir(), NULL), 0);
	assert_int_equal(validators_common_count(), 19729);
}

static void
test_not_loaded(void **state)
{
	struct validators_error errs[VALIDATORS_MAX_ERRORS];

	(void)state;
	validators_cleanup();
	assert_int_equal(validators_password("anything", NULL, errs), -1);
	assert_int_equal(validators_init("/nonexistent", NULL), -1);
	assert_int_equal(validators_init(NULL, "/nonexistent/list.gz"), -1);
	assert_int_equal(validators_common_count(), 0);
}

static void
test_custom_lists(void **state)
{
	static const char text[] = "  Foo \r\nbar\rbaz\n\nqux\xc2\xa0";
	char		 plain[] = "/tmp/test_validators_XXXXXX";
	char		 gzpath[64];
	gzFile		 gz;
	int		 fd;

	(void)state;
	validators_cleanup();
	assert_true((fd = mkstemp(plain)) >= 0);
	assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)sizeof(text) - 1);
	close(fd);
	assert_int_equal(validators_init("/nonexistent", plain), 0);
	/* Foo (list entries are not lower-cased), bar, baz, "" and qux (NBSP stripped) */
	assert_int_equal(validators_common_count(), 5);
	expect_password("BAR", NULL, "password_too_short password_too_common");
	expect_password("foo", NULL, "password_too_short");
	expect_password("qux", NULL, "password_too_short password_too_common");
	expect_password(" ", NULL, "password_too_short password_too_common");
	validators_cleanup();

	snprintf(gzpath, sizeof(gzpath), "%s.gz", plain);
	assert_non_null(gz = gzopen(gzpath, "wb"));
	assert_int_equal(gzwrite(gz, "longerpassword\n", 15), 15);
	gzclose(gz);
	assert_int_equal(validators_init(NULL, gzpath), 0);
	assert_int_equal(validators_common_count(), 1);
	expect_password("LongerPassword", NULL, "password_too_common");
	validators_cleanup();
	unlink(plain);
	unlink(gzpath);
}

static void
test_invalid_utf8_password(void **state)
{
	struct validators_error errs[VALIDATORS_MAX_ERRORS];

	(void)state;
	assert_int_equal(validators_password("abc\xff" "defgh", NULL, errs), -1);
}

static char *
username_codes(const char *name, size_t len)
{
	struct validators_error	 errs[2];
	struct buf		 out = BUF_INIT;
	int			 n = validators_username(name, len, NULL, errs);

	assert_true(n >= 0 && n <= 2);
	if (n == 0)
		buf_puts(&out, "valid");
	for (int i = 0; i < n; i++)
		buf_printf(&out, "%s%s", i ? " " : "", errs[i].code);
	return buf_detach(&out);
}

static void
expect_username(const char *name, const char *codes)
{
	char *got = username_codes(name, strlen(name));

	if (strcmp(got, codes) != 0)
		fail_msg("username '%s': got '%s', want '%s'", name, got, codes);
	free(got);
}

/* django-compat.md §4.1 plus the CLI test's tricky names (Django 3.2, after NFKC). */
static void
test_usernames(void **state)
{
	struct validators_error	 errs[2];
	char			 name[400], *norm;

	(void)state;
	expect_username("alice", "valid");
	expect_username("Zo\xc3\xab", "valid");
	expect_username("user@example.com", "valid");
	expect_username("x+y-z_.", "valid");
	expect_username("\xe5\x90\x8d\xe5\x89\x8d", "valid");		/* 名前 */
	expect_username("\xd9\xa1\xd9\xa2\xd9\xa3", "valid");		/* ١٢٣ */
	expect_username("\xc7\x85", "valid");				/* ǅ */
	expect_username("\xef\xac\x80", "valid");			/* ﬀ -> ff */
	expect_username("\xc2\xb2", "valid");				/* ² -> 2 */
	expect_username("\xe2\x85\xa0", "valid");			/* Ⅰ (Nl) -> I */
	expect_username("name with space", "invalid");
	expect_username("a\n", "invalid");
	expect_username("a!", "invalid");
	/* e + COMBINING ACUTE composes to é under NFKC and is then valid; x + U+0301 cannot */
	expect_username("e\xcc\x81", "valid");
	expect_username("x\xcc\x81", "invalid");
	expect_username("\xcc\x81", "invalid");
	expect_username("\xf0\x9f\x98\x80", "invalid");			/* emoji (So) */
	expect_username("\xf0\x9d\x90\x80", "valid");			/* 𝐀 -> A */
	expect_username("", "required");
	assert_int_equal(validators_username("a\0b", 3, NULL, errs), 1);
	assert_string_equal(errs[0].code, "invalid");
	assert_string_equal(errs[0].message, "Enter a valid username. This value may contain "
	    "only letters, numbers, and @/./+/-/_ characters.");
	assert_int_equal(validators_username("a\xff", 2, &norm, errs), 1);
	assert_null(norm);

	memset(name, 'a', 150);
	name[150] = '\0';
	expect_username(name, "valid");
	name[150] = 'a';
	name[151] = '\0';
	expect_username(name, "max_length");
	assert_int_equal(validators_username(name, 151, NULL, errs), 1);
	assert_string_equal(errs[0].message,
	    "Ensure this value has at most 150 characters (it has 151).");
	name[0] = ' ';
	expect_username(name, "invalid max_length");
	/* 75 x "ﬀ" is 75 characters, but 150 after NFKC; 76 is too long */
	for (int i = 0; i < 76; i++)
		memcpy(name + 3 * i, "\xef\xac\x80", 3);
	name[225] = '\0';
	expect_username(name, "valid");
	name[228] = '\0';
	memcpy(name + 225, "\xef\xac\x80", 3);
	expect_username(name, "max_length");

	assert_int_equal(validators_username("\xef\xac\x80", 3, &norm, errs), 0);
	assert_string_equal(norm, "ff");
	free(norm);
}

static void
expect_email(const char *in, const char *want)
{
	char *got = validators_normalize_email(in);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void
test_normalize_email(void **state)
{
	(void)state;
	expect_email("Foo@EXAMPLE.COM", "Foo@example.com");
	expect_email(" a@B.c ", "a@b.c");
	expect_email("noat ", "noat ");
	expect_email("a@b@C.D", "a@b@c.d");
	expect_email("@X", "@x");
	expect_email("x@\xc4\xb0.COM", "x@i\xcc\x87.com");
	expect_email("", "");
	assert_null(validators_normalize_email("a@\xff"));
}

static void
test_normalize_username(void **state)
{
	char *n;

	(void)state;
	n = validators_normalize_username("\xe2\x84\xab", 3);	/* ANGSTROM SIGN -> Å */
	assert_string_equal(n, "\xc3\x85");
	free(n);
	n = validators_normalize_username("\xc2\xbd", 2);		/* ½ -> 1⁄2 */
	assert_string_equal(n, "1\xe2\x81\x84" "2");
	free(n);
	assert_null(validators_normalize_username("a\0", 2));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_doc_examples, load_real_list, unload_list),
		cmocka_unit_test_setup_teardown(test_messages, load_real_list, unload_list),
		cmocka_unit_test_setup_teardown(test_edge_cases, load_real_list, unload_list),
		cmocka_unit_test_setup_teardown(test_common_list, load_real_list, unload_list),
		cmocka_unit_test_setup_teardown(test_invalid_utf8_password, load_real_list,
		    unload_list),
		cmocka_unit_test(test_not_loaded),
		cmocka_unit_test(test_custom_lists),
		cmocka_unit_test(test_usernames),
		cmocka_unit_test(test_normalize_email),
		cmocka_unit_test(test_normalize_username),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
