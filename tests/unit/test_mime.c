/* test_mime.c: Django's EmailValidator rules, normalisation, and the composed MIME message (headers, encoded-words, quoted-printable, no header injection). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "emailaddr.h"
#include "mime.h"

static int
valid(const char *s)
{
	return emailaddr_valid(s, strlen(s));
}

/*
 * Each verdict as Django 3.2's EmailValidator gives it (checked with Django 3.2), except
 * a@exämple.com, which Django takes as an IDN (punycode) and this site refuses (emailaddr.h).
 */
static void
test_validator_matches_django(void **state)
{
	static const char *good[] = { "a@example.com", "A.B-c+d@sub.Example.COM", "x@localhost",
	    "\"quoted\"@example.com", "\"a\\\"b\"@example.com", "u@[127.0.0.1]", "u@[::1]",
	    "u@example.-com", "!#$%&'*+/=?^_`{}|~@example.co", "a@b.c-d.xn--p1ai" };
	static const char *bad[] = { "", "plain", "@example.com", "a@", "a@example", "a@example.c",
	    "a..b@example.com", ".a@example.com", "a.@example.com", "a b@example.com", "a@-example.com",
	    "a@example-.com", "a@example.com-", "a@example..com", "a@example.com.", "a@[1.2.3]",
	    "a@[not an ip]", "a\r\n@example.com", "a@example.com\n", "\"a\"b\"@example.com",
	    "\"a\\\"@example.com", "ä@example.com", "a@exämple.com", "a@localhost.", "a@[127.0.0.1",
	    "first@second@", "\"\"@example.com\"",
	    "first@second@example.com", "\"quoted name\"@example.com" };
	char long_user[400];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++)
		if (!valid(good[i]))
			fail_msg("refused %s", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		if (valid(bad[i]))
			fail_msg("accepted %s", bad[i]);
	/* 320 characters in all is Django's limit; a 64-character label is too long. */
	memset(long_user, 'a', sizeof(long_user));
	memcpy(long_user + 308, "@example.com", 13);
	assert_true(valid(long_user));
	long_user[308] = 'a';
	memcpy(long_user + 309, "@example.com", 13);
	assert_false(valid(long_user));
	assert_false(valid("a@aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com"));
	assert_true(valid("a@aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com"));
	/* A NUL inside is never valid (C strings would cut the address). */
	assert_false(emailaddr_valid("a\0b@example.com", 15));
}

static void
test_normalize(void **state)
{
	char *s;

	(void)state;
	s = emailaddr_normalize("  Alice.Smith@Example.COM\t", 26);
	assert_string_equal(s, "Alice.Smith@example.com");
	free(s);
	assert_null(emailaddr_normalize("a@example.com\r\nBcc: x@y.com", 27));
	assert_null(emailaddr_normalize("   ", 3));
}

static const struct mime_message base = {
	.from = "Movies <noreply@example.com>", .to = "alice@example.com", .subject = "Hello",
	.text = "Hi\nthere", .html = "<p>Hi</p>", .message_id = "outbox.1.2@example.com",
	.date = 1607390000,
};

static void
test_compose_headers_and_parts(void **state)
{
	struct buf	out = BUF_INIT;
	const char	*s;

	(void)state;
	assert_int_equal(mime_compose(&base, &out), 0);
	s = buf_cstr(&out);
	assert_non_null(strstr(s, "From: \"Movies\" <noreply@example.com>\r\n"));
	assert_non_null(strstr(s, "To: alice@example.com\r\nSubject: Hello\r\n"));
	assert_non_null(strstr(s, "Date: Tue, 08 Dec 2020 01:13:20 +0000\r\n"));
	assert_non_null(strstr(s, "Message-ID: <outbox.1.2@example.com>\r\nMIME-Version: 1.0\r\n"));
	assert_non_null(strstr(s, "multipart/alternative"));
	assert_non_null(strstr(s, "text/plain; charset=\"utf-8\""));
	assert_non_null(strstr(s, "text/html; charset=\"utf-8\""));
	assert_non_null(strstr(s, "\r\n\r\nHi\r\nthere\r\n"));
	/* No bare LF anywhere. */
	for (const char *p = s; (p = strchr(p, '\n')) != NULL; p++)
		assert_true(p > s && p[-1] == '\r');
	buf_free(&out);
}

static void
test_header_injection_refused(void **state)
{
	struct mime_message	m;
	struct buf		out = BUF_INIT;
	const char		*evil[] = { "x\r\nBcc: victim@example.com", "x\nBcc: v@example.com", "x\rY" };

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		m = base;
		m.subject = evil[i];
		assert_int_equal(mime_compose(&m, &out), -1);
		m = base;
		m.to = evil[i];
		assert_int_equal(mime_compose(&m, &out), -1);
		m = base;
		m.from = evil[i];
		assert_int_equal(mime_compose(&m, &out), -1);
	}
	m = base;
	m.subject = "bad \xff utf-8";
	assert_int_equal(mime_compose(&m, &out), -1);
	m = base;
	m.to = "not an address";
	assert_int_equal(mime_compose(&m, &out), -1);
	assert_int_equal(out.len, 0);
}

static void
test_encoded_words_fold(void **state)
{
	struct mime_message	m = base;
	struct buf		out = BUF_INIT;
	const char		*s, *line;
	char			subject[600] = "";

	(void)state;
	for (int i = 0; i < 30; i++)
		strcat(subject, "Réinitialisation ");
	m.subject = subject;
	assert_int_equal(mime_compose(&m, &out), 0);
	s = buf_cstr(&out);
	assert_non_null(strstr(s, "Subject: =?utf-8?b?"));
	/* Every header line within 78 characters, every encoded-word within 75. */
	for (line = s; *line && strncmp(line, "\r\n", 2) != 0; line = strstr(line, "\r\n") + 2)
		assert_true(strstr(line, "\r\n") - line <= 78);
	buf_free(&out);
}

static void
test_quoted_printable(void **state)
{
	struct mime_message	m = base;
	struct buf		out = BUF_INIT;
	char			text[300];
	const char		*s;

	(void)state;
	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	memcpy(text, "caf\xc3\xa9 = 1 \n.dot\nFrom me ", 24);
	m.text = text;
	m.html = NULL;
	assert_int_equal(mime_compose(&m, &out), 0);
	s = buf_cstr(&out);
	assert_null(strstr(s, "multipart"));
	assert_non_null(strstr(s, "caf=C3=A9 =3D 1=20\r\n=2Edot\r\n=46rom me "));
	/* Soft breaks keep every body line within 76 characters. */
	for (const char *line = s; (s = strstr(line, "\r\n")) != NULL; line = s + 2)
		assert_true(s - line <= 76);
	buf_free(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validator_matches_django),
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_compose_headers_and_parts),
		cmocka_unit_test(test_header_injection_refused),
		cmocka_unit_test(test_encoded_words_fold),
		cmocka_unit_test(test_quoted_printable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
