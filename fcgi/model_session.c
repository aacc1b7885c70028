/* model_session.c: owns the django_session rows: the only code that knows their columns. */
#include <libpq-fe.h>
#include <stdlib.h>

#include "app.h"
#include "db.h"
#include "model_session.h"
#include "model_user.h"

static const char *
id_or_null(struct req *r, int64_t id)
{
	return id > 0 ? arena_printf(r->arena, "%lld", (long long)id) : NULL;
}

/* Columns of DB_SESSION_GET: session_data, the user's USER_COLUMNS (9), the favorite state. */
#define COL_USER	1
#define COL_FAVORITE	10

enum fail
session_row_get(struct req *r, const char *key, struct session_row *row)
{
	const char	*params[3] = { key, id_or_null(r, row->user_id), id_or_null(r, row->movie_id) };
	PGresult	*res = db_exec(app.db, DB_SESSION_GET, 3, params);

	row->data = NULL;
	row->len = 0;
	row->user = NULL;
	row->favorite = 0;
	if (res == NULL)
		return FAIL_DB;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return FAIL_NOT_FOUND;
	}
	row->len = (size_t)PQgetlength(res, 0, 0);
	row->data = arena_strndup(r->arena, PQgetvalue(res, 0, 0), row->len);
	row->user = user_from_columns(r, res, COL_USER);
	row->favorite = PQgetvalue(res, 0, COL_FAVORITE)[0] == 't';
	PQclear(res);
	return FAIL_OK;
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
