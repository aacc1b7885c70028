/* tmdb_shape.c: validates TMDb's JSON and reshapes it into our normalised copies, per kind. */
#include <ctype.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "tmdb_shape.h"
#include "util.h"


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

struct json_object *
tmdb_shape_list(struct json_object *raw)
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

struct json_object *
tmdb_shape_details(struct json_object *raw)
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

struct json_object *
tmdb_shape_genres(struct json_object *raw)
{
	struct json_object *g = member(raw, "genres"), *o;

	if (g == NULL || !json_object_is_type(g, json_type_array))
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "genres", norm_id_names(g));
	return o;
}

struct json_object *
tmdb_shape_configuration(struct json_object *raw)
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
struct json_object *
tmdb_shape_watch_providers(struct json_object *raw)
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
struct json_object *
tmdb_shape_find(struct json_object *raw)
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
