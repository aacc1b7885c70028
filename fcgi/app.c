/* app.c: a worker's state and the request pipeline: middleware, routing, handler, error pages. */
#include <string.h>

#include "app.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "mustache.h"
#include "router.h"

struct app app;

int
app_load(void)
{
	app.templates = mustache_set_load_dir(config.template_dir);
	if (app.templates == NULL) {
		log_error("templates: cannot load %s", config.template_dir);
		return -1;
	}
	return 0;
}

void
app_worker_init(void)
{
	app.db = db_open(config.database_url);
}

void
app_worker_close(void)
{
	db_close(app.db);
	app.db = NULL;
}

static int
wants_json(const struct req *r, const struct route *rt)
{
	return (rt && (rt->flags & R_JSON)) || strncmp(r->path, "/api/", 5) == 0;
}

static void
error_response(struct req *r, struct resp *rs, const struct route *rt, int status, const char *message)
{
	if (wants_json(r, rt)) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "detail", json_object_new_string(message));
		view_json(r, rs, status, o);
		return;
	}
	view_error(r, rs, status, message);
}

void
app_handle(struct req *r, struct resp *rs)
{
	const struct route	*rt;
	int			 status = 0;
	char			 allow[64];

	rt = router_match(r, &status, allow, sizeof(allow));
	if (rt == NULL) {
		if (status == 405) {
			rs->allow = strcpy(arena_alloc(r->arena, strlen(allow) + 1), allow);
			error_response(r, rs, NULL, 405, "This address does not accept that kind of request.");
		} else
			error_response(r, rs, NULL, 404, "There is no page at this address.");
		return;
	}
	rt->fn(r, rs);
	if ((rt->flags & R_PUBLIC) && r->user == NULL && rs->status == 200)
		rs->public_cache = 1;
}
