/* test_visitor.c: the visitor's lists read with the session: what a page asks becomes the statement's parameters, its columns are decoded by name, a writer's forget drops them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>
#include <libpq-fe.h>

#include "model_user.h"
#include "unreachable_app.h"
#include "visitor.h"

/* A DB_SESSION_GET row built in memory, its columns in an order unlike the statement's. */
static PGresult *
session_result(const char *favorites, const char *watchlist, const char *among, const char *page_rows)
{
	static const char *const names[] = { "page_rows", "watchlist", "session_data", "among", "favorites" };
	const char	*values[] = { page_rows, watchlist, "data", among, favorites };
	PGresAttDesc	 attrs[5];
	PGresult	*res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);

	memset(attrs, 0, sizeof(attrs));
	for (int i = 0; i < 5; i++) {
		attrs[i].name = (char *)names[i];
		attrs[i].format = 0;
		attrs[i].typid = 25;
		attrs[i].typlen = -1;
		attrs[i].atttypmod = -1;
	}
	assert_int_equal(PQsetResultAttrs(res, 5, attrs), 1);
	for (int i = 0; i < 5; i++)
		assert_int_equal(PQsetvalue(res, 0, i, (char *)values[i], values[i] ? (int)strlen(values[i]) : -1), 1);
	return res;
}

/* Each test's request: the visitor is user 7, with 1 favorite and 42 on the watchlist. */
static struct arena	 a = ARENA_INIT;
static struct req	 r;
static struct user	 u;

static int
request(void **state)
{
	(void)state;
	memset(&r, 0, sizeof(r));
	memset(&u, 0, sizeof(u));
	r.arena = &a;
	u.id = 7;
	u.favorites = 1;
	u.watchlist = 42;
	r.user = &u;
	return 0;
}

static int
request_end(void **state)
{
	(void)state;
	arena_reset(&a);
	return 0;
}

/* Nothing asked: only the page window's constants; a page not asked reads nothing. */
static void
test_params_unasked(void **state)
{
	const char	*p[VISITOR_PARAMS];

	(void)state;
	visitor_params(&r, p);
	assert_null(p[0]);
	assert_null(p[1]);
	assert_null(p[2]);
	assert_string_equal(p[3], "20");
	assert_string_equal(p[4], "0");
}

static void
test_params_asked(void **state)
{
	const char	*p[VISITOR_PARAMS];

	(void)state;
	visitor_ask_movie(&r, 550);
	visitor_ask_list_page(&r, LIST_WATCHLIST, 3);
	visitor_params(&r, p);
	assert_string_equal(p[0], "550");
	assert_string_equal(p[2], "watchlist");
	assert_string_equal(p[3], "20");
	assert_string_equal(p[4], "40");
}

/* The columns are found by name, whatever their order; forgetting drops every answer. */
static void
test_decode_by_name_then_forget(void **state)
{
	struct list_page lp;
	enum on_list	 on[LIST_COUNT];
	PGresult	*res;

	(void)state;
	visitor_ask_movie(&r, 550);
	visitor_ask_list_page(&r, LIST_FAVORITES, 1);
	res = session_result("f", "t", "{}", "550 2024-01-02T03:04:05.000006Z");
	visitor_decode(&r, 7, res);
	PQclear(res);
	visitor_movie_lists(&r, 550, on);
	assert_int_equal(on[LIST_FAVORITES], ON_LIST_NO);
	assert_int_equal(on[LIST_WATCHLIST], ON_LIST_YES);
	/* The page's rows, and the total from the user's counts (TMDb unreachable here: no cards). */
	memset(&lp, 0, sizeof(lp));
	assert_int_equal(visitor_list_page(&r, LIST_FAVORITES, 1, &lp), FAIL_OK);
	assert_int_equal(lp.n, 1);
	assert_int_equal(lp.rows[0].movie_id, 550);
	assert_string_equal(lp.rows[0].created_at, "2024-01-02T03:04:05.000006Z");
	assert_int_equal(lp.total, 1);
	assert_null(lp.rows[0].movie);
	/* Once forgotten nothing is answered from the row: the lists would be asked (no database here). */
	visitor_forget(&r);
	r.lists_waited = 1;
	visitor_movie_lists(&r, 550, on);
	assert_int_equal(on[LIST_FAVORITES], ON_LIST_UNKNOWN);
	assert_int_equal(on[LIST_WATCHLIST], ON_LIST_UNKNOWN);
}

/* Read for another user than the session names: never used. */
static void
test_other_user_unused(void **state)
{
	enum on_list	 on[LIST_COUNT];
	PGresult	*res;

	(void)state;
	visitor_ask_movie(&r, 550);
	res = session_result("t", "t", "{}", NULL);
	visitor_decode(&r, 8, res);
	PQclear(res);
	r.lists_waited = 1;
	visitor_movie_lists(&r, 550, on);
	assert_int_equal(on[LIST_FAVORITES], ON_LIST_UNKNOWN);
}

/* The recommendations a movie's page asked about are the next request's guess, decoded by id. */
static void
test_among_guess(void **state)
{
	const int64_t	 ids[2] = { 680, 13 };
	int		 in[2] = { 1, 1 };
	const char	*p[VISITOR_PARAMS];
	PGresult	*res;

	(void)state;
	visitor_ask_movie(&r, 551);
	r.lists_waited = 1;
	assert_int_equal(visitor_watchlist_among(&r, ids, 2, in), FAIL_DB);
	/* The next request of the same page. */
	request_end(state);
	request(state);
	visitor_ask_movie(&r, 551);
	visitor_params(&r, p);
	assert_string_equal(p[1], "{680,13}");
	res = session_result("f", "f", "{13}", NULL);
	visitor_decode(&r, 7, res);
	PQclear(res);
	r.lists_waited = 1;
	assert_int_equal(visitor_watchlist_among(&r, ids, 2, in), FAIL_OK);
	assert_int_equal(in[0], 0);
	assert_int_equal(in[1], 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_params_unasked, request, request_end),
		cmocka_unit_test_setup_teardown(test_params_asked, request, request_end),
		cmocka_unit_test_setup_teardown(test_decode_by_name_then_forget, request, request_end),
		cmocka_unit_test_setup_teardown(test_other_user_unused, request, request_end),
		cmocka_unit_test_setup_teardown(test_among_guess, request, request_end),
	};

	return cmocka_run_group_tests(tests, unreachable_app_setup, unreachable_app_teardown);
}
