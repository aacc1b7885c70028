/* page_lists.c: the favorites and watchlist pages, their CSV exports and the forms that add, remove and mark watched. */
#include <string.h>

#include "args.h"
#include "auth.h"
#include "csrf_web.h"
#include "handlers.h"
#include "importview.h"
#include "model_lists.h"
#include "movieview.h"
#include "reqjson.h"
#include "router.h"
#include "util.h"
#include "view.h"
#include "visitor.h"

/* What differs between the two lists' pages and forms (the address: list_url()). */
struct site_list {
	const char	*template;
	const char	*title;
	const char	*json_flag;	/* the member the page's script reads: is the movie on the list? */
	enum msg	 show, save, remove;
};

static const struct site_list site_lists[] = {
	[LIST_FAVORITES] = { "favorites", "My favorites", "favorite",
	    MSG_FAVORITES_SHOW, MSG_FAVORITE_SAVE, MSG_FAVORITE_REMOVE },
	[LIST_WATCHLIST] = { "watchlist", "My watchlist", "watchlist",
	    MSG_WATCHLIST_SHOW, MSG_WATCHLIST_SAVE, MSG_WATCHLIST_REMOVE },
};


/* A saved movie's card; TMDb unreachable and nothing cached: still list the saved id. */
static struct json_object *
saved_card(struct req *r, const struct list_row *row)
{
	struct json_object *card, *stand_in;

	if (row->movie)
		card = movieview_card_part(r, row->movie, -1, row->movie, "card_head");
	else {
		stand_in = json_object_new_object();
		json_object_object_add(stand_in, "id", json_object_new_int64(row->movie_id));
		json_object_object_add(stand_in, "title", json_object_new_string(
		    arena_printf(r->arena, "Movie %lld", (long long)row->movie_id)));
		card = movieview_card_part(r, NULL, -1, stand_in, "card_head");
		json_object_put(stand_in);
	}
	return card;
}

/* The page of list l the query names, to be read with the session; a page args_parse refuses is not asked. */
static void
list_ask(struct req *r, enum movie_list l)
{
	const char	*v = params_get(&r->query, "page");
	int		 page = 1;

	if (v == NULL || parse_int(v, 1, ARG_PAGE_MAX, &page) == 0)
		visitor_ask_list_page(r, l, page);
}

void
page_favorites_ask(struct req *r)
{
	list_ask(r, LIST_FAVORITES);
}

void
page_watchlist_ask(struct req *r)
{
	list_ask(r, LIST_WATCHLIST);
}

/* GET /favorites and /watchlist: a page of the list, newest first, with its size (and an import's notice). */
void
page_list(struct req *r, struct resp *rs)
{
	const struct site_list	*sl = &site_lists[list_of_route(r)];
	const char		*path = list_url(list_of_route(r));
	struct list_page	 lp;
	struct json_object	*ctx = req_object(r), *cards = json_object_new_array();
	int			 page = r->arg.page;

	json_object_object_add(ctx, "movies", cards);
	if (visitor_list_page(r, list_of_route(r), page, &lp) != FAIL_OK) {
		answer_fail(r, rs, FAIL_DB, sl->show);
		return;
	}
	for (int i = 0; i < lp.n; i++)
		json_object_array_add(cards, saved_card(r, &lp.rows[i]));
	json_object_object_add(ctx, "count", json_object_new_int64(lp.total));
	json_object_object_add(ctx, lp.total == 1 ? "count_one" : "count_many", json_object_new_boolean(1));
	if (r->arg.imported >= 0) {
		json_object_object_add(ctx, "imported", json_object_new_string(arena_printf(r->arena, "%d", r->arg.imported)));
		json_object_object_add(ctx, "imported_one", json_object_new_boolean(r->arg.imported == 1));
	}
	json_object_object_add(ctx, "return_to", json_object_new_string(
	    arena_printf(r->arena, "%s?page=%d", path, page)));
	if (movieview_pager(r, rs, ctx, page, (int)((lp.total + LIST_PER_PAGE - 1) / LIST_PER_PAGE),
	    arena_printf(r->arena, "%s?page=", path)) != 0)
		return;
	csrf_form_token(r, rs);
	view_page(r, rs, sl->template, sl->title, ctx);
}

/* GET /favorites.csv and /watchlist.csv: the whole list in the columns Letterboxd's importer reads too (Name, Year, tmdbID). */
void
page_list_csv(struct req *r, struct resp *rs)
{
	enum movie_list	 l = list_of_route(r);
	struct list_row	*rows;
	int		 n;

	if (list_all(r, l, r->user->id, &rows, &n) != FAIL_OK) {
		answer_fail(r, rs, FAIL_DB, MSG_EXPORT);
		return;
	}
	importview_csv(&rs->body, rows, n);
	rs->content_type = "text/csv; charset=utf-8";
	resp_header(rs, "Content-Disposition", "attachment; filename=\"%s.csv\"", list_name(l));
}

static int
wants_json(const struct req *r)
{
	return r->accept && strstr(r->accept, "application/json") != NULL;
}

/* After a change: JSON for the page's script, else back to where the form was. */
static void
list_done(struct req *r, struct resp *rs, enum movie_list l, int on_list, enum msg on_failure)
{
	int64_t		 id = r->path_int[0];
	long long	 count;

	if (wants_json(r)) {
		struct json_object *o = req_object(r);

		/* The count is part of the answer: without it the change is not reported as done. */
		if (list_count(r, l, r->user->id, &count) != FAIL_OK) {
			answer_fail(r, rs, FAIL_DB, on_failure);
			return;
		}
		json_object_object_add(o, "movie_id", json_object_new_int64(id));
		json_object_object_add(o, site_lists[l].json_flag, json_object_new_boolean(on_list));
		json_object_object_add(o, "count", json_object_new_int64(count));
		json_object_object_add(o, "csrf_token", json_object_new_string(csrf_form_token(r, rs)));
		view_json(r, rs, 200, o);
		return;
	}
	resp_redirect(rs, 303, r->arg.next ? r->arg.next : arena_printf(r->arena, "/movie/%lld", (long long)id));
}

/* Answers a change by its outcome; on_list: the movie is to be on the list afterwards. */
static void
list_changed(struct req *r, struct resp *rs, enum movie_list l, enum fail f, int on_list, enum msg on_db)
{
	visitor_forget(r);
	/* Saved already, or not saved (a second click): either way the visitor's wish is fulfilled. */
	if (f == FAIL_OK || f == (on_list ? FAIL_CONFLICT : FAIL_NOT_FOUND))
		list_done(r, rs, l, on_list, on_db);
	else if (f == FAIL_NOT_FOUND)
		answer_fail(r, rs, FAIL_NOT_FOUND, MSG_FAVORITE_MOVIE_UNKNOWN);
	else if (f == FAIL_MOVIES)
		answer_fail(r, rs, FAIL_MOVIES, MSG_FAVORITE_MOVIES_DOWN);
	else
		answer_fail(r, rs, FAIL_DB, on_db);
}

/* POST /favorites/{id} and /watchlist/{id}. */
void
page_list_add(struct req *r, struct resp *rs)
{
	enum movie_list l = list_of_route(r);

	list_changed(r, rs, l, list_add(r, l, r->user->id, r->path_int[0], NULL, NULL), 1, site_lists[l].save);
}

/* POST /favorites/{id}/delete and /watchlist/{id}/delete. */
void
page_list_remove(struct req *r, struct resp *rs)
{
	enum movie_list l = list_of_route(r);

	list_changed(r, rs, l, list_remove(r, l, r->user->id, r->path_int[0]), 0, site_lists[l].remove);
}

/* POST /watchlist/{id}/watched, then=favorite (into favorites in the same transaction) or then=remove. */
void
page_watchlist_watched(struct req *r, struct resp *rs)
{
	list_changed(r, rs, LIST_WATCHLIST, watchlist_watched(r, r->user->id, r->path_int[0], r->arg.then_favorite),
	    0, MSG_WATCHLIST_REMOVE);
}
