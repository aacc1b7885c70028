/* page_home.c: the browsing pages: trending (home), a movie, search, and a genre. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth.h"
#include "buf.h"
#include "db.h"
#include "movieview.h"
#include "pages.h"
#include "util.h"

static int
int_field(struct json_object *o, const char *name)
{
	struct json_object *v;

	return json_object_object_get_ex(o, name, &v) ? json_object_get_int(v) : 0;
}

void
page_home(struct req *r, struct resp *rs)
{
	const char		*window = params_get(&r->query, "window");
	struct json_object	*data = NULL, *ctx;
	enum movies_status	 st;
	int			 page;

	if (window == NULL)
		window = "day";
	if (strcmp(window, "day") != 0 && strcmp(window, "week") != 0) {
		view_error(r, rs, 400, "The trending window must be \"day\" or \"week\".");
		return;
	}
	if ((page = movieview_page_param(r, rs)) < 0)
		return;
	st = movies_trending(app.movies, window, page, &data);
	if (st != MOVIES_OK && st != MOVIES_STALE) {
		movieview_fail(r, rs, st);
		return;
	}
	req_keep_json(r, data);
	ctx = json_object_new_object();
	json_object_object_add(ctx, "movies", movieview_cards(data));
	json_object_object_add(ctx, strcmp(window, "day") == 0 ? "window_day" : "window_week",
	    json_object_new_boolean(1));
	if (movieview_pager(r, rs, ctx, page, int_field(data, "total_pages"),
	    arena_printf(r->arena, "/?window=%s&page=", window)) != 0) {
		json_object_put(ctx);
		return;
	}
	view_page(r, rs, "home", "Trending movies", ctx);
}

/* The first official YouTube trailer, else any YouTube trailer or teaser. */
static const char *
trailer_url(struct req *r, struct json_object *details)
{
	struct json_object	*videos, *results;
	const char		*best = NULL;
	int			 best_rank = 0;

	if (!json_object_object_get_ex(details, "videos", &videos) ||
	    !json_object_object_get_ex(videos, "results", &results))
		return NULL;
	for (size_t i = 0; i < json_object_array_length(results); i++) {
		struct json_object	*v = json_object_array_get_idx(results, i), *official;
		const char		*site = json_str(v, "site"), *type = json_str(v, "type");
		const char		*key = json_str(v, "key");
		int			 rank;

		if (site == NULL || key == NULL || type == NULL || strcmp(site, "YouTube") != 0)
			continue;
		rank = strcmp(type, "Trailer") == 0 ? 2 : strcmp(type, "Teaser") == 0 ? 1 : 0;
		if (rank && json_object_object_get_ex(v, "official", &official) && json_object_get_boolean(official))
			rank += 2;
		if (rank > best_rank) {
			best_rank = rank;
			best = key;
		}
	}
	if (best == NULL)
		return NULL;
	struct buf url = BUF_INIT;
	buf_puts(&url, "https://www.youtube.com/watch?v=");
	url_encode(&url, best);
	const char *s = arena_strdup(r->arena, buf_cstr(&url));
	buf_free(&url);
	return s;
}

static struct json_object *
people(struct json_object *details, const char *list, size_t max, const char *job)
{
	struct json_object *out = json_object_new_array(), *credits, *arr;

	if (!json_object_object_get_ex(details, "credits", &credits) ||
	    !json_object_object_get_ex(credits, list, &arr))
		return out;
	for (size_t i = 0; i < json_object_array_length(arr) && json_object_array_length(out) < max; i++) {
		struct json_object	*p = json_object_array_get_idx(arr, i), *o;
		const char		*name = json_str(p, "name");

		if (name == NULL || (job && (json_str(p, "job") == NULL || strcmp(json_str(p, "job"), job) != 0)))
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "name", json_object_new_string(name));
		if (json_str(p, "character") && *json_str(p, "character"))
			json_object_object_add(o, "character", json_object_new_string(json_str(p, "character")));
		json_object_array_add(out, o);
	}
	return out;
}

/* "A", "A and B", "A, B and C": one credit line instead of one per person. NULL when empty. */
static const char *
names_joined(struct req *r, struct json_object *list)
{
	size_t		 n = json_object_array_length(list);
	struct buf	 b = BUF_INIT;
	const char	*s;

	if (n == 0)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			buf_puts(&b, i == n - 1 ? " and " : ", ");
		buf_puts(&b, json_str(json_object_array_get_idx(list, i), "name"));
	}
	s = arena_strdup(r->arena, buf_cstr(&b));
	buf_free(&b);
	return s;
}

void
page_movie(struct req *r, struct resp *rs)
{
	int64_t			 id = r->path_int[0];
	struct json_object	*details = NULL, *recs = NULL, *ctx, *card, *v;
	enum movies_status	 st;
	char			 idstr[24];

	/* Details and "More like this" at once: the page costs one TMDb round trip, not two. */
	const struct tmdb_query qs[2] = { { .kind = TMDB_DETAILS, .id = id },
	    { .kind = TMDB_RECOMMENDATIONS, .id = id, .page = 1 } };
	struct json_object *got[2];
	enum movies_status sts[2];
	movies_resolve_many(app.movies, qs, 2, got, sts);
	details = got[0];
	recs = got[1];
	st = sts[0];
	if (st != MOVIES_OK && st != MOVIES_STALE) {
		json_object_put(details);
		json_object_put(recs);
		movieview_fail(r, rs, st);
		return;
	}
	req_keep_json(r, details);
	ctx = json_object_new_object();
	card = movieview_card(details);
	json_object_object_add(ctx, "movie", card);
	const char *poster = json_str(details, "poster_path");
	if (poster) {
		json_object_object_add(card, "poster_large", json_object_new_string(movieview_image(r, "w500", poster)));
	}
	if (json_object_object_get_ex(details, "runtime", &v) && json_object_get_int(v) > 0) {
		int m = json_object_get_int(v);
		const char *text = m >= 60 ? arena_printf(r->arena, "%dh %02dm", m / 60, m % 60) :
		    arena_printf(r->arena, "%dm", m);
		json_object_object_add(card, "runtime", json_object_new_string(text));
	}
	if (json_str(details, "tagline") && *json_str(details, "tagline"))
		json_object_object_add(card, "tagline", json_object_new_string(json_str(details, "tagline")));
	if (json_object_object_get_ex(details, "genres", &v))
		json_object_object_add(card, "genres", json_object_get(v));
	struct json_object *cast = people(details, "cast", 12, NULL);
	if (json_object_array_length(cast) > 0)
		json_object_object_add(card, "has_cast", json_object_new_boolean(1));
	json_object_object_add(card, "cast", cast);
	struct json_object *directors = people(details, "crew", 3, "Director");
	const char *directed_by = names_joined(r, directors);
	json_object_object_add(card, "directors", directors);
	if (directed_by)
		json_object_object_add(card, "directed_by", json_object_new_string(directed_by));
	const char *trailer = trailer_url(r, details);
	if (trailer)
		json_object_object_add(card, "trailer", json_object_new_string(trailer));

	/* "More like this" is a bonus: the page still works without it. */
	st = sts[1];
	if (recs && (st == MOVIES_OK || st == MOVIES_STALE)) {
		req_keep_json(r, recs);
		struct json_object *cards = movieview_cards(recs);
		while (json_object_array_length(cards) > 12)
			json_object_array_del_idx(cards, 12, json_object_array_length(cards) - 12);
		json_object_object_add(ctx, "recommendations", cards);
	}
	if (r->user) {
		char uid[24];
		snprintf(uid, sizeof(uid), "%lld", (long long)r->user->id);
		snprintf(idstr, sizeof(idstr), "%lld", (long long)id);
		const char *params[2] = { uid, idstr };
		PGresult *res = db_exec(app.db, DB_FAV_EXISTS, 2, params);
		if (res && PQntuples(res) > 0)
			json_object_object_add(ctx, "is_favorite", json_object_new_boolean(1));
		PQclear(res);
		auth_csrf_token(r, rs);
	}
	view_page(r, rs, "movie", json_str(details, "title") ? json_str(details, "title") : "Movie", ctx);
}

void
page_search(struct req *r, struct resp *rs)
{
	const char		*q = params_get(&r->query, "q"), *year_s = params_get(&r->query, "year");
	struct json_object	*ctx = json_object_new_object(), *data = NULL;
	int			 page, year = 0;
	enum movies_status	 st;

	if ((page = movieview_page_param(r, rs)) < 0) {
		json_object_put(ctx);
		return;
	}
	if (year_s && *year_s && parse_int(year_s, 1870, 2100, &year) != 0) {
		json_object_put(ctx);
		view_error(r, rs, 400, "The year must be a four-digit year such as 1999.");
		return;
	}
	if (q && utf8_length(q, strlen(q)) > 200) {
		json_object_put(ctx);
		view_error(r, rs, 400, "The search text is too long (200 characters at most).");
		return;
	}
	while (q && (*q == ' ' || *q == '\t'))
		q++;
	json_object_object_add(ctx, "search_query", json_object_new_string(q ? q : ""));
	if (year)
		json_object_object_add(ctx, "year", json_object_new_int(year));
	if (q == NULL || *q == '\0') {
		view_page(r, rs, "search", "Search", ctx);
		return;
	}
	st = movies_search(app.movies, q, year, page, &data);
	if (st != MOVIES_OK && st != MOVIES_STALE) {
		json_object_put(ctx);
		movieview_fail(r, rs, st);
		return;
	}
	req_keep_json(r, data);
	json_object_object_add(ctx, "searched", json_object_new_boolean(1));
	json_object_object_add(ctx, "movies", movieview_cards(data));
	json_object_object_add(ctx, "total_results", json_object_new_int(int_field(data, "total_results")));
	if (int_field(data, "total_results") == 1)
		json_object_object_add(ctx, "one_result", json_object_new_boolean(1));
	struct buf base = BUF_INIT;
	buf_puts(&base, "/search?q=");
	url_encode(&base, q);
	if (year)
		buf_printf(&base, "&year=%d", year);
	buf_puts(&base, "&page=");
	if (movieview_pager(r, rs, ctx, page, int_field(data, "total_pages"),
	    arena_strdup(r->arena, buf_cstr(&base))) != 0) {
		buf_free(&base);
		json_object_put(ctx);
		return;
	}
	buf_free(&base);
	view_page(r, rs, "search", arena_printf(r->arena, "Search: %s", q), ctx);
}

void
page_genre(struct req *r, struct resp *rs)
{
	int64_t			 id = r->path_int[0];
	struct json_object	*genres = NULL, *list, *data = NULL, *ctx;
	const char		*name = NULL;
	enum movies_status	 st;
	int			 page;

	if ((page = movieview_page_param(r, rs)) < 0)
		return;
	st = movies_genres(app.movies, &genres);
	if (st != MOVIES_OK && st != MOVIES_STALE) {
		movieview_fail(r, rs, st);
		return;
	}
	req_keep_json(r, genres);
	if (json_object_object_get_ex(genres, "genres", &list))
		for (size_t i = 0; i < json_object_array_length(list); i++) {
			struct json_object *g = json_object_array_get_idx(list, i), *gid;

			if (json_object_object_get_ex(g, "id", &gid) && json_object_get_int64(gid) == id)
				name = json_str(g, "name");
		}
	if (name == NULL) {
		view_error(r, rs, 404, "There is no genre with this id.");
		return;
	}
	st = movies_discover(app.movies, id, page, &data);
	if (st != MOVIES_OK && st != MOVIES_STALE) {
		movieview_fail(r, rs, st);
		return;
	}
	req_keep_json(r, data);
	ctx = json_object_new_object();
	json_object_object_add(ctx, "genre", json_object_new_string(name));
	json_object_object_add(ctx, "movies", movieview_cards(data));
	if (movieview_pager(r, rs, ctx, page, int_field(data, "total_pages"),
	    arena_printf(r->arena, "/genre/%lld?page=", (long long)id)) != 0) {
		json_object_put(ctx);
		return;
	}
	view_page(r, rs, "genre", name, ctx);
}
