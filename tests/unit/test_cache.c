/* test_cache.c: common/cache.c against a real Redis the test starts: values and their TTLs, batches, locks, counters, an outage and a restart. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "cache.h"
#include "servers.h"

static struct test_redis	 redis;
static struct cache		*c;

/* The retry interval the outage tests count on (short, so the test stays short). */
#define RETRY_MS 300

static int
group_setup(void **state)
{
	struct cache_settings s = { NULL, 500, 500, RETRY_MS };

	(void)state;
	if (test_redis_start(&redis) != 0) {
		fprintf(stderr, "test_cache: redis-server did not start in %s\n", redis.dir);
		return -1;
	}
	s.url = redis.url;
	c = cache_open(&s);
	return c == NULL ? -1 : 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	cache_close(c);
	test_redis_cleanup(&redis);
	return 0;
}

/* Redis is back (a test stopped it) and the handle connected. */
static int
redis_up(void **state)
{
	(void)state;
	if (redis.pid == 0 && test_redis_start(&redis) != 0)
		return -1;
	for (int i = 0; i < 100 && !cache_ok(c); i++)
		srv_sleep_ms(20);
	return cache_ok(c) ? 0 : -1;
}

static void
get_set_del(void **state)
{
	struct buf	 b = BUF_INIT;
	long long	 ttl;

	(void)state;
	assert_int_equal(cache_get(c, "t:missing", &b), 0);
	assert_int_equal(cache_set(c, "t:k", "v\0w", 3, 100), 0);
	assert_int_equal(cache_get(c, "t:k", &b), 1);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.data, "v\0w", 3);
	assert_int_equal(cache_exists(c, "t:k"), 1);
	assert_int_equal(cache_ttl(c, "t:k", &ttl), 0);
	assert_true(ttl > 90 && ttl <= 100);
	/* A value is replaced whole, not appended to. */
	assert_int_equal(cache_set(c, "t:k", "x", 1, 100), 0);
	assert_int_equal(cache_get(c, "t:k", &b), 1);
	assert_int_equal(b.len, 1);
	assert_int_equal(cache_del(c, "t:k"), 0);
	assert_int_equal(cache_get(c, "t:k", &b), 0);
	assert_int_equal(cache_exists(c, "t:k"), 0);
	assert_int_equal(cache_ttl(c, "t:k", &ttl), 0);
	assert_int_equal(ttl, -2);
	buf_free(&b);
}

/* A TTL is honoured by Redis: the value is gone once it has passed; ttl <= 0 still expires (1 s). */
static void
values_expire(void **state)
{
	struct buf	 b = BUF_INIT;
	long long	 ttl;

	(void)state;
	assert_int_equal(cache_set(c, "t:short", "1", 1, 1), 0);
	assert_int_equal(cache_set(c, "t:zero", "1", 1, 0), 0);
	assert_int_equal(cache_ttl(c, "t:zero", &ttl), 0);
	assert_true(ttl == 0 || ttl == 1);
	assert_int_equal(cache_get(c, "t:short", &b), 1);
	srv_sleep_ms(1100);
	assert_int_equal(cache_get(c, "t:short", &b), 0);
	assert_int_equal(cache_get(c, "t:zero", &b), 0);
	buf_free(&b);
}

static void
batches(void **state)
{
	struct cache_item	 items[] = { { "t:a", "alpha", 5, 60 }, { "t:b", "be", 2, 120 } };
	const char *const	 keys[] = { "t:a", "t:nope", "t:b" };
	char			*vals[3];
	size_t			 lens[3];
	long long		 ttl;

	(void)state;
	assert_int_equal(cache_set_many(c, items, 2), 0);
	assert_int_equal(cache_mget(c, keys, 3, vals, lens), 0);
	assert_string_equal(vals[0], "alpha");
	assert_int_equal(lens[0], 5);
	assert_null(vals[1]);
	assert_int_equal(lens[1], 0);
	assert_string_equal(vals[2], "be");
	for (int i = 0; i < 3; i++)
		free(vals[i]);
	/* Each item keeps its own TTL. */
	assert_int_equal(cache_ttl(c, "t:b", &ttl), 0);
	assert_true(ttl > 60 && ttl <= 120);
	assert_int_equal(cache_set_many(c, items, 0), 0);
	assert_int_equal(cache_mget(c, keys, 0, vals, NULL), 0);
}

static void
locks(void **state)
{
	const char *const	 keys[] = { "t:lock1", "t:lock2" };
	int			 got[2];

	(void)state;
	assert_int_equal(cache_lock(c, "t:lock1", "me", 5000), 1);
	assert_int_equal(cache_lock(c, "t:lock1", "other", 5000), 0);
	assert_int_equal(cache_lock_many(c, keys, 2, "other", 5000, got), 0);
	assert_int_equal(got[0], 0);
	assert_int_equal(got[1], 1);
	/* Only the holder's token deletes a lock. */
	assert_int_equal(cache_unlock(c, "t:lock1", "other"), 0);
	assert_int_equal(cache_exists(c, "t:lock1"), 1);
	assert_int_equal(cache_unlock_many(c, keys, 2, "me"), 0);
	assert_int_equal(cache_exists(c, "t:lock1"), 0);
	assert_int_equal(cache_exists(c, "t:lock2"), 1);
	assert_int_equal(cache_unlock(c, "t:lock2", "other"), 0);
	assert_int_equal(cache_exists(c, "t:lock2"), 0);
	/* A lock left by a dead holder goes away with its TTL. */
	assert_int_equal(cache_lock(c, "t:lock3", "gone", 50), 1);
	srv_sleep_ms(120);
	assert_int_equal(cache_lock(c, "t:lock3", "me", 50), 1);
}

static void
counters_and_bucket(void **state)
{
	long long	count, ttl, pause;

	(void)state;
	assert_int_equal(cache_counter_get(c, "t:ctr", &count, &ttl), 0);
	assert_int_equal(count, 0);
	assert_int_equal(ttl, -2);
	assert_int_equal(cache_counter_incr(c, "t:ctr", 60, &count, &ttl), 0);
	assert_int_equal(count, 1);
	assert_true(ttl > 55 && ttl <= 60);
	/* The window runs from the first increment: a later one with another window keeps it. */
	assert_int_equal(cache_counter_incr(c, "t:ctr", 3600, &count, &ttl), 0);
	assert_int_equal(count, 2);
	assert_true(ttl <= 60);
	assert_int_equal(cache_counter_get(c, "t:ctr", &count, &ttl), 0);
	assert_int_equal(count, 2);
	/* A bucket of burst 5 at 1/s: 5 granted, then none; keep leaves a reserve. */
	assert_int_equal(cache_bucket_take(c, "t:bucket", "t:pause", 1, 5, 2, 4, &pause), 3);
	assert_int_equal(pause, 0);
	assert_int_equal(cache_bucket_take(c, "t:bucket", "t:pause", 1, 5, 0, 4, &pause), 2);
	assert_int_equal(cache_bucket_take(c, "t:bucket", "t:pause", 1, 5, 0, 4, &pause), 0);
	/* A pause stops every grant and says how long is left. */
	assert_int_equal(cache_pause(c, "t:pause", 10000), 0);
	assert_int_equal(cache_bucket_take(c, "t:bucket2", "t:pause", 100, 100, 0, 1, &pause), 0);
	assert_true(pause > 9000 && pause <= 10000);
	assert_int_equal(cache_del(c, "t:pause"), 0);
	assert_int_equal(cache_bucket_take(c, "t:bucket2", "t:pause", 100, 100, 0, 1, &pause), 1);
}

/*
 * Redis killed mid-test: calls fail cleanly (-1, no value) in bounded time, no connect is tried
 * again within the retry interval, and once Redis is back the next due call reconnects.
 */
static void
outage(void **state)
{
	struct buf	 b = BUF_INIT;
	long long	 t0;
	char		*val = (char *)"untouched";

	(void)state;
	assert_int_equal(cache_set(c, "t:o", "1", 1, 60), 0);
	test_redis_stop(&redis, 1);
	t0 = srv_now_ms();
	assert_int_equal(cache_get(c, "t:o", &b), -1);
	assert_int_equal(b.len, 0);
	assert_int_equal(cache_set(c, "t:o", "2", 1, 60), -1);
	assert_int_equal(cache_mget(c, (const char *const[]){ "t:o" }, 1, &val, NULL), -1);
	assert_null(val);
	assert_int_equal(cache_ok(c), 0);
	/* Bounded: a few connect timeouts at most (500 ms each here), never a hang. */
	assert_true(srv_now_ms() - t0 < 5000);
	/* Back up, but the retry interval is not over: still down, without trying. */
	assert_int_equal(test_redis_start(&redis), 0);
	assert_int_equal(cache_ok(c), 0);
	srv_sleep_ms(RETRY_MS + 50);
	assert_int_equal(cache_ok(c), 1);
	/* A new server: the old value went with the old one. */
	assert_int_equal(cache_get(c, "t:o", &b), 0);
	buf_free(&b);
}

/*
 * A restart between two calls: the connection the handle holds is closed; the very next
 * command retries once on a fresh connection and succeeds, without waiting out any interval.
 */
static void
restart_retried_at_once(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	assert_int_equal(cache_set(c, "t:r", "1", 1, 60), 0);
	test_redis_stop(&redis, 0);
	assert_int_equal(test_redis_start(&redis), 0);
	assert_int_equal(cache_set(c, "t:r", "2", 1, 60), 0);
	assert_int_equal(cache_get(c, "t:r", &b), 1);
	assert_memory_equal(b.data, "2", 1);
	/* And again for a read as the first command after the restart. */
	test_redis_stop(&redis, 1);
	assert_int_equal(test_redis_start(&redis), 0);
	assert_int_equal(cache_get(c, "t:r", &b), 0);
	buf_free(&b);
}

/*
 * A hung Redis (stopped, its socket open): the command times out (500 ms here) and fails, and
 * unlike a closed connection it is not retried at once; later calls within the retry interval
 * fail without waiting again. Resumed, the next due call reconnects.
 */
static void
hung_not_paid_twice(void **state)
{
	struct buf	 b = BUF_INIT;
	long long	 t0, took;

	(void)state;
	assert_int_equal(cache_set(c, "t:h", "1", 1, 60), 0);
	kill(redis.pid, SIGSTOP);
	t0 = srv_now_ms();
	assert_int_equal(cache_get(c, "t:h", &b), -1);
	took = srv_now_ms() - t0;
	assert_true(took >= 400 && took < 5000);
	/* Within the interval: refused at once, no connect, no second timeout. */
	t0 = srv_now_ms();
	assert_int_equal(cache_get(c, "t:h", &b), -1);
	assert_int_equal(cache_ok(c), 0);
	assert_true(srv_now_ms() - t0 < 400);
	kill(redis.pid, SIGCONT);
	srv_sleep_ms(RETRY_MS + 50);
	assert_int_equal(cache_get(c, "t:h", &b), 1);
	assert_memory_equal(b.data, "1", 1);
	buf_free(&b);
}

/* No URL: the cache is off and every call says "down"; a bad URL is refused. */
static void
disabled_and_bad_urls(void **state)
{
	struct cache_settings	 s = { NULL, 0, 0, 0 };
	struct cache		*off = cache_open(&s);
	struct buf		 b = BUF_INIT;

	(void)state;
	assert_non_null(off);
	assert_int_equal(cache_ok(off), 0);
	assert_int_equal(cache_get(off, "k", &b), -1);
	assert_int_equal(cache_set(off, "k", "v", 1, 1), -1);
	cache_close(off);
	s.url = "http://127.0.0.1:6379";
	assert_null(cache_open(&s));
	s.url = "unix:relative/path";
	assert_null(cache_open(&s));
	s.url = "redis://127.0.0.1:99999";
	assert_null(cache_open(&s));
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(get_set_del, redis_up),
		cmocka_unit_test_setup(values_expire, redis_up),
		cmocka_unit_test_setup(batches, redis_up),
		cmocka_unit_test_setup(locks, redis_up),
		cmocka_unit_test_setup(counters_and_bucket, redis_up),
		cmocka_unit_test_setup(outage, redis_up),
		cmocka_unit_test_setup(restart_retried_at_once, redis_up),
		cmocka_unit_test_setup(hung_not_paid_twice, redis_up),
		cmocka_unit_test(disabled_and_bad_urls),
	};

	if (!test_redis_available()) {
		printf("test_cache: SKIPPED (all %zu tests): redis-server is not installed "
		    "(apt-get install redis-server)\n", sizeof(tests) / sizeof(tests[0]));
		return 0;
	}
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
