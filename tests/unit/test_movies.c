/* test_movies.c: common/movies.c's cache and budget logic against a real Redis and a TMDb that never answers: fresh, stale and 404 copies, locks, the shared budget and its shares, cards. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cmocka.h>
#include <hiredis.h>
#include <json-c/json.h>
#include <openssl/sha.h>

#include "movies.h"
#include "servers.h"
#include "tmdb_kinds.h"

static struct test_redis	 redis;
static redisContext		*peek;		/* the test's own view of Redis */
static int			 tmdb_fd = -1;	/* listens on loopback and never answers */
static char			 tmdb_url[64];

/* Connections TMDb's stand-in received since the last call (each is one attempted call). */
static int
tmdb_calls(void)
{
	int n = 0, fd;

	while ((fd = accept4(tmdb_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) != -1) {
		close(fd);
		n++;
	}
	return n;
}

static int
tmdb_listen(void)
{
	struct sockaddr_in	sa = { .sin_family = AF_INET, .sin_port = 0 };
	socklen_t		len = sizeof(sa);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	tmdb_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (tmdb_fd == -1 || bind(tmdb_fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(tmdb_fd, 128) != 0 ||
	    getsockname(tmdb_fd, (struct sockaddr *)&sa, &len) != 0)
		return -1;
	snprintf(tmdb_url, sizeof(tmdb_url), "http://127.0.0.1:%d/3", ntohs(sa.sin_port));
	return 0;
}

static int
group_setup(void **state)
{
	(void)state;
	if (test_redis_start(&redis) != 0 || tmdb_listen() != 0)
		return -1;
	peek = redisConnectUnix(redis.sock);
	return peek == NULL || peek->err ? -1 : 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	redisFree(peek);
	close(tmdb_fd);
	test_redis_cleanup(&redis);
	return 0;
}

/* A movie layer on the test's Redis and TMDb stand-in: rate calls a second (0: unlimited). */
static struct movies *
open_movies(int rate, int burst, int background_share, int client_share)
{
	struct movies_settings s;

	memset(&s, 0, sizeof(s));
	s.tmdb.base_url = tmdb_url;
	s.tmdb.api_key = "unit";
	s.tmdb.connect_timeout_ms = 200;
	s.tmdb.timeout_ms = 50;	/* a failed call costs about 300 ms (one retry) */
	s.cache.url = redis.url;
	s.shared_rate = rate;
	s.shared_burst = burst;
	s.background_share = background_share;
	s.client_share = client_share;
	return movies_open(&s);
}

static void
redis_cmd(const char *fmt, const char *key, const char *val)
{
	redisReply *r = redisCommand(peek, fmt, key, val);

	assert_non_null(r);
	assert_int_not_equal(r->type, REDIS_REPLY_ERROR);
	freeReplyObject(r);
}

/* A budget bucket as stored (tokens, and Redis's time of its last take in ms); tokens -1 if absent. */
struct bucket {
	double		tokens;
	long long	ts;
};

static struct bucket
bucket(const char *key)
{
	redisReply	*r = redisCommand(peek, "HMGET %s tokens ts", key);
	struct bucket	 b = { -1, 0 };

	assert_non_null(r);
	assert_int_equal(r->type, REDIS_REPLY_ARRAY);
	if (r->element[0]->type == REDIS_REPLY_STRING) {
		b.tokens = strtod(r->element[0]->str, NULL);
		b.ts = strtoll(r->element[1]->str, NULL, 10);
	}
	freeReplyObject(r);
	return b;
}

/*
 * The tokens taken between two readings of a bucket: the refill over Redis's own clock (as
 * cache.c's script does it) minus what is left. A bucket absent before starts full.
 */
static double
spent(struct bucket before, struct bucket after, int rate, int burst)
{
	double have;

	if (after.tokens < 0)
		return 0;
	if (before.tokens < 0)
		return burst - after.tokens;
	have = before.tokens + (double)(after.ts - before.ts) * rate / 1000;
	return (have < burst ? have : burst) - after.tokens;
}

#define assert_spent(before, after, rate, burst, n) \
	assert_true(fabs(spent(before, after, rate, burst) - (n)) < 1e-6)

static int
exists(const char *key)
{
	redisReply	*r = redisCommand(peek, "EXISTS %s", key);
	int		 v;

	assert_non_null(r);
	v = (int)r->integer;
	freeReplyObject(r);
	return v;
}

static int
fresh_redis(void **state)
{
	redisReply *r = redisCommand(peek, "FLUSHALL");

	(void)state;
	freeReplyObject(r);
	tmdb_calls();
	return r == NULL ? -1 : 0;
}

static const char *
title_of(struct json_object *o)
{
	struct json_object *t;

	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "title", &t));
	return json_object_get_string(t);
}

/* A fresh copy is served from Redis: no TMDb call. A 404 marker is NOT_FOUND, no call either. */
static void
fresh_and_not_found_from_cache(void **state)
{
	struct movies		*m = open_movies(0, 0, 0, 0);
	struct json_object	*o;

	(void)state;
	redis_cmd("SET %s %s", "movie_550_details", "{\"id\":550,\"title\":\"Fight Club\"}");
	redis_cmd("SET %s %s", "notfound:movie_552_details", "1");
	assert_int_equal(movies_details(m, 550, &o), MOVIES_OK);
	assert_string_equal(title_of(o), "Fight Club");
	json_object_put(o);
	assert_int_equal(movies_details(m, 552, &o), MOVIES_NOT_FOUND);
	assert_null(o);
	assert_int_equal(movies_details(m, 0, &o), MOVIES_BAD_REQUEST);
	assert_int_equal(tmdb_calls(), 0);
	movies_close(m);
}

/*
 * TMDb fails: the stale copy is served, and the refresh lock is kept until it expires, so
 * other workers serve it at once too; with no copy the answer is UNAVAILABLE and the lock goes.
 */
static void
stale_copy_when_tmdb_fails(void **state)
{
	struct movies		*m = open_movies(0, 0, 0, 0);
	struct json_object	*o;

	(void)state;
	redis_cmd("SET %s %s", "stale:movie_551_details", "{\"id\":551,\"title\":\"Old copy\"}");
	assert_int_equal(movies_details(m, 551, &o), MOVIES_STALE);
	assert_string_equal(title_of(o), "Old copy");
	json_object_put(o);
	assert_true(tmdb_calls() > 0);
	assert_int_equal(exists("lock:movie_551_details"), 1);
	assert_int_equal(exists("movie_551_details"), 0);
	/* The lock held: the next request serves the copy without calling. */
	assert_int_equal(movies_details(m, 551, &o), MOVIES_STALE);
	json_object_put(o);
	assert_int_equal(tmdb_calls(), 0);
	assert_int_equal(movies_details(m, 553, &o), MOVIES_UNAVAILABLE);
	assert_null(o);
	assert_true(tmdb_calls() > 0);
	assert_int_equal(exists("lock:movie_553_details"), 0);
	movies_close(m);
}

/* Another worker holds the lock: its copy is waited for (no call); if the lock goes without one, UNAVAILABLE. */
static void
another_worker_refreshing(void **state)
{
	struct movies		*m = open_movies(0, 0, 0, 0);
	struct json_object	*o;

	(void)state;
	redis_cmd("SET %s %s PX 150", "lock:movie_554_details", "other");
	assert_int_equal(movies_details(m, 554, &o), MOVIES_UNAVAILABLE);
	assert_int_equal(tmdb_calls(), 0);
	redis_cmd("SET %s %s PX 5000", "lock:movie_555_details", "other");
	redis_cmd("SET %s %s", "stale:movie_555_details", "{\"id\":555,\"title\":\"Meanwhile\"}");
	assert_int_equal(movies_details(m, 555, &o), MOVIES_STALE);
	assert_string_equal(title_of(o), "Meanwhile");
	json_object_put(o);
	assert_int_equal(tmdb_calls(), 0);
	movies_close(m);
}

/*
 * The shared budget's books: rate 2 with half for background calls. Three background misses
 * get one call from their bucket (burst 1) and the shared one keeps the visitors' half; the
 * other two are deferred, not failed. A visitor's miss then spends the shared token left.
 */
static void
budget_accounting(void **state)
{
	struct movies		*m = open_movies(2, 2, 50, 0);
	struct tmdb_query	 qs[3] = { { .kind = TMDB_DETAILS, .id = 601 }, { .kind = TMDB_DETAILS, .id = 602 },
	    { .kind = TMDB_DETAILS, .id = 603 } };
	struct json_object	*outs[3];
	enum movies_status	 sts[3];
	int			 deferred = 0, failed = 0;
	struct json_object	*o;
	struct bucket		 shared;

	(void)state;
	movies_resolve_many(m, qs, 3, outs, sts, MOVIES_BACKGROUND);
	for (int i = 0; i < 3; i++) {
		assert_null(outs[i]);
		deferred += sts[i] == MOVIES_DEFERRED;
		failed += sts[i] == MOVIES_UNAVAILABLE;
	}
	assert_int_equal(deferred, 2);
	assert_int_equal(failed, 1);
	assert_true(tmdb_calls() > 0);
	/* First takes: each bucket started full (burst 1 and 2) and gave one call. */
	assert_true(bucket("tmdb:budget:background").tokens == 0);
	assert_true(bucket("tmdb:budget").tokens == 1);
	shared = bucket("tmdb:budget");
	/* A deferred item's lock is released: the next worker may try. */
	assert_int_equal(exists("lock:movie_601_details") + exists("lock:movie_602_details") +
	    exists("lock:movie_603_details"), 0);
	assert_int_equal(movies_details(m, 604, &o), MOVIES_UNAVAILABLE);
	assert_true(tmdb_calls() > 0);
	assert_spent(shared, bucket("tmdb:budget"), 2, 2, 1);
	/* TMDb's Retry-After: nothing is granted; a visitor with a copy gets it, without a call. */
	redis_cmd("SET %s %s PX 10000", "tmdb:pause", "1");
	redis_cmd("SET %s %s", "stale:movie_605_details", "{\"id\":605,\"title\":\"Paused\"}");
	assert_int_equal(movies_details(m, 605, &o), MOVIES_STALE);
	json_object_put(o);
	assert_int_equal(tmdb_calls(), 0);
	movies_close(m);
}

/* client_key's form: "tmdb:budget:client:" and 32 hex digits of the address's SHA-1. */
static void
client_key(const char *who, char out[64])
{
	unsigned char	d[SHA_DIGEST_LENGTH];
	int		n = snprintf(out, 64, "tmdb:budget:client:");

	SHA1((const unsigned char *)who, strlen(who), d);
	for (int i = 0; i < 16; i++)
		n += snprintf(out + n, (size_t)(64 - n), "%02x", d[i]);
}

/*
 * One client's share (rate 1, burst 10, 10 %: its own bucket of burst 1 at 1 a second): its
 * misses spend its bucket (keyed by a hash of its address) and the shared one alike; once its
 * own is spent it gets nothing, and the shared budget is left whole for other clients.
 */
static void
fair_share_keys(void **state)
{
	struct movies		*m = open_movies(1, 10, 0, 10);
	struct json_object	*o;
	char			 a[64], b[64];
	struct bucket		 shared, mine;

	(void)state;
	client_key("203.0.113.9", a);
	client_key("198.51.100.7", b);
	movies_set_client(m, "203.0.113.9");
	assert_int_equal(movies_details(m, 701, &o), MOVIES_UNAVAILABLE);
	assert_true(tmdb_calls() > 0);
	assert_true(bucket(a).tokens == 0);
	assert_true(bucket("tmdb:budget").tokens == 9);
	/* Refused at the client's bucket: no call, and the shared bucket untouched. */
	shared = bucket("tmdb:budget");
	mine = bucket(a);
	assert_int_equal(movies_details(m, 702, &o), MOVIES_UNAVAILABLE);
	assert_int_equal(tmdb_calls(), 0);
	assert_spent(mine, bucket(a), 1, 1, 0);
	assert_true(bucket("tmdb:budget").tokens == shared.tokens && bucket("tmdb:budget").ts == shared.ts);
	assert_int_equal(exists(b), 0);
	/* Another client still gets its call, from its own bucket and the shared one. */
	movies_set_client(m, "198.51.100.7");
	assert_int_equal(movies_details(m, 703, &o), MOVIES_UNAVAILABLE);
	assert_true(tmdb_calls() > 0);
	assert_true(bucket(b).tokens == 0);
	assert_spent(shared, bucket("tmdb:budget"), 1, 10, 1);
	/* Nobody in particular: the shared budget alone. */
	movies_set_client(m, NULL);
	redis_cmd("DEL %s", a, NULL);
	shared = bucket("tmdb:budget");
	assert_int_equal(movies_details(m, 704, &o), MOVIES_UNAVAILABLE);
	assert_int_equal(exists(a), 0);
	assert_spent(shared, bucket("tmdb:budget"), 1, 10, 1);
	movies_close(m);
}

/*
 * Cards: a cached card is read alone; a missing one is cut from cached details (the grid's
 * fields only) and stored for next time; movies_cards_cached never calls TMDb.
 */
static void
cards(void **state)
{
	struct movies		*m = open_movies(0, 0, 0, 0);
	const int64_t		 ids[3] = { 801, 802, 803 };
	struct json_object	*outs[3], *v;
	redisReply		*r;

	(void)state;
	redis_cmd("SET %s %s", "movie_801_card", "{\"id\":801,\"title\":\"Card\"}");
	redis_cmd("SET %s %s", "movie_802_details",
	    "{\"id\":802,\"title\":\"Details\",\"vote_count\":3,\"credits\":{\"cast\":[]},\"runtime\":99}");
	movies_cards_cached(m, ids, 3, outs);
	assert_string_equal(title_of(outs[0]), "Card");
	assert_null(outs[1]);
	assert_null(outs[2]);
	json_object_put(outs[0]);
	assert_int_equal(movies_cards_many(m, ids, 3, outs), MOVIES_UNAVAILABLE);
	assert_string_equal(title_of(outs[0]), "Card");
	assert_string_equal(title_of(outs[1]), "Details");
	assert_true(json_object_object_get_ex(outs[1], "vote_count", &v));
	assert_false(json_object_object_get_ex(outs[1], "credits", &v));
	assert_false(json_object_object_get_ex(outs[1], "runtime", &v));
	assert_null(outs[2]);
	for (int i = 0; i < 3; i++)
		json_object_put(outs[i]);
	assert_true(tmdb_calls() > 0);	/* 803: nothing cached anywhere */
	r = redisCommand(peek, "TTL movie_802_card");
	assert_non_null(r);
	/* A card lives as long as the details it comes from (the details row's TTL: 24 h). */
	assert_true(r->integer > tmdb_kind_desc(TMDB_DETAILS)->ttl - 60 &&
	    r->integer <= tmdb_kind_desc(TMDB_DETAILS)->ttl);
	assert_int_equal(tmdb_kind_desc(TMDB_DETAILS)->ttl, 86400);
	freeReplyObject(r);
	movies_cards_cached(m, ids + 1, 1, outs);
	assert_string_equal(title_of(outs[0]), "Details");
	json_object_put(outs[0]);
	assert_int_equal(tmdb_calls(), 0);
	movies_close(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(fresh_and_not_found_from_cache, fresh_redis),
		cmocka_unit_test_setup(stale_copy_when_tmdb_fails, fresh_redis),
		cmocka_unit_test_setup(another_worker_refreshing, fresh_redis),
		cmocka_unit_test_setup(budget_accounting, fresh_redis),
		cmocka_unit_test_setup(fair_share_keys, fresh_redis),
		cmocka_unit_test_setup(cards, fresh_redis),
	};

	if (!test_redis_available()) {
		printf("test_movies: SKIPPED (all %zu tests): redis-server is not installed "
		    "(apt-get install redis-server)\n", sizeof(tests) / sizeof(tests[0]));
		return 0;
	}
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
