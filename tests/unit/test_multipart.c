/* test_multipart.c: the multipart/form-data parser on good bodies and hostile ones (bounded, never out of range). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "multipart.h"

static struct arena a = ARENA_INIT;

/* Parses a body copied into an exact-size heap block, so a read past its end is caught by ASan/valgrind. */
static int
parse(struct multipart *mp, const char *boundary, const char *body, size_t len, const char **why)
{
	char	*copy = malloc(len ? len : 1);
	int	 rv;

	memcpy(copy, body, len);
	*why = NULL;
	rv = multipart_parse(mp, &a, boundary, copy, len, why);
	/* Values point into the body: keep it while the test looks at them. */
	arena_defer(&a, free, copy);
	return rv;
}

#define PARSE(mp, b, s, why) parse(mp, b, s, sizeof(s) - 1, why)

static void
test_boundary_from_content_type(void **state)
{
	(void)state;
	assert_string_equal(multipart_boundary(&a, "multipart/form-data; boundary=abc"), "abc");
	assert_string_equal(multipart_boundary(&a, "Multipart/Form-Data;BOUNDARY=\"a b:c\"; charset=utf-8"), "a b:c");
	assert_string_equal(multipart_boundary(&a, "multipart/form-data; charset=x; boundary=----WebKitFormBoundaryX"),
	    "----WebKitFormBoundaryX");
	assert_null(multipart_boundary(&a, "multipart/form-data"));
	assert_null(multipart_boundary(&a, "multipart/form-data; boundary="));
	assert_null(multipart_boundary(&a, "multipart/form-data; boundary=\"\""));
	assert_null(multipart_boundary(&a, "multipart/form-data; boundary=\"unterminated"));
	assert_null(multipart_boundary(&a, "multipart/mixed; boundary=abc"));
	assert_null(multipart_boundary(&a, "multipart/form-dataX; boundary=abc"));
	assert_null(multipart_boundary(&a, "application/json"));
	assert_null(multipart_boundary(&a, NULL));
	/* 71 characters: longer than RFC 2046 allows. */
	assert_null(multipart_boundary(&a, "multipart/form-data; boundary="
	    "12345678901234567890123456789012345678901234567890123456789012345678901"));
	assert_null(multipart_boundary(&a, "multipart/form-data; boundary=a\"b"));
	assert_null(multipart_boundary(&a, "multipart/form-data; boundary=\"ends with space \""));
	arena_reset(&a);
}

static void
test_fields_and_files(void **state)
{
	struct multipart	 mp;
	const char		*why;

	(void)state;
	assert_int_equal(PARSE(&mp, "XyZ",
	    "preamble ignored\r\n"
	    "--XyZ\r\n"
	    "Content-Disposition: form-data; name=\"username\"\r\n\r\n"
	    "  alice  \r\n"
	    "--XyZ\r\n"
	    "content-disposition: form-data; name=password\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n\r\n"
	    "line1\r\nline2 --XyZ not a delimiter\r\n"
	    "--XyZ\r\n"
	    "Content-Disposition: form-data; name=\"a\\\"b\"; filename=\"x.txt\"\r\n\r\n"
	    "\r\n"
	    "--XyZ\r\n"
	    "Content-Disposition: form-data\r\n\r\n"
	    "unnamed: skipped\r\n"
	    "--XyZ\r\n"
	    "Content-Disposition: form-data; name=\"empty\"\r\n\r\n"
	    "\r\n"
	    "--XyZ--\r\nepilogue", &why), 0);
	assert_int_equal(mp.n, 4);
	assert_string_equal(mp.part[0].name, "username");
	assert_null(mp.part[0].filename);
	assert_int_equal(mp.part[0].len, 9);
	assert_memory_equal(mp.part[0].data, "  alice  ", 9);
	assert_string_equal(mp.part[1].name, "password");
	assert_int_equal(mp.part[1].len, strlen("line1\r\nline2 --XyZ not a delimiter"));
	assert_string_equal(mp.part[2].name, "a\"b");
	assert_string_equal(mp.part[2].filename, "x.txt");
	assert_int_equal(mp.part[2].len, 0);
	assert_string_equal(mp.part[3].name, "empty");
	assert_int_equal(mp.part[3].len, 0);
	/* A body that is only the closing delimiter has no fields. */
	assert_int_equal(PARSE(&mp, "b", "--b--", &why), 0);
	assert_int_equal(mp.n, 0);
	/* No headers at all: an unnamed part, skipped. */
	assert_int_equal(PARSE(&mp, "b", "--b\r\n\r\nvalue\r\n--b--", &why), 0);
	assert_int_equal(mp.n, 0);
	arena_reset(&a);
}

static void
test_hostile_bodies(void **state)
{
	static const char *bad[] = {
		"",
		"--",
		"--b",
		"--b\r",
		"--b\r\n",
		"--b\r\nContent-Disposition: form-data; name=\"x\"",
		"--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nvalue without end",
		"--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nvalue\r\n--b",
		"--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nvalue\r\n--b\r",
		"--bX\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nv\r\n--b--",
		"--b\r\nno colon here\r\n\r\nv\r\n--b--",
		"--b\r\nContent-Disposition: attachment; name=\"x\"\r\n\r\nv\r\n--b--",
		"--b\r\nContent-Disposition: form-data; name=\"unterminated\r\n\r\nv\r\n--b--",
		"--b\r\nContent-Disposition: form-data; name\r\n\r\nv\r\n--b--",
		"--b\r\nContent-Disposition: form-data; name=\"\xff\xfe\"\r\n\r\nv\r\n--b--",
		"no delimiter at all",
		"--b junk\r\n\r\nv\r\n--b--",
	};
	struct multipart	 mp;
	const char		*why;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(&mp, "b", bad[i], strlen(bad[i]), &why), -1);
		assert_non_null(why);
	}
	/* A NUL byte in a header line. */
	assert_int_equal(PARSE(&mp, "b", "--b\r\nContent-Disposition: form-data; na\0me=\"x\"\r\n\r\nv\r\n--b--", &why), -1);
	/* A NUL byte in a value is data (the field's validation refuses it later). */
	assert_int_equal(PARSE(&mp, "b", "--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\na\0b\r\n--b--", &why), 0);
	assert_int_equal(mp.n, 1);
	assert_int_equal(mp.part[0].len, 3);
	assert_int_equal(multipart_parse(&mp, &a, "", "--\r\n", 4, &why), -1);
	assert_int_equal(multipart_parse(&mp, &a, NULL, "--\r\n", 4, &why), -1);
	arena_reset(&a);
}

static void
test_limits(void **state)
{
	struct multipart	 mp;
	const char		*why;
	char			*body = malloc(64 * 1024), *p;
	size_t			 n;

	(void)state;
	/* One part more than allowed. */
	p = body;
	for (int i = 0; i <= MULTIPART_MAX_PARTS; i++)
		p += sprintf(p, "--b\r\nContent-Disposition: form-data; name=\"f%d\"\r\n\r\nv\r\n", i);
	p += sprintf(p, "--b--");
	n = (size_t)(p - body);
	assert_int_equal(parse(&mp, "b", body, n, &why), -1);
	assert_string_equal(why, "too many parts");
	/* Exactly the limit is fine. */
	p = body;
	for (int i = 0; i < MULTIPART_MAX_PARTS; i++)
		p += sprintf(p, "--b\r\nContent-Disposition: form-data; name=\"f%d\"\r\n\r\nv\r\n", i);
	p += sprintf(p, "--b--");
	assert_int_equal(parse(&mp, "b", body, (size_t)(p - body), &why), 0);
	assert_int_equal(mp.n, MULTIPART_MAX_PARTS);
	/* Too many header lines, and one header line too long. */
	p = body + sprintf(body, "--b\r\n");
	for (int i = 0; i <= MULTIPART_MAX_HEADERS; i++)
		p += sprintf(p, "X-H%d: v\r\n", i);
	p += sprintf(p, "\r\nv\r\n--b--");
	assert_int_equal(parse(&mp, "b", body, (size_t)(p - body), &why), -1);
	p = body + sprintf(body, "--b\r\nX-Long: ");
	memset(p, 'a', MULTIPART_MAX_HEADER_LINE);
	p += MULTIPART_MAX_HEADER_LINE;
	p += sprintf(p, "\r\n\r\nv\r\n--b--");
	assert_int_equal(parse(&mp, "b", body, (size_t)(p - body), &why), -1);
	/* A name longer than allowed. */
	p = body + sprintf(body, "--b\r\nContent-Disposition: form-data; name=\"");
	memset(p, 'n', MULTIPART_MAX_NAME + 1);
	p += MULTIPART_MAX_NAME + 1;
	p += sprintf(p, "\"\r\n\r\nv\r\n--b--");
	assert_int_equal(parse(&mp, "b", body, (size_t)(p - body), &why), -1);
	/* Every prefix of a good body is refused or parsed, never read past its end. */
	n = (size_t)sprintf(body, "--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nvalue\r\n--b--");
	for (size_t len = 0; len < n; len++)
		(void)parse(&mp, "b", body, len, &why);
	free(body);
	arena_reset(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boundary_from_content_type),
		cmocka_unit_test(test_fields_and_files),
		cmocka_unit_test(test_hostile_bodies),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
