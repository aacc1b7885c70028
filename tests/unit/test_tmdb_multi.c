/* test_tmdb_multi.c: a failing curl multi handle fails the page's TMDb calls, never the worker. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "tmdb.h"

/*
 * The build links this test with --wrap for both calls: libcurl reports CURLM_OUT_OF_MEMORY or
 * CURLM_INTERNAL_ERROR only when it is in real trouble, which a test cannot arrange otherwise.
 */
enum { FAIL_NONE, FAIL_PERFORM, FAIL_POLL };
static int failing;

CURLMcode __real_curl_multi_perform(CURLM *, int *);
CURLMcode __real_curl_multi_poll(CURLM *, struct curl_waitfd[], unsigned int, int, int *);
CURLMcode __wrap_curl_multi_perform(CURLM *, int *);
CURLMcode __wrap_curl_multi_poll(CURLM *, struct curl_waitfd[], unsigned int, int, int *);

CURLMcode
__wrap_curl_multi_perform(CURLM *m, int *running)
{
	return failing == FAIL_PERFORM ? CURLM_OUT_OF_MEMORY : __real_curl_multi_perform(m, running);
}

CURLMcode
__wrap_curl_multi_poll(CURLM *m, struct curl_waitfd fds[], unsigned int n, int ms, int *ret)
{
	return failing == FAIL_POLL ? CURLM_INTERNAL_ERROR : __real_curl_multi_poll(m, fds, n, ms, ret);
}

/* A TMDb that answers every request with 404: enough to tell a real answer from a failure. */
static void *
serve_404(void *arg)
{
	int	 lfd = *(int *)arg;
	char	 req[4096];
	const char *answer = "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n"
	    "Content-Length: 2\r\nConnection: close\r\n\r\n{}";

	for (;;) {
		int fd = accept(lfd, NULL, NULL);

		if (fd == -1)
			return NULL;
		if (read(fd, req, sizeof(req)) > 0 && write(fd, answer, strlen(answer)) < 0)
			perror("serve_404");
		close(fd);
	}
}

static void
fetch_two(struct tmdb *t, struct tmdb_result res[2])
{
	struct tmdb_query q[2] = {
		{ .kind = TMDB_DETAILS, .id = 550 },
		{ .kind = TMDB_DETAILS, .id = 680 },
	};

	memset(res, 0, 2 * sizeof(*res));
	tmdb_fetch_many(t, q, NULL, 2, res);
}

static void
test_multi_failure_fails_the_calls_and_the_client_recovers(void **state)
{
	struct sockaddr_in	 sa = { .sin_family = AF_INET };
	socklen_t		 len = sizeof(sa);
	int			 lfd = socket(AF_INET, SOCK_STREAM, 0);
	char			 base[64];
	pthread_t		 th;
	struct tmdb_result	 res[2];

	(void)state;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lfd, 16), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&sa, &len), 0);
	snprintf(base, sizeof(base), "http://127.0.0.1:%d/3", ntohs(sa.sin_port));
	assert_int_equal(pthread_create(&th, NULL, serve_404, &lfd), 0);

	struct tmdb_settings	 s = { .base_url = base, .api_key = "k", .timeout_ms = 2000 };
	struct tmdb		*t = tmdb_open(&s);

	assert_non_null(t);
	for (int mode = FAIL_PERFORM; mode <= FAIL_POLL; mode++) {
		failing = mode;
		fetch_two(t, res);
		for (int i = 0; i < 2; i++) {
			assert_int_equal(res[i].status, TMDB_UNAVAILABLE);
			assert_null(res[i].json);
		}
		/* The same client, its pool detached, talks to TMDb again. */
		failing = FAIL_NONE;
		fetch_two(t, res);
		for (int i = 0; i < 2; i++) {
			assert_int_equal(res[i].status, TMDB_NOT_FOUND);
			assert_int_equal(res[i].http_status, 404);
		}
	}
	tmdb_close(t);
	shutdown(lfd, SHUT_RDWR);
	close(lfd);
	pthread_join(th, NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_multi_failure_fails_the_calls_and_the_client_recovers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
