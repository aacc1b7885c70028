/* page_health.c: health checks: the operators' probe and the origin app's API welcome. */
#include "handlers.h"
#include "model_health.h"
#include "reqjson.h"
#include "view.h"

/* Reports each dependency; 503 when Postgres is unreachable, since no page can be built then. */
void
page_health(struct req *r, struct resp *rs)
{
	struct json_object	*o = req_object(r);
	int			 db_up = db_reachable() == FAIL_OK;

	json_object_object_add(o, "status", json_object_new_string(db_up ? "ok" : "degraded"));
	json_object_object_add(o, "database", json_object_new_string(db_up ? "ok" : "unavailable"));
	view_json(r, rs, db_up ? 200 : 503, o);
}

/* The origin app's GET /api/v1/health-check/ answer, byte for byte. */
void
page_health_api(struct req *r, struct resp *rs)
{
	struct json_object *o = req_object(r);

	json_object_object_add(o, "status", json_object_new_string("ok"));
	json_object_object_add(o, "message", json_object_new_string("Welcome to the Movie Recommender API!"));
	view_json(r, rs, 200, o);
}
