/* tmdb_kinds.c: the table of TMDb kinds; adding a kind (people, ...) is one row here. */
#include <inttypes.h>
#include <string.h>

#include "tmdb_kinds.h"
#include "tmdb_shape.h"
#include "util.h"

/* "tt" and 7 to 10 digits: IMDb's title ids (the text goes into the URL's path). */
int
tmdb_is_imdb_id(const char *s)
{
	size_t digits = s && strncmp(s, "tt", 2) == 0 ? strspn(s + 2, "0123456789") : 0;

	return digits >= 7 && digits <= 10 && s[2 + digits] == '\0';
}

static int
valid_window(const struct tmdb_query *q)
{
	return q->window != NULL && (strcmp(q->window, "day") == 0 || strcmp(q->window, "week") == 0);
}

static int
valid_id(const struct tmdb_query *q)
{
	return q->id >= 1 && q->id <= INT32_MAX;
}

static int
valid_year(int y)
{
	return y == 0 || (y >= 1800 && y <= 2200);
}

static int
valid_search(const struct tmdb_query *q)
{
	if (q->text == NULL || q->text[0] == '\0' || strlen(q->text) > TMDB_MAX_QUERY_BYTES ||
	    !utf8_valid(q->text, strlen(q->text)))
		return 0;
	return valid_year(q->year) && valid_year(q->primary_release_year);
}

static int
valid_imdb(const struct tmdb_query *q)
{
	return tmdb_is_imdb_id(q->text);
}

static int
valid_any(const struct tmdb_query *q)
{
	(void)q;
	return 1;
}

#define P_LANG	{ "language", TMDB_P_LANG, NULL }
#define P_PAGE	{ "page", TMDB_P_PAGE, NULL }
#define P_NO_ADULT { "include_adult", TMDB_P_FIXED, "false" }

static const struct tmdb_kind_desc kinds[] = {
	[TMDB_TRENDING] = { "trending", "/trending/movie/{window}", 1, valid_window,
	    { P_LANG, P_PAGE }, NULL,
	    "movie_rec:trending_movies:{window}:{page}", "movie_rec:trending_movies", 0,
	    3600, tmdb_shape_list },
	[TMDB_DETAILS] = { "details", "/movie/{id}", 0, valid_id,
	    { P_LANG, { "append_to_response", TMDB_P_FIXED, "credits,videos" } }, NULL,
	    "movie_{id}_details", NULL, 0, 86400, tmdb_shape_details },
	[TMDB_RECOMMENDATIONS] = { "recommendations", "/movie/{id}/recommendations", 1, valid_id,
	    { P_LANG, P_PAGE }, NULL,
	    "movie_rec:recommendations_{id}:{page}", "movie_rec:recommendations_{id}", 0,
	    3600, tmdb_shape_list },
	[TMDB_SIMILAR] = { "similar", "/movie/{id}/similar", 1, valid_id,
	    { P_LANG, P_PAGE }, NULL,
	    "movie_rec:similar_{id}:{page}", NULL, 0, 86400, tmdb_shape_list },
	[TMDB_SEARCH] = { "search", "/search/movie", 1, valid_search,
	    { { "query", TMDB_P_TEXT, NULL }, P_NO_ADULT, P_LANG, P_PAGE,
	    { "year", TMDB_P_YEAR, NULL }, { "primary_release_year", TMDB_P_PRIMARY_YEAR, NULL } },
	    NULL, "movie_rec:search:{hash}", NULL, 1, 3600, tmdb_shape_list },
	[TMDB_GENRES] = { "genres", "/genre/movie/list", 0, valid_any,
	    { P_LANG }, NULL, "movie_rec:genres", NULL, 0, 7 * 86400, tmdb_shape_genres },
	[TMDB_DISCOVER] = { "discover", "/discover/movie", 1, valid_id,
	    { { "with_genres", TMDB_P_ID, NULL }, P_NO_ADULT,
	    { "include_video", TMDB_P_FIXED, "false" },
	    { "sort_by", TMDB_P_FIXED, "popularity.desc" }, P_LANG, P_PAGE }, "genre",
	    "movie_rec:discover:{id}:{page}", NULL, 0, 6 * 3600, tmdb_shape_list },
	[TMDB_CONFIGURATION] = { "configuration", "/configuration", 0, valid_any,
	    { { NULL, TMDB_P_FIXED, NULL } }, NULL,
	    "movie_rec:configuration", NULL, 0, 3 * 86400, tmdb_shape_configuration },
	/* Every region at once; no language. */
	[TMDB_WATCH_PROVIDERS] = { "watch_providers", "/movie/{id}/watch/providers", 0, valid_id,
	    { { NULL, TMDB_P_FIXED, NULL } }, NULL,
	    "movie_{id}_watch_providers", NULL, 0, 86400, tmdb_shape_watch_providers },
	[TMDB_FIND] = { "find", "/find/{text}", 0, valid_imdb,
	    { { "external_source", TMDB_P_FIXED, "imdb_id" }, P_LANG }, NULL,
	    "movie_rec:find_imdb_{text}", NULL, 0, 86400, tmdb_shape_find },
};

const struct tmdb_kind_desc *
tmdb_kind_desc(enum tmdb_kind kind)
{
	return (size_t)kind < NELEM(kinds) && kinds[kind].name != NULL ? &kinds[kind] : NULL;
}

/* Appends the value of the placeholder name[0..len) to out; unknown names stay as written. */
static void
expand_one(const char *name, size_t len, const struct tmdb_query *q, const char *hash,
    struct buf *out)
{
	if (len == 2 && memcmp(name, "id", 2) == 0)
		buf_printf(out, "%" PRId64, q->id);
	else if (len == 4 && memcmp(name, "page", 4) == 0)
		buf_printf(out, "%d", q->page);
	else if (len == 6 && memcmp(name, "window", 6) == 0)
		buf_puts(out, q->window ? q->window : "");
	else if (len == 4 && memcmp(name, "text", 4) == 0)
		buf_puts(out, q->text ? q->text : "");
	else if (len == 4 && memcmp(name, "hash", 4) == 0)
		buf_puts(out, hash ? hash : "");
	else
		buf_printf(out, "{%.*s}", (int)len, name);
}

void
tmdb_kind_expand(const char *tmpl, const struct tmdb_query *q, const char *hash, struct buf *out)
{
	const char *open, *close;

	while ((open = strchr(tmpl, '{')) != NULL && (close = strchr(open, '}')) != NULL) {
		buf_append(out, tmpl, (size_t)(open - tmpl));
		expand_one(open + 1, (size_t)(close - open - 1), q, hash, out);
		tmpl = close + 1;
	}
	buf_puts(out, tmpl);
}
