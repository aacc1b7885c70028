/* test_metrics.c: the shared metrics registry: series, escaping, histograms, counting across fork, exposition text. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "metrics.h"
#include "util.h"

/* The exposition text as it is now (caller frees). */
static char *
scrape(void)
{
	struct buf b = BUF_INIT;

	metrics_render(&b);
	return buf_detach(&b);
}

static void
assert_has_line(const char *text, const char *line)
{
	const char *p = text;
	size_t n = strlen(line);

	while ((p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
			return;
		p += n;
	}
	fail_msg("no line \"%s\" in:\n%s", line, text);
}

/* Before metrics_init (tools, unit tests of other modules) everything is a no-op. */
static void
test_off_until_init(void **state)
{
	char *t;

	(void)state;
	assert_false(metrics_enabled());
	metrics_inc(MET_LOGINS, "ok");
	metrics_busy(1);
	assert_int_equal(metrics_value(MET_TMDB_LAST_SUCCESS), 0);
	t = scrape();
	assert_string_equal(t, "");
	free(t);
	assert_int_equal(metrics_init(), 0);
	assert_true(metrics_enabled());
}

static void
test_counters_and_labels(void **state)
{
	char *t;

	(void)state;
	metrics_inc(MET_LOGINS, "ok");
	metrics_inc(MET_LOGINS, "ok");
	metrics_inc(MET_LOGINS, "failed");
	metrics_add(MET_HTTP_REQUESTS, 5, METRICS_LABELS("/movie/{id}", "200"));
	/* Label values are escaped as the text format wants. */
	metrics_inc(MET_CACHE_LOOKUPS, "we\"ird\\kind\n", "hit");
	metrics_inc(MET_WORKER_STARTS);
	t = scrape();
	assert_has_line(t, "# TYPE movies_logins_total counter");
	assert_has_line(t, "movies_logins_total{result=\"ok\"} 2");
	assert_has_line(t, "movies_logins_total{result=\"failed\"} 1");
	assert_has_line(t, "movies_http_requests_total{route=\"/movie/{id}\",status=\"200\"} 5");
	assert_has_line(t, "movies_cache_lookups_total{kind=\"we\\\"ird\\\\kind\\n\",result=\"hit\"} 1");
	assert_has_line(t, "movies_worker_starts_total 1");
	/* Label-less counters never touched still show, at 0. */
	assert_has_line(t, "movies_worker_crashes_total 0");
	/* The Makefile's version and commit, set once by metrics_init. */
	assert_non_null(strstr(t, "\nmovies_build_info{version=\""));
	free(t);
}

static void
test_gauges(void **state)
{
	char *t;

	(void)state;
	metrics_gauge(MET_TMDB_LAST_SUCCESS, 1700000000000);
	metrics_gauge(MET_TMDB_LAST_SUCCESS, 1700000005042);
	assert_int_equal(metrics_value(MET_TMDB_LAST_SUCCESS), 1700000005042);
	metrics_gauge(MET_BUILD_INFO, 7, "v", "c");
	t = scrape();
	/* Millisecond gauges are shown in seconds. */
	assert_has_line(t, "# TYPE movies_tmdb_last_success_timestamp_seconds gauge");
	assert_has_line(t, "movies_tmdb_last_success_timestamp_seconds 1700000005.042");
	assert_has_line(t, "movies_build_info{version=\"v\",commit=\"c\"} 7");
	free(t);
	metrics_stamp(MET_TMDB_LAST_FAILURE);
	assert_true(metrics_value(MET_TMDB_LAST_FAILURE) > 1700000005042);
	t = scrape();
	free(t);
}

static void
test_histogram(void **state)
{
	char *t;

	(void)state;
	metrics_time(MET_TMDB_SECONDS, 0.003, "details");	/* first bucket */
	metrics_time(MET_TMDB_SECONDS, 0.2, "details");		/* le 0.25 */
	metrics_time(MET_TMDB_SECONDS, 0.25, "details");	/* le 0.25: bounds are inclusive */
	metrics_time(MET_TMDB_SECONDS, 20, "details");		/* +Inf only */
	t = scrape();
	assert_has_line(t, "# TYPE movies_tmdb_request_duration_seconds histogram");
	assert_has_line(t, "movies_tmdb_request_duration_seconds_bucket{kind=\"details\",le=\"0.005\"} 1");
	assert_has_line(t, "movies_tmdb_request_duration_seconds_bucket{kind=\"details\",le=\"0.1\"} 1");
	assert_has_line(t, "movies_tmdb_request_duration_seconds_bucket{kind=\"details\",le=\"0.25\"} 3");
	assert_has_line(t, "movies_tmdb_request_duration_seconds_bucket{kind=\"details\",le=\"10\"} 3");
	assert_has_line(t, "movies_tmdb_request_duration_seconds_bucket{kind=\"details\",le=\"+Inf\"} 4");
	assert_has_line(t, "movies_tmdb_request_duration_seconds_count{kind=\"details\"} 4");
	assert_has_line(t, "movies_tmdb_request_duration_seconds_sum{kind=\"details\"} 20.453000");
	free(t);
}

/* Children (workers) count into the parent's (master's) memory, concurrently, losing nothing. */
static void
test_counts_across_fork(void **state)
{
	enum { CHILDREN = 4, EACH = 20000 };
	pid_t	pids[CHILDREN];
	char	*t, line[128];

	(void)state;
	for (int i = 0; i < CHILDREN; i++) {
		if ((pids[i] = fork()) == 0) {
			for (int k = 0; k < EACH; k++)
				metrics_inc(MET_HTTP_REQUESTS, "/", "200");
			_exit(0);
		}
		assert_true(pids[i] > 0);
	}
	for (int k = 0; k < EACH; k++)
		metrics_inc(MET_HTTP_REQUESTS, "/", "200");
	for (int i = 0; i < CHILDREN; i++) {
		int status;

		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	t = scrape();
	snprintf(line, sizeof(line), "movies_http_requests_total{route=\"/\",status=\"200\"} %d",
	    (CHILDREN + 1) * EACH);
	assert_has_line(t, line);
	free(t);
}

/* In flight = busy workers; a worker that dies mid-request stops counting; exits vs crashes. */
static void
test_workers(void **state)
{
	pid_t	 pid;
	int	 status;
	char	*t;

	(void)state;
	metrics_worker_slot(3);
	if ((pid = fork()) == 0) {
		metrics_busy(1);
		raise(SIGKILL);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	t = scrape();
	assert_has_line(t, "movies_http_requests_in_flight 1");
	free(t);
	metrics_worker_exited(3, status);
	metrics_worker_slot(4);
	if ((pid = fork()) == 0) {
		metrics_busy(1);
		metrics_busy(0);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	metrics_worker_exited(4, status);
	t = scrape();
	assert_has_line(t, "movies_http_requests_in_flight 0");
	assert_has_line(t, "movies_worker_crashes_total 1");
	assert_has_line(t, "movies_worker_exits_total 1");
	free(t);
}

/* A full registry drops new series (counted) but keeps counting the old ones. */
static void
test_full_registry(void **state)
{
	char	 status[16], *t;

	(void)state;
	for (int i = 0; i < 5000; i++) {
		snprintf(status, sizeof(status), "%d", 1000 + i);
		metrics_inc(MET_HTTP_REQUESTS, "/flood", status);
	}
	metrics_inc(MET_LOGINS, "ok");
	t = scrape();
	assert_null(strstr(t, "movies_metrics_series_dropped_total 0\n"));
	assert_has_line(t, "movies_logins_total{result=\"ok\"} 3");
	free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_off_until_init),
		cmocka_unit_test(test_counters_and_labels),
		cmocka_unit_test(test_gauges),
		cmocka_unit_test(test_histogram),
		cmocka_unit_test(test_counts_across_fork),
		cmocka_unit_test(test_workers),
		cmocka_unit_test(test_full_registry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
