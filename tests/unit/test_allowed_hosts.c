/* test_allowed_hosts.c: ALLOWED_HOSTS matching as Django's validate_host and split_domain_port. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "allowed_hosts.h"

static void
test_exact_and_port(void **state)
{
	(void)state;
	assert_true(allowed_host("127.0.0.1,localhost", "127.0.0.1:8080"));
	assert_true(allowed_host("127.0.0.1,localhost", "LocalHost"));
	assert_true(allowed_host("127.0.0.1, localhost ", "localhost."));
	assert_true(allowed_host("[::1]", "[::1]:8080"));
	assert_false(allowed_host("127.0.0.1,localhost", "evil.example"));
	assert_false(allowed_host("127.0.0.1,localhost", "localhost.evil.example"));
	assert_false(allowed_host("127.0.0.1,localhost", NULL));
	assert_false(allowed_host("127.0.0.1,localhost", ""));
	assert_false(allowed_host("", "localhost"));
}

static void
test_subdomain_patterns(void **state)
{
	(void)state;
	assert_true(allowed_host(".example.com", "example.com"));
	assert_true(allowed_host(".example.com", "www.example.com:443"));
	assert_true(allowed_host(".Example.COM", "a.b.example.com"));
	assert_false(allowed_host(".example.com", "badexample.com"));
	assert_false(allowed_host(".example.com", "example.com.evil"));
	assert_false(allowed_host("example.com", "www.example.com"));
}

static void
test_wildcard_and_invalid_headers(void **state)
{
	(void)state;
	assert_true(allowed_host("*", "anything.example"));
	assert_true(allowed_host("x,*", "a-b.c:1"));
	/* Not a host at all: refused even by "*", as Django's host_validation_re refuses it. */
	assert_false(allowed_host("*", "evil.example/path"));
	assert_false(allowed_host("*", "user@evil.example"));
	assert_false(allowed_host("*", "evil.example:"));
	assert_false(allowed_host("*", "evil.example:80x"));
	assert_false(allowed_host("*", "ex ample"));
	assert_false(allowed_host("*", "[:]"));
	assert_false(allowed_host("*", "[::1"));
	assert_false(allowed_host("localhost", "localhost\r\nX: y"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_and_port),
		cmocka_unit_test(test_subdomain_patterns),
		cmocka_unit_test(test_wildcard_and_invalid_headers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
