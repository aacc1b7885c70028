/* visitor.c: the visitor's own lists read with the session: what a page asks, the statement's parameters, their decoding, their forgetting. */
#include <stdlib.h>
#include <string.h>

#include "model_user.h"
#include "visitor.h"

struct visitor {
	/* Asked, before the session is read. */
	int64_t		 movie_id;		/* 0: no movie asked */
	int		 among_n;		/* recommendation ids asked about (the watchlist only) */
	int64_t		 among[VISITOR_AMONG_MAX];
	int		 list, page;		/* an enum movie_list's page; page 0: none asked */
	/* Read with the session. */
	int		 read;			/* 0 until decoded, and again once forgotten */
	int64_t		 user_id;		/* whose lists the answers are */
	int		 on_list[LIST_COUNT];	/* movie_id is on each list */
	int		 among_in[VISITOR_AMONG_MAX];	/* among[i] is on the watchlist */
	const char	*page_rows;		/* the page as "550 <created_at>,680 ..."; NULL when empty */
};

static struct visitor *
visitor(struct req *r)
{
	/* Zeroed: nothing asked, nothing read. */
	if (r->visitor == NULL)
		r->visitor = arena_alloc(r->arena, sizeof(*r->visitor));
	return r->visitor;
}

/*
 * Per worker, which recommendations each recent movie page asked about: the guess that brings
 * their watchlist state with the session. A wrong or missing guess costs the query it saves.
 */
#define AMONG_GUESSES	256
static struct {
	int64_t	 movie_id;
	int	 n;
	int64_t	 ids[VISITOR_AMONG_MAX];
} among_guesses[AMONG_GUESSES];

void
visitor_ask_movie(struct req *r, int64_t movie_id)
{
	struct visitor	*v = visitor(r);
	size_t		 slot = (uint64_t)movie_id % AMONG_GUESSES;

	v->movie_id = movie_id > 0 ? movie_id : 0;
	v->among_n = 0;
	if (v->movie_id && among_guesses[slot].movie_id == movie_id) {
		v->among_n = among_guesses[slot].n;
		memcpy(v->among, among_guesses[slot].ids, sizeof(*v->among) * (size_t)v->among_n);
	}
}

/* On the movie's page asked, the ids its recommendations asked about: next time's guess. */
static void
remember_among(const struct visitor *v, const int64_t *ids, size_t n)
{
	size_t slot = (uint64_t)v->movie_id % AMONG_GUESSES;

	if (v->movie_id <= 0 || n > VISITOR_AMONG_MAX)
		return;
	among_guesses[slot].movie_id = v->movie_id;
	among_guesses[slot].n = (int)n;
	memcpy(among_guesses[slot].ids, ids, sizeof(*ids) * n);
}

void
visitor_ask_list_page(struct req *r, enum movie_list l, int page)
{
	struct visitor *v = visitor(r);

	v->list = (int)l;
	v->page = page > 0 ? page : 0;
}

void
visitor_params(struct req *r, const char *params[VISITOR_PARAMS])
{
	const struct visitor *v = r->visitor;

	memset(params, 0, sizeof(*params) * VISITOR_PARAMS);
	params[3] = arena_printf(r->arena, "%d", LIST_PER_PAGE);
	params[4] = "0";
	if (v == NULL)
		return;
	if (v->movie_id)
		params[0] = arena_printf(r->arena, "%lld", (long long)v->movie_id);
	if (v->among_n)
		params[1] = lists_id_array(r, v->among, v->among_n);
	if (v->page) {
		params[2] = list_name((enum movie_list)v->list);
		params[4] = arena_printf(r->arena, "%lld", ((long long)v->page - 1) * LIST_PER_PAGE);
	}
}

/* v->among_in[] from the ids of v->among[] the statement found on the watchlist ("{550,680}"). */
static void
among_from_text(struct visitor *v, const char *text)
{
	memset(v->among_in, 0, sizeof(v->among_in));
	while (*text) {
		char	*end;
		int64_t	 id = strtoll(text, &end, 10);

		if (end == text) {
			text++;
			continue;
		}
		for (int i = 0; i < v->among_n; i++)
			if (v->among[i] == id)
				v->among_in[i] = 1;
		text = end;
	}
}

void
visitor_decode(struct req *r, int64_t user_id, const PGresult *res)
{
	struct visitor	*v = r->visitor;
	int		 among = PQfnumber(res, "among"), rows = PQfnumber(res, "page_rows");

	if (v == NULL || (v->movie_id == 0 && v->page == 0) || user_id <= 0 || PQntuples(res) < 1 ||
	    among < 0 || rows < 0)
		return;
	/* Each list's state of the movie is in the column named as the list ("favorites"). */
	for (int l = 0; l < LIST_COUNT; l++) {
		int col = PQfnumber(res, list_name((enum movie_list)l));

		if (col < 0)
			return;
		v->on_list[l] = PQgetvalue(res, 0, col)[0] == 't';
	}
	among_from_text(v, PQgetvalue(res, 0, among));
	v->page_rows = PQgetisnull(res, 0, rows) ? NULL : arena_strdup(r->arena, PQgetvalue(res, 0, rows));
	v->user_id = user_id;
	v->read = 1;
}

void
visitor_forget(struct req *r)
{
	if (r->visitor)
		r->visitor->read = 0;
}

/* What was read with the session, if it is the visitor's; NULL otherwise. */
static const struct visitor *
known(const struct req *r)
{
	const struct visitor *v = r->visitor;

	return v && v->read && r->user && v->user_id == r->user->id ? v : NULL;
}

void
visitor_movie_lists(struct req *r, int64_t movie_id, enum on_list out[LIST_COUNT])
{
	const struct visitor *v = known(r);

	for (int l = 0; l < LIST_COUNT; l++) {
		int saved = 0;

		if (v && v->movie_id && v->movie_id == movie_id)
			saved = v->on_list[l];
		else if (list_exists(r, (enum movie_list)l, r->user->id, movie_id, &saved) != FAIL_OK) {
			out[l] = ON_LIST_UNKNOWN;
			continue;
		}
		out[l] = saved ? ON_LIST_YES : ON_LIST_NO;
	}
}

/* The watchlist states read with the session, if it asked about every one of ids: 1, else 0. */
static int
known_among(const struct req *r, const int64_t *ids, size_t n, int *in)
{
	const struct visitor *v = known(r);

	if (v == NULL || v->movie_id == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		int j = 0;

		while (j < v->among_n && v->among[j] != ids[i])
			j++;
		if (j == v->among_n)
			return 0;
		in[i] = v->among_in[j];
	}
	return 1;
}

enum fail
visitor_watchlist_among(struct req *r, const int64_t *ids, size_t n, int *in)
{
	if (n == 0 || known_among(r, ids, n, in))
		return FAIL_OK;
	if (r->visitor)
		remember_among(r->visitor, ids, n);
	return list_among(r, LIST_WATCHLIST, r->user->id, ids, n, in);
}

/* The page read with the session, if it is this one: 1 and out's rows and total, else 0. */
static int
known_page(struct req *r, enum movie_list l, int page, struct list_page *out)
{
	const struct visitor	*v = known(r);
	const char		*p = v ? v->page_rows : NULL;

	if (v == NULL || v->page != page || v->list != (int)l)
		return 0;
	while (p && *p && out->n < LIST_PER_PAGE) {
		const char	*sp = strchr(p, ' '), *end = strchr(p, ',');
		size_t		 len = end ? (size_t)(end - p) : strlen(p);

		if (sp == NULL || sp > p + len)
			return 0;
		out->rows[out->n].movie_id = strtoll(p, NULL, 10);
		out->rows[out->n++].created_at = arena_strndup(r->arena, sp + 1, len - (size_t)(sp + 1 - p));
		p = end ? end + 1 : NULL;
	}
	out->total = l == LIST_FAVORITES ? r->user->favorites : r->user->watchlist;
	return 1;
}

enum fail
visitor_list_page(struct req *r, enum movie_list l, int page, struct list_page *out)
{
	memset(out, 0, sizeof(*out));
	if (!known_page(r, l, page, out))
		return list_page(r, l, r->user->id, page, out);
	list_page_movies(r, out);
	return FAIL_OK;
}
