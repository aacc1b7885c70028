/* model_health.c: owns the database probe of the health check (no rows, one round trip). */
#include <libpq-fe.h>

#include "app.h"
#include "db.h"
#include "model_health.h"

enum fail
model_health_db_reachable(void)
{
	PGresult *res = app.db ? db_exec(app.db, DB_PING, 0, NULL) : NULL;

	if (res == NULL)
		return FAIL_DB;
	PQclear(res);
	return FAIL_OK;
}
