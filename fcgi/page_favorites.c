/* page_favorites.c: the favorites page and the forms that add and remove a favorite. */
#include <string.h>

#include "auth.h"
#include "csrf_web.h"
#include "handlers.h"
#include "model_favorites.h"
#include "movieview.h"
#include "reqjson.h"
#include "view.h"

/* A saved movie's card; TMDb unreachable and nothing cached: still list the saved id. */
static struct json_object *
favorite_card(struct req *r, const struct favorite *f)
{
	struct json_object *card;

	if (f->movie)
		card = movieview_card(f->movie);
	else {
		card = json_object_new_object();
		json_object_object_add(card, "id", json_object_new_int64(f->movie_id));
		json_object_object_add(card, "url", json_object_new_string(
		    arena_printf(r->arena, "/movie/%lld", (long long)f->movie_id)));
		json_object_object_add(card, "title", json_object_new_string(
		    arena_printf(r->arena, "Movie %lld", (long long)f->movie_id)));
		json_object_object_add(card, "no_poster", json_object_new_boolean(1));
	}
	json_object_object_add(card, "saved_at", json_object_new_string(f->created_at));
	return card;
}

void
page_favorites(struct req *r, struct resp *rs)
{
	struct favorites_page	 fp;
	struct json_object	*ctx = req_object(r), *cards = json_object_new_array();
	int			 page = r->arg.page;

	json_object_object_add(ctx, "movies", cards);
	if (favorites_page(r, r->user->id, page, &fp) != FAIL_OK) {
		answer_fail(r, rs, FAIL_DB, MSG_FAVORITES_SHOW);
		return;
	}
	for (int i = 0; i < fp.n; i++)
		json_object_array_add(cards, favorite_card(r, &fp.rows[i]));
	json_object_object_add(ctx, "count", json_object_new_int64(fp.total));
	if (r->arg.imported >= 0) {
		json_object_object_add(ctx, "imported", json_object_new_string(arena_printf(r->arena, "%d", r->arg.imported)));
		json_object_object_add(ctx, "imported_one", json_object_new_boolean(r->arg.imported == 1));
	}
	json_object_object_add(ctx, fp.total == 1 ? "count_one" : "count_many", json_object_new_boolean(1));
	json_object_object_add(ctx, "return_to", json_object_new_string(
	    arena_printf(r->arena, "/favorites?page=%d", page)));
	if (movieview_pager(r, rs, ctx, page, (int)((fp.total + FAVORITES_PER_PAGE - 1) / FAVORITES_PER_PAGE),
	    "/favorites?page=") != 0)
		return;
	csrf_form_token(r, rs);
	view_page(r, rs, "favorites", "My favorites", ctx);
}

static int
wants_json(const struct req *r)
{
	return r->accept && strstr(r->accept, "application/json") != NULL;
}

/* After a change: JSON for the page's script, else back to where the form was. */
static void
favorite_done(struct req *r, struct resp *rs, int64_t id, int favorite, enum msg on_failure)
{
	long long count;

	if (wants_json(r)) {
		struct json_object *o = req_object(r);

		/* The count is part of the answer: without it the change is not reported as done. */
		if (favorite_count(r, r->user->id, &count) != FAIL_OK) {
			answer_fail(r, rs, FAIL_DB, on_failure);
			return;
		}
		json_object_object_add(o, "movie_id", json_object_new_int64(id));
		json_object_object_add(o, "favorite", json_object_new_boolean(favorite));
		json_object_object_add(o, "count", json_object_new_int64(count));
		json_object_object_add(o, "csrf_token", json_object_new_string(csrf_form_token(r, rs)));
		view_json(r, rs, 200, o);
		return;
	}
	resp_redirect(rs, 303, r->arg.next ? r->arg.next : arena_printf(r->arena, "/movie/%lld", (long long)id));
}

void
page_favorite_add(struct req *r, struct resp *rs)
{
	switch (favorite_add(r, r->user->id, r->path_int[0], NULL, NULL)) {
	case FAIL_OK:
	case FAIL_CONFLICT:	/* saved already: the wish is fulfilled */
		favorite_done(r, rs, r->path_int[0], 1, MSG_FAVORITE_SAVE);
		return;
	case FAIL_NOT_FOUND:
		answer_fail(r, rs, FAIL_NOT_FOUND, MSG_FAVORITE_MOVIE_UNKNOWN);
		return;
	case FAIL_MOVIES:
		answer_fail(r, rs, FAIL_MOVIES, MSG_FAVORITE_MOVIES_DOWN);
		return;
	default:
		answer_fail(r, rs, FAIL_DB, MSG_FAVORITE_SAVE);
		return;
	}
}

void
page_favorite_remove(struct req *r, struct resp *rs)
{
	switch (favorite_remove(r, r->user->id, r->path_int[0])) {
	case FAIL_OK:
	case FAIL_NOT_FOUND:	/* not saved: the wish is fulfilled */
		favorite_done(r, rs, r->path_int[0], 0, MSG_FAVORITE_REMOVE);
		return;
	default:
		answer_fail(r, rs, FAIL_DB, MSG_FAVORITE_REMOVE);
		return;
	}
}
