/* test_models.c: the fcgi models (users, lists, session rows, health) against a real migrated PostgreSQL and Redis the test starts: what they write, and what they decode from the rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "model_health.h"
#include "model_lists.h"
#include "model_reset.h"
#include "model_session.h"
#include "model_user.h"
#include "movies.h"
#include "servers.h"
#include "unreachable_app.h"

static struct test_pg		 pg;
static struct test_redis	 redis;
static struct arena		 a = ARENA_INIT;
static struct req		 r;

/* The app as a worker loads it, on the test's servers (TMDb: a port that refuses at once). */
static int
group_setup(void **state)
{
	char redis_url[128];

	(void)state;
	if (test_pg_start(&pg) != 0 || test_redis_start(&redis) != 0) {
		fprintf(stderr, "test_models: the servers did not start (see %s)\n", pg.log);
		return -1;
	}
	/* The configuration takes the unix:// form of the socket's URL. */
	snprintf(redis_url, sizeof(redis_url), "unix://%s", redis.sock);
	return app_setup_with(pg.url, redis_url, "http://127.0.0.1:1/3");
}

static int
group_teardown(void **state)
{
	(void)state;
	app_worker_close();
	arena_reset(&a);
	test_redis_cleanup(&redis);
	test_pg_cleanup(&pg);
	return 0;
}

static int
request(void **state)
{
	(void)state;
	memset(&r, 0, sizeof(r));
	r.arena = &a;
	return 0;
}

static int
request_end(void **state)
{
	(void)state;
	arena_reset(&a);
	return 0;
}

/* A new user's id (each test its own, so the tests do not depend on each other's rows). */
static int64_t
new_user(const char *name)
{
	int64_t id = 0;

	assert_int_equal(user_create(&r, "pbkdf2_sha256$1$salt$hash", name,
	    arena_printf(r.arena, "%s@example.com", name), &id), FAIL_OK);
	assert_true(id > 0);
	return id;
}

static void
users(void **state)
{
	struct user	*u;
	int64_t		 id, again = 0;
	int		 taken;

	(void)state;
	id = new_user("Dana");
	assert_int_equal(user_create(&r, "x", "Dana", "other@example.com", &again), FAIL_CONFLICT);
	assert_int_equal(user_name_taken(&r, "dANA", &taken), FAIL_OK);
	assert_int_equal(taken, 1);
	assert_int_equal(user_name_taken(&r, "Dan", &taken), FAIL_OK);
	assert_int_equal(taken, 0);
	assert_int_equal(user_by_name(&r, "Dana", &u), FAIL_OK);
	assert_int_equal(u->id, id);
	assert_string_equal(u->username, "Dana");
	assert_string_equal(u->email, "Dana@example.com");
	assert_string_equal(u->password, "pbkdf2_sha256$1$salt$hash");
	assert_int_equal(u->is_active, 1);
	assert_int_equal(u->favorites, -1);
	assert_int_equal(user_by_name(&r, "dana", &u), FAIL_NOT_FOUND);
	assert_null(u);
	assert_int_equal(user_by_id(&r, id + 1000, &u), FAIL_NOT_FOUND);
	/* The visitor's row comes with the sizes of the lists. */
	assert_int_equal(user_visitor(&r, id, &u), FAIL_OK);
	assert_int_equal(u->favorites, 0);
	assert_int_equal(u->watchlist, 0);
	/* A re-hash only replaces the hash it read: after another change it is refused. */
	assert_int_equal(user_set_password(&r, u, "second", 0), FAIL_OK);
	assert_string_equal(u->password, "second");
	u->password = "stale";
	assert_int_equal(user_set_password(&r, u, "third", 1), FAIL_CONFLICT);
	assert_int_equal(user_by_id(&r, id, &u), FAIL_OK);
	assert_string_equal(u->password, "second");
	assert_int_equal(user_set_password(&r, u, "third", 1), FAIL_OK);
	assert_int_equal(user_by_id(&r, id, &u), FAIL_OK);
	assert_string_equal(u->password, "third");
	assert_int_equal(user_touch_last_login(&r, id), FAIL_OK);
}

/* Movies a list may hold: TMDb is unreachable, so their details are put in the cache. */
static void
known_movie(int64_t id, const char *title)
{
	struct buf	k = BUF_INIT, v = BUF_INIT;

	buf_printf(&k, "movie_%lld_details", (long long)id);
	buf_printf(&v, "{\"id\":%lld,\"title\":\"%s\"}", (long long)id, title);
	assert_int_equal(cache_set(movies_cache(app.movies), k.data, v.data, v.len, 600), 0);
	buf_free(&k);
	buf_free(&v);
}

static void
lists(void **state)
{
	int64_t			 id = new_user("erin"), ids[3] = { 901, 902, 903 };
	const char *const	 titles[3] = { "One", "Two", "Three" };
	const char		*created = NULL;
	struct json_object	*movie = NULL;
	struct list_page	 page;
	long long		 n;
	int			 in[3], saved;
	struct user		*u;

	(void)state;
	known_movie(901, "One");
	assert_int_equal(list_add(&r, LIST_FAVORITES, id, 901, &movie, &created), FAIL_OK);
	assert_non_null(movie);
	assert_non_null(created);
	assert_int_equal(strlen(created), strlen("2026-01-01T00:00:00.000000Z"));
	/* Unknown to TMDb and the cache: not saved. */
	assert_int_equal(list_add(&r, LIST_FAVORITES, id, 999, NULL, NULL), FAIL_MOVIES);
	assert_int_equal(list_exists(&r, LIST_FAVORITES, id, 901, &saved), FAIL_OK);
	assert_int_equal(saved, 1);
	assert_int_equal(list_exists(&r, LIST_WATCHLIST, id, 901, &saved), FAIL_OK);
	assert_int_equal(saved, 0);
	assert_int_equal(list_add_many(&r, LIST_WATCHLIST, id, ids, titles, 3, &n), FAIL_OK);
	assert_int_equal(n, 3);
	assert_int_equal(list_add_many(&r, LIST_WATCHLIST, id, ids, titles, 3, &n), FAIL_OK);
	assert_int_equal(n, 0);
	assert_int_equal(list_count(&r, LIST_WATCHLIST, id, &n), FAIL_OK);
	assert_int_equal(n, 3);
	assert_int_equal(list_page(&r, LIST_WATCHLIST, id, 1, &page), FAIL_OK);
	assert_int_equal(page.n, 3);
	assert_int_equal(page.total, 3);
	for (int i = 0; i < 3; i++)
		assert_true(page.rows[i].movie_id >= 901 && page.rows[i].movie_id <= 903);
	assert_int_equal(list_among(&r, LIST_FAVORITES, id, ids, 3, in), FAIL_OK);
	assert_int_equal(in[0] + 2 * in[1] + 4 * in[2], 1);
	/* Watched it, loved it: off the watchlist, a favorite already (no second row). */
	assert_int_equal(watchlist_watched(&r, id, 901, 1), FAIL_OK);
	assert_int_equal(list_count(&r, LIST_WATCHLIST, id, &n), FAIL_OK);
	assert_int_equal(n, 2);
	assert_int_equal(list_count(&r, LIST_FAVORITES, id, &n), FAIL_OK);
	assert_int_equal(n, 1);
	assert_int_equal(user_visitor(&r, id, &u), FAIL_OK);
	assert_int_equal(u->favorites, 1);
	assert_int_equal(u->watchlist, 2);
	assert_int_equal(list_remove(&r, LIST_WATCHLIST, id, 902), FAIL_OK);
	assert_int_equal(list_remove(&r, LIST_WATCHLIST, id, 902), FAIL_NOT_FOUND);
	assert_string_equal(lists_id_array(&r, ids, 3), "{901,902,903}");
	assert_int_equal(list_by_name("watchlist", &(enum movie_list){ LIST_FAVORITES }), 0);
}

static void
session_rows(void **state)
{
	struct model_session_row	 row = { 0 };
	int64_t			 id = new_user("fran");
	long long		 n;

	(void)state;
	assert_int_equal(model_session_insert(&r, "k1", "data-1", 60), FAIL_OK);
	assert_int_equal(model_session_insert(&r, "k1", "data-2", 60), FAIL_CONFLICT);
	assert_int_equal(model_session_get(&r, "k1", &row), FAIL_OK);
	assert_int_equal(row.len, 6);
	assert_string_equal(row.data, "data-1");
	assert_null(row.user);
	/* The expected user comes back with the row, with the sizes of the lists. */
	row.user_id = id;
	assert_int_equal(model_session_update(&r, "k1", "data-3", 60), FAIL_OK);
	assert_int_equal(model_session_get(&r, "k1", &row), FAIL_OK);
	assert_string_equal(row.data, "data-3");
	assert_non_null(row.user);
	assert_int_equal(row.user->id, id);
	assert_string_equal(row.user->username, "fran");
	assert_int_equal(row.user->favorites, 0);
	assert_int_equal(model_session_update(&r, "nope", "d", 60), FAIL_NOT_FOUND);
	assert_int_equal(model_session_delete(&r, "k1"), FAIL_OK);
	assert_int_equal(model_session_get(&r, "k1", &row), FAIL_NOT_FOUND);
	/* An expired row is not read, and the sweep removes it. */
	assert_int_equal(model_session_insert(&r, "old", "d", -10), FAIL_OK);
	assert_int_equal(model_session_get(&r, "old", &row), FAIL_NOT_FOUND);
	assert_int_equal(model_session_clear_expired(app.db, &n), FAIL_OK);
	assert_int_equal(n, 1);
	assert_int_equal(model_session_clear_expired(NULL, &n), FAIL_DB);
}

/*
 * A reset link's user, decoded with what its token hashes: a token made for the row is valid,
 * and one made before a login (last_login changed) or for another user is not.
 */
static void
reset_users(void **state)
{
	int64_t			 id = new_user("gail");
	char			 uid[RESETTOKEN_UID_MAX], token[RESETTOKEN_MAX], other[RESETTOKEN_MAX];
	struct reset_user	*u;
	struct resettoken_user	 t;

	(void)state;
	resettoken_uid_encode(id, uid);
	assert_int_equal(reset_user_by_uid(&r, uid, strlen(uid), &u), FAIL_OK);
	assert_int_equal(u->t.id, id);
	assert_string_equal(u->username, "gail");
	assert_string_equal(u->t.email, "gail@example.com");
	assert_string_equal(u->t.password, "pbkdf2_sha256$1$salt$hash");
	assert_null(u->t.last_login);
	assert_int_equal(u->is_active, 1);
	resettoken_make("unit-test-secret-key-0123456789", &u->t, resettoken_now(time(NULL)), token);
	assert_int_equal(reset_token_valid(u, token), 1);
	t = u->t;
	t.id = id + 1;
	resettoken_make("unit-test-secret-key-0123456789", &t, resettoken_now(time(NULL)), other);
	assert_int_equal(reset_token_valid(u, other), 0);
	/* A login since the link was sent: the row's last_login is in the hash now. */
	assert_int_equal(user_touch_last_login(&r, id), FAIL_OK);
	assert_int_equal(reset_user_by_uid(&r, uid, strlen(uid), &u), FAIL_OK);
	assert_non_null(u->t.last_login);
	assert_int_equal(strlen(u->t.last_login), strlen("2026-12-08 01:22:33"));
	assert_int_equal(reset_token_valid(u, token), 0);
	resettoken_uid_encode(id + 1000, uid);
	assert_int_equal(reset_user_by_uid(&r, uid, strlen(uid), &u), FAIL_NOT_FOUND);
	assert_int_equal(reset_user_by_uid(&r, "!!", 2, &u), FAIL_NOT_FOUND);
}

static void
health(void **state)
{
	(void)state;
	assert_int_equal(model_health_db_reachable(), FAIL_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(users, request, request_end),
		cmocka_unit_test_setup_teardown(lists, request, request_end),
		cmocka_unit_test_setup_teardown(session_rows, request, request_end),
		cmocka_unit_test_setup_teardown(reset_users, request, request_end),
		cmocka_unit_test_setup_teardown(health, request, request_end),
	};

	if (!test_pg_available() || !test_redis_available()) {
		printf("test_models: SKIPPED (all %zu tests): needs PostgreSQL 15 (%s) and redis-server\n",
		    sizeof(tests) / sizeof(tests[0]), PG_BIN);
		return 0;
	}
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
