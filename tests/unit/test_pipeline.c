/* test_pipeline.c: every route through the pipeline with requests built in memory (no FastCGI, no nginx): status, headers, failure mapping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "fake_body.h"
#include "app.h"
#include "config.h"
#include "csrf.h"
#include "jwt.h"
#include "pipeline.h"
#include "router.h"
#include "unreachable_app.h"
#include "util.h"

/*
 * The dependencies are all unreachable (unreachable_app.h): every route must then answer with
 * its documented failure, never crash, hang or claim success.
 */
/* Which routes some request reached: every one must be (test_every_route_exercised). */
static int exercised[64];

/* One request: the whole serialised response (status line, headers, body) in *out. */
static void
run(const char *method, const char *uri, const char *const *headers, const char *body, struct buf *out)
{
	struct arena	 a = ARENA_INIT;
	struct req	 r;
	struct resp	 rs;
	struct body	 b = { body ? body : "", 0 };
	const char	*env[24], *why = NULL;
	size_t		 n = 0;
	int		 status;

	env[n++] = arena_printf(&a, "REQUEST_METHOD=%s", method);
	env[n++] = arena_printf(&a, "REQUEST_URI=%s", uri);
	env[n++] = "HTTP_HOST=site.test";
	env[n++] = "REQUEST_SCHEME=http";
	env[n++] = "REMOTE_ADDR=127.0.0.1";
	if (body)
		env[n++] = arena_printf(&a, "CONTENT_LENGTH=%zu", strlen(body));
	for (size_t i = 0; headers && headers[i] && n < 23; i++)
		env[n++] = headers[i];
	env[n] = NULL;
	resp_init(&rs);
	status = req_parse(&r, &a, (char *const *)(void *)env, read_body, &b, &why);
	assert_int_equal(status, 0);
	pipeline_handle(&r, &rs);
	if (r.route)
		exercised[r.route - routes] = 1;
	buf_reset(out);
	resp_serialize(&rs, &r, out);
	resp_free(&rs);
	arena_reset(&a);
}

static void
expect(const char *method, const char *uri, const char *const *headers, const char *body, int status,
    const char *const *contains)
{
	struct buf	 out = BUF_INIT;
	char		 line[32];

	run(method, uri, headers, body, &out);
	snprintf(line, sizeof(line), "Status: %d ", status);
	if (strncmp(buf_cstr(&out), line, strlen(line)) != 0 && strstr(buf_cstr(&out), line) == NULL)
		fail_msg("%s %s: expected %d, got:\n%.600s", method, uri, status, buf_cstr(&out));
	for (size_t i = 0; contains && contains[i]; i++)
		if (strstr(buf_cstr(&out), contains[i]) == NULL)
			fail_msg("%s %s: no \"%s\" in:\n%.1200s", method, uri, contains[i], buf_cstr(&out));
	buf_free(&out);
}

#define HDRS(...)	((const char *const[]){ __VA_ARGS__, NULL })
#define HAS(...)	((const char *const[]){ __VA_ARGS__, NULL })

static void
test_unknown_paths_and_methods(void **state)
{
	(void)state;
	expect("GET", "/nope", NULL, NULL, 404, HAS("text/html", "There is no page at this address."));
	expect("GET", "/api/v1/nope/", NULL, NULL, 404,
	    HAS("application/json", "{\"detail\":\"There is no page at this address.\"}"));
	expect("DELETE", "/", NULL, NULL, 405, HAS("Allow: GET, HEAD", "does not accept that kind"));
	expect("PUT", "/api/v1/auth/favorites/", NULL, NULL, 405, HAS("Allow: GET, HEAD, POST", "\"detail\""));
}

static void
test_route_flags(void **state)
{
	(void)state;
	/* R_LOGIN */
	expect("GET", "/favorites", NULL, NULL, 303, HAS("Location: /login?next=%2Ffavorites"));
	expect("GET", "/for-you", NULL, NULL, 303, HAS("Location: /login?next=%2Ffor-you"));
	/* The query comes along: back from the login, the page is the one asked for. */
	expect("GET", "/favorites?page=2", NULL, NULL, 303, HAS("Location: /login?next=%2Ffavorites%3Fpage%3D2"));
	expect("GET", "/watchlist", NULL, NULL, 303, HAS("Location: /login?next=%2Fwatchlist"));
	expect("GET", "/account/password", NULL, NULL, 303, HAS("Location: /login?next="));
	expect("GET", "/import", NULL, NULL, 303, HAS("Location: /login?next=%2Fimport"));
	expect("GET", "/import/12345", NULL, NULL, 303, HAS("Location: /login?next=%2Fimport%2F12345"));
	expect("GET", "/favorites.csv", NULL, NULL, 303, HAS("Location: /login?next=%2Ffavorites.csv"));
	expect("GET", "/watchlist.csv", NULL, NULL, 303, HAS("Location: /login?next=%2Fwatchlist.csv"));
	expect("GET", "/import?list=watchlist", NULL, NULL, 303, HAS("Location: /login?next=%2Fimport"));
	/* A site form with a file: its multipart body is read, then the CSRF check runs on its fields. */
	expect("POST", "/import", HDRS("CONTENT_TYPE=multipart/form-data; boundary=b"),
	    "--b\r\nContent-Disposition: form-data; name=\"list\"\r\n\r\nfavorites\r\n--b--\r\n", 403,
	    HAS("CSRF verification failed"));
	expect("POST", "/import", HDRS("CONTENT_TYPE=multipart/form-data; boundary=b"), "not multipart", 400,
	    HAS("malformed"));
	expect("POST", "/import/12345/confirm", NULL, "", 403, HAS("CSRF verification failed"));
	/* CSRF before anything else on a POST */
	expect("POST", "/login", NULL, "username=a&password=b", 403, HAS("CSRF verification failed"));
	expect("POST", "/favorites/550", NULL, "", 403, HAS("CSRF verification failed"));
	expect("POST", "/favorites/550/delete", NULL, "", 403, HAS("CSRF verification failed"));
	expect("POST", "/watchlist/550", NULL, "", 403, HAS("CSRF verification failed"));
	expect("POST", "/watchlist/550/delete", NULL, "", 403, HAS("CSRF verification failed"));
	expect("POST", "/watchlist/550/watched", NULL, "then=remove", 403, HAS("CSRF verification failed"));
	expect("POST", "/logout", NULL, "", 403, HAS("CSRF verification failed"));
	expect("POST", "/register", NULL, "", 403, HAS("CSRF verification failed"));
	expect("POST", "/account/password", NULL, "", 403, HAS("CSRF verification failed"));
	expect("POST", "/watch-region", NULL, "region=GB", 403, HAS("CSRF verification failed"));
	expect("GET", "/account/email", NULL, NULL, 303, HAS("Location: /login?next=%2Faccount%2Femail"));
	expect("GET", "/account/delete", NULL, NULL, 303, HAS("Location: /login?next=%2Faccount%2Fdelete"));
	expect("POST", "/account/email", NULL, "", 403, HAS("CSRF verification failed"));
	expect("POST", "/account/delete", NULL, "", 403, HAS("CSRF verification failed"));
	expect("POST", "/account/email/confirm", NULL, "token=x", 403, HAS("CSRF verification failed"));
	/* An email change's link is read before any row: a bad one is refused without the database. */
	expect("GET", "/account/email/confirm?token=eyJpZCI6MX0:1abc:forged", NULL, NULL, 400,
	    HAS("This email confirmation link is not valid"));
	expect("GET", "/account/email/confirm", NULL, NULL, 400, HAS("This email confirmation link is not valid"));
	expect("GET", "/account/closed", NULL, NULL, 200, HAS("Your account is closed"));
	expect("POST", "/api/v1/auth/password/change/", NULL, "{}", 401, HAS("Authentication credentials"));
	/* R_TOKEN */
	expect("GET", "/api/v1/auth/favorites/", NULL, NULL, 401, HAS("WWW-Authenticate: Bearer realm=\"api\"",
	    "{\"detail\":\"Authentication credentials were not provided.\"}"));
	expect("POST", "/api/v1/auth/favorites/", NULL, "{}", 401, HAS("Authentication credentials"));
	expect("DELETE", "/api/v1/auth/favorites/550/", NULL, NULL, 401, HAS("Authentication credentials"));
	expect("GET", "/api/v1/auth/watchlist/", NULL, NULL, 401, HAS("WWW-Authenticate: Bearer realm=\"api\"",
	    "{\"detail\":\"Authentication credentials were not provided.\"}"));
	expect("POST", "/api/v1/auth/watchlist/", NULL, "{}", 401, HAS("Authentication credentials"));
	expect("DELETE", "/api/v1/auth/watchlist/550/", NULL, NULL, 401, HAS("Authentication credentials"));
	expect("GET", "/api/v1/auth/favorites/", HDRS("HTTP_AUTHORIZATION=Bearer a b"), NULL, 401,
	    HAS("\"code\":\"bad_authorization_header\""));
	expect("GET", "/api/v1/auth/favorites/", HDRS("HTTP_AUTHORIZATION=Bearer not.a.token"), NULL, 401,
	    HAS("\"detail\":\"Given token not valid for any token type\",\"code\":\"token_not_valid\",\"messages\":["));
}

/* A token the site would accept: with the database down, the user cannot be looked up (503, not 401). */
static void
test_token_with_database_down(void **state)
{
	struct json_object	*refresh = jwt_new_payload(JWT_REFRESH, JWT_REFRESH_LIFETIME, (int64_t)time(NULL));
	struct json_object	*access;
	struct buf		 tok = BUF_INIT;
	char			 header[1024];

	(void)state;
	json_object_object_add(refresh, "user_id", json_object_new_int(1));
	access = jwt_access_from_refresh(refresh, (int64_t)time(NULL));
	assert_int_equal(jwt_encode(config.secret_key, access, &tok), 0);
	snprintf(header, sizeof(header), "HTTP_AUTHORIZATION=Bearer %s", buf_cstr(&tok));
	expect("GET", "/api/v1/auth/favorites/", HDRS(header), NULL, 503,
	    HAS("The service is unavailable. Please try again in a minute."));
	json_object_put(refresh);
	json_object_put(access);
	buf_free(&tok);
}

static void
test_declared_parameters(void **state)
{
	char uri[2048];

	(void)state;
	expect("GET", "/?page=0", NULL, NULL, 400, HAS("The page number must be a whole number from 1 to 500."));
	expect("GET", "/?page=501", NULL, NULL, 400, HAS("The page number must be"));
	expect("GET", "/?window=year", NULL, NULL, 400, HAS("The trending window must be"));
	expect("GET", "/search?q=x&year=12", NULL, NULL, 400, HAS("four-digit year"));
	expect("GET", "/genre/28?page=x", NULL, NULL, 400, HAS("The page number must be"));
	expect("GET", "/api/v1/movies/trending/?time_window=x", NULL, NULL, 400,
	    HAS("{\"error\":\"time_window must be day or week\"}"));
	expect("GET", "/api/v1/movies/550/recommendations/?page=501", NULL, NULL, 400,
	    HAS("{\"error\":\"The page must be a whole number from 1 to 500\"}"));
	expect("GET", "/api/v1/movies/search/", NULL, NULL, 400, HAS("{\"error\":\"Query parameter is required\"}"));
	expect("GET", "/api/v1/movies/search/?query=+++", NULL, NULL, 400, HAS("Query parameter is required"));
	expect("GET", "/api/v1/movies/search/?query=x&year=abc", NULL, NULL, 400, HAS("The year must be a whole number"));
	/* 201 characters are too many on both sides. */
	strcpy(uri, "/search?q=");
	for (int i = 0; i < 201; i++)
		strcat(uri, "a");
	expect("GET", uri, NULL, NULL, 400, HAS("The search text is too long (200 characters at most)."));
	strcpy(uri, "/api/v1/movies/search/?query=");
	for (int i = 0; i < 201; i++)
		strcat(uri, "a");
	expect("GET", uri, NULL, NULL, 400, HAS("The query is too long"));
	/* 150 two-byte characters (300 bytes) are a valid search: it reaches TMDb (down here), no 400. */
	strcpy(uri, "/search?q=");
	for (int i = 0; i < 150; i++)
		strcat(uri, "%C3%A9");
	expect("GET", uri, NULL, NULL, 503, HAS("The movie service is unavailable right now."));
	strcpy(uri, "/api/v1/movies/search/?query=");
	for (int i = 0; i < 150; i++)
		strcat(uri, "%C3%A9");
	expect("GET", uri, NULL, NULL, 503, HAS("The movie service is unavailable."));
}

static void
test_movie_service_down(void **state)
{
	(void)state;
	expect("GET", "/", NULL, NULL, 503, HAS("Retry-After: 30",
	    "The movie service is unavailable right now. Please try again in a minute."));
	expect("HEAD", "/", NULL, NULL, 503, HAS("Retry-After: 30"));
	expect("GET", "/movie/550", NULL, NULL, 503, HAS("Retry-After: 30"));
	expect("GET", "/genre/28", NULL, NULL, 503, HAS("Retry-After: 30"));
	expect("GET", "/search?q=alien", NULL, NULL, 503, HAS("Retry-After: 30"));
	expect("GET", "/api/v1/movies/trending/", NULL, NULL, 503, HAS("Retry-After: 60",
	    "{\"error\":\"The movie service is unavailable. Please try again in a minute.\"}"));
	expect("GET", "/api/v1/movies/550/", NULL, NULL, 503, HAS("Retry-After: 60"));
	expect("GET", "/api/v1/movies/550/recommendations/", NULL, NULL, 503, HAS("Retry-After: 60"));
	expect("GET", "/api/v1/movies/search/?query=alien", NULL, NULL, 503, HAS("Retry-After: 60"));
}

static void
test_pages_without_dependencies(void **state)
{
	(void)state;
	expect("GET", "/search", NULL, NULL, 200, HAS("text/html"));
	expect("GET", "/login", NULL, NULL, 200, HAS("Set-Cookie: csrftoken=", "csrfmiddlewaretoken"));
	expect("GET", "/register", NULL, NULL, 200, HAS("Set-Cookie: csrftoken="));
	expect("GET", "/watch-region?next=/movie/550", NULL, NULL, 200, HAS("Set-Cookie: csrftoken=",
	    "<option value=\"US\" selected>United States</option>", "name=\"next\" value=\"/movie/550\""));
	expect("GET", "/api/v1/health-check/", NULL, NULL, 200,
	    HAS("{\"status\":\"ok\",\"message\":\"Welcome to the Movie Recommender API!\"}"));
	expect("GET", "/healthz", NULL, NULL, 503, HAS("{\"status\":\"degraded\",\"database\":\"unavailable\",\"redis\":\"unavailable\""));
}

static void
test_database_down(void **state)
{
	char	 secret[CSRF_SECRET_LEN + 1], token[CSRF_TOKEN_LEN + 1], cookie[128], body[256];

	(void)state;
	/* A visitor with a session is not made anonymous (logged out) when it cannot be read. */
	expect("GET", "/", HDRS("HTTP_COOKIE=sessionid=abcdefghijklmnopqrstuvwxyz012345"), NULL, 503,
	    HAS("Your session could not be read: the site cannot reach its database right now.", "you are still logged in"));
	expect("GET", "/favorites", HDRS("HTTP_COOKIE=sessionid=abcdefghijklmnopqrstuvwxyz012345"), NULL, 503,
	    HAS("Your session could not be read"));
	/* A well-formed login reaches the database: 503, never a 303 without a session. */
	csrf_new_secret(secret);
	csrf_mask(secret, token);
	snprintf(cookie, sizeof(cookie), "HTTP_COOKIE=csrftoken=%s", secret);
	snprintf(body, sizeof(body), "csrfmiddlewaretoken=%s&username=moviebuff&password=pw", token);
	expect("POST", "/login", HDRS(cookie, "HTTP_ORIGIN=http://site.test",
	    "CONTENT_TYPE=application/x-www-form-urlencoded"), body, 503,
	    HAS("Logging in is not possible right now. Please try again in a minute."));
	expect("POST", "/api/v1/auth/login/", HDRS("CONTENT_TYPE=application/json"),
	    "{\"username\": \"moviebuff\", \"password\": \"pw\"}", 503,
	    HAS("{\"detail\":\"Logging in is not possible right now. Please try again in a minute.\"}"));
	expect("POST", "/api/v1/auth/register/", HDRS("CONTENT_TYPE=application/json"),
	    "{\"username\": \"newbie\", \"email\": \"n@example.org\", \"password\": \"x\", \"password2\": \"x\"}", 503,
	    HAS("Registration is not possible right now."));
}

static void
test_api_bodies(void **state)
{
	(void)state;
	expect("POST", "/api/v1/auth/login/", HDRS("CONTENT_TYPE=text/plain"), "x", 415,
	    HAS("Unsupported media type \\\"text/plain\\\" in request."));
	expect("POST", "/api/v1/auth/login/", HDRS("CONTENT_TYPE=application/json"), "{", 400, HAS("JSON parse error - "));
	expect("POST", "/api/v1/auth/login/", HDRS("CONTENT_TYPE=application/json"), "[]", 400,
	    HAS("Expected a dictionary, but got list."));
	expect("POST", "/api/v1/auth/login/", HDRS("CONTENT_TYPE=application/json"), "{}", 400,
	    HAS("\"username\":[\"This field is required.\"]"));
	/* DRF strips Unicode spaces too: a username of spaces is blank. */
	expect("POST", "/api/v1/auth/login/", HDRS("CONTENT_TYPE=application/json"),
	    "{\"username\": \"\\u3000\\u00a0\", \"password\": \"x\"}", 400, HAS("This field may not be blank."));
	expect("POST", "/api/v1/auth/register/", HDRS("CONTENT_TYPE=application/json"), "{}", 400,
	    HAS("\"email\":[\"This field is required.\"]"));
	expect("POST", "/api/v1/auth/token/refresh/", HDRS("CONTENT_TYPE=application/json"), "{\"refresh\": \"x\"}",
	    401, HAS("\"code\":\"token_not_valid\""));
}

static void
test_schema_and_metrics(void **state)
{
	(void)state;
	expect("GET", "/api/schema/", NULL, NULL, 200, HAS("application/json", "\"openapi\": \"3.0.3\""));
	/* Prometheus's text format (the registry is empty here: no master mapped it). */
	expect("GET", "/metrics", NULL, NULL, 200, HAS("Content-Type: text/plain; version=0.0.4"));
}

/* Password reset's pages and API with the database down: forms, refusals before any query, 503 after. */
static void
test_password_reset_routes(void **state)
{
	char	 secret[CSRF_SECRET_LEN + 1], token[CSRF_TOKEN_LEN + 1], cookie[128], body[256];

	(void)state;
	expect("GET", "/password-reset/", NULL, NULL, 200, HAS("name=\"email\"", "csrfmiddlewaretoken"));
	expect("GET", "/password-reset/done/", NULL, NULL, 200, HAS("Password reset sent"));
	expect("GET", "/reset/done/", NULL, NULL, 200, HAS("Password reset complete"));
	expect("GET", "/login", NULL, NULL, 200, HAS("href=\"/password-reset/\""));
	/* A malformed link is refused before any query, with no-referrer. */
	expect("GET", "/reset/!!/abc-123/", NULL, NULL, 400, HAS("Referrer-Policy: no-referrer",
	    "The password reset link was invalid"));
	expect("GET", "/reset/NDI/abc-123/", NULL, NULL, 503, HAS("Password resets are not possible right now."));
	csrf_new_secret(secret);
	csrf_mask(secret, token);
	snprintf(cookie, sizeof(cookie), "HTTP_COOKIE=csrftoken=%s", secret);
	snprintf(body, sizeof(body), "csrfmiddlewaretoken=%s&email=a%%0d%%0a@example.com", token);
	expect("POST", "/password-reset/", HDRS(cookie, "HTTP_ORIGIN=http://site.test",
	    "CONTENT_TYPE=application/x-www-form-urlencoded"), body, 400, HAS("Enter a valid email address."));
	snprintf(body, sizeof(body), "csrfmiddlewaretoken=%s&new_password1=a&new_password2=a", token);
	expect("POST", "/reset/!!/set-password/", HDRS(cookie, "HTTP_ORIGIN=http://site.test",
	    "CONTENT_TYPE=application/x-www-form-urlencoded"), body, 400, HAS("The password reset link was invalid"));
	expect("POST", "/api/v1/auth/password/reset/", HDRS("CONTENT_TYPE=application/json"),
	    "{\"email\": \"x\"}", 400, HAS("{\"email\":[\"Enter a valid email address.\"]}"));
	expect("POST", "/api/v1/auth/password/reset/confirm/", HDRS("CONTENT_TYPE=application/json"), "{}", 400,
	    HAS("\"uid\":[\"This field is required.\"]", "\"new_password1\":[\"This field is required.\"]"));
}

/* Runs last: a route added without a test here fails the suite. */
static void
test_every_route_exercised(void **state)
{
	(void)state;
	assert_true(nroutes <= NELEM(exercised));
	for (size_t i = 0; i < nroutes; i++)
		if (!exercised[i])
			fail_msg("no test above reaches the route %s", routes[i].pattern);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unknown_paths_and_methods),
		cmocka_unit_test(test_route_flags),
		cmocka_unit_test(test_token_with_database_down),
		cmocka_unit_test(test_declared_parameters),
		cmocka_unit_test(test_movie_service_down),
		cmocka_unit_test(test_pages_without_dependencies),
		cmocka_unit_test(test_database_down),
		cmocka_unit_test(test_api_bodies),
		cmocka_unit_test(test_schema_and_metrics),
		cmocka_unit_test(test_password_reset_routes),
		cmocka_unit_test(test_every_route_exercised),
	};

	return cmocka_run_group_tests(tests, unreachable_app_setup, unreachable_app_teardown);
}
