/* model_session.c: owns the django_session rows: the only code that knows their columns. */
#include <libpq-fe.h>
#include <stdlib.h>

#include "app.h"
#include "db.h"
#include "model_session.h"

enum fail
session_row_get(struct req *r, const char *key, const char **data, size_t *len)
{
	const char	*params[1] = { key };
	PGresult	*res = db_exec(app.db, DB_SESSION_GET, 1, params);

	*data = NULL;
	*len = 0;
	if (res == NULL)
		return FAIL_DB;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return FAIL_NOT_FOUND;
	}
	*len = (size_t)PQgetlength(res, 0, 0);
	*data = arena_strndup(r->arena, PQgetvalue(res, 0, 0), *len);
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
