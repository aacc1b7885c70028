/* test_router.c: the route table matcher: typed parameters, 404, 405 with Allow, HEAD as GET. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "router.h"

static const struct route *
match(const char *method, const char *path, struct req *r, int *status, char *allow)
{
	struct arena a = ARENA_INIT;

	memset(r, 0, sizeof(*r));
	r->arena = &a;
	r->path = path;
	r->method = strcmp(method, "GET") == 0 ? M_GET : strcmp(method, "HEAD") == 0 ? M_HEAD :
	    strcmp(method, "POST") == 0 ? M_POST : M_DELETE;
	*status = 0;
	return router_match(r, status, allow, 64);
}

static void
test_typed_parameters(void **state)
{
	struct req	 r;
	int		 status;
	char		 allow[64];
	const struct route *rt;

	(void)state;
	rt = match("GET", "/movie/550", &r, &status, allow);
	assert_non_null(rt);
	assert_int_equal(r.npath_int, 1);
	assert_int_equal(r.path_int[0], 550);
	rt = match("POST", "/favorites/680/delete", &r, &status, allow);
	assert_non_null(rt);
	assert_int_equal(r.path_int[0], 680);
	/* Not a positive 32-bit integer, or with a leading zero: no such page. */
	assert_null(match("GET", "/movie/abc", &r, &status, allow));
	assert_int_equal(status, 404);
	assert_null(match("GET", "/movie/0550", &r, &status, allow));
	assert_int_equal(status, 404);
	assert_null(match("GET", "/movie/0", &r, &status, allow));
	assert_null(match("GET", "/movie/2147483648", &r, &status, allow));
	assert_null(match("GET", "/movie/-1", &r, &status, allow));
	assert_null(match("GET", "/movie/", &r, &status, allow));
	assert_null(match("GET", "/movie/550/", &r, &status, allow));
	assert_int_equal(status, 404);
}

static void
test_wrong_method_is_405_with_allow(void **state)
{
	struct req	 r;
	int		 status;
	char		 allow[64];

	(void)state;
	assert_null(match("DELETE", "/login", &r, &status, allow));
	assert_int_equal(status, 405);
	assert_string_equal(allow, "GET, HEAD, POST");
	assert_null(match("GET", "/logout", &r, &status, allow));
	assert_int_equal(status, 405);
	assert_string_equal(allow, "POST");
	assert_null(match("POST", "/movie/550", &r, &status, allow));
	assert_int_equal(status, 405);
	assert_string_equal(allow, "GET, HEAD");
}

static void
test_head_is_served_as_get(void **state)
{
	struct req	 r;
	int		 status;
	char		 allow[64];

	(void)state;
	assert_non_null(match("HEAD", "/", &r, &status, allow));
	assert_non_null(match("HEAD", "/movie/13", &r, &status, allow));
}

static void
test_unknown_paths_are_404(void **state)
{
	struct req	 r;
	int		 status;
	char		 allow[64];

	(void)state;
	assert_null(match("GET", "/nothing", &r, &status, allow));
	assert_int_equal(status, 404);
	assert_null(match("GET", "", &r, &status, allow));
	assert_int_equal(status, 404);
}

static void
test_append_slash(void **state)
{
	(void)state;
	assert_true(router_slash_exists("/api/v1/movies/trending"));
	assert_true(router_slash_exists("/api/v1/movies/550"));
	assert_true(router_slash_exists("/api/v1/auth/favorites/550"));
	assert_true(router_slash_exists("/api/v1/auth/login"));
	assert_false(router_slash_exists("/api/v1/movies/trending/"));
	assert_false(router_slash_exists("/api/v1/movies/0550"));
	assert_false(router_slash_exists("/api/v1/nothing"));
	assert_false(router_slash_exists("/login"));	/* the site's paths have no slash form */
	assert_false(router_slash_exists(""));
}

/* Only the import's POST may carry a file of 10 MB; everything else keeps REQ_MAX_BODY. */
static void
test_body_limits(void **state)
{
	struct req	 r;
	const char	*why = NULL;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.method = M_POST;
	r.path = "/import";
	assert_true(router_body_limit(&r, &why) >= 10u * 1024 * 1024);
	assert_non_null(strstr(why, "at most 10 MB"));
	r.method = M_GET;
	assert_int_equal(router_body_limit(&r, &why), REQ_MAX_BODY);
	r.method = M_POST;
	r.path = "/import/5/confirm";
	assert_int_equal(router_body_limit(&r, &why), REQ_MAX_BODY);
	r.path = "/login";
	assert_int_equal(router_body_limit(&r, &why), REQ_MAX_BODY);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_typed_parameters),
		cmocka_unit_test(test_wrong_method_is_405_with_allow),
		cmocka_unit_test(test_head_is_served_as_get),
		cmocka_unit_test(test_unknown_paths_are_404),
		cmocka_unit_test(test_append_slash),
		cmocka_unit_test(test_body_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
