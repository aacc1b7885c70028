/* page_home.c: the home page: this day's or week's trending movies. */
#include <string.h>

#include "app.h"
#include "handlers.h"
#include "movieview.h"
#include "reqjson.h"
#include "view.h"

void
page_home(struct req *r, struct resp *rs)
{
	const char		*window = r->arg.window;
	struct json_object	*data = NULL, *ctx = req_object(r);

	if (movieview_take(r, rs, movies_trending(app.movies, window, r->arg.page, &data), &data) != 0)
		return;
	json_object_object_add(ctx, "movies", movieview_cards(r, data, 0));
	json_object_object_add(ctx, strcmp(window, "day") == 0 ? "window_day" : "window_week",
	    json_object_new_boolean(1));
	if (movieview_pager(r, rs, ctx, r->arg.page, movieview_int(data, "total_pages"),
	    arena_printf(r->arena, "/?window=%s&page=", window)) != 0)
		return;
	movieview_watch_buttons(r, ctx, "movies");
	view_page(r, rs, "home", "Trending movies", ctx);
}
