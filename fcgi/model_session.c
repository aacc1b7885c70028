/* model_session.c: owns the django_session rows: the only code that knows their columns. */
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "db.h"
#include "model_lists.h"
#include "model_session.h"
#include "model_user.h"

static const char *
id_or_null(struct req *r, int64_t id)
{
	return id > 0 ? arena_printf(r->arena, "%lld", (long long)id) : NULL;
}

/* Columns of DB_SESSION_GET: session_data, USER_VISITOR_COLUMNS (9 + 2 counts), the saved states. */
#define COL_USER	1
#define COL_FAVORITE	12
#define COL_WATCHLIST	13
#define COL_AMONG	14
#define COL_PAGE	15

/* s->among_in[] from the ids of s->among[] the statement found on the watchlist ("{550,680}"). */
static void
among_from_text(struct saved_state *s, const char *text)
{
	memset(s->among_in, 0, sizeof(s->among_in));
	while (*text) {
		char	*end;
		int64_t	 id = strtoll(text, &end, 10);

		if (end == text) {
			text++;
			continue;
		}
		for (int i = 0; i < s->among_n; i++)
			if (s->among[i] == id)
				s->among_in[i] = 1;
		text = end;
	}
}

/* The row's data and user (columns from COL_USER, with the list sizes if counts) from res, which is freed. */
static enum fail
row_from_result(struct req *r, PGresult *res, int counts, struct session_row *row)
{
	if (res == NULL)
		return FAIL_DB;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return FAIL_NOT_FOUND;
	}
	row->len = (size_t)PQgetlength(res, 0, 0);
	row->data = arena_strndup(r->arena, PQgetvalue(res, 0, 0), row->len);
	row->user = user_from_columns(r, res, COL_USER, counts);
	if (counts) {
		row->saved.favorite = PQgetvalue(res, 0, COL_FAVORITE)[0] == 't';
		row->saved.watchlist = PQgetvalue(res, 0, COL_WATCHLIST)[0] == 't';
		among_from_text(&row->saved, PQgetvalue(res, 0, COL_AMONG));
		row->saved.page_rows = PQgetisnull(res, 0, COL_PAGE) ? NULL :
		    arena_strdup(r->arena, PQgetvalue(res, 0, COL_PAGE));
	}
	PQclear(res);
	return FAIL_OK;
}

/*
 * The session and user without the lists, after session_get failed on a list's table rather
 * than on the session (a table renamed, a privilege revoked, a lock held past
 * statement_timeout): the failing list is then only the business of the parts of the page
 * that show it. The header goes without the list sizes, and the saved states are asked
 * separately, each list on its own; unless the failure was a wait, which is not paid again.
 */
static enum fail
row_without_lists(struct req *r, const char *key, const char *user_id, struct session_row *row)
{
	const char *params[2] = { key, user_id };

	row->saved.page = 0;
	row->saved.movie_id = 0;
	r->lists_waited = db_last_fault(app.db) == DB_FAULT_WAITED;
	return row_from_result(r, db_exec(app.db, DB_SESSION_GET_BARE, 2, params), 0, row);
}

enum fail
session_row_get(struct req *r, const char *key, struct session_row *row)
{
	struct saved_state	*saved = &row->saved;
	const char		*params[7] = { key, id_or_null(r, saved->user_id),
	    id_or_null(r, saved->movie_id), saved->among_n ? lists_id_array(r, saved->among, saved->among_n) : NULL,
	    saved->page ? list_name((enum movie_list)saved->list) : NULL, arena_printf(r->arena, "%d", LIST_PER_PAGE),
	    arena_printf(r->arena, "%lld", saved->page ? ((long long)saved->page - 1) * LIST_PER_PAGE : 0LL) };
	PGresult		*res = db_exec(app.db, DB_SESSION_GET, 7, params);

	row->data = NULL;
	row->len = 0;
	row->user = NULL;
	saved->favorite = saved->watchlist = 0;
	if (res == NULL && db_last_fault(app.db) != DB_FAULT_NONE)
		return row_without_lists(r, key, params[1], row);
	return row_from_result(r, res, 1, row);
}

enum fail
session_row_insert(struct req *r, const char *key, const char *data, int age)
{
	const char	*params[3] = { key, data, arena_printf(r->arena, "%d", age) };
	PGresult	*res = db_exec(app.db, DB_SESSION_INSERT, 3, params);
	int		 inserted;

	if (res == NULL)
		return FAIL_DB;
	/* ON CONFLICT DO NOTHING: no row back means the key was taken. */
	inserted = PQntuples(res) == 1;
	PQclear(res);
	return inserted ? FAIL_OK : FAIL_CONFLICT;
}

enum fail
session_row_update(struct req *r, const char *key, const char *data, int age)
{
	const char	*params[3] = { key, data, arena_printf(r->arena, "%d", age) };
	PGresult	*res = db_exec(app.db, DB_SESSION_UPDATE, 3, params);
	int		 updated;

	if (res == NULL)
		return FAIL_DB;
	updated = PQcmdTuples(res)[0] != '0';
	PQclear(res);
	return updated ? FAIL_OK : FAIL_NOT_FOUND;
}

enum fail
session_row_delete(struct req *r, const char *key)
{
	const char	*params[1] = { key };
	PGresult	*res = db_exec(app.db, DB_SESSION_DELETE, 1, params);

	(void)r;
	if (res == NULL)
		return FAIL_DB;
	PQclear(res);
	return FAIL_OK;
}

enum fail
session_rows_clear_expired(struct db *db, long long *n)
{
	PGresult *res = db ? db_exec(db, DB_SESSION_CLEAR_EXPIRED, 0, NULL) : NULL;

	*n = 0;
	if (res == NULL)
		return FAIL_DB;
	*n = strtoll(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	return FAIL_OK;
}
