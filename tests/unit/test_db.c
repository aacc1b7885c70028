/* test_db.c: common/db.c against a real PostgreSQL the test starts and migrates: statements, parameters, SQLSTATEs, unnamed statements, the breaker. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libpq-fe.h>

#include "db.h"
#include "servers.h"

static struct test_pg	 pg;
static struct db	*db;

/* Runs SQL on a connection of the test's own (not db.c's): setup and the server's view. */
static void
admin(const char *sql)
{
	PGconn		*c = PQconnectdb(pg.url);
	PGresult	*r = PQexec(c, sql);
	ExecStatusType	 st = PQresultStatus(r);

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		fail_msg("%s: %s", sql, PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
}

/* PING until it answers (a breaker left open by a test closes within its backoff). 1 or 0. */
static int
ping_within(struct db *d, long long ms)
{
	long long end = srv_now_ms() + ms;

	do {
		PGresult *r = db_exec(d, DB_PING, 0, NULL);

		if (r != NULL) {
			PQclear(r);
			return 1;
		}
		srv_sleep_ms(50);
	} while (srv_now_ms() < end);
	return 0;
}

static int
group_setup(void **state)
{
	(void)state;
	if (test_pg_start(&pg) != 0) {
		char cmd[320];

		fprintf(stderr, "test_db: PostgreSQL did not start or migrate in %s; its log:\n", pg.dir);
		snprintf(cmd, sizeof(cmd), "tail -n 20 '%s' '%s' >&2", pg.log, pg.server_log);
		if (system(cmd) != 0)
			fprintf(stderr, "(no log)\n");
		return -1;
	}
	db = db_open(pg.url);
	return db == NULL ? -1 : 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	db_close(db);
	test_pg_cleanup(&pg);
	return 0;
}

/*
 * db_open prepares every statement of the table on its first connection and fails the
 * connection if any does not: a PING answering shows all of them prepared on the migrated
 * schema. The control: with one table gone, the same opening answers nothing.
 */
static void
every_statement_prepares(void **state)
{
	struct db *d;

	(void)state;
	assert_true(ping_within(db, 10000));
	admin("ALTER TABLE movies_outbox RENAME TO movies_outbox_away");
	d = db_open(pg.url);
	assert_non_null(d);
	assert_null(db_exec(d, DB_PING, 0, NULL));
	db_close(d);
	admin("ALTER TABLE movies_outbox_away RENAME TO movies_outbox");
	d = db_open(pg.url);
	assert_true(ping_within(d, 10000));
	assert_int_equal(db_has_legacy_favorites(d), 0);
	db_close(d);
}

static void
exec_with_parameters(void **state)
{
	const char	*user[] = { "pbkdf2_sha256$1$s$h", "alice", "alice@example.com" };
	const char	*name[] = { "alice" };
	const char	 *fav[2], *page[] = { NULL, "10", "0" };
	char		 id[16];
	PGresult	*r;

	(void)state;
	assert_true(ping_within(db, 10000));
	r = db_exec(db, DB_USER_INSERT, 3, user);
	assert_non_null(r);
	assert_int_equal(PQntuples(r), 1);
	snprintf(id, sizeof(id), "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	/* ON CONFLICT: the same name again adds nothing, and is no error. */
	r = db_exec(db, DB_USER_INSERT, 3, user);
	assert_non_null(r);
	assert_int_equal(PQntuples(r), 0);
	PQclear(r);
	r = db_exec(db, DB_USER_BY_USERNAME, 1, name);
	assert_non_null(r);
	assert_int_equal(PQntuples(r), 1);
	assert_string_equal(PQgetvalue(r, 0, PQfnumber(r, "id")), id);
	assert_string_equal(PQgetvalue(r, 0, PQfnumber(r, "email")), "alice@example.com");
	PQclear(r);
	fav[0] = id;
	fav[1] = "550";
	r = db_exec(db, DB_FAV_ADD, 2, fav);
	assert_non_null(r);
	assert_int_equal(PQntuples(r), 1);
	PQclear(r);
	page[0] = id;
	r = db_exec(db, DB_FAV_LIST, 3, page);
	assert_non_null(r);
	assert_int_equal(PQntuples(r), 1);
	assert_string_equal(PQgetvalue(r, 0, 0), "550");
	assert_string_equal(PQgetvalue(r, 0, 2), "1");
	PQclear(r);
	assert_string_equal(db_last_sqlstate(db), "");
}

/* An integrity violation fails the exec with its SQLSTATE, on a connection still good. */
static void
sqlstate_of_violations(void **state)
{
	const char	*a[] = { "p", "bob", "same@example.com" }, *b[] = { "p", "carol", "same@example.com" };
	const char	*fav[] = { "999999", "550" };
	PGresult	*r;

	(void)state;
	assert_true(ping_within(db, 10000));
	admin("CREATE UNIQUE INDEX unit_email_uniq ON auth_user (email)");
	r = db_exec(db, DB_USER_INSERT, 3, a);
	assert_non_null(r);
	PQclear(r);
	assert_null(db_exec(db, DB_USER_INSERT, 3, b));
	assert_string_equal(db_last_sqlstate(db), "23505");
	assert_int_equal(db_last_fault(db), DB_FAULT_NONE);
	admin("DROP INDEX unit_email_uniq");
	/* No such user: the deferred foreign key fails at commit. */
	assert_null(db_exec(db, DB_FAV_ADD, 2, fav));
	assert_string_equal(db_last_sqlstate(db), "23503");
	/* The next exec clears it. */
	assert_true(ping_within(db, 1000));
	assert_string_equal(db_last_sqlstate(db), "");
}

/*
 * DB_PREPARED=0: nothing is prepared at connect, each exec is parsed anew. So with a table
 * gone, a connection still opens and only the statements on that table fail (refused).
 */
static void
unnamed_statements(void **state)
{
	struct db_settings	 s = { pg.url, 0, 0, 0, 0, 0, 1 };
	struct db		*d = db_open_with(&s);
	const char		*mail[] = { "x@example.com", "s", "t", "h", "true" };
	const char		*name[] = { "alice" };
	PGresult		*r;

	(void)state;
	assert_non_null(d);
	assert_true(ping_within(d, 10000));
	r = db_exec(d, DB_USER_BY_USERNAME, 1, name);
	assert_non_null(r);
	assert_int_equal(PQntuples(r), 1);
	PQclear(r);
	admin("ALTER TABLE movies_outbox RENAME TO movies_outbox_away");
	assert_null(db_exec(d, DB_OUTBOX_QUEUE, 5, mail));
	assert_string_equal(db_last_sqlstate(d), "42P01");
	assert_int_equal(db_last_fault(d), DB_FAULT_REFUSED);
	assert_true(ping_within(d, 1000));
	admin("ALTER TABLE movies_outbox_away RENAME TO movies_outbox");
	r = db_exec(d, DB_OUTBOX_QUEUE, 5, mail);
	assert_non_null(r);
	PQclear(r);
	/* The mailer polls instead of LISTENing: there is no session to keep a LISTEN. */
	assert_int_equal(db_notify_fd(d), -1);
	db_close(d);
}

/* Server stopped: an exec fails, then the breaker fails the next at once; restarted: recovers. */
static void
breaker(void **state)
{
	long long	 t0;
	int		 rounds = srv_under_valgrind() ? 1 : 2;

	(void)state;
	for (int i = 0; i < rounds; i++) {
		assert_true(ping_within(db, 10000));
		assert_int_equal(test_pg_ctl(&pg, "stop", "immediate"), 0);
		assert_null(db_exec(db, DB_PING, 0, NULL));
		/* Open: refused here without a connect, with the breaker's own SQLSTATE. */
		t0 = srv_now_ms();
		assert_null(db_exec(db, DB_PING, 0, NULL));
		assert_string_equal(db_last_sqlstate(db), "08000");
		assert_true(srv_now_ms() - t0 < 1000);
		assert_int_equal(test_pg_ctl(&pg, "start", NULL), 0);
		assert_true(ping_within(db, 15000));
		assert_string_equal(db_last_sqlstate(db), "");
	}
}

static void
statement_sql(void **state)
{
	const char *sql;

	(void)state;
	sql = db_statement_sql("fav_list");
	assert_non_null(sql);
	assert_non_null(strstr(sql, "FROM users_favoritemovie"));
	assert_string_equal(db_statement_sql("ping"), "SELECT 1");
	assert_null(db_statement_sql("no_such_statement"));
	assert_null(db_statement_sql(""));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_statement_prepares),
		cmocka_unit_test(exec_with_parameters),
		cmocka_unit_test(sqlstate_of_violations),
		cmocka_unit_test(unnamed_statements),
		cmocka_unit_test(breaker),
		cmocka_unit_test(statement_sql),
	};

	if (!test_pg_available()) {
		printf("test_db: SKIPPED (all %zu tests): PostgreSQL 15's initdb/pg_ctl (%s) or the postgres "
		    "user is missing (apt-get install postgresql)\n", sizeof(tests) / sizeof(tests[0]), PG_BIN);
		return 0;
	}
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
