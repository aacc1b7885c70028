/* page_search.c: the search page: a title search, optionally by year, a page at a time. */
#include <string.h>

#include "app.h"
#include "buf.h"
#include "handlers.h"
#include "movieview.h"
#include "reqjson.h"
#include "view.h"

/* The pager's base URL: the same search, up to "page=". */
static const char *
search_base(struct req *r, const char *q, int year)
{
	struct buf	 base = BUF_INIT;
	const char	*s;

	buf_puts(&base, "/search?q=");
	url_encode(&base, q);
	if (year)
		buf_printf(&base, "&year=%d", year);
	buf_puts(&base, "&page=");
	s = arena_strdup(r->arena, buf_cstr(&base));
	buf_free(&base);
	return s;
}

void
page_search(struct req *r, struct resp *rs)
{
	const char		*q = r->arg.q;
	int			 year = r->arg.year, total;
	struct json_object	*ctx = req_object(r), *data = NULL;

	while (q && (*q == ' ' || *q == '\t'))
		q++;
	json_object_object_add(ctx, "search_query", json_object_new_string(q ? q : ""));
	if (year)
		json_object_object_add(ctx, "year", json_object_new_int(year));
	if (q == NULL || *q == '\0') {
		view_page(r, rs, "search", "Search", ctx);
		return;
	}
	if (movieview_take(r, rs, movies_search(app.movies, q, year, r->arg.page, &data), &data) != 0)
		return;
	total = movieview_int(data, "total_results");
	json_object_object_add(ctx, "searched", json_object_new_boolean(1));
	json_object_object_add(ctx, "movies", movieview_cards(r, data, 0));
	json_object_object_add(ctx, "total_results", json_object_new_int(total));
	if (total == 1)
		json_object_object_add(ctx, "one_result", json_object_new_boolean(1));
	if (movieview_pager(r, rs, ctx, r->arg.page, movieview_int(data, "total_pages"),
	    search_base(r, q, year)) != 0)
		return;
	movieview_watch_buttons(r, ctx, "movies");
	view_page(r, rs, "search", arena_printf(r->arena, "Search: %s", q), ctx);
}
