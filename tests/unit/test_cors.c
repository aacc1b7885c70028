/* test_cors.c: CORS as django-cors-headers answers it: allowed origins, preflight, Vary, nothing on the site. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "cors.h"

static void
test_origin_list(void **state)
{
	const char *list = "http://localhost:3000, https://app.example.com ,http://127.0.0.1:8000";

	(void)state;
	assert_true(cors_origin_listed(list, "http://localhost:3000"));
	assert_true(cors_origin_listed(list, "https://app.example.com"));
	assert_true(cors_origin_listed(list, "http://127.0.0.1:8000"));
	assert_false(cors_origin_listed(list, "http://localhost:300"));
	assert_false(cors_origin_listed(list, "http://localhost:30000"));
	assert_false(cors_origin_listed(list, "https://localhost:3000"));
	assert_false(cors_origin_listed(list, "http://evil.example"));
	assert_false(cors_origin_listed(list, ""));
	assert_false(cors_origin_listed(list, NULL));
	assert_false(cors_origin_listed("", "http://localhost:3000"));
	assert_int_equal(cors_check_origins(list), 0);
	assert_int_equal(cors_check_origins(""), 0);
	assert_int_equal(cors_check_origins("localhost:3000x"), -1);
	assert_int_equal(cors_check_origins("http://localhost:3000/"), -1);
	assert_int_equal(cors_check_origins("http://"), -1);
	assert_int_equal(cors_check_origins("http://a.example/path"), -1);
}

static int
has_header(struct resp *rs, const char *line)
{
	return strstr(buf_cstr(&rs->headers), line) != NULL;
}

static void
run(const char *method_name, enum method m, const char *path, const char *origin, const char *acrm,
    struct resp *rs, int *answered)
{
	struct arena	a = ARENA_INIT;
	struct req	r;

	memset(&r, 0, sizeof(r));
	r.arena = &a;
	r.method = m;
	r.method_name = method_name;
	r.path = path;
	r.origin = origin;
	r.cors_request_method = acrm;
	resp_init(rs);
	*answered = cors_preflight(&r, rs);
	cors_headers(&r, rs);
	arena_reset(&a);
}

static void
test_preflight_and_headers(void **state)
{
	struct resp	rs;
	int		answered;

	(void)state;
	config.cors_allowed_origins = "http://localhost:3000";
	run("OPTIONS", M_OPTIONS, "/api/v1/auth/login/", "http://localhost:3000", "POST", &rs, &answered);
	assert_true(answered);
	assert_int_equal(rs.status, 200);
	assert_true(has_header(&rs, "Vary: Origin\r\n"));
	assert_true(has_header(&rs, "Access-Control-Allow-Origin: http://localhost:3000\r\n"));
	assert_true(has_header(&rs, "Access-Control-Allow-Methods: DELETE, GET, OPTIONS, PATCH, POST, PUT\r\n"));
	assert_true(has_header(&rs, "authorization"));
	assert_true(has_header(&rs, "content-type"));
	assert_true(has_header(&rs, "Access-Control-Max-Age: 86400\r\n"));
	resp_free(&rs);
	/* A foreign origin: answered, but nothing that lets the browser go on. */
	run("OPTIONS", M_OPTIONS, "/api/v1/auth/login/", "http://evil.example", "POST", &rs, &answered);
	assert_true(answered);
	assert_true(has_header(&rs, "Vary: Origin\r\n"));
	assert_false(has_header(&rs, "Access-Control"));
	resp_free(&rs);
	/* A simple GET from the allowed origin: the origin echoed, no preflight headers. */
	run("GET", M_GET, "/api/v1/movies/trending/", "http://localhost:3000", NULL, &rs, &answered);
	assert_false(answered);
	assert_true(has_header(&rs, "Access-Control-Allow-Origin: http://localhost:3000\r\n"));
	assert_false(has_header(&rs, "Access-Control-Allow-Methods"));
	resp_free(&rs);
	/* No Origin: still Vary. */
	run("GET", M_GET, "/api/v1/movies/trending/", NULL, NULL, &rs, &answered);
	assert_true(has_header(&rs, "Vary: Origin\r\n"));
	assert_false(has_header(&rs, "Access-Control"));
	resp_free(&rs);
	/* The HTML site: nothing at all, and OPTIONS is not a preflight there. */
	run("OPTIONS", M_OPTIONS, "/login", "http://localhost:3000", "POST", &rs, &answered);
	assert_false(answered);
	assert_int_equal(rs.headers.len, 0);
	resp_free(&rs);
	/* OPTIONS without Access-Control-Request-Method is no preflight. */
	run("OPTIONS", M_OPTIONS, "/api/v1/auth/login/", "http://localhost:3000", NULL, &rs, &answered);
	assert_false(answered);
	resp_free(&rs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_origin_list),
		cmocka_unit_test(test_preflight_and_headers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
