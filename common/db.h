/* db.h: the PostgreSQL connection of a worker and every SQL statement, prepared once per connection. */
#ifndef DB_H
#define DB_H

#include <libpq-fe.h>

/* Every statement the program runs; the SQL lives in db.c only. */
enum db_stmt {
	DB_PING,
	DB_USER_BY_USERNAME,
	DB_USER_BY_ID,
	DB_USERNAME_TAKEN_ICASE,
	DB_USER_INSERT,
	DB_USER_SET_PASSWORD,
	DB_USER_SET_PASSWORD_IF_UNCHANGED,
	DB_USER_TOUCH_LAST_LOGIN,
	DB_USER_COUNT,
	DB_SESSION_GET,
	DB_SESSION_INSERT,
	DB_SESSION_UPDATE,
	DB_SESSION_DELETE,
	DB_SESSION_CLEAR_EXPIRED,
	DB_FAV_ADD,
	DB_FAV_ADD_LEGACY,
	DB_FAV_REMOVE,
	DB_FAV_LIST,
	DB_FAV_COUNT,
	DB_FAV_EXISTS,
	DB_FAV_RECENT_IDS,
	DB_STMT_COUNT
};

struct db;

/*
 * Connects (after fork) and prepares every statement (none when config.db_prepared is 0:
 * then each exec sends an unnamed statement, which PgBouncer's transaction pooling allows).
 * Returns NULL only for a bad URL;
 * an unreachable server gives a handle that reconnects on the next db_exec.
 */
struct db	*db_open(const char *url);
void		 db_close(struct db *);
/*
 * Runs a prepared statement with text parameters (NULL = SQL NULL). Reconnects once
 * if the connection was lost. Returns a result the caller PQclear()s, or NULL on failure
 * (logged here). Integrity violations are not logged: check db_last_sqlstate().
 */
PGresult	*db_exec(struct db *, enum db_stmt, int nparams, const char *const *params);
/* The SQLSTATE of the last failed db_exec ("" if none), e.g. "23505" unique violation. */
const char	*db_last_sqlstate(const struct db *);
/* 1 if the favorites table still has the origin app's NOT NULL movie columns. */
int		 db_has_legacy_favorites(const struct db *);
/* 1 while the last exec reached the server. */
int		 db_ok(const struct db *);

#endif
