/* model_session.c: owns the django_session rows: the only code that knows their columns. */
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "db.h"
#include "model_session.h"
#include "model_user.h"
#include "visitor.h"

static const char *
id_or_null(struct req *r, int64_t id)
{
	return id > 0 ? arena_printf(r->arena, "%lld", (long long)id) : NULL;
}

/* Columns of DB_SESSION_GET and DB_SESSION_GET_BARE: session_data, then the user's (model_user.c). */
#define COL_USER	1

/*
 * The row's data and user (columns from COL_USER, with the list sizes and what the visitor
 * asked if counts) from res, which is freed.
 */
static enum fail
row_from_result(struct req *r, PGresult *res, int counts, struct model_session_row *row)
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
	if (counts)
		visitor_decode(r, row->user_id, res);
	PQclear(res);
	return FAIL_OK;
}

/*
 * The session and user without the lists, after session_get failed on a list's table rather
 * than on the session (a table renamed, a privilege revoked, a lock held past
 * statement_timeout): the failing list is then only the business of the parts of the page
 * that show it. The header goes without the list sizes, and what the visitor asked is asked
 * separately, each list on its own; unless the failure was a wait, which is not paid again.
 */
static enum fail
row_without_lists(struct req *r, const char *key, const char *user_id, struct model_session_row *row)
{
	const char *params[2] = { key, user_id };

	r->lists_waited = db_last_fault(app.db) == DB_FAULT_WAITED;
	return row_from_result(r, db_exec(app.db, DB_SESSION_GET_BARE, 2, params), 0, row);
}

enum fail
model_session_get(struct req *r, const char *key, struct model_session_row *row)
{
	const char	*params[2 + VISITOR_PARAMS] = { key, id_or_null(r, row->user_id) };
	PGresult	*res;

	visitor_params(r, params + 2);
	res = db_exec(app.db, DB_SESSION_GET, 2 + VISITOR_PARAMS, params);
	row->data = NULL;
	row->len = 0;
	row->user = NULL;
	if (res == NULL && db_last_fault(app.db) != DB_FAULT_NONE)
		return row_without_lists(r, key, params[1], row);
	return row_from_result(r, res, 1, row);
}

enum fail
model_session_insert(struct req *r, const char *key, const char *data, int age)
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
model_session_update(struct req *r, const char *key, const char *data, int age)
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
model_session_delete(struct req *r, const char *key)
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
model_session_clear_expired(struct db *db, long long *n)
{
	PGresult *res = db ? db_exec(db, DB_SESSION_CLEAR_EXPIRED, 0, NULL) : NULL;

	*n = 0;
	if (res == NULL)
		return FAIL_DB;
	*n = strtoll(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	return FAIL_OK;
}
