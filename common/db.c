/* db.c: the PostgreSQL connection of a worker and every SQL statement, prepared once per connection. */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "dbbreaker.h"
#include "log.h"
#include "metrics.h"
#include "util.h"

struct stmt_def {
	const char	*name;
	int		 nparams;
	const char	*sql;
};

/* A favorite's time as the API shows it: ISO 8601 in UTC with microseconds. */
#define FAV_CREATED_AT "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
/* The watchlist's statements share their row condition, order and move (one line each: tests read them). */
#define WATCH_ROW "WHERE user_id = $1::integer AND movie_id = $2::integer"
#define NEWEST_FIRST "ORDER BY created_at DESC, id DESC"
/* A page of a list ($2 rows from $3; in session_get, $6 from $7), read in order from its page index (0005, 0006). */
#define LIST_PAGE_WINDOW "LIMIT $2::integer OFFSET $3::integer"
#define SESSION_PAGE_WINDOW "LIMIT $6::integer OFFSET $7::integer"
#define WATCH_MOVED "WITH moved AS (DELETE FROM users_watchlistmovie WHERE user_id = $1::integer AND movie_id = $2::integer RETURNING user_id, movie_id), added AS ("
#define WATCH_MOVED_END "ON CONFLICT (user_id, movie_id) DO NOTHING RETURNING id) SELECT (SELECT count(*) FROM moved), (SELECT count(*) FROM added)"
/* An import's rows: user $1, each movie of the int array $2, skipping those on the list already. */
#define ADD_MANY_ROWS "SELECT $1::integer, m, now() FROM unnest($2::integer[]) AS m ON CONFLICT (user_id, movie_id) DO NOTHING"
/* The user $1's rows of the movies $2 (an int array literal such as {550,680}). */
#define AMONG_ROWS "WHERE user_id = $1::integer AND movie_id = ANY ($2::integer[])"
#define USER_COLUMNS "id, password, username, email, is_active, last_login, date_joined, first_name, last_name"
/* A password reset's user: what its token hashes, and the name its mail gives. */
#define RESET_USER_COLUMNS "id, password, email, username, " \
	"to_char(last_login AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), is_active"
/* A visitor: the user with the sizes of their lists (the header's counts, read by these names), read with the row. */
#define USER_VISITOR_COLUMNS USER_COLUMNS ", " \
	"(SELECT count(*) FROM users_favoritemovie f WHERE f.user_id = auth_user.id) AS favorites_count, " \
	"(SELECT count(*) FROM users_watchlistmovie w WHERE w.user_id = auth_user.id) AS watchlist_count"

/* An address the outbox takes (0007's check): the mail to an empty or odd one is skipped. */
#define OUTBOX_ADDRESS(col) "length(" col ") BETWEEN 3 AND 254 AND " col " !~ '[\\r\\n]'"

/*
 * Connect-time SQL, run once per connection before the statements below are prepared: Django
 * stores aware UTC instants, so every timestamp formatted here is UTC; the statement timeout is
 * set here rather than in the startup packet, which PgBouncer refuses.
 */
#define SESSION_SETUP_SQL "SET TIME ZONE 'UTC'; SET statement_timeout = %d"
/* The origin app's favorites table has movie columns (title...): DB_FAV_ADD_LEGACY fills them. */
#define LEGACY_FAVORITES_PROBE_SQL "SELECT 1 FROM information_schema.columns WHERE table_schema = " \
	"current_schema() AND table_name = 'users_favoritemovie' AND column_name = 'title'"

static const struct stmt_def stmts[DB_STMT_COUNT] = {
	[DB_PING] = { "ping", 0, "SELECT 1" },
	[DB_USER_BY_USERNAME] = { "user_by_username", 1,
	    "SELECT " USER_COLUMNS " FROM auth_user WHERE username = $1" },
	[DB_USER_BY_ID] = { "user_by_id", 1,
	    "SELECT " USER_COLUMNS " FROM auth_user WHERE id = $1::integer" },
	/* Django 4.2+ refuses usernames equal ignoring case (username__iexact is UPPER() = UPPER()). */
	[DB_USERNAME_TAKEN_ICASE] = { "username_taken_icase", 1,
	    "SELECT 1 FROM auth_user WHERE UPPER(username::text) = UPPER($1) LIMIT 1" },
	/* Django sets no column defaults, so every NOT NULL column is supplied here. */
	[DB_USER_INSERT] = { "user_insert", 3,
	    "INSERT INTO auth_user (password, last_login, is_superuser, username, first_name, "
	    "last_name, email, is_staff, is_active, date_joined) "
	    "VALUES ($1, NULL, false, $2, '', '', $3, false, true, now()) "
	    "ON CONFLICT (username) DO NOTHING RETURNING id" },
	[DB_USER_SET_PASSWORD] = { "user_set_password", 2,
	    "UPDATE auth_user SET password = $2 WHERE id = $1::integer" },
	/* A login re-hash must not overwrite a password changed meanwhile (by Django or here). */
	/* Marked as a re-hash (0003's trigger): the same password, so API tokens stay valid. */
	[DB_USER_SET_PASSWORD_IF_UNCHANGED] = { "user_rehash", 3,
	    "UPDATE auth_user SET password = $2 WHERE id = $1::integer AND password = $3 "
	    "AND set_config('movies.password_rehash', 'on', true) = 'on'" },
	[DB_USER_TOUCH_LAST_LOGIN] = { "user_touch_last_login", 1,
	    "UPDATE auth_user SET last_login = now() WHERE id = $1::integer" },
	/*
	 * The live row, and in the same round trip the user it is expected to name ($2, what it
	 * named on an earlier request; NULL for none) with the sizes of that user's lists (the
	 * header's), whether movie $3 (NULL: none asked) is a favorite, on the watchlist, which
	 * of the movies $4 (an int array literal of its page's recommendations, or NULL) are on the
	 * watchlist, and the page of list $5 ("favorites", "watchlist" or NULL for none) that
	 * fav_list/watch_list would read ($6 rows from $7) as "movie_id created_at" joined by
	 * commas, newest first (NULL when empty). The caller uses them only once the signed data
	 * names that user. The lists' columns are read by their names (fcgi/visitor.c): each
	 * list's state of movie $3 under the list's name, among, page_rows.
	 */
	[DB_SESSION_GET] = { "session_get", 7,
	    "SELECT s.session_data, u.*, "
	    "EXISTS (SELECT 1 FROM users_favoritemovie WHERE user_id = $2::integer AND movie_id = $3::integer) "
	    "AS favorites, "
	    "EXISTS (SELECT 1 FROM users_watchlistmovie WHERE user_id = $2::integer AND movie_id = $3::integer) "
	    "AS watchlist, "
	    "ARRAY (SELECT movie_id FROM users_watchlistmovie "
	    "WHERE user_id = $2::integer AND movie_id = ANY ($4::integer[])) AS among, "
	    "(SELECT string_agg(movie_id || ' ' || " FAV_CREATED_AT ", ',' " NEWEST_FIRST ") FROM ("
	    "(SELECT movie_id, created_at, id FROM users_favoritemovie WHERE user_id = $2::integer "
	    "AND $5::text = 'favorites' " NEWEST_FIRST " " SESSION_PAGE_WINDOW ") UNION ALL "
	    "(SELECT movie_id, created_at, id FROM users_watchlistmovie WHERE user_id = $2::integer "
	    "AND $5::text = 'watchlist' " NEWEST_FIRST " " SESSION_PAGE_WINDOW ")) page) AS page_rows "
	    "FROM django_session s LEFT JOIN (SELECT " USER_VISITOR_COLUMNS " FROM auth_user "
	    "WHERE id = $2::integer) u ON true "
	    "WHERE s.session_key = $1 AND s.expire_date > now()" },
	/*
	 * session_get without the lists: for a request whose session_get failed on a list's table
	 * (unreadable, renamed, locked), so that only the parts needing that list fail.
	 */
	[DB_SESSION_GET_BARE] = { "session_get_bare", 2,
	    "SELECT s.session_data, u.* FROM django_session s LEFT JOIN (SELECT " USER_COLUMNS
	    " FROM auth_user WHERE id = $2::integer) u ON true "
	    "WHERE s.session_key = $1 AND s.expire_date > now()" },
	[DB_SESSION_INSERT] = { "session_insert", 3,
	    "INSERT INTO django_session (session_key, session_data, expire_date) "
	    "VALUES ($1, $2, now() + make_interval(secs => $3::integer)) "
	    "ON CONFLICT (session_key) DO NOTHING RETURNING 1" },
	[DB_SESSION_UPDATE] = { "session_update", 3,
	    "UPDATE django_session SET session_data = $2, "
	    "expire_date = now() + make_interval(secs => $3::integer) WHERE session_key = $1" },
	[DB_SESSION_DELETE] = { "session_delete", 1,
	    "DELETE FROM django_session WHERE session_key = $1" },
	[DB_SESSION_CLEAR_EXPIRED] = { "session_clear_expired", 0,
	    "DELETE FROM django_session WHERE expire_date < now()" },
	/* ON CONFLICT makes a double or concurrent add a no-op instead of an error. */
	[DB_FAV_ADD] = { "fav_add", 2,
	    "INSERT INTO users_favoritemovie (user_id, movie_id, created_at) "
	    "VALUES ($1::integer, $2::integer, now()) ON CONFLICT (user_id, movie_id) DO NOTHING "
	    "RETURNING id, " FAV_CREATED_AT },
	/* The origin app's table keeps a copy of the movie; fill it so Django still shows it. */
	[DB_FAV_ADD_LEGACY] = { "fav_add_legacy", 7,
	    "INSERT INTO users_favoritemovie (user_id, movie_id, created_at, title, overview, "
	    "release_date, poster_path, backdrop_path) "
	    "VALUES ($1::integer, $2::integer, now(), $3, $4, NULLIF($5, '')::date, $6, $7) "
	    "ON CONFLICT (user_id, movie_id) DO NOTHING RETURNING id, " FAV_CREATED_AT },
	[DB_FAV_REMOVE] = { "fav_remove", 2,
	    "DELETE FROM users_favoritemovie WHERE user_id = $1::integer AND movie_id = $2::integer" },
	/*
	 * A page of rows with the user's total (counted once, an InitPlan). The page is read in
	 * order from 0005's index and formatted after LIMIT, so page 50 costs the index entries
	 * it skips, not a sort and a formatted row for every favorite of the user.
	 */
	[DB_FAV_LIST] = { "fav_list", 3,
	    "SELECT movie_id, " FAV_CREATED_AT ", "
	    "(SELECT count(*) FROM users_favoritemovie WHERE user_id = $1::integer) "
	    "FROM (SELECT movie_id, created_at, id FROM users_favoritemovie WHERE user_id = $1::integer "
	    NEWEST_FIRST " " LIST_PAGE_WINDOW ") page " NEWEST_FIRST },
	[DB_FAV_COUNT] = { "fav_count", 1,
	    "SELECT count(*) FROM users_favoritemovie WHERE user_id = $1::integer" },
	[DB_FAV_EXISTS] = { "fav_exists", 2,
	    "SELECT 1 FROM users_favoritemovie WHERE user_id = $1::integer AND movie_id = $2::integer" },
	/*
	 * An import's confirmed movies in one statement (so one transaction): all or none. A movie
	 * on the list already, or twice in the file, is skipped; the count of rows added comes back.
	 */
	[DB_FAV_ADD_MANY] = { "fav_add_many", 2,
	    "INSERT INTO users_favoritemovie (user_id, movie_id, created_at) " ADD_MANY_ROWS },
	/* The origin app's table: each movie's title too ($3, in the order of $2), so Django shows it. */
	[DB_FAV_ADD_MANY_LEGACY] = { "fav_add_many_legacy", 3,
	    "INSERT INTO users_favoritemovie (user_id, movie_id, created_at, title) "
	    "SELECT $1::integer, u.m, now(), u.t FROM unnest($2::integer[], $3::text[]) AS u(m, t) "
	    "ON CONFLICT (user_id, movie_id) DO NOTHING" },
	/* Which of the movies are on the list (an import's preview; the watchlist's: the cards' buttons too). */
	[DB_FAV_AMONG] = { "fav_among", 2,
	    "SELECT movie_id FROM users_favoritemovie " AMONG_ROWS },
	/* The watchlist (0004): Django's WatchlistMovie, no copy of the movie on any database. */
	[DB_WATCH_ADD] = { "watch_add", 2,
	    "INSERT INTO users_watchlistmovie (user_id, movie_id, created_at) "
	    "VALUES ($1::integer, $2::integer, now()) ON CONFLICT (user_id, movie_id) DO NOTHING "
	    "RETURNING id, " FAV_CREATED_AT },
	[DB_WATCH_REMOVE] = { "watch_remove", 2,
	    "DELETE FROM users_watchlistmovie " WATCH_ROW },
	/* As fav_list, from 0006's index. */
	[DB_WATCH_LIST] = { "watch_list", 3,
	    "SELECT movie_id, " FAV_CREATED_AT ", "
	    "(SELECT count(*) FROM users_watchlistmovie WHERE user_id = $1::integer) "
	    "FROM (SELECT movie_id, created_at, id FROM users_watchlistmovie WHERE user_id = $1::integer "
	    NEWEST_FIRST " " LIST_PAGE_WINDOW ") page " NEWEST_FIRST },
	[DB_WATCH_COUNT] = { "watch_count", 1,
	    "SELECT count(*) FROM users_watchlistmovie WHERE user_id = $1::integer" },
	[DB_WATCH_EXISTS] = { "watch_exists", 2,
	    "SELECT 1 FROM users_watchlistmovie " WATCH_ROW },
	/* As DB_FAV_ADD_MANY: an import into the watchlist (which has no copy of the movie). */
	[DB_WATCH_ADD_MANY] = { "watch_add_many", 2,
	    "INSERT INTO users_watchlistmovie (user_id, movie_id, created_at) " ADD_MANY_ROWS },
	/* As DB_FAV_AMONG. */
	[DB_WATCH_AMONG] = { "watch_among", 2,
	    "SELECT movie_id FROM users_watchlistmovie " AMONG_ROWS },
	/*
	 * "Watched it, loved it": off the watchlist and into favorites in one statement, so one
	 * transaction. Columns: rows deleted, rows inserted (0 when a favorite already).
	 */
	[DB_WATCH_TO_FAV] = { "watch_to_fav", 2,
	    WATCH_MOVED "INSERT INTO users_favoritemovie (user_id, movie_id, created_at) "
	    "SELECT user_id, movie_id, now() FROM moved " WATCH_MOVED_END },
	[DB_WATCH_TO_FAV_LEGACY] = { "watch_to_fav_legacy", 7,
	    WATCH_MOVED "INSERT INTO users_favoritemovie (user_id, movie_id, created_at, title, overview, "
	    "release_date, poster_path, backdrop_path) "
	    "SELECT user_id, movie_id, now(), $3, $4, NULLIF($5, '')::date, $6, $7 FROM moved "
	    WATCH_MOVED_END },
	/* "For you": both lists' movies, each once, the most recently saved first. */
	[DB_LISTS_RECENT_IDS] = { "lists_recent_ids", 2,
	    "SELECT movie_id FROM (SELECT movie_id, created_at, id FROM users_favoritemovie WHERE user_id = $1::integer "
	    "UNION ALL SELECT movie_id, created_at, id FROM users_watchlistmovie WHERE user_id = $1::integer) saved "
	    "GROUP BY movie_id ORDER BY max(created_at) DESC, max(id) DESC LIMIT $2::integer" },
	/* The session's user with the sizes of their lists (the header's counts) in one round trip. */
	[DB_USER_VISITOR] = { "user_visitor", 1,
	    "SELECT " USER_VISITOR_COLUMNS " FROM auth_user WHERE id = $1::integer" },
	/* The user's stored hash and last password change in microseconds since the epoch (0: never); no row: no user. */
	[DB_USER_PASSWORD_CHANGED_AT] = { "user_password_changed_at", 1,
	    "SELECT coalesce(floor(extract(epoch FROM c.changed_at) * 1000000)::bigint, 0), u.password "
	    "FROM auth_user u LEFT JOIN movies_password_change c ON c.user_id = u.id WHERE u.id = $1::integer" },
	/*
	 * The mailer (fcgi/mailer.c) takes the next due row: queued, or 'sending' whose lease ran
	 * out (its mailer died mid-send). SKIP LOCKED: mailers on several machines never take one
	 * row together. The row stays 'sending', held by $1 for a lease of $2 seconds (longer than
	 * one SMTP exchange can last), counted as an attempt. Columns: id, to, subject, text, html,
	 * created_at in Unix seconds (the Date), attempts.
	 */
	[DB_OUTBOX_CLAIM] = { "outbox_claim", 2,
	    "UPDATE movies_outbox SET status = 'sending', attempts = attempts + 1, claimed_by = $1, "
	    "next_attempt_at = now() + make_interval(secs => $2::integer) WHERE id = ("
	    "SELECT id FROM movies_outbox WHERE status IN ('queued', 'sending') AND next_attempt_at <= now() "
	    "ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) "
	    "RETURNING id, to_addr, subject, body_text, body_html, "
	    "floor(extract(epoch FROM created_at))::bigint, attempts" },
	/* The SMTP server acknowledged the row's DATA (250). */
	[DB_OUTBOX_SENT] = { "outbox_sent", 1,
	    "UPDATE movies_outbox SET status = 'sent', sent_at = now(), last_error = NULL, claimed_by = NULL "
	    "WHERE id = $1::bigint AND status = 'sending'" },
	/* A transient failure: again in $2 seconds; $3 says why. */
	[DB_OUTBOX_RETRY] = { "outbox_retry", 3,
	    "UPDATE movies_outbox SET status = 'queued', claimed_by = NULL, last_error = $3, "
	    "next_attempt_at = now() + make_interval(secs => $2::integer) "
	    "WHERE id = $1::bigint AND status = 'sending'" },
	/* Given up: a 5xx answer, a row that cannot be composed, or too many attempts. */
	[DB_OUTBOX_FAIL] = { "outbox_fail", 2,
	    "UPDATE movies_outbox SET status = 'failed', claimed_by = NULL, last_error = $2 "
	    "WHERE id = $1::bigint AND status = 'sending'" },
	/* A respawned mailer takes back at once the rows its killed predecessor ($1) held. */
	[DB_OUTBOX_RECLAIM] = { "outbox_reclaim", 1,
	    "UPDATE movies_outbox SET next_attempt_at = now() WHERE status = 'sending' AND claimed_by = $1" },
	/*
	 * Unsent rows, the age of the oldest in seconds, and ms until the next is due (NULL: none;
	 * not greatest(0, NULL), which is 0 and kept an idle mailer polling every millisecond).
	 */
	[DB_OUTBOX_STATS] = { "outbox_stats", 0,
	    "SELECT count(*), coalesce(floor(extract(epoch FROM now() - min(created_at))), 0)::bigint, "
	    "CASE WHEN count(*) > 0 THEN greatest(0, ceil(extract(epoch FROM min(next_attempt_at) - now()) "
	    "* 1000))::bigint END FROM movies_outbox WHERE status IN ('queued', 'sending')" },
	/*
	 * One mail into the outbox, as every writer does (the four columns). $5 false inserts
	 * nothing: a password reset for an unknown address runs the same statement, so its answer
	 * takes the same round trips.
	 */
	[DB_OUTBOX_QUEUE] = { "outbox_queue", 5,
	    "INSERT INTO movies_outbox (to_addr, subject, body_text, body_html) "
	    "SELECT $1, $2, $3, $4 WHERE $5::boolean" },
	/*
	 * PasswordResetForm.get_users: active users whose email equals $1 ignoring case
	 * (email__iexact is UPPER() = UPPER()), with what the reset token hashes: last_login as
	 * Django's token reads it (UTC, microseconds dropped, str(datetime)'s format).
	 */
	[DB_RESET_USERS] = { "reset_users", 1,
	    "SELECT " RESET_USER_COLUMNS " FROM auth_user WHERE UPPER(email::text) = UPPER($1) AND is_active" },
	/* The user a reset link names (PasswordResetConfirmView.get_user: any, active or not). */
	[DB_RESET_USER] = { "reset_user", 1,
	    "SELECT " RESET_USER_COLUMNS " FROM auth_user WHERE id = $1::integer" },
	/*
	 * An email change asked for: the link to the new address ($3) and the notice to the old
	 * one ($2), queued only while user $1 still has the old address; an address the outbox
	 * refuses (an empty one) gets no mail. Returns a row per mail queued.
	 */
	[DB_EMAIL_CHANGE_MAIL] = { "email_change_mail", 9,
	    "INSERT INTO movies_outbox (to_addr, subject, body_text, body_html) "
	    "SELECT v.a, v.s, v.t, v.h FROM (VALUES ($3, $4, $5, $6), ($2, $7, $8, $9)) v(a, s, t, h) "
	    "WHERE EXISTS (SELECT 1 FROM auth_user WHERE id = $1::integer AND email = $2) "
	    "AND " OUTBOX_ADDRESS("v.a") " RETURNING to_addr" },
	/* A confirmed change: only while the address is still the one the link was made for. */
	[DB_USER_SET_EMAIL] = { "user_set_email", 3,
	    "UPDATE auth_user SET email = $3 WHERE id = $1::integer AND email = $2 RETURNING id" },
	/*
	 * Django's user.delete(): the user $1 (only while the password is still $2, the hash just
	 * checked) and every row that hangs on it, with the mail that confirms it (subject, text,
	 * html: $3-$5), in one statement so all or nothing. Foreign keys are checked at the end
	 * of the statement (or deferred), when the rows that name the user are gone too. The admin
	 * log is Django's admin's table, absent without it: 0011's function deletes there if it
	 * exists. Returns one row: the user's id, or none when nothing was deleted.
	 */
	[DB_USER_DELETE] = { "user_delete", 5,
	    "WITH u AS (DELETE FROM auth_user WHERE id = $1::integer AND password = $2 RETURNING id, email), "
	    "f AS (DELETE FROM users_favoritemovie WHERE user_id IN (SELECT id FROM u)), "
	    "w AS (DELETE FROM users_watchlistmovie WHERE user_id IN (SELECT id FROM u)), "
	    "g AS (DELETE FROM auth_user_groups WHERE user_id IN (SELECT id FROM u)), "
	    "p AS (DELETE FROM auth_user_user_permissions WHERE user_id IN (SELECT id FROM u)), "
	    "c AS (DELETE FROM movies_password_change WHERE user_id IN (SELECT id FROM u)), "
	    "m AS (INSERT INTO movies_outbox (to_addr, subject, body_text, body_html) "
	    "SELECT email, $3, $4, $5 FROM u WHERE " OUTBOX_ADDRESS("email") ") "
	    "SELECT id, movies_forget_admin_log(id) FROM u" },
};

struct db {
	struct db_settings	 s;		/* s.url is owned */
	PGconn			*conn;
	int			 prepared;
	int			 legacy_favorites;
	int			 ok;
	char			 sqlstate[6];
	int			 connects;	/* successful connections, for the reconnect count */
	int			 listening;	/* LISTEN movies_outbox sent on this connection */
};

#define DB_DEADLINE_MARGIN_MS	500	/* the server's statement_timeout answers before we give up */

/*
 * The outage starts: keep later requests, in every worker (dbbreaker.c), from paying the
 * timeout again. Logged once per outage, by the worker that opened it.
 */
static void
breaker_open(struct db *db, const char *why, int hung)
{
	db->ok = 0;
	if (dbbreaker_open(db->s.breaker_max_ms, hung))
		log_warn("db: unavailable (%s); failing fast, retrying in the background of later requests", why);
}

static void
breaker_close(struct db *db)
{
	if (dbbreaker_close())
		log_info("db: available again");
	db->ok = 1;
}

/* How long a probe may take before another worker may probe: a connect, its setup, a statement. */
static int
probe_ms(const struct db *db)
{
	return 2 * db->s.connect_timeout_ms + db->s.statement_timeout_ms + DB_DEADLINE_MARGIN_MS;
}

static void
drop_conn(struct db *db)
{
	if (db->conn)
		PQfinish(db->conn);
	db->conn = NULL;
	db->prepared = 0;
	db->listening = 0;
}

/*
 * Waits until fd is ready for events or deadline_ms (monotonic; 0 = no deadline) passes.
 * 1 ready, 0 deadline passed, -1 poll error.
 */
static int
wait_fd(int fd, short events, int64_t deadline_ms)
{
	struct pollfd pfd = { .fd = fd, .events = events };

	if (fd < 0)
		return -1;
	for (;;) {
		int timeout = -1, n;

		if (deadline_ms > 0) {
			int64_t left = deadline_ms - now_ms();

			if (left <= 0)
				return 0;
			timeout = left > INT32_MAX ? INT32_MAX : (int)left;
		}
		n = poll(&pfd, 1, timeout);
		if (n > 0)
			return 1;
		if (n == 0)
			return 0;
		if (errno != EINTR)
			return -1;
	}
}

/* One wait for the server's answer: when it started, its deadline, its mark (dbbreaker.h). */
struct server_wait {
	int64_t	started_ms, deadline_ms;
	int	mark;
};

#define DB_WAIT_SLICE_MS	100	/* how often a long wait looks at the other workers' */

/*
 * wait_fd in slices, ending early (0) when dbbreaker_give_up says the wait is hopeless: the
 * server hung for another worker since, or every worker is stuck waiting on it.
 */
static int
wait_server(struct server_wait *w, int fd, short events)
{
	for (;;) {
		int64_t	until = now_ms() + DB_WAIT_SLICE_MS;
		int	n;

		if (w->deadline_ms > 0 && until > w->deadline_ms)
			until = w->deadline_ms;
		if ((n = wait_fd(fd, events, until)) != 0)
			return n;
		if ((w->deadline_ms > 0 && now_ms() >= w->deadline_ms) ||
		    dbbreaker_give_up(w->started_ms, w->deadline_ms, &w->mark))
			return 0;
	}
}

/*
 * Collects the results of what was just sent, by deadline_ms. Returns the first error result,
 * else the last result (caller clears), or NULL with *timed_out set when the deadline passed
 * or the wait was given up (the connection is then unusable: the server may still be working on it).
 */
static PGresult *
await_result(struct db *db, int64_t deadline_ms, int *timed_out)
{
	PGconn			*c = db->conn;
	PGresult		*keep = NULL, *r;
	int			 f;
	struct server_wait	 w = { now_ms(), deadline_ms, -1 };

	*timed_out = 0;
	while ((f = PQflush(c)) == 1) {
		if (wait_server(&w, PQsocket(c), POLLIN | POLLOUT) <= 0)
			goto timeout;
		if (!PQconsumeInput(c))
			break;
	}
	for (;;) {
		while (PQisBusy(c)) {
			if (wait_server(&w, PQsocket(c), POLLIN) <= 0)
				goto timeout;
			if (!PQconsumeInput(c))
				break;
		}
		if ((r = PQgetResult(c)) == NULL)
			break;
		if (keep == NULL || (PQresultStatus(keep) != PGRES_FATAL_ERROR)) {
			PQclear(keep);
			keep = r;
		} else
			PQclear(r);
		if (PQstatus(c) == CONNECTION_BAD)
			break;
	}
	dbbreaker_wait_end(w.mark);
	return keep;
timeout:
	dbbreaker_wait_end(w.mark);
	PQclear(keep);
	*timed_out = 1;
	return NULL;
}

/* The client-side bound of one statement: the server's own timeout plus a margin, or none. */
static int64_t
statement_deadline(const struct db *db)
{
	if (db->s.statement_timeout_ms <= 0)
		return 0;
	return now_ms() + db->s.statement_timeout_ms + DB_DEADLINE_MARGIN_MS;
}

/* Runs setup SQL (no parameters) within the deadline. 0, or -1 (logged with what). */
static int
setup_exec(struct db *db, const char *what, int sent, int64_t deadline_ms)
{
	int		 timed_out;
	PGresult	*r = sent ? await_result(db, deadline_ms, &timed_out) : NULL;
	ExecStatusType	 st = PQresultStatus(r);

	if (r == NULL || (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)) {
		log_error("db: %s: %s", what, r ? PQresultErrorMessage(r) :
		    sent && timed_out ? "timed out" : PQerrorMessage(db->conn));
		PQclear(r);
		return -1;
	}
	PQclear(r);
	return 0;
}

/* The statements that write the origin app's movie columns, which only its table has. */
static int
legacy_only(int i)
{
	return i == DB_FAV_ADD_LEGACY || i == DB_FAV_ADD_MANY_LEGACY || i == DB_WATCH_TO_FAV_LEGACY;
}

static int
db_prepare_all(struct db *db, int64_t deadline_ms)
{
	int		 timed_out;
	PGresult	*r;

	/* Unnamed statements are parsed with each exec: nothing is kept on the server. */
	for (int i = 0; !db->s.unnamed_statements && i < DB_STMT_COUNT; i++) {
		/* The legacy statements only prepare where the origin's columns exist. */
		if (legacy_only(i))
			continue;
		if (setup_exec(db, stmts[i].name, PQsendPrepare(db->conn, stmts[i].name, stmts[i].sql,
		    stmts[i].nparams, NULL), deadline_ms) != 0)
			return -1;
	}
	if (!PQsendQuery(db->conn, LEGACY_FAVORITES_PROBE_SQL))
		return -1;
	r = await_result(db, deadline_ms, &timed_out);
	if (r == NULL)
		return -1;
	db->legacy_favorites = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0;
	PQclear(r);
	for (int i = 0; db->legacy_favorites && !db->s.unnamed_statements && i < DB_STMT_COUNT; i++)
		if (legacy_only(i) && setup_exec(db, stmts[i].name, PQsendPrepare(db->conn, stmts[i].name,
		    stmts[i].sql, stmts[i].nparams, NULL), deadline_ms) != 0)
			return -1;
	db->prepared = 1;
	return 0;
}

/*
 * Connects without blocking past the connect timeout (libpq's own connect_timeout has a
 * 2 s floor and counts whole seconds), with TCP keepalives and tcp_user_timeout so a dead
 * peer is noticed, then sets the session up and prepares every statement.
 */
static int
db_connect(struct db *db)
{
	char		 ct[16], idle[16], user_timeout[16], stmt_timeout[64];
	const char	*keys[] = { "dbname", "connect_timeout", "keepalives", "keepalives_idle",
	    "keepalives_interval", "keepalives_count", "tcp_user_timeout", NULL };
	const char	*vals[] = { db->s.url, ct, "1", idle, "5", "3", user_timeout, NULL };
	int64_t		 deadline = now_ms() + db->s.connect_timeout_ms;
	PostgresPollingStatusType st = PGRES_POLLING_WRITING;

	drop_conn(db);
	snprintf(ct, sizeof(ct), "%d", (db->s.connect_timeout_ms + 999) / 1000 + 1);
	snprintf(idle, sizeof(idle), "%d", db->s.keepalive_idle_s);
	snprintf(user_timeout, sizeof(user_timeout), "%d", db->s.tcp_user_timeout_ms);
	db->conn = PQconnectStartParams(keys, vals, 1);
	if (db->conn == NULL)
		die("db: out of memory");
	if (PQstatus(db->conn) == CONNECTION_BAD)
		st = PGRES_POLLING_FAILED;
	while (st != PGRES_POLLING_OK && st != PGRES_POLLING_FAILED) {
		int w = wait_fd(PQsocket(db->conn), st == PGRES_POLLING_READING ? POLLIN : POLLOUT, deadline);

		if (w <= 0) {
			log_error("db: connect: no answer within %d ms", db->s.connect_timeout_ms);
			metrics_inc(MET_PG_ERRORS, "connect");
			goto fail;
		}
		st = PQconnectPoll(db->conn);
	}
	if (st == PGRES_POLLING_FAILED) {
		/* libpq's message never contains the password. */
		log_error("db: connect: %s", PQerrorMessage(db->conn));
		metrics_inc(MET_PG_ERRORS, "connect");
		goto fail;
	}
	if (PQsetnonblocking(db->conn, 1) != 0)
		goto fail;
	snprintf(stmt_timeout, sizeof(stmt_timeout), SESSION_SETUP_SQL,
	    db->s.statement_timeout_ms > 0 ? db->s.statement_timeout_ms : 0);
	deadline = now_ms() + db->s.connect_timeout_ms;
	if (setup_exec(db, "session setup", PQsendQuery(db->conn, stmt_timeout), deadline) != 0 ||
	    db_prepare_all(db, deadline) != 0)
		goto fail;
	breaker_close(db);
	if (db->connects++ > 0)
		metrics_inc(MET_PG_RECONNECTS);
	return 0;
fail:
	drop_conn(db);
	breaker_open(db, "cannot connect", 0);
	return -1;
}

struct db *
db_open_with(const struct db_settings *s)
{
	struct db *db;

	if (s->url == NULL || *s->url == '\0')
		return NULL;
	db = xcalloc(1, sizeof(*db));
	db->s = *s;
	db->s.url = xstrdup(s->url);
	if (db->s.connect_timeout_ms <= 0)
		db->s.connect_timeout_ms = DB_DEFAULT_CONNECT_TIMEOUT_MS;
	if (db->s.keepalive_idle_s <= 0)
		db->s.keepalive_idle_s = DB_DEFAULT_KEEPALIVE_IDLE_S;
	if (db->s.tcp_user_timeout_ms <= 0)
		db->s.tcp_user_timeout_ms = DB_DEFAULT_TCP_USER_TIMEOUT_MS;
	if (db->s.breaker_max_ms <= 0)
		db->s.breaker_max_ms = DB_DEFAULT_BREAKER_MAX_MS;
	db_connect(db);
	return db;
}

int
db_url_check(const char *url)
{
	char			*err = NULL;
	PQconninfoOption	*o = url ? PQconninfoParse(url, &err) : NULL;

	PQfreemem(err);
	if (o == NULL)
		return -1;
	PQconninfoFree(o);
	return 0;
}

struct db *
db_open(const char *url)
{
	struct db_settings s = { .url = url };

	return db_open_with(&s);
}

void
db_close(struct db *db)
{
	if (db == NULL)
		return;
	drop_conn(db);
	free((char *)db->s.url);
	free(db);
}

/* Makes sure db has a live connection with its statements prepared. Returns 0, or -1 with
 * db->sqlstate 08001 (connecting failed; the breaker is now open). */
static int
ensure_conn(struct db *db)
{
	if (db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK && db->prepared)
		return 0;
	if (db_connect(db) != 0) {
		snprintf(db->sqlstate, sizeof(db->sqlstate), "08001");
		return -1;
	}
	return 0;
}

/* Sends statement s and waits for its result until the statement deadline. Returns the result,
 * or NULL if it could not be sent. If the server stopped answering, sets *timed_out, drops the
 * connection, opens the breaker, sets sqlstate 57014 and returns NULL. */
static PGresult *
send_and_await(struct db *db, enum db_stmt s, int nparams, const char *const *params, int *timed_out)
{
	PGresult	*r;
	int64_t		 sent_ms = now_ms();

	*timed_out = 0;
	/*
	 * A named statement lives in one server session, which PgBouncer's transaction
	 * pooling does not keep: there each exec sends the unnamed statement anew.
	 */
	if (!(db->s.unnamed_statements ?
	    PQsendQueryParams(db->conn, stmts[s].sql, nparams, NULL, params, NULL, NULL, 0) :
	    PQsendQueryPrepared(db->conn, stmts[s].name, nparams, params, NULL, NULL, 0)))
		return NULL;
	r = await_result(db, statement_deadline(db), timed_out);
	if (*timed_out) {
		/*
		 * The server stopped answering (a hung host looks like this): drop the
		 * connection, whose state is unknown, and fail fast for a while.
		 */
		log_error("db: %s: no answer after %lld ms (deadline %d ms, or the server hung for "
		    "every worker); dropping the connection", stmts[s].name, (long long)(now_ms() - sent_ms),
		    db->s.statement_timeout_ms + DB_DEADLINE_MARGIN_MS);
		metrics_inc(MET_PG_ERRORS, "connection_lost");
		drop_conn(db);
		breaker_open(db, "a statement timed out", 1);
		snprintf(db->sqlstate, sizeof(db->sqlstate), "57014");
		return NULL;
	}
	return r;
}

/* Takes the failed result r (or NULL) of statement s, frees it and records its sqlstate. Returns
 * 1 if the connection was lost (now dropped: the caller may retry on a new one), 0 if the
 * statement itself failed (logged, unless it broke a constraint, which is the caller's business). */
static int
lost_after_failure(struct db *db, enum db_stmt s, PGresult *r)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;

	snprintf(db->sqlstate, sizeof(db->sqlstate), "%s", state ? state : "");
	if (PQstatus(db->conn) == CONNECTION_OK) {
		/* Constraint violations are the caller's business; anything else is a bug. */
		if (strncmp(db->sqlstate, "23", 2) != 0) {
			log_error("db: %s: %s", stmts[s].name, r ? PQresultErrorMessage(r) :
			    PQerrorMessage(db->conn));
			metrics_inc(MET_PG_ERRORS, "query");
		}
		PQclear(r);
		return 0;
	}
	PQclear(r);
	log_warn("db: connection lost during %s, reconnecting", stmts[s].name);
	metrics_inc(MET_PG_ERRORS, "connection_lost");
	drop_conn(db);
	db->ok = 0;
	return 1;
}

PGresult *
db_exec(struct db *db, enum db_stmt s, int nparams, const char *const *params)
{
	PGresult	*r;
	int		 timed_out;

	db->sqlstate[0] = '\0';
	if (nparams != stmts[s].nparams)
		die("db: %s takes %d parameters, got %d", stmts[s].name, stmts[s].nparams, nparams);
	metrics_inc(MET_PG_STATEMENTS, stmts[s].name);
	/*
	 * The breaker is open (in any worker): answer at once instead of paying the timeout again,
	 * even over a connection that looks live, since the server behind it is the same.
	 */
	if (!dbbreaker_allow(probe_ms(db))) {
		db->ok = 0;
		snprintf(db->sqlstate, sizeof(db->sqlstate), "08000");
		return NULL;
	}
	for (int attempt = 0; attempt < 2; attempt++) {
		if (ensure_conn(db) != 0)
			return NULL;
		r = send_and_await(db, s, nparams, params, &timed_out);
		if (timed_out)
			return NULL;
		ExecStatusType st = PQresultStatus(r);
		if (r != NULL && (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)) {
			if (dbbreaker_is_open())
				breaker_close(db);
			db->ok = 1;
			return r;
		}
		if (!lost_after_failure(db, s, r)) {
			/* The server answered (with an error): it is up, for every worker. */
			if (dbbreaker_is_open())
				breaker_close(db);
			return NULL;
		}
	}
	return NULL;
}

#define OUTBOX_LISTEN_SQL "LISTEN movies_outbox"

int
db_notify_fd(struct db *db)
{
	/*
	 * Unnamed statements mean PgBouncer's transaction pooling: a LISTEN would stay on whichever
	 * server connection ran it, and its notifications would reach other clients. Poll instead.
	 */
	if (db->s.unnamed_statements || ensure_conn(db) != 0)
		return -1;
	if (!db->listening) {
		if (setup_exec(db, "listen", PQsendQuery(db->conn, OUTBOX_LISTEN_SQL),
		    now_ms() + db->s.connect_timeout_ms) != 0) {
			drop_conn(db);
			return -1;
		}
		db->listening = 1;
	}
	return PQsocket(db->conn);
}

int
db_notified(struct db *db)
{
	PGnotify	*n;
	int		 got = 0;

	if (db->conn == NULL || !PQconsumeInput(db->conn)) {
		log_warn("db: connection lost while waiting for notifications");
		drop_conn(db);
		return -1;
	}
	while ((n = PQnotifies(db->conn)) != NULL) {
		PQfreemem(n);
		got = 1;
	}
	return got;
}

const char *
db_last_sqlstate(const struct db *db)
{
	return db->sqlstate;
}

enum db_fault
db_last_fault(const struct db *db)
{
	static const char *const refused[] = { "42501", "42P01", "42703" };

	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (strcmp(db->sqlstate, refused[i]) == 0)
			return DB_FAULT_REFUSED;
	/* A timeout of our own (the server hung) dropped the connection; the server's did not. */
	if ((strcmp(db->sqlstate, "57014") == 0 || strcmp(db->sqlstate, "55P03") == 0) && db->conn != NULL)
		return DB_FAULT_WAITED;
	return DB_FAULT_NONE;
}

const char *
db_statement_sql(const char *name)
{
	for (int i = 0; i < DB_STMT_COUNT; i++)
		if (strcmp(stmts[i].name, name) == 0)
			return stmts[i].sql;
	return NULL;
}

int
db_has_legacy_favorites(const struct db *db)
{
	return db->legacy_favorites;
}
