/* db.c: the PostgreSQL connection of a worker and every SQL statement, prepared once per connection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "db.h"
#include "log.h"
#include "util.h"

struct stmt_def {
	const char	*name;
	int		 nparams;
	const char	*sql;
};

/* A favorite's time as the API shows it: ISO 8601 in UTC with microseconds. */
#define FAV_CREATED_AT "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
#define USER_COLUMNS "id, password, username, email, is_active, last_login, date_joined, first_name, last_name"

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
	[DB_USER_SET_PASSWORD_IF_UNCHANGED] = { "user_rehash", 3,
	    "UPDATE auth_user SET password = $2 WHERE id = $1::integer AND password = $3" },
	[DB_USER_TOUCH_LAST_LOGIN] = { "user_touch_last_login", 1,
	    "UPDATE auth_user SET last_login = now() WHERE id = $1::integer" },
	[DB_USER_COUNT] = { "user_count", 0, "SELECT count(*) FROM auth_user" },
	[DB_SESSION_GET] = { "session_get", 1,
	    "SELECT session_data FROM django_session WHERE session_key = $1 AND expire_date > now()" },
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
	[DB_FAV_LIST] = { "fav_list", 3,
	/* The window count is taken before LIMIT: the user's total comes with the page. */
	    "SELECT movie_id, " FAV_CREATED_AT ", count(*) OVER () FROM users_favoritemovie "
	    "WHERE user_id = $1::integer "
	    "ORDER BY created_at DESC, id DESC LIMIT $2::integer OFFSET $3::integer" },
	[DB_FAV_COUNT] = { "fav_count", 1,
	    "SELECT count(*) FROM users_favoritemovie WHERE user_id = $1::integer" },
	[DB_FAV_EXISTS] = { "fav_exists", 2,
	    "SELECT 1 FROM users_favoritemovie WHERE user_id = $1::integer AND movie_id = $2::integer" },
	[DB_FAV_RECENT_IDS] = { "fav_recent_ids", 2,
	    "SELECT movie_id FROM users_favoritemovie WHERE user_id = $1::integer "
	    "ORDER BY created_at DESC, id DESC LIMIT $2::integer" },
};

struct db {
	char		*url;
	PGconn		*conn;
	int		 prepared;		/* the connection is set up (statements prepared if named) */
	int		 named;			/* named prepared statements, else unnamed ones (DB_PREPARED) */
	int		 legacy_favorites;
	int		 ok;
	char		 sqlstate[6];
};

static int
db_prepare_all(struct db *db)
{
	PGresult *r;

	/* Unnamed statements are parsed with each exec: nothing is kept on the server. */
	for (int i = 0; db->named && i < DB_STMT_COUNT; i++) {
		/* The legacy insert only prepares where the origin's columns exist. */
		if (i == DB_FAV_ADD_LEGACY)
			continue;
		r = PQprepare(db->conn, stmts[i].name, stmts[i].sql, stmts[i].nparams, NULL);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			log_error("db: prepare %s: %s", stmts[i].name, PQerrorMessage(db->conn));
			PQclear(r);
			return -1;
		}
		PQclear(r);
	}
	r = PQexec(db->conn, "SELECT 1 FROM information_schema.columns WHERE table_schema = "
	    "current_schema() AND table_name = 'users_favoritemovie' AND column_name = 'title'");
	db->legacy_favorites = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0;
	PQclear(r);
	if (db->legacy_favorites && db->named) {
		r = PQprepare(db->conn, stmts[DB_FAV_ADD_LEGACY].name, stmts[DB_FAV_ADD_LEGACY].sql,
		    stmts[DB_FAV_ADD_LEGACY].nparams, NULL);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			log_error("db: prepare fav_add_legacy: %s", PQerrorMessage(db->conn));
			PQclear(r);
			return -1;
		}
		PQclear(r);
	}
	db->prepared = 1;
	return 0;
}

static int
db_connect(struct db *db)
{
	if (db->conn)
		PQfinish(db->conn);
	db->prepared = 0;
	db->conn = PQconnectdb(db->url);
	if (PQstatus(db->conn) != CONNECTION_OK) {
		/* libpq's message never contains the password. */
		log_error("db: connect: %s", PQerrorMessage(db->conn));
		db->ok = 0;
		return -1;
	}
	/* Django stores aware UTC instants; keep every timestamp we format in UTC. */
	PGresult *r = PQexec(db->conn, "SET TIME ZONE 'UTC'");
	PQclear(r);
	if (db_prepare_all(db) != 0) {
		db->ok = 0;
		return -1;
	}
	db->ok = 1;
	return 0;
}

struct db *
db_open(const char *url)
{
	struct db *db;

	if (url == NULL || *url == '\0')
		return NULL;
	db = xcalloc(1, sizeof(*db));
	db->url = xstrdup(url);
	db->named = config.db_prepared;
	db_connect(db);
	return db;
}

void
db_close(struct db *db)
{
	if (db == NULL)
		return;
	if (db->conn)
		PQfinish(db->conn);
	free(db->url);
	free(db);
}

PGresult *
db_exec(struct db *db, enum db_stmt s, int nparams, const char *const *params)
{
	PGresult *r;

	db->sqlstate[0] = '\0';
	if (nparams != stmts[s].nparams)
		die("db: %s takes %d parameters, got %d", stmts[s].name, stmts[s].nparams, nparams);
	for (int attempt = 0; attempt < 2; attempt++) {
		if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK || !db->prepared) {
			if (db_connect(db) != 0)
				return NULL;
		}
		/*
		 * A named statement lives in one server session, which PgBouncer's transaction
		 * pooling does not keep: there each exec parses the unnamed statement anew.
		 */
		if (db->named)
			r = PQexecPrepared(db->conn, stmts[s].name, nparams, params, NULL, NULL, 0);
		else
			r = PQexecParams(db->conn, stmts[s].sql, nparams, NULL, params, NULL, NULL, 0);
		ExecStatusType st = PQresultStatus(r);
		if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
			db->ok = 1;
			return r;
		}
		const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
		snprintf(db->sqlstate, sizeof(db->sqlstate), "%s", state ? state : "");
		if (PQstatus(db->conn) == CONNECTION_OK) {
			/* Constraint violations are the caller's business; anything else is a bug. */
			if (strncmp(db->sqlstate, "23", 2) != 0)
				log_error("db: %s: %s", stmts[s].name, PQresultErrorMessage(r));
			PQclear(r);
			return NULL;
		}
		PQclear(r);
		log_warn("db: connection lost during %s, reconnecting", stmts[s].name);
		db->ok = 0;
	}
	return NULL;
}

const char *
db_last_sqlstate(const struct db *db)
{
	return db->sqlstate;
}

int
db_has_legacy_favorites(const struct db *db)
{
	return db->legacy_favorites;
}

int
db_ok(const struct db *db)
{
	return db->ok;
}
