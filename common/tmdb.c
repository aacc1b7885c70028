/* tmdb.c: the TMDb HTTP client (libcurl) and the validation that turns its JSON into normalised copies. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "log.h"
#include "metrics.h"
#include "tmdb.h"
#include "util.h"

struct xfer {
	const struct tmdb_query	*q;
	struct tmdb_result	*res;
	struct buf		 body;
	size_t			 cap;
	int			 oversize;
	int			 retryable;	/* failed in a way worth one more attempt */
	long			 wait_ms;	/* how long to wait before that attempt */
};

struct tmdb {
	struct tmdb_settings	 s;
	char			*auth_header;	/* "Authorization: Bearer ..." or NULL */
	struct curl_slist	*headers;
	CURL			*single;	/* reused for one-off calls: its connection stays alive */
	CURLM			*multi;		/* reused for concurrent calls, with its own pool */
	CURL			**pool;		/* max_concurrency easy handles for the multi handle */
	int64_t			 deadline_ms;	/* monotonic; no wait goes past it (0 = none) */
};

static int curl_ready;

/* ---------- URL building ---------- */

static int
valid_window(const char *w)
{
	return w != NULL && (strcmp(w, "day") == 0 || strcmp(w, "week") == 0);
}

static int
kind_has_page(enum tmdb_kind k)
{
	return k == TMDB_TRENDING || k == TMDB_RECOMMENDATIONS || k == TMDB_SIMILAR ||
	    k == TMDB_SEARCH || k == TMDB_DISCOVER;
}

static int
kind_is_list(enum tmdb_kind k)
{
	return kind_has_page(k);
}

/* "tt" and 7 to 10 digits: IMDb's title ids (the text goes into the URL's path). */
int
tmdb_is_imdb_id(const char *s)
{
	size_t digits = s && strncmp(s, "tt", 2) == 0 ? strspn(s + 2, "0123456789") : 0;

	return digits >= 7 && digits <= 10 && s[2 + digits] == '\0';
}

int
tmdb_query_check(const struct tmdb_query *q)
{
	if (kind_has_page(q->kind) && (q->page < 1 || q->page > TMDB_MAX_PAGE))
		return -1;
	switch (q->kind) {
	case TMDB_TRENDING:
		return valid_window(q->window) ? 0 : -1;
	case TMDB_DETAILS:
	case TMDB_RECOMMENDATIONS:
	case TMDB_SIMILAR:
	case TMDB_DISCOVER:
	case TMDB_WATCH_PROVIDERS:
		return q->id >= 1 && q->id <= INT32_MAX ? 0 : -1;
	case TMDB_SEARCH:
		if (q->text == NULL || q->text[0] == '\0' || strlen(q->text) > TMDB_MAX_QUERY_BYTES ||
		    !utf8_valid(q->text, strlen(q->text)))
			return -1;
		return (q->year == 0 || (q->year >= 1800 && q->year <= 2200)) &&
		    (q->primary_release_year == 0 ||
		    (q->primary_release_year >= 1800 && q->primary_release_year <= 2200)) ? 0 : -1;
	case TMDB_GENRES:
	case TMDB_CONFIGURATION:
		return 0;
	case TMDB_FIND:
		return tmdb_is_imdb_id(q->text) ? 0 : -1;
	}
	return -1;
}

static void
query_path(const struct tmdb_query *q, struct buf *out)
{
	switch (q->kind) {
	case TMDB_TRENDING:
		buf_printf(out, "/trending/movie/%s", q->window);
		break;
	case TMDB_DETAILS:
		buf_printf(out, "/movie/%" PRId64, q->id);
		break;
	case TMDB_RECOMMENDATIONS:
		buf_printf(out, "/movie/%" PRId64 "/recommendations", q->id);
		break;
	case TMDB_SIMILAR:
		buf_printf(out, "/movie/%" PRId64 "/similar", q->id);
		break;
	case TMDB_SEARCH:
		buf_puts(out, "/search/movie");
		break;
	case TMDB_GENRES:
		buf_puts(out, "/genre/movie/list");
		break;
	case TMDB_DISCOVER:
		buf_puts(out, "/discover/movie");
		break;
	case TMDB_CONFIGURATION:
		buf_puts(out, "/configuration");
		break;
	case TMDB_WATCH_PROVIDERS:
		buf_printf(out, "/movie/%" PRId64 "/watch/providers", q->id);
		break;
	case TMDB_FIND:
		buf_printf(out, "/find/%s", q->text);
		break;
	}
}

void
tmdb_describe(const struct tmdb_query *q, struct buf *out)
{
	buf_puts(out, "GET ");
	query_path(q, out);
	if (q->kind == TMDB_DISCOVER)
		buf_printf(out, " genre=%" PRId64, q->id);
	if (kind_has_page(q->kind))
		buf_printf(out, " page=%d", q->page);
}

const char *
tmdb_kind_name(enum tmdb_kind kind)
{
	static const char *names[] = { "trending", "details", "recommendations", "similar", "search",
	    "genres", "discover", "configuration", "watch_providers", "find" };

	return (size_t)kind < NELEM(names) ? names[kind] : "unknown";
}

/* Appends name=value to the query, escaping the value. */
static int
add_param(CURLU *u, const char *name, const char *value)
{
	struct buf	p = BUF_INIT;
	CURLUcode	rc;

	buf_printf(&p, "%s=%s", name, value);
	rc = curl_url_set(u, CURLUPART_QUERY, buf_cstr(&p), CURLU_APPENDQUERY | CURLU_URLENCODE);
	buf_free(&p);
	return rc == CURLUE_OK ? 0 : -1;
}

static int
add_int_param(CURLU *u, const char *name, int64_t v)
{
	char s[24];

	snprintf(s, sizeof(s), "%" PRId64, v);
	return add_param(u, name, s);
}

/* Appends the query parameters q's kind takes (lang where it takes a language). 0, or -1 if
 * one could not be added. */
static int
add_kind_params(CURLU *u, const struct tmdb_query *q, const char *lang)
{
	switch (q->kind) {
	case TMDB_TRENDING:
	case TMDB_RECOMMENDATIONS:
	case TMDB_SIMILAR:
		return add_param(u, "language", lang) == -1 || add_int_param(u, "page", q->page) == -1 ? -1 : 0;
	case TMDB_DETAILS:
		return add_param(u, "language", lang) == -1 ||
		    add_param(u, "append_to_response", "credits,videos") == -1 ? -1 : 0;
	case TMDB_SEARCH:
		if (add_param(u, "query", q->text) == -1 || add_param(u, "include_adult", "false") == -1 ||
		    add_param(u, "language", lang) == -1 || add_int_param(u, "page", q->page) == -1)
			return -1;
		if (q->year != 0 && add_int_param(u, "year", q->year) == -1)
			return -1;
		if (q->primary_release_year != 0 &&
		    add_int_param(u, "primary_release_year", q->primary_release_year) == -1)
			return -1;
		return 0;
	case TMDB_GENRES:
		return add_param(u, "language", lang) == -1 ? -1 : 0;
	case TMDB_DISCOVER:
		return add_int_param(u, "with_genres", q->id) == -1 ||
		    add_param(u, "include_adult", "false") == -1 ||
		    add_param(u, "include_video", "false") == -1 ||
		    add_param(u, "sort_by", "popularity.desc") == -1 ||
		    add_param(u, "language", lang) == -1 || add_int_param(u, "page", q->page) == -1 ? -1 : 0;
	case TMDB_CONFIGURATION:
	case TMDB_WATCH_PROVIDERS:	/* every region at once; no language */
		return 0;
	case TMDB_FIND:
		return add_param(u, "external_source", "imdb_id") == -1 ||
		    add_param(u, "language", lang) == -1 ? -1 : 0;
	}
	return 0;
}

int
tmdb_build_url(const struct tmdb_settings *s, const struct tmdb_query *q, struct buf *out)
{
	struct buf	 url = BUF_INIT;
	CURLU		*u;
	char		*full = NULL, *scheme = NULL;
	const char	*lang = s->language && s->language[0] ? s->language : "en-US";
	size_t		 blen;
	int		 rv = -1;

	if (s->base_url == NULL || tmdb_query_check(q) == -1)
		return -1;
	blen = strlen(s->base_url);
	while (blen > 0 && s->base_url[blen - 1] == '/')
		blen--;
	buf_append(&url, s->base_url, blen);
	query_path(q, &url);
	if ((u = curl_url()) == NULL)
		die("curl_url: out of memory");
	if (curl_url_set(u, CURLUPART_URL, buf_cstr(&url), 0) != CURLUE_OK)
		goto out;
	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0))
		goto out;
	/* The base URL must not carry its own query: parameters are ours alone. */
	if (curl_url_set(u, CURLUPART_QUERY, NULL, 0) != CURLUE_OK)
		goto out;
	if ((s->read_token == NULL || s->read_token[0] == '\0') && s->api_key && s->api_key[0] &&
	    add_param(u, "api_key", s->api_key) == -1)
		goto out;
	if (add_kind_params(u, q, lang) == -1)
		goto out;
	if (curl_url_get(u, CURLUPART_URL, &full, 0) != CURLUE_OK)
		goto out;
	buf_puts(out, full);
	rv = 0;
out:
	curl_free(full);
	curl_free(scheme);
	curl_url_cleanup(u);
	buf_free(&url);
	return rv;
}

/* ---------- validation / normalisation ---------- */

static struct json_object *
member(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (o == NULL || !json_object_is_type(o, json_type_object))
		return NULL;
	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

/* A string with no NUL byte inside (handlers use C strings); NULL otherwise. */
static const char *
str_of(struct json_object *v)
{
	const char *s;

	if (v == NULL || !json_object_is_type(v, json_type_string))
		return NULL;
	s = json_object_get_string(v);
	if (strlen(s) != (size_t)json_object_get_string_len(v))
		return NULL;
	return s;
}

static int
int_of(struct json_object *v, int64_t *out)
{
	if (v == NULL || !json_object_is_type(v, json_type_int))
		return -1;
	*out = json_object_get_int64(v);
	return 0;
}

static int
id_of(struct json_object *v, int64_t *out)
{
	return int_of(v, out) == 0 && *out >= 1 && *out <= INT32_MAX ? 0 : -1;
}

static void
put_str(struct json_object *dst, const char *key, struct json_object *src, const char *def)
{
	const char *s = str_of(member(src, key));

	json_object_object_add(dst, key, json_object_new_string(s ? s : def));
}

/* String or null (image paths, imdb_id). */
static void
put_str_or_null(struct json_object *dst, const char *key, struct json_object *src)
{
	const char *s = str_of(member(src, key));

	json_object_object_add(dst, key, s && s[0] ? json_object_new_string(s) : NULL);
}

static void
put_int(struct json_object *dst, const char *key, struct json_object *src)
{
	int64_t v;

	if (int_of(member(src, key), &v) == -1)
		v = 0;
	json_object_object_add(dst, key, json_object_new_int64(v));
}

/*
 * Doubles are written with 10 significant digits (8.44, not 8.4399999999999995) and always
 * with a '.' or exponent, so they read back as doubles from the cache.
 */
static void
put_double(struct json_object *dst, const char *key, struct json_object *src)
{
	struct json_object	*v = member(src, key);
	double			 d = 0;
	char			 s[40];

	if (v && (json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)))
		d = json_object_get_double(v);
	if (!isfinite(d))
		d = 0;
	snprintf(s, sizeof(s) - 2, "%.10g", d);
	if (strpbrk(s, ".e") == NULL)
		strcat(s, ".0");
	json_object_object_add(dst, key, json_object_new_double_s(d, s));
}

static void
put_bool(struct json_object *dst, const char *key, struct json_object *src)
{
	struct json_object *v = member(src, key);

	json_object_object_add(dst, key,
	    json_object_new_boolean(v && json_object_is_type(v, json_type_boolean) &&
	    json_object_get_boolean(v)));
}

static int
is_date(const char *s)
{
	static const char shape[] = "dddd-dd-dd";

	if (s == NULL || strlen(s) != 10)
		return 0;
	for (int i = 0; i < 10; i++)
		if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != '-')
			return 0;
	return 1;
}

static void
put_date(struct json_object *dst, const char *key, struct json_object *src)
{
	const char *s = str_of(member(src, key));

	json_object_object_add(dst, key, json_object_new_string(is_date(s) ? s : ""));
}

/* The fields shared by list items and details. -1 if id or title is missing. */
static int
put_movie_base(struct json_object *dst, struct json_object *src)
{
	int64_t		 id;
	const char	*title = str_of(member(src, "title"));

	if (id_of(member(src, "id"), &id) == -1 || title == NULL)
		return -1;
	json_object_object_add(dst, "id", json_object_new_int64(id));
	json_object_object_add(dst, "title", json_object_new_string(title));
	put_str(dst, "original_title", src, title);
	put_str(dst, "original_language", src, "");
	put_str(dst, "overview", src, "");
	put_str_or_null(dst, "poster_path", src);
	put_str_or_null(dst, "backdrop_path", src);
	put_date(dst, "release_date", src);
	put_double(dst, "vote_average", src);
	put_int(dst, "vote_count", src);
	put_double(dst, "popularity", src);
	return 0;
}

static int
is_adult(struct json_object *src)
{
	struct json_object *v = member(src, "adult");

	return v && json_object_is_type(v, json_type_boolean) && json_object_get_boolean(v);
}

/*
 * Adds every member of src that dst lacks, as TMDb sent it (shared references): the API
 * answers with TMDb's whole JSON (production_companies, spoken_languages, video, media_type,
 * fields TMDb adds later...), while the fields the pages read keep their checked forms.
 */
static void
keep_rest(struct json_object *dst, struct json_object *src)
{
	json_object_object_foreach(src, key, val) {
		if (!json_object_object_get_ex(dst, key, NULL))
			json_object_object_add(dst, key, json_object_get(val));
	}
}

static struct json_object *
norm_list_item(struct json_object *src)
{
	struct json_object	*o = json_object_new_object(), *ids, *arr;
	int64_t			 g;

	if (is_adult(src) || put_movie_base(o, src) == -1) {
		json_object_put(o);
		return NULL;
	}
	ids = json_object_new_array();
	arr = member(src, "genre_ids");
	if (arr && json_object_is_type(arr, json_type_array))
		for (size_t i = 0; i < json_object_array_length(arr); i++)
			if (id_of(json_object_array_get_idx(arr, i), &g) == 0)
				json_object_array_add(ids, json_object_new_int64(g));
	json_object_object_add(o, "genre_ids", ids);
	keep_rest(o, src);
	return o;
}

static struct json_object *
norm_list(struct json_object *raw)
{
	struct json_object	*o, *results, *items, *item;
	int64_t			 page, total_pages, total_results;

	results = member(raw, "results");
	if (int_of(member(raw, "page"), &page) == -1 || page < 0 ||
	    int_of(member(raw, "total_pages"), &total_pages) == -1 || total_pages < 0 ||
	    int_of(member(raw, "total_results"), &total_results) == -1 || total_results < 0 ||
	    results == NULL || !json_object_is_type(results, json_type_array))
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "page", json_object_new_int64(page));
	items = json_object_new_array();
	for (size_t i = 0; i < json_object_array_length(results); i++)
		if ((item = norm_list_item(json_object_array_get_idx(results, i))) != NULL)
			json_object_array_add(items, item);
	json_object_object_add(o, "results", items);
	/* Pages past 500 cannot be fetched, so never offer them. */
	json_object_object_add(o, "total_pages",
	    json_object_new_int64(total_pages > TMDB_MAX_PAGE ? TMDB_MAX_PAGE : total_pages));
	json_object_object_add(o, "total_results", json_object_new_int64(total_results));
	return o;
}

/* [{id,name}] from src[key]; entries without both are dropped; missing array gives []. */
static struct json_object *
norm_id_names(struct json_object *arr)
{
	struct json_object	*out = json_object_new_array(), *e, *n;
	const char		*name;
	int64_t			 id;

	if (arr == NULL || !json_object_is_type(arr, json_type_array))
		return out;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		e = json_object_array_get_idx(arr, i);
		if (id_of(member(e, "id"), &id) == -1 || (name = str_of(member(e, "name"))) == NULL)
			continue;
		n = json_object_new_object();
		json_object_object_add(n, "id", json_object_new_int64(id));
		json_object_object_add(n, "name", json_object_new_string(name));
		json_object_array_add(out, n);
	}
	return out;
}

static struct json_object *
norm_strings(struct json_object *arr)
{
	struct json_object	*out = json_object_new_array();
	const char		*s;

	if (arr == NULL || !json_object_is_type(arr, json_type_array))
		return out;
	for (size_t i = 0; i < json_object_array_length(arr); i++)
		if ((s = str_of(json_object_array_get_idx(arr, i))) != NULL)
			json_object_array_add(out, json_object_new_string(s));
	return out;
}

#define CAST_MAX 50

/* Crew jobs a movie page shows; the rest (often 150+ entries) is not worth caching. */
static int
key_job(const char *job)
{
	static const char *jobs[] = { "Director", "Screenplay", "Writer", "Story", "Novel",
	    "Producer", "Original Music Composer", "Director of Photography", "Editor" };

	for (size_t i = 0; job && i < NELEM(jobs); i++)
		if (strcmp(job, jobs[i]) == 0)
			return 1;
	return 0;
}

static struct json_object *
norm_credits(struct json_object *src)
{
	struct json_object	*o = json_object_new_object(), *cast = json_object_new_array();
	struct json_object	*crew = json_object_new_array(), *arr, *e, *n;
	int64_t			 id;

	arr = member(src, "cast");
	if (arr && json_object_is_type(arr, json_type_array))
		for (size_t i = 0; i < json_object_array_length(arr) &&
		    json_object_array_length(cast) < CAST_MAX; i++) {
			e = json_object_array_get_idx(arr, i);
			if (id_of(member(e, "id"), &id) == -1 || str_of(member(e, "name")) == NULL)
				continue;
			n = json_object_new_object();
			json_object_object_add(n, "id", json_object_new_int64(id));
			put_str(n, "name", e, "");
			put_str(n, "character", e, "");
			put_str_or_null(n, "profile_path", e);
			put_int(n, "order", e);
			json_object_array_add(cast, n);
		}
	arr = member(src, "crew");
	if (arr && json_object_is_type(arr, json_type_array))
		for (size_t i = 0; i < json_object_array_length(arr); i++) {
			e = json_object_array_get_idx(arr, i);
			if (id_of(member(e, "id"), &id) == -1 || str_of(member(e, "name")) == NULL ||
			    !key_job(str_of(member(e, "job"))))
				continue;
			n = json_object_new_object();
			json_object_object_add(n, "id", json_object_new_int64(id));
			put_str(n, "name", e, "");
			put_str(n, "job", e, "");
			put_str(n, "department", e, "");
			put_str_or_null(n, "profile_path", e);
			json_object_array_add(crew, n);
		}
	json_object_object_add(o, "cast", cast);
	json_object_object_add(o, "crew", crew);
	return o;
}

static struct json_object *
norm_videos(struct json_object *src)
{
	struct json_object	*o = json_object_new_object(), *res = json_object_new_array(), *arr, *e, *n;

	arr = member(src, "results");
	if (arr && json_object_is_type(arr, json_type_array))
		for (size_t i = 0; i < json_object_array_length(arr); i++) {
			e = json_object_array_get_idx(arr, i);
			if (str_of(member(e, "key")) == NULL || str_of(member(e, "site")) == NULL)
				continue;
			n = json_object_new_object();
			put_str(n, "key", e, "");
			put_str(n, "name", e, "");
			put_str(n, "site", e, "");
			put_str(n, "type", e, "");
			put_bool(n, "official", e);
			put_str(n, "published_at", e, "");
			put_int(n, "size", e);
			json_object_array_add(res, n);
		}
	json_object_object_add(o, "results", res);
	return o;
}

static struct json_object *
norm_details(struct json_object *raw)
{
	struct json_object	*o = json_object_new_object(), *v, *c;
	int64_t			 runtime, cid;

	if (put_movie_base(o, raw) == -1) {
		json_object_put(o);
		return NULL;
	}
	put_bool(o, "adult", raw);
	json_object_object_add(o, "genres", norm_id_names(member(raw, "genres")));
	/* TMDb uses 0 and null alike for "unknown". */
	if (int_of(member(raw, "runtime"), &runtime) == 0 && runtime > 0)
		json_object_object_add(o, "runtime", json_object_new_int64(runtime));
	else
		json_object_object_add(o, "runtime", NULL);
	put_str(o, "tagline", raw, "");
	put_str(o, "homepage", raw, "");
	put_str(o, "status", raw, "");
	put_str_or_null(o, "imdb_id", raw);
	json_object_object_add(o, "origin_country", norm_strings(member(raw, "origin_country")));
	put_int(o, "budget", raw);
	put_int(o, "revenue", raw);
	v = member(raw, "belongs_to_collection");
	if (id_of(member(v, "id"), &cid) == 0 && str_of(member(v, "name")) != NULL) {
		c = json_object_new_object();
		json_object_object_add(c, "id", json_object_new_int64(cid));
		put_str(c, "name", v, "");
		put_str_or_null(c, "poster_path", v);
		put_str_or_null(c, "backdrop_path", v);
		json_object_object_add(o, "belongs_to_collection", c);
	} else
		json_object_object_add(o, "belongs_to_collection", NULL);
	json_object_object_add(o, "credits", norm_credits(member(raw, "credits")));
	json_object_object_add(o, "videos", norm_videos(member(raw, "videos")));
	keep_rest(o, raw);
	return o;
}

static struct json_object *
norm_genres(struct json_object *raw)
{
	struct json_object *g = member(raw, "genres"), *o;

	if (g == NULL || !json_object_is_type(g, json_type_array))
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "genres", norm_id_names(g));
	return o;
}

static struct json_object *
norm_configuration(struct json_object *raw)
{
	static const char *sizes[] = { "poster_sizes", "backdrop_sizes", "profile_sizes",
	    "logo_sizes", "still_sizes" };
	struct json_object	*img = member(raw, "images"), *o, *i;
	const char		*secure = str_of(member(img, "secure_base_url"));
	const char		*plain = str_of(member(img, "base_url"));
	struct json_object	*posters = member(img, "poster_sizes");

	if ((secure == NULL && plain == NULL) || posters == NULL ||
	    !json_object_is_type(posters, json_type_array))
		return NULL;
	o = json_object_new_object();
	i = json_object_new_object();
	json_object_object_add(i, "secure_base_url", json_object_new_string(secure ? secure : plain));
	json_object_object_add(i, "base_url", json_object_new_string(plain ? plain : secure));
	for (size_t k = 0; k < NELEM(sizes); k++)
		json_object_object_add(i, sizes[k], norm_strings(member(img, sizes[k])));
	json_object_object_add(o, "images", i);
	return o;
}

/* One offer list ("flatrate", "rent"...): the providers with a name, by display_priority as sent. */
static struct json_object *
norm_providers(struct json_object *arr)
{
	struct json_object *out = json_object_new_array();

	for (size_t i = 0; arr && json_object_is_type(arr, json_type_array) &&
	    i < json_object_array_length(arr); i++) {
		struct json_object	*p = json_object_array_get_idx(arr, i), *n;
		int64_t			 pid;

		if (id_of(member(p, "provider_id"), &pid) == -1 || str_of(member(p, "provider_name")) == NULL)
			continue;
		n = json_object_new_object();
		json_object_object_add(n, "provider_id", json_object_new_int64(pid));
		put_str(n, "provider_name", p, "");
		put_str_or_null(n, "logo_path", p);
		put_int(n, "display_priority", p);
		json_object_array_add(out, n);
	}
	return out;
}

/* {id, results: {"US": {link, flatrate, free, ads, rent, buy}}}: regions are two capital letters. */
static struct json_object *
norm_watch_providers(struct json_object *raw)
{
	static const char	*kinds[] = { "flatrate", "free", "ads", "rent", "buy" };
	struct json_object	*results = member(raw, "results"), *o, *regions;
	int64_t			 id;

	if (id_of(member(raw, "id"), &id) == -1 || results == NULL ||
	    !json_object_is_type(results, json_type_object))
		return NULL;
	o = json_object_new_object();
	regions = json_object_new_object();
	json_object_object_foreach(results, region, offers) {
		struct json_object *r;

		if (strlen(region) != 2 || !isupper((unsigned char)region[0]) ||
		    !isupper((unsigned char)region[1]) || !json_object_is_type(offers, json_type_object))
			continue;
		r = json_object_new_object();
		put_str(r, "link", offers, "");
		for (size_t k = 0; k < NELEM(kinds); k++)
			json_object_object_add(r, kinds[k], norm_providers(member(offers, kinds[k])));
		json_object_object_add(regions, region, r);
	}
	json_object_object_add(o, "id", json_object_new_int64(id));
	json_object_object_add(o, "results", regions);
	return o;
}

/* /find's movies only: an IMDb title id names one title, which may be a series instead. */
static struct json_object *
norm_find(struct json_object *raw)
{
	struct json_object	*results = member(raw, "movie_results"), *o, *items, *item;

	if (results == NULL || !json_object_is_type(results, json_type_array))
		return NULL;
	o = json_object_new_object();
	items = json_object_new_array();
	for (size_t i = 0; i < json_object_array_length(results); i++)
		if ((item = norm_list_item(json_object_array_get_idx(results, i))) != NULL)
			json_object_array_add(items, item);
	json_object_object_add(o, "movie_results", items);
	return o;
}

struct json_object *
tmdb_normalize(enum tmdb_kind kind, struct json_object *raw)
{
	if (raw == NULL || !json_object_is_type(raw, json_type_object))
		return NULL;
	if (kind_is_list(kind))
		return norm_list(raw);
	switch (kind) {
	case TMDB_DETAILS:
		return norm_details(raw);
	case TMDB_GENRES:
		return norm_genres(raw);
	case TMDB_CONFIGURATION:
		return norm_configuration(raw);
	case TMDB_WATCH_PROVIDERS:
		return norm_watch_providers(raw);
	case TMDB_FIND:
		return norm_find(raw);
	default:
		return NULL;
	}
}

struct json_object *
tmdb_parse(enum tmdb_kind kind, const char *body, size_t len)
{
	struct json_tokener	*tok;
	struct json_object	*raw, *norm = NULL;

	if (body == NULL || len == 0 || len > INT32_MAX)
		return NULL;
	if ((tok = json_tokener_new()) == NULL)
		die("json_tokener_new: out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	raw = json_tokener_parse_ex(tok, body, (int)len);
	/* The whole body must be one complete document. */
	if (raw != NULL && json_tokener_get_error(tok) == json_tokener_success &&
	    json_tokener_get_parse_end(tok) == len)
		norm = tmdb_normalize(kind, raw);
	json_object_put(raw);
	json_tokener_free(tok);
	return norm;
}

/* ---------- transport ---------- */

static size_t
on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct xfer	*x = arg;
	size_t		 n = size * nmemb;

	if (x->body.len + n > x->cap) {
		x->oversize = 1;
		return 0;	/* aborts the transfer with CURLE_WRITE_ERROR */
	}
	buf_append(&x->body, data, n);
	return n;
}

/* Milliseconds left before the deadline (LONG_MAX without one); may be 0 or less. */
static long
time_left(const struct tmdb *t)
{
	if (t->deadline_ms == 0)
		return LONG_MAX;
	return (long)(t->deadline_ms - now_ms());
}

static long
min_long(long a, long b)
{
	return a < b ? a : b;
}

static void
setup_easy(struct tmdb *t, CURL *e, struct xfer *x, const char *url)
{
	/* Bounded by the page's deadline too; curl treats 0 as "none", hence at least 1 ms. */
	long left = time_left(t) > 1 ? time_left(t) : 1;

	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, min_long(t->s.connect_timeout_ms, left));
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, min_long(t->s.timeout_ms, left));
	curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)t->s.max_response_bytes);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	/*
	 * Over HTTPS TMDb speaks HTTP/2: wait for a connection that can multiplex rather than open
	 * more. Plain http (the stand-in) is HTTP/1.1, where waiting would only delay.
	 */
	if (strncmp(t->s.base_url, "https://", 8) == 0)
		curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "movies-fcgi/1");
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(e, CURLOPT_PRIVATE, x);
}

static void
xfer_start(struct tmdb *t, struct xfer *x)
{
	buf_reset(&x->body);
	x->cap = t->s.max_response_bytes;
	x->oversize = 0;
	x->retryable = 0;
	x->wait_ms = 0;
	x->res->status = TMDB_UNAVAILABLE;
	x->res->http_status = 0;
	x->res->json = NULL;
}

/* Counts one finished attempt: its kind, duration, outcome, and when TMDb last answered. */
static void
count_attempt(CURL *e, const struct xfer *x)
{
	static const char	*reasons[] = { "ok", "not_found", "config_error", "rate_limited",
	    "unavailable", "bad_request" };
	const char		*kind = tmdb_kind_name(x->q->kind);
	curl_off_t		 us = 0;
	enum tmdb_status	 st = x->res->status;

	curl_easy_getinfo(e, CURLINFO_TOTAL_TIME_T, &us);
	metrics_inc(MET_TMDB_CALLS, kind);
	metrics_time(MET_TMDB_SECONDS, (double)us / 1e6, kind);
	if (st == TMDB_OK || st == TMDB_NOT_FOUND)
		metrics_stamp(MET_TMDB_LAST_SUCCESS);
	else {
		metrics_inc(MET_TMDB_ERRORS, kind, (size_t)st < NELEM(reasons) ? reasons[st] : "unknown");
		metrics_stamp(MET_TMDB_LAST_FAILURE);
	}
}

/* An HTTP 429 (what = the call, for the log): rate limited, retryable after TMDb's Retry-After
 * (capped for this worker's wait; reported in x->res so every worker can hold back). */
static void
finish_429(CURL *e, struct xfer *x, const char *what)
{
	curl_off_t retry_after = 0;

	x->res->status = TMDB_RATE_LIMITED;
	x->retryable = 1;
	if (curl_easy_getinfo(e, CURLINFO_RETRY_AFTER, &retry_after) != CURLE_OK || retry_after <= 0)
		retry_after = 0;
	x->res->retry_after_ms = retry_after > 0 && retry_after < 86400 ?
	    (long)retry_after * 1000 : TMDB_RETRY_AFTER_DEFAULT_MS;
	if (retry_after <= 0)
		x->wait_ms = TMDB_RETRY_AFTER_DEFAULT_MS;
	else if (retry_after > TMDB_RETRY_AFTER_CAP_MS / 1000)
		x->wait_ms = TMDB_RETRY_AFTER_CAP_MS;
	else
		x->wait_ms = (long)retry_after * 1000;
	log_warn("tmdb: %s: HTTP 429 (retry after %ld ms)", what, x->wait_ms);
}

/* Classifies a finished attempt into x->res and decides whether another is worth it. */
static void
xfer_finish(struct tmdb *t, CURL *e, struct xfer *x, CURLcode rc)
{
	struct buf	 what = BUF_INIT;
	long		 code = 0;

	tmdb_describe(x->q, &what);
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
	x->res->http_status = code;
	if (rc != CURLE_OK) {
		x->res->status = TMDB_UNAVAILABLE;
		if (x->oversize || rc == CURLE_FILESIZE_EXCEEDED)
			log_warn("tmdb: %s: response larger than %zu bytes", buf_cstr(&what),
			    t->s.max_response_bytes);
		else {
			x->retryable = 1;
			x->wait_ms = TMDB_RETRY_BACKOFF_MS;
			log_warn("tmdb: %s: %s", buf_cstr(&what), curl_easy_strerror(rc));
		}
	} else if (code == 200) {
		x->res->json = tmdb_parse(x->q->kind, x->body.data, x->body.len);
		if (x->res->json != NULL)
			x->res->status = TMDB_OK;
		else {
			x->res->status = TMDB_UNAVAILABLE;
			x->retryable = 1;
			x->wait_ms = TMDB_RETRY_BACKOFF_MS;
			log_warn("tmdb: %s: malformed or incomplete JSON (%zu bytes)", buf_cstr(&what),
			    x->body.len);
		}
	} else if (code == 404) {
		x->res->status = TMDB_NOT_FOUND;
	} else if (code == 401) {
		x->res->status = TMDB_CONFIG_ERROR;
		log_error("tmdb: %s: HTTP 401: the TMDb API key / read token is refused; "
		    "check the TMDB configuration", buf_cstr(&what));
	} else if (code == 429) {
		finish_429(e, x, buf_cstr(&what));
	} else if (code == 400 || code == 422) {
		x->res->status = TMDB_BAD_REQUEST;
		log_warn("tmdb: %s: HTTP %ld", buf_cstr(&what), code);
	} else {
		x->res->status = TMDB_UNAVAILABLE;
		x->retryable = code >= 500;
		x->wait_ms = TMDB_RETRY_BACKOFF_MS;
		log_warn("tmdb: %s: HTTP %ld", buf_cstr(&what), code);
	}
	count_attempt(e, x);
	buf_free(&what);
}

static void
run_single(struct tmdb *t, struct xfer *x, const char *url)
{
	CURLcode rc;

	setup_easy(t, t->single, x, url);
	rc = curl_easy_perform(t->single);
	xfer_finish(t, t->single, x, rc);
}

/*
 * A failed multi handle fails this round's transfers, not the worker: every one not yet
 * finished keeps the TMDB_UNAVAILABLE that xfer_start set (no retry), and the pool is
 * detached so the next round starts clean.
 */
static void
abandon_multi(struct tmdb *t, const char *what)
{
	log_error("tmdb: %s failed: the remaining requests of this page fail", what);
	for (int i = 0; i < t->s.max_concurrency; i++)
		if (t->pool[i])
			curl_multi_remove_handle(t->multi, t->pool[i]);
}

/* Runs the given transfers, at most max_concurrency at a time, through the multi handle. */
static void
run_multi(struct tmdb *t, struct xfer **xs, char **urls, size_t n)
{
	size_t		 next = 0, active = 0;
	int		 running = 0, left;
	CURLMsg		*msg;
	struct xfer	*x;

	for (int i = 0; i < t->s.max_concurrency && next < n; i++) {
		if (t->pool[i] == NULL && (t->pool[i] = curl_easy_init()) == NULL)
			die("curl_easy_init: out of memory");
		setup_easy(t, t->pool[i], xs[next], urls[next]);
		curl_multi_add_handle(t->multi, t->pool[i]);
		next++;
		active++;
	}
	while (active > 0) {
		if (curl_multi_perform(t->multi, &running) != CURLM_OK) {
			abandon_multi(t, "curl_multi_perform");
			return;
		}
		while ((msg = curl_multi_info_read(t->multi, &left)) != NULL) {
			CURL *e = msg->easy_handle;

			if (msg->msg != CURLMSG_DONE)
				continue;
			char *priv = NULL;

			curl_easy_getinfo(e, CURLINFO_PRIVATE, &priv);
			x = (struct xfer *)(void *)priv;
			curl_multi_remove_handle(t->multi, e);
			xfer_finish(t, e, x, msg->data.result);
			active--;
			if (next < n) {
				/* The handle keeps its connection in the multi pool for reuse. */
				setup_easy(t, e, xs[next], urls[next]);
				curl_multi_add_handle(t->multi, e);
				next++;
				active++;
			}
		}
		if (active > 0 && curl_multi_poll(t->multi, NULL, 0, 100, NULL) != CURLM_OK) {
			abandon_multi(t, "curl_multi_poll");
			return;
		}
	}
}

static void
run_round(struct tmdb *t, struct xfer **xs, size_t n)
{
	char		**urls = xcalloc(n ? n : 1, sizeof(*urls));
	struct xfer	**go = xcalloc(n ? n : 1, sizeof(*go));
	char		**go_urls = xcalloc(n ? n : 1, sizeof(*go_urls));
	size_t		  k = 0;

	for (size_t i = 0; i < n; i++) {
		struct buf u = BUF_INIT;

		xfer_start(t, xs[i]);
		if (time_left(t) <= 0) {
			/* The page's deadline has passed: no call at all (stale copies are served). */
			log_warn("tmdb: the page deadline has passed; not calling TMDb");
			continue;
		}
		if (tmdb_build_url(&t->s, xs[i]->q, &u) == -1) {
			xs[i]->res->status = TMDB_BAD_REQUEST;
			buf_free(&u);
			continue;
		}
		urls[i] = buf_detach(&u);
		go[k] = xs[i];
		go_urls[k++] = urls[i];
	}
	if (k == 1)
		run_single(t, go[0], go_urls[0]);
	else if (k > 1)
		run_multi(t, go, go_urls, k);
	for (size_t i = 0; i < n; i++)
		free(urls[i]);
	free(urls);
	free(go);
	free(go_urls);
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

void
tmdb_fetch_many(struct tmdb *t, const struct tmdb_query *qs, const int *have_stale, size_t n,
    struct tmdb_result *res)
{
	struct xfer	 *xv = xcalloc(n ? n : 1, sizeof(*xv));
	struct xfer	**all = xcalloc(n ? n : 1, sizeof(*all));
	size_t		  k = 0;
	long		  wait = 0;

	for (size_t i = 0; i < n; i++) {
		xv[i].q = &qs[i];
		xv[i].res = &res[i];
		res[i].retry_after_ms = 0;	/* kept across the retry: TMDb's word stands */
		all[i] = &xv[i];
	}
	run_round(t, all, n);
	/* One shared retry round: the longest wait any of them needs, then all of them at once. */
	for (size_t i = 0; i < n; i++) {
		if (!xv[i].retryable)
			continue;
		/* A 429 with a stale copy at hand: serve that rather than make the user wait. */
		if (xv[i].res->status == TMDB_RATE_LIMITED && have_stale && have_stale[i])
			continue;
		if (xv[i].res->status == TMDB_RATE_LIMITED)
			metrics_inc(MET_TMDB_RATE_LIMIT_WAITS);
		if (xv[i].wait_ms > wait)
			wait = xv[i].wait_ms;
		all[k++] = &xv[i];
	}
	/* No retry that could not finish before the page's deadline. */
	if (k > 0 && time_left(t) > wait + TMDB_RETRY_BACKOFF_MS) {
		sleep_ms(wait);
		run_round(t, all, k);
	}
	for (size_t i = 0; i < n; i++)
		buf_free(&xv[i].body);
	free(xv);
	free(all);
}

void
tmdb_fetch(struct tmdb *t, const struct tmdb_query *q, int have_stale, struct tmdb_result *res)
{
	tmdb_fetch_many(t, q, &have_stale, 1, res);
}

void
tmdb_set_deadline(struct tmdb *t, int64_t deadline_ms)
{
	t->deadline_ms = deadline_ms;
}

long
tmdb_worst_case_ms(const struct tmdb *t)
{
	return 2 * t->s.timeout_ms + TMDB_RETRY_AFTER_CAP_MS;
}

const struct tmdb_settings *
tmdb_get_settings(const struct tmdb *t)
{
	return &t->s;
}

struct tmdb *
tmdb_open(const struct tmdb_settings *s)
{
	struct tmdb	*t;
	struct buf	 h = BUF_INIT;

	if (s->base_url == NULL || s->base_url[0] == '\0') {
		log_error("tmdb: no base URL configured");
		return NULL;
	}
	if ((s->api_key == NULL || s->api_key[0] == '\0') &&
	    (s->read_token == NULL || s->read_token[0] == '\0'))
		log_error("tmdb: neither an API key nor a read-access token is configured");
	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			log_error("tmdb: curl_global_init failed");
			return NULL;
		}
		curl_ready = 1;
	}
	t = xcalloc(1, sizeof(*t));
	t->s.base_url = xstrdup(s->base_url);
	t->s.api_key = s->api_key ? xstrdup(s->api_key) : NULL;
	t->s.read_token = s->read_token ? xstrdup(s->read_token) : NULL;
	t->s.language = xstrdup(s->language && s->language[0] ? s->language : "en-US");
	t->s.connect_timeout_ms = s->connect_timeout_ms > 0 ? s->connect_timeout_ms :
	    TMDB_DEFAULT_CONNECT_TIMEOUT_MS;
	t->s.timeout_ms = s->timeout_ms > 0 ? s->timeout_ms : TMDB_DEFAULT_TIMEOUT_MS;
	t->s.max_response_bytes = s->max_response_bytes > 0 ? s->max_response_bytes :
	    TMDB_DEFAULT_MAX_RESPONSE;
	t->s.max_concurrency = s->max_concurrency > 0 ? s->max_concurrency : TMDB_DEFAULT_CONCURRENCY;
	if (t->s.max_concurrency > TMDB_MAX_CONCURRENCY)
		t->s.max_concurrency = TMDB_MAX_CONCURRENCY;
	t->headers = curl_slist_append(NULL, "Accept: application/json");
	if (t->s.read_token && t->s.read_token[0]) {
		buf_printf(&h, "Authorization: Bearer %s", t->s.read_token);
		t->auth_header = buf_detach(&h);
		t->headers = curl_slist_append(t->headers, t->auth_header);
	}
	if (t->headers == NULL || (t->single = curl_easy_init()) == NULL ||
	    (t->multi = curl_multi_init()) == NULL)
		die("tmdb: curl handles: out of memory");
	/* Many requests share one HTTP/2 connection: a page of misses costs about one round trip. */
	curl_multi_setopt(t->multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
	curl_multi_setopt(t->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)t->s.max_concurrency);
	curl_multi_setopt(t->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)t->s.max_concurrency);
	curl_multi_setopt(t->multi, CURLMOPT_MAXCONNECTS, (long)t->s.max_concurrency);
	t->pool = xcalloc((size_t)t->s.max_concurrency, sizeof(*t->pool));
	return t;
}

void
tmdb_close(struct tmdb *t)
{
	if (t == NULL)
		return;
	for (int i = 0; i < t->s.max_concurrency; i++)
		if (t->pool[i])
			curl_easy_cleanup(t->pool[i]);
	free(t->pool);
	curl_multi_cleanup(t->multi);
	curl_easy_cleanup(t->single);
	curl_slist_free_all(t->headers);
	if (t->auth_header) {
		explicit_bzero(t->auth_header, strlen(t->auth_header));
		free(t->auth_header);
	}
	free((char *)t->s.base_url);
	free((char *)t->s.api_key);
	free((char *)t->s.read_token);
	free((char *)t->s.language);
	free(t);
}
