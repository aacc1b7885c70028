/* test_request.c: request parsing from FastCGI parameters: decoding, caps, bad input, cookies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fake_body.h"
#include "args.h"
#include "router.h"
#include "http.h"

static int
parse(struct req *r, struct arena *a, const char **env, const char *body, const char **why)
{
	struct body b = { body ? body : "", 0 };

	return req_parse(r, a, (char *const *)(void *)env, read_body, &b, why);
}

static void
test_path_query_and_cookies(void **state)
{
	struct arena	 a = ARENA_INIT;
	struct req	 r;
	const char	*why = NULL;
	const char	*env[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/search?q=caf%C3%A9+noir&year=1999&page=2",
	    "HTTP_COOKIE=sessionid=abc12345; csrftoken=\"quoted\"; broken", "HTTP_HOST=example.org:8080",
	    "REQUEST_SCHEME=https", NULL };

	(void)state;
	assert_int_equal(parse(&r, &a, env, NULL, &why), 0);
	assert_string_equal(r.path, "/search");
	assert_string_equal(params_get(&r.query, "q"), "caf\xc3\xa9 noir");
	assert_string_equal(params_get(&r.query, "year"), "1999");
	assert_string_equal(params_get(&r.cookies, "sessionid"), "abc12345");
	assert_string_equal(params_get(&r.cookies, "csrftoken"), "quoted");
	assert_null(params_get(&r.cookies, "broken"));
	assert_string_equal(r.scheme, "https");
	assert_string_equal(r.host, "example.org:8080");
	arena_reset(&a);
}

static void
test_bad_encodings_are_400(void **state)
{
	static const char *uris[] = {
		"REQUEST_URI=/movie/%00", "REQUEST_URI=/search?q=%FF", "REQUEST_URI=/search?q=%zz",
		"REQUEST_URI=/search?q=a%00b", "REQUEST_URI=/%C0%AF", "REQUEST_URI=/search?q=%ED%A0%80",
		"REQUEST_URI=no-slash", "REQUEST_URI=/search?q=%4",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(uris) / sizeof(uris[0]); i++) {
		struct arena	 a = ARENA_INIT;
		struct req	 r;
		const char	*why = NULL;
		const char	*env[] = { "REQUEST_METHOD=GET", (char *)uris[i], NULL };

		assert_int_equal(parse(&r, &a, env, NULL, &why), 400);
		assert_non_null(why);
		arena_reset(&a);
	}
}

static void
test_form_body(void **state)
{
	struct arena	 a = ARENA_INIT;
	struct req	 r;
	const char	*why = NULL;
	const char	*env[] = { "REQUEST_METHOD=POST", "REQUEST_URI=/login",
	    "CONTENT_TYPE=application/x-www-form-urlencoded", "CONTENT_LENGTH=33", NULL };
	const char	*nul_env[] = { "REQUEST_METHOD=POST", "REQUEST_URI=/login",
	    "CONTENT_TYPE=application/x-www-form-urlencoded", "CONTENT_LENGTH=14", NULL };

	(void)state;
	assert_int_equal(parse(&r, &a, env, "username=bob&password=p%26ss+word", &why), 0);
	assert_string_equal(params_get(&r.form, "username"), "bob");
	assert_string_equal(params_get(&r.form, "password"), "p&ss word");
	arena_reset(&a);
	assert_int_equal(parse(&r, &a, nul_env, "username=b%00ob", &why), 400);
	arena_reset(&a);
}

static void
test_body_limits(void **state)
{
	struct arena	 a = ARENA_INIT;
	struct req	 r;
	const char	*why = NULL;
	const char	*big[] = { "REQUEST_METHOD=POST", "REQUEST_URI=/login", "CONTENT_LENGTH=999999", NULL };
	const char	*bad[] = { "REQUEST_METHOD=POST", "REQUEST_URI=/login", "CONTENT_LENGTH=12x", NULL };
	const char	*short_body[] = { "REQUEST_METHOD=POST", "REQUEST_URI=/login", "CONTENT_LENGTH=50", NULL };

	(void)state;
	assert_int_equal(parse(&r, &a, big, NULL, &why), 413);
	arena_reset(&a);
	assert_int_equal(parse(&r, &a, bad, NULL, &why), 400);
	arena_reset(&a);
	assert_int_equal(parse(&r, &a, short_body, "only a little", &why), 400);
	arena_reset(&a);
}

static void
test_too_many_parameters(void **state)
{
	struct arena	 a = ARENA_INIT;
	struct req	 r;
	const char	*why = NULL;
	char		 uri[2048] = "REQUEST_URI=/search?";
	const char	*env[] = { "REQUEST_METHOD=GET", uri, NULL };

	(void)state;
	for (int i = 0; i < REQ_MAX_PARAMS + 1; i++)
		strcat(uri, "a=1&");
	assert_int_equal(parse(&r, &a, env, NULL, &why), 400);
	arena_reset(&a);
}

/* next= as the route's declared parameter: from the query of a GET, the form of a POST. */
static const char *
next_of(struct req *r, struct arena *a, const char *method, const char *query, const char *body)
{
	static const struct route	 login = { M_GET | M_POST, "/login", NULL, 0, A_NEXT };
	char				 uri[256], len[64];
	const char			*why = NULL;
	const char			*env[] = { method, uri,
	    "CONTENT_TYPE=application/x-www-form-urlencoded", len, NULL };
	enum msg			 m = MSG_NONE;

	snprintf(uri, sizeof(uri), "REQUEST_URI=/login?%s", query);
	snprintf(len, sizeof(len), "CONTENT_LENGTH=%zu", body ? strlen(body) : 0);
	assert_int_equal(parse(r, a, env, body, &why), 0);
	r->route = &login;
	assert_int_equal(args_parse(r, &m), FAIL_OK);
	return r->arg.next;
}

static void
test_next_parameter(void **state)
{
	struct arena	 a = ARENA_INIT;
	struct req	 r;
	const char	*get = "REQUEST_METHOD=GET", *post = "REQUEST_METHOD=POST";

	(void)state;
	assert_string_equal(next_of(&r, &a, get, "next=%2Ffavorites%3Fpage%3D2", NULL), "/favorites?page=2");
	assert_string_equal(next_of(&r, &a, get, "next=%2F%2Fevil.example", NULL), "/");
	assert_string_equal(next_of(&r, &a, get, "next=%2F%5Cevil.example", NULL), "/");
	assert_string_equal(next_of(&r, &a, get, "next=https%3A%2F%2Fevil.example", NULL), "/");
	assert_string_equal(next_of(&r, &a, get, "next=%2Fok%0D%0ASet-Cookie%3A+x%3Dy", NULL), "/");
	assert_string_equal(next_of(&r, &a, get, "next=", NULL), "/");
	assert_null(next_of(&r, &a, get, "other=1", NULL));
	/* A POST reads the form, never the query a link could have planted. */
	assert_string_equal(next_of(&r, &a, post, "next=%2Fquery", "next=%2Fmovie%2F550"), "/movie/550");
	assert_null(next_of(&r, &a, post, "next=%2Fquery", "username=x"));
	arena_reset(&a);
}

static void
test_cookie_attributes(void **state)
{
	struct resp	rs;
	struct req	r;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.scheme = "http";
	resp_init(&rs);
	resp_cookie(&rs, &r, "sessionid", "k", 1209600, 0);
	assert_non_null(strstr(buf_cstr(&rs.headers), "HttpOnly; Max-Age=1209600; Path=/; SameSite=Lax\r\n"));
	assert_null(strstr(buf_cstr(&rs.headers), "Secure"));
	resp_free(&rs);
	r.scheme = "https";
	resp_init(&rs);
	resp_cookie(&rs, &r, "csrftoken", "s", 31449600, 1);
	assert_null(strstr(buf_cstr(&rs.headers), "HttpOnly"));
	assert_non_null(strstr(buf_cstr(&rs.headers), "Path=/; SameSite=Lax; Secure\r\n"));
	resp_free(&rs);
}

/* A public page that also sets (or deletes) a cookie must not be cacheable by a shared cache. */
static void
test_set_cookie_is_never_public(void **state)
{
	struct resp	rs;
	struct req	r;
	struct buf	out = BUF_INIT;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.scheme = "http";
	r.method = M_GET;
	resp_init(&rs);
	rs.public_cache = 1;
	buf_puts(&rs.body, "page");
	resp_serialize(&rs, &r, &out);
	assert_non_null(strstr(buf_cstr(&out), "Cache-Control: public, max-age=60\r\n"));
	resp_free(&rs);
	buf_reset(&out);
	resp_init(&rs);
	rs.public_cache = 1;
	buf_puts(&rs.body, "page");
	resp_header(&rs, "X-Other", "1");
	resp_cookie(&rs, &r, "sessionid", "\"\"", 0, 0);
	resp_serialize(&rs, &r, &out);
	assert_null(strstr(buf_cstr(&out), "public"));
	assert_null(strstr(buf_cstr(&out), "ETag"));
	assert_non_null(strstr(buf_cstr(&out), "Cache-Control: private, no-cache\r\n"));
	resp_free(&rs);
	buf_free(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_query_and_cookies),
		cmocka_unit_test(test_bad_encodings_are_400),
		cmocka_unit_test(test_form_body),
		cmocka_unit_test(test_body_limits),
		cmocka_unit_test(test_too_many_parameters),
		cmocka_unit_test(test_next_parameter),
		cmocka_unit_test(test_cookie_attributes),
		cmocka_unit_test(test_set_cookie_is_never_public),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
