/* page_genre.c: a genre's page: its name and TMDb's movies of that genre, a page at a time. */
#include "app.h"
#include "handlers.h"
#include "movieview.h"
#include "reqjson.h"
#include "view.h"

/* The genre's name in TMDb's list, or NULL when the list has no such id. */
static const char *
genre_name(struct json_object *genres, int64_t id)
{
	struct json_object	*list;
	const char		*name = NULL;

	if (json_object_object_get_ex(genres, "genres", &list))
		for (size_t i = 0; i < json_object_array_length(list); i++) {
			struct json_object *g = json_object_array_get_idx(list, i), *gid;

			if (json_object_object_get_ex(g, "id", &gid) && json_object_get_int64(gid) == id)
				name = json_str(g, "name");
		}
	return name;
}

void
page_genre(struct req *r, struct resp *rs)
{
	int64_t			 id = r->path_int[0];
	struct json_object	*genres = NULL, *data = NULL, *ctx = req_object(r);
	const char		*name;

	if (movieview_take(r, rs, movies_genres(app.movies, &genres), &genres) != 0)
		return;
	if ((name = genre_name(genres, id)) == NULL) {
		answer_fail(r, rs, FAIL_NOT_FOUND, MSG_NO_GENRE);
		return;
	}
	if (movieview_take(r, rs, movies_discover(app.movies, id, r->arg.page, &data), &data) != 0)
		return;
	json_object_object_add(ctx, "genre", json_object_new_string(name));
	json_object_object_add(ctx, "movies", movieview_cards(r, data, 0));
	if (movieview_pager(r, rs, ctx, r->arg.page, movieview_int(data, "total_pages"),
	    arena_printf(r->arena, "/genre/%lld?page=", (long long)id)) != 0)
		return;
	movieview_watch_buttons(r, ctx, "movies");
	view_page(r, rs, "genre", name, ctx);
}
