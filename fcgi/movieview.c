/* movieview.c: turns the movie layer's normalised TMDb JSON into what the templates show. */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "config.h"
#include "log.h"
#include "model_lists.h"
#include "model_user.h"
#include "movieview.h"
#include "mustache.h"
#include "reqjson.h"
#include "util.h"
#include "view.h"
#include "visitor.h"

/* The image base URL comes from TMDb's /configuration (cached); kept per worker for an hour. */
static char	image_base[256];
static int64_t	image_base_at;

static const char *
image_base_url(void)
{
	struct json_object *cfg = NULL, *images, *base;

	if (image_base[0] && now_ms() - image_base_at < 3600 * 1000)
		return image_base;
	/* After a failed look-up, TMDb's documented address for a minute rather than a retry per card. */
	if (image_base_at && now_ms() - image_base_at < 60 * 1000)
		return "https://image.tmdb.org/t/p/";
	enum movies_status st = movies_configuration(app.movies, &cfg);
	if ((st == MOVIES_OK || st == MOVIES_STALE) && json_object_object_get_ex(cfg, "images", &images) &&
	    json_object_object_get_ex(images, "secure_base_url", &base) &&
	    json_object_is_type(base, json_type_string)) {
		snprintf(image_base, sizeof(image_base), "%s", json_object_get_string(base));
	}
	image_base_at = now_ms();
	json_object_put(cfg);
	/* TMDb's documented address, if the configuration was never reachable. */
	return image_base[0] ? image_base : "https://image.tmdb.org/t/p/";
}

const char *
movieview_image(struct req *r, const char *size, const char *path)
{
	if (path == NULL || *path != '/')
		return NULL;
	return arena_printf(r->arena, "%s%s%s", image_base_url(), size, path);
}

/* The parts joined into out (cap bytes, cut short as snprintf would): the image URLs of a card. */
static const char *
joined(char *out, size_t cap, const char *const *parts)
{
	size_t n = 0;

	for (; *parts; parts++) {
		size_t len = strlen(*parts);

		if (len > cap - 1 - n)
			len = cap - 1 - n;
		memcpy(out + n, *parts, len);
		n += len;
	}
	out[n] = '\0';
	return out;
}

struct json_object *
movieview_card_brief(struct json_object *item, int with_url)
{
	struct json_object	*card = json_object_new_object(), *v;
	const char		*title = json_str(item, "title");
	int64_t			 id = json_object_object_get_ex(item, "id", &v) ? json_object_get_int64(v) : 0;
	char			 url[32];

	json_object_object_add(card, "id", json_object_new_int64(id));
	if (with_url) {
		snprintf(url, sizeof(url), "/movie/%lld", (long long)id);
		json_object_object_add(card, "url", json_object_new_string(url));
	}
	json_object_object_add(card, "title", json_object_new_string(title ? title : "Untitled"));
	return card;
}

struct json_object *
movieview_card(struct json_object *item)
{
	struct json_object	*card = movieview_card_brief(item, 1), *v;
	const char		*date = json_str(item, "release_date"), *poster = json_str(item, "poster_path");
	const char		*base = image_base_url();
	char			 buf[512];

	if (date && strlen(date) >= 4)
		json_object_object_add(card, "year", json_object_new_string_len(date, 4));
	if (json_object_object_get_ex(item, "vote_average", &v) && json_object_get_double(v) > 0) {
		snprintf(buf, sizeof(buf), "%.1f", json_object_get_double(v));
		json_object_object_add(card, "rating", json_object_new_string(buf));
	}
	const char *overview = json_str(item, "overview");
	if (overview && *overview)
		json_object_object_add(card, "overview", json_object_new_string(overview));
	if (poster && *poster == '/') {
		/* Joined, not formatted: a page of cards formatted these 40 times. */
		json_object_object_add(card, "poster", json_object_new_string(joined(buf, sizeof(buf),
		    (const char *const[]){ base, "w342", poster, NULL })));
		json_object_object_add(card, "poster_srcset", json_object_new_string(joined(buf, sizeof(buf),
		    (const char *const[]){ base, "w185", poster, " 185w, ", base, "w342", poster, " 342w, ",
		    base, "w500", poster, " 500w", NULL })));
	} else
		json_object_object_add(card, "no_poster", json_object_new_boolean(1));
	return card;
}

/*
 * What a fragment depends on besides its data: the templates (their digest), the static files'
 * address and TMDb's image address. A change of any of them makes every kept fragment a miss.
 */
static uint64_t
fragment_context(void)
{
	const char	*base = image_base_url();
	uint64_t	 h = mustache_set_digest(app.templates);

	h = fnv1a64(config.static_url, strlen(config.static_url) + 1, h);
	return fnv1a64(base, strlen(base), h);
}

struct json_object *
movieview_fragment(struct req *r, struct json_object *src, int index, struct json_object *item,
    const char *name, movieview_fragment_fn build)
{
	/* Sized once per worker: a fragment is rendered here, then copied. */
	static struct buf	 out = BUF_INIT;
	uint64_t		 context = fragment_context();
	const char		*kept;
	size_t			 len;
	struct json_object	*ctx;

	if ((kept = movies_derived(src, name, index, context, &len)) != NULL)
		return json_object_new_string_len(kept, (int)len);
	ctx = build(r, item);
	buf_reset(&out);
	if (app.templates == NULL || mustache_set_render(app.templates, name, ctx, &out) != 0) {
		log_error("view: fragment %s failed to render", name);
		buf_reset(&out);
	} else	/* Under the context as it is now: building may have read TMDb's image address anew. */
		movies_derive(src, name, index, fragment_context(), buf_cstr(&out), out.len);
	json_object_put(ctx);
	return json_object_new_string_len(buf_cstr(&out), (int)out.len);
}

/* A grid card's data (movieview_card) and the static files' address: what card_head shows. */
static struct json_object *
card_context(struct req *r, struct json_object *item)
{
	struct json_object *card = movieview_card(item);

	(void)r;
	json_object_object_add(card, "static_url", json_object_new_string(config.static_url));
	return card;
}

struct json_object *
movieview_card_part(struct req *r, struct json_object *src, int index, struct json_object *item,
    const char *tpl)
{
	/* The address is in the HTML: the visitor's part needs only the id and the title. */
	struct json_object *card = movieview_card_brief(item, 0);

	json_object_object_add(card, "html", movieview_fragment(r, src, index, item, tpl, card_context));
	return card;
}

struct json_object *
movieview_cards(struct req *r, struct json_object *page, size_t max)
{
	struct json_object *cards = json_object_new_array(), *results;

	if (page && json_object_object_get_ex(page, "results", &results) &&
	    json_object_is_type(results, json_type_array)) {
		size_t n = json_object_array_length(results);

		if (max && n > max)
			n = max;

		for (size_t i = 0; i < n; i++)
			json_object_array_add(cards, movieview_card_part(r, page, (int)i,
			    json_object_array_get_idx(results, i), "card_movie"));
	}
	return cards;
}

int
movieview_pager(struct req *r, struct resp *rs, struct json_object *ctx, int page, int total_pages,
    const char *base)
{
	struct json_object *p;

	if (total_pages > 500)
		total_pages = 500;
	if (total_pages < 1)
		total_pages = 1;
	/* An empty page with "Page 9 of 2" and a link to another empty page helps nobody. */
	if (page > total_pages) {
		answer_failf(r, rs, FAIL_NOT_FOUND, MSG_PAST_LAST_PAGE, page, total_pages);
		return -1;
	}
	p = json_object_new_object();
	json_object_object_add(p, "page", json_object_new_int(page));
	json_object_object_add(p, "total_pages", json_object_new_int(total_pages));
	if (page > 1)
		json_object_object_add(p, "prev_url", json_object_new_string(
		    arena_printf(r->arena, "%s%d", base, page - 1)));
	if (page < total_pages)
		json_object_object_add(p, "next_url", json_object_new_string(
		    arena_printf(r->arena, "%s%d", base, page + 1)));
	if (total_pages > 1)
		json_object_object_add(ctx, "pager", p);
	else
		json_object_put(p);
	return 0;
}

void
movieview_watch_buttons(struct req *r, struct json_object *ctx, const char *key)
{
	struct json_object	*cards;
	size_t			 n;
	int64_t			*ids;
	int			*in;

	if (r->user == NULL || !json_object_object_get_ex(ctx, key, &cards) ||
	    (n = json_object_array_length(cards)) == 0)
		return;
	ids = arena_alloc(r->arena, sizeof(*ids) * n);
	in = arena_alloc(r->arena, sizeof(*in) * n);
	for (size_t i = 0; i < n; i++)
		ids[i] = movieview_int(json_object_array_get_idx(cards, i), "id");
	/* Unknown is not "not on the list": without the answer the cards go without buttons. */
	if (visitor_watchlist_among(r, ids, n, in) != FAIL_OK)
		return;
	for (size_t i = 0; i < n; i++) {
		struct json_object *card = json_object_array_get_idx(cards, i);

		json_object_object_add(card, "watch_button", json_object_new_boolean(1));
		/* Always set: the movie page's own in_watchlist must not show through a card's. */
		json_object_object_add(card, "in_watchlist", json_object_new_boolean(in[i]));
	}
	json_object_object_add(ctx, "return_to", json_object_new_string(r->query_string && *r->query_string ?
	    arena_printf(r->arena, "%s?%s", r->path, r->query_string) : r->path));
}

enum fail
movieview_fail(enum movies_status st)
{
	switch (st) {
	case MOVIES_OK:
	case MOVIES_STALE:
		return FAIL_OK;
	case MOVIES_NOT_FOUND:
		return FAIL_NOT_FOUND;
	case MOVIES_BAD_REQUEST:
		return FAIL_INPUT;
	case MOVIES_UNAVAILABLE:
	case MOVIES_CONFIG_ERROR:
	case MOVIES_DEFERRED:
		break;
	}
	return FAIL_MOVIES;
}

int
movieview_take(struct req *r, struct resp *rs, enum movies_status st, struct json_object **out)
{
	enum fail f = movieview_fail(st);

	req_keep_json(r, *out);
	if (f == FAIL_OK)
		return 0;
	answer_fail(r, rs, f, f == FAIL_NOT_FOUND ? MSG_MOVIE_UNKNOWN : f == FAIL_INPUT ? MSG_MOVIE_BAD_REQUEST :
	    MSG_MOVIES_DOWN);
	return -1;
}

int
movieview_int(struct json_object *o, const char *name)
{
	struct json_object *v;

	return json_object_object_get_ex(o, name, &v) ? json_object_get_int(v) : 0;
}
