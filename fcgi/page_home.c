/* page_home.c: the home page. */
#include <libpq-fe.h>
#include <stdlib.h>

#include "app.h"
#include "db.h"
#include "pages.h"

void
page_home(struct req *r, struct resp *rs)
{
	struct json_object	*ctx = json_object_new_object();
	PGresult		*res = db_exec(app.db, DB_USER_COUNT, 0, NULL);

	if (res == NULL) {
		json_object_put(ctx);
		view_error(r, rs, 503, "The site's database is unavailable. Please try again in a minute.");
		return;
	}
	json_object_object_add(ctx, "member_count",
	    json_object_new_int64(strtoll(PQgetvalue(res, 0, 0), NULL, 10)));
	PQclear(res);
	view_page(r, rs, "home", "Movies", ctx);
}
