/* db.h: the PostgreSQL connection of a worker and every SQL statement, prepared once per connection. */
#ifndef DB_H
#define DB_H

#include <libpq-fe.h>

/* Every statement the program runs; the SQL lives in db.c only (its connect-time setup included). */
enum db_stmt {
	DB_PING,
	DB_USER_BY_USERNAME,
	DB_USER_BY_ID,
	DB_USERNAME_TAKEN_ICASE,
	DB_USER_INSERT,
	DB_USER_SET_PASSWORD,
	DB_USER_SET_PASSWORD_IF_UNCHANGED,
	DB_USER_TOUCH_LAST_LOGIN,
	DB_SESSION_GET,
	DB_SESSION_GET_BARE,
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
	DB_FAV_ADD_MANY,
	DB_FAV_ADD_MANY_LEGACY,
	DB_FAV_AMONG,
	DB_WATCH_ADD,
	DB_WATCH_REMOVE,
	DB_WATCH_LIST,
	DB_WATCH_COUNT,
	DB_WATCH_EXISTS,
	DB_WATCH_ADD_MANY,
	DB_WATCH_AMONG,
	DB_WATCH_TO_FAV,
	DB_WATCH_TO_FAV_LEGACY,
	DB_LISTS_RECENT_IDS,
	DB_USER_VISITOR,
	DB_USER_PASSWORD_CHANGED_AT,
	DB_OUTBOX_CLAIM,
	DB_OUTBOX_SENT,
	DB_OUTBOX_RETRY,
	DB_OUTBOX_FAIL,
	DB_OUTBOX_RECLAIM,
	DB_OUTBOX_STATS,
	DB_OUTBOX_QUEUE,
	DB_RESET_USERS,
	DB_RESET_USER,
	DB_EMAIL_CHANGE_MAIL,
	DB_USER_SET_EMAIL,
	DB_USER_DELETE,
	DB_STMT_COUNT
};

struct db;

/*
 * Bounds on every wait for the server (0 fields take the defaults). A statement that gets no
 * answer within statement_timeout_ms (+ a margin) drops the connection: the server process may
 * be hung, and a late answer could not be told from the next one.
 */
struct db_settings {
	const char	*url;			/* libpq URI */
	int		 connect_timeout_ms;	/* connect and session setup; default 2000 */
	int		 statement_timeout_ms;	/* server statement_timeout and client deadline; 0 = none */
	int		 keepalive_idle_s;	/* TCP keepalive idle time; default 30 */
	int		 tcp_user_timeout_ms;	/* unacknowledged data timeout; default 10000 */
	int		 breaker_max_ms;	/* longest fail-fast period after failures; default 8000 */
	/*
	 * 1: every exec sends an unnamed statement, parsed anew, since PgBouncer's transaction
	 * pooling keeps no server session (DB_PREPARED=0); 0: named statements prepared once.
	 */
	int		 unnamed_statements;
};

#define DB_DEFAULT_CONNECT_TIMEOUT_MS	2000
#define DB_DEFAULT_KEEPALIVE_IDLE_S	30
#define DB_DEFAULT_TCP_USER_TIMEOUT_MS	10000
#define DB_DEFAULT_BREAKER_MAX_MS	8000

/*
 * Connects (after fork) and prepares every statement. Returns NULL only for a bad URL;
 * an unreachable server gives a handle that reconnects on a later db_exec. After a failed
 * connect or a timed-out statement, db_exec fails at once (a circuit breaker) for 250 ms,
 * doubling to breaker_max_ms, then one request tries again. The breaker is every worker's
 * when the master mapped it before fork (dbbreaker_init), else this process's own.
 */
struct db	*db_open_with(const struct db_settings *);
/*
 * 0 if libpq parses url (one host or several, "postgresql://h1:p1,h2:p2/db?target_session_attrs=
 * read-write", libpq choosing among them at each connect), else -1. Nothing is connected.
 */
int		 db_url_check(const char *url);
/* db_open_with the defaults, no statement timeout and named statements (tools, tests). */
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
/*
 * Why the last db_exec failed, if on a table rather than the server: DB_FAULT_REFUSED (the
 * table missing, renamed, not permitted, a column gone: answered at once), DB_FAULT_WAITED (a
 * lock held past statement_timeout, the connection fine), else DB_FAULT_NONE.
 */
enum db_fault { DB_FAULT_NONE, DB_FAULT_REFUSED, DB_FAULT_WAITED };
enum db_fault	 db_last_fault(const struct db *);
/* The SQL text of the statement prepared under name (e.g. "fav_list"), or NULL (tools, EXPLAIN). */
const char	*db_statement_sql(const char *name);
/*
 * The mailer's wake-up: makes sure the connection is up and LISTENs on movies_outbox (0008's
 * trigger NOTIFYs there on every insert), and returns its socket to poll for reading, or -1
 * when the database is unavailable or the statements are unnamed (DB_PREPARED=0, PgBouncer's
 * transaction pooling, which keeps no LISTEN): the mailer then finds new rows by polling alone.
 */
int		 db_notify_fd(struct db *);
/* After the socket polled readable: 1 if notifications arrived (all consumed), 0 if none,
 * -1 if the connection was lost (dropped; the next db_notify_fd reconnects). */
int		 db_notified(struct db *);
/* 1 if the favorites table still has the origin app's NOT NULL movie columns (the *_LEGACY statements run). */
int		 db_has_legacy_favorites(const struct db *);

#endif
