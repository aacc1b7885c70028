/* page_health.c: operators' probes (health, Prometheus metrics) and the origin app's API welcome. */
#include <string.h>
#include <time.h>

#include "app.h"
#include "cache.h"
#include "handlers.h"
#include "metrics.h"
#include "model_health.h"
#include "reqjson.h"
#include "util.h"
#include "view.h"

/* TMDb as the workers last saw it (shared memory, in ms; no call is made): ok, failing or unknown. */
static struct json_object *
tmdb_state(void)
{
	struct json_object	*o = json_object_new_object();
	int64_t			 ok = metrics_value(MET_TMDB_LAST_SUCCESS);
	int64_t			 bad = metrics_value(MET_TMDB_LAST_FAILURE);
	char			 when[32];

	json_object_object_add(o, "state", json_object_new_string(ok == 0 && bad == 0 ? "unknown" :
	    ok >= bad ? "ok" : "failing"));
	if (ok > 0) {
		time_t		t = (time_t)(ok / 1000);
		struct tm	tm;

		gmtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		json_object_object_add(o, "last_success", json_object_new_string(when));
	} else
		json_object_object_add(o, "last_success", NULL);
	return o;
}

/*
 * Cheap enough to poll every second: one PostgreSQL "SELECT 1", one Redis EXISTS (bounded by the
 * cache's command timeout, skipped while Redis is known down), TMDb from shared memory. 503 when
 * PostgreSQL is unreachable, since no page can be built then; Redis or TMDb trouble degrades.
 */
void
page_health(struct req *r, struct resp *rs)
{
	struct json_object	*o = req_object(r);
	int			 db_up = model_health_db_reachable() == FAIL_OK;
	int			 redis_up = app.cache != NULL && cache_exists(app.cache, "healthz") >= 0;
	struct json_object	*tmdb = tmdb_state();
	int			 tmdb_failing = strcmp(json_str(tmdb, "state"), "failing") == 0;

	json_object_object_add(o, "status", json_object_new_string(db_up && redis_up && !tmdb_failing ?
	    "ok" : "degraded"));
	json_object_object_add(o, "database", json_object_new_string(db_up ? "ok" : "unavailable"));
	json_object_object_add(o, "redis", json_object_new_string(redis_up ? "ok" : "unavailable"));
	json_object_object_add(o, "tmdb", tmdb);
	view_json(r, rs, db_up ? 200 : 503, o);
}

/* Prometheus' text format for the whole site: every worker counts into the master's shared memory. */
void
page_metrics(struct req *r, struct resp *rs)
{
	(void)r;
	rs->status = 200;
	rs->content_type = "text/plain; version=0.0.4; charset=utf-8";
	buf_reset(&rs->body);
	metrics_render(&rs->body);
}

/* The origin app's GET /api/v1/health-check/ answer, byte for byte. */
void
page_health_api(struct req *r, struct resp *rs)
{
	struct json_object *o = req_object(r);

	json_object_object_add(o, "status", json_object_new_string("ok"));
	json_object_object_add(o, "message", json_object_new_string(msg_text(MSG_API_WELCOME)));
	view_json(r, rs, 200, o);
}
