/* test_tmdb_parse.c: TMDb body validation/normalisation, query checks, URL building and cache key naming. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "buf.h"
#include "movies.h"
#include "tmdb.h"

static struct json_object *
get(struct json_object *o, const char *k)
{
	struct json_object *v = NULL;

	assert_true(json_object_object_get_ex(o, k, &v));
	return v;
}

static int
has(struct json_object *o, const char *k)
{
	return json_object_object_get_ex(o, k, NULL);
}

static struct json_object *
parse(enum tmdb_kind kind, const char *s)
{
	return tmdb_parse(kind, s, strlen(s));
}

/* Shaped like the 2024 recording of /movie/550 (no origin_country) with appended credits/videos. */
static const char details_550[] =
    "{\"adult\":false,\"backdrop_path\":\"/hZkgoQYus5vegHoetLkCJzb17zJ.jpg\","
    "\"belongs_to_collection\":null,\"budget\":63000000,"
    "\"genres\":[{\"id\":18,\"name\":\"Drama\"},{\"id\":\"x\",\"name\":\"Bad\"}],"
    "\"homepage\":\"http://www.foxmovies.com/movies/fight-club\",\"id\":550,\"imdb_id\":\"tt0137523\","
    "\"original_language\":\"en\",\"original_title\":\"Fight Club\",\"overview\":\"A ticking-time-bomb...\","
    "\"popularity\":61.416,\"poster_path\":\"/pB8BM7pdSp6B6Ih7QZ4DrQ3PmJK.jpg\","
    "\"production_companies\":[],\"release_date\":\"1999-10-15\",\"revenue\":100853753,\"runtime\":139,"
    "\"status\":\"Released\",\"tagline\":\"Mischief. Mayhem. Soap.\",\"title\":\"Fight Club\","
    "\"video\":false,\"vote_average\":8.433,\"vote_count\":26280,"
    "\"credits\":{\"cast\":[{\"adult\":false,\"gender\":2,\"id\":819,\"name\":\"Edward Norton\","
    "\"profile_path\":\"/5XBzD5WuTyVQZeS4VI25z2moMeY.jpg\",\"cast_id\":4,\"character\":\"Narrator\","
    "\"credit_id\":\"52fe4250c3a36847f80149f3\",\"order\":0}],"
    "\"crew\":[{\"id\":7467,\"name\":\"David Fincher\",\"profile_path\":null,\"department\":\"Directing\","
    "\"job\":\"Director\"},{\"id\":1,\"name\":\"Somebody\",\"job\":\"Best Boy Grip\",\"department\":\"Crew\"}]},"
    "\"videos\":{\"results\":[{\"iso_639_1\":\"en\",\"iso_3166_1\":\"US\",\"name\":\"20th Anniversary Trailer\","
    "\"key\":\"dfeUzm6KF4g\",\"site\":\"YouTube\",\"size\":1080,\"type\":\"Trailer\",\"official\":true,"
    "\"published_at\":\"2019-10-15T18:59:47.000Z\",\"id\":\"64fb16fbdb4ed610343d72c3\"}]}}";

static void
test_details(void **state)
{
	struct json_object *o = parse(TMDB_DETAILS, details_550), *v;

	(void)state;
	assert_non_null(o);
	assert_true(json_object_is_type(get(o, "id"), json_type_int));
	assert_int_equal(json_object_get_int64(get(o, "id")), 550);
	assert_string_equal(json_object_get_string(get(o, "title")), "Fight Club");
	assert_string_equal(json_object_get_string(get(o, "release_date")), "1999-10-15");
	assert_int_equal(json_object_get_int(get(o, "runtime")), 139);
	assert_true(json_object_is_type(get(o, "vote_average"), json_type_double));
	/* the genre with a string id is dropped */
	assert_int_equal(json_object_array_length(get(o, "genres")), 1);
	/* absent origin_country becomes [] so handlers can rely on an array */
	v = get(o, "origin_country");
	assert_true(json_object_is_type(v, json_type_array));
	assert_int_equal(json_object_array_length(v), 0);
	assert_null(get(o, "belongs_to_collection"));
	v = get(get(o, "credits"), "crew");
	assert_int_equal(json_object_array_length(v), 1);	/* only key jobs kept */
	assert_string_equal(json_object_get_string(get(json_object_array_get_idx(v, 0), "job")), "Director");
	assert_null(get(json_object_array_get_idx(v, 0), "profile_path"));
	v = get(get(o, "videos"), "results");
	assert_int_equal(json_object_array_length(v), 1);
	assert_string_equal(json_object_get_string(get(json_object_array_get_idx(v, 0), "key")), "dfeUzm6KF4g");
	/* TMDb's other fields pass through unchanged. */
	assert_true(json_object_is_type(get(o, "production_companies"), json_type_array));
	assert_true(json_object_is_type(get(o, "video"), json_type_boolean));
	assert_false(json_object_get_boolean(get(o, "video")));
	json_object_put(o);
}

static void
test_details_nulls(void **state)
{
	struct json_object *o;

	(void)state;
	o = parse(TMDB_DETAILS, "{\"id\":11,\"title\":\"Star Wars\",\"runtime\":0,\"poster_path\":null,"
	    "\"release_date\":\"\",\"vote_average\":7,\"origin_country\":[\"US\"],\"imdb_id\":null,"
	    "\"belongs_to_collection\":{\"id\":10,\"name\":\"Star Wars Collection\",\"poster_path\":null}}");
	assert_non_null(o);
	assert_null(get(o, "runtime"));
	assert_null(get(o, "poster_path"));
	assert_null(get(o, "imdb_id"));
	assert_string_equal(json_object_get_string(get(o, "release_date")), "");
	assert_true(json_object_is_type(get(o, "vote_average"), json_type_double));
	assert_true(json_object_get_double(get(o, "vote_average")) == 7.0);
	assert_string_equal(json_object_get_string(json_object_array_get_idx(get(o, "origin_country"), 0)), "US");
	assert_int_equal(json_object_get_int(get(get(o, "belongs_to_collection"), "id")), 10);
	assert_true(json_object_is_type(get(get(o, "credits"), "cast"), json_type_array));
	json_object_put(o);
	/* a bad date shape is normalised to "" */
	o = parse(TMDB_DETAILS, "{\"id\":1,\"title\":\"t\",\"release_date\":\"1999-1-15\"}");
	assert_string_equal(json_object_get_string(get(o, "release_date")), "");
	json_object_put(o);
}

static void
test_details_rejected(void **state)
{
	static const char *bad[] = {
		"",
		"not json",
		"{\"id\":550,\"title\":\"Fight Club\"",			/* truncated */
		"{\"id\":550,\"title\":\"Fight Club\"} trailing",
		"{\"title\":\"Fight Club\"}",				/* no id */
		"{\"id\":\"550\",\"title\":\"Fight Club\"}",		/* id not an int */
		"{\"id\":550.5,\"title\":\"Fight Club\"}",
		"{\"id\":0,\"title\":\"x\"}",
		"{\"id\":550}",						/* no title */
		"{\"id\":550,\"title\":null}",
		"[1,2]",
		"{\"success\":false,\"status_code\":34,\"status_message\":\"The resource you requested could not be found.\"}",
		"{\"id\":550,\"title\":\"a\\u0000b\"}",			/* NUL inside a string */
		"{\"id\":550,\"title\":\"\xff\xfe\"}",			/* not UTF-8 */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct json_object *o = parse(TMDB_DETAILS, bad[i]);

		if (o != NULL)
			fail_msg("accepted: %s", bad[i]);
	}
}

static void
test_list(void **state)
{
	struct json_object *o, *r, *item;

	(void)state;
	o = parse(TMDB_TRENDING, "{\"page\":1,\"results\":["
	    "{\"adult\":false,\"id\":934433,\"title\":\"Scream VI\",\"poster_path\":\"/x.jpg\","
	    "\"media_type\":\"movie\",\"genre_ids\":[27,53,\"x\"],\"popularity\":1.5,\"release_date\":\"2023-03-08\","
	    "\"vote_average\":7,\"vote_count\":10},"
	    "{\"id\":2,\"original_title\":\"no title\"},"
	    "{\"adult\":true,\"id\":3,\"title\":\"adult\"},"
	    "{\"id\":4,\"title\":\"Blank\",\"release_date\":\"\",\"poster_path\":null}],"
	    "\"total_pages\":1000,\"total_results\":20000}");
	assert_non_null(o);
	assert_int_equal(json_object_get_int(get(o, "total_pages")), 500);
	assert_int_equal(json_object_get_int(get(o, "total_results")), 20000);
	r = get(o, "results");
	assert_int_equal(json_object_array_length(r), 2);
	item = json_object_array_get_idx(r, 0);
	assert_int_equal(json_object_get_int(get(item, "id")), 934433);
	assert_int_equal(json_object_array_length(get(item, "genre_ids")), 2);
	assert_true(json_object_is_type(get(item, "vote_average"), json_type_double));
	/* Every other field TMDb sent is kept as sent: the API answers TMDb's JSON. */
	assert_string_equal(json_object_get_string(get(item, "media_type")), "movie");
	assert_true(json_object_is_type(get(item, "adult"), json_type_boolean));
	item = json_object_array_get_idx(r, 1);
	assert_null(get(item, "poster_path"));
	assert_null(get(item, "backdrop_path"));
	assert_string_equal(json_object_get_string(get(item, "overview")), "");
	json_object_put(o);

	o = parse(TMDB_SEARCH, "{\"page\":1,\"results\":[],\"total_pages\":0,\"total_results\":0}");
	assert_non_null(o);
	assert_int_equal(json_object_array_length(get(o, "results")), 0);
	json_object_put(o);

	assert_null(parse(TMDB_SIMILAR, "{\"page\":1,\"total_pages\":1,\"total_results\":0}"));
	assert_null(parse(TMDB_SIMILAR, "{\"page\":1,\"results\":{},\"total_pages\":1,\"total_results\":0}"));
	assert_null(parse(TMDB_SIMILAR, "{\"page\":\"1\",\"results\":[],\"total_pages\":1,\"total_results\":0}"));
	assert_null(parse(TMDB_DISCOVER, "{\"errors\":[\"query must be provided\"]}"));
}

static void
test_genres_configuration(void **state)
{
	struct json_object *o, *img;

	(void)state;
	o = parse(TMDB_GENRES, "{\"genres\":[{\"id\":28,\"name\":\"Action\"},{\"id\":12,\"name\":\"Adventure\"},"
	    "{\"id\":1}]}");
	assert_non_null(o);
	assert_int_equal(json_object_array_length(get(o, "genres")), 2);
	json_object_put(o);
	assert_null(parse(TMDB_GENRES, "{\"genre\":[]}"));

	o = parse(TMDB_CONFIGURATION, "{\"images\":{\"base_url\":\"http://image.tmdb.org/t/p/\","
	    "\"secure_base_url\":\"https://image.tmdb.org/t/p/\",\"backdrop_sizes\":[\"w300\",\"original\"],"
	    "\"poster_sizes\":[\"w92\",\"w500\",\"original\"]},\"change_keys\":[\"adult\"]}");
	assert_non_null(o);
	img = get(o, "images");
	assert_string_equal(json_object_get_string(get(img, "secure_base_url")), "https://image.tmdb.org/t/p/");
	assert_int_equal(json_object_array_length(get(img, "poster_sizes")), 3);
	assert_int_equal(json_object_array_length(get(img, "logo_sizes")), 0);
	assert_false(has(o, "change_keys"));
	json_object_put(o);
	assert_null(parse(TMDB_CONFIGURATION, "{\"images\":{\"poster_sizes\":[]}}"));
}

/* Where to watch: every region kept, offers normalised, junk entries and odd regions dropped. */
static void
test_watch_providers(void **state)
{
	struct json_object *o, *us, *rent;

	(void)state;
	o = parse(TMDB_WATCH_PROVIDERS, "{\"id\":550,\"results\":{"
	    "\"US\":{\"link\":\"https://www.themoviedb.org/movie/550/watch?locale=US\","
	    "\"flatrate\":[{\"logo_path\":\"/n.jpg\",\"provider_id\":8,\"provider_name\":\"Netflix\","
	    "\"display_priority\":1}],\"rent\":[{\"provider_id\":2,\"provider_name\":\"Apple TV\","
	    "\"logo_path\":null,\"display_priority\":4},{\"provider_id\":\"x\",\"provider_name\":\"Bad\"}]},"
	    "\"gb\":{\"link\":\"x\"},\"DEU\":{},\"FR\":[]}}");
	assert_non_null(o);
	assert_int_equal(json_object_get_int(get(o, "id")), 550);
	assert_int_equal(json_object_object_length(get(o, "results")), 1);
	us = get(get(o, "results"), "US");
	assert_string_equal(json_object_get_string(get(us, "link")), "https://www.themoviedb.org/movie/550/watch?locale=US");
	assert_string_equal(json_object_get_string(get(json_object_array_get_idx(get(us, "flatrate"), 0),
	    "provider_name")), "Netflix");
	rent = get(us, "rent");
	assert_int_equal(json_object_array_length(rent), 1);
	assert_null(get(json_object_array_get_idx(rent, 0), "logo_path"));
	assert_int_equal(json_object_array_length(get(us, "buy")), 0);
	json_object_put(o);
	/* A movie offered nowhere is an answer; a body without results is not. */
	o = parse(TMDB_WATCH_PROVIDERS, "{\"id\":5,\"results\":{}}");
	assert_non_null(o);
	json_object_put(o);
	assert_null(parse(TMDB_WATCH_PROVIDERS, "{\"id\":5}"));
	assert_null(parse(TMDB_WATCH_PROVIDERS, "{\"results\":{}}"));
}

/* /find by IMDb id: the movies only, normalised as list items; a body without movie_results is not an answer. */
static void
test_find(void **state)
{
	struct json_object *o, *m;

	(void)state;
	o = parse(TMDB_FIND, "{\"movie_results\":[{\"id\":550,\"title\":\"Fight Club\",\"adult\":false,"
	    "\"release_date\":\"1999-10-15\",\"media_type\":\"movie\"},{\"title\":\"no id\"}],"
	    "\"person_results\":[{\"id\":287}],\"tv_results\":[]}");
	assert_non_null(o);
	assert_int_equal(json_object_array_length(get(o, "movie_results")), 1);
	m = json_object_array_get_idx(get(o, "movie_results"), 0);
	assert_int_equal(json_object_get_int(get(m, "id")), 550);
	assert_false(has(o, "person_results"));
	json_object_put(o);
	assert_null(parse(TMDB_FIND, "{\"tv_results\":[]}"));
}

static void
test_query_check(void **state)
{
	struct tmdb_query q;

	(void)state;
	q = (struct tmdb_query){ .kind = TMDB_TRENDING, .window = "day", .page = 1 };
	assert_int_equal(tmdb_query_check(&q), 0);
	q.page = 500;
	assert_int_equal(tmdb_query_check(&q), 0);
	q.page = 0;
	assert_int_equal(tmdb_query_check(&q), -1);
	q.page = 501;
	assert_int_equal(tmdb_query_check(&q), -1);
	q = (struct tmdb_query){ .kind = TMDB_TRENDING, .window = "month", .page = 1 };
	assert_int_equal(tmdb_query_check(&q), -1);
	q = (struct tmdb_query){ .kind = TMDB_TRENDING, .window = NULL, .page = 1 };
	assert_int_equal(tmdb_query_check(&q), -1);
	q = (struct tmdb_query){ .kind = TMDB_DETAILS, .id = 0 };
	assert_int_equal(tmdb_query_check(&q), -1);
	q.id = 550;
	assert_int_equal(tmdb_query_check(&q), 0);
	q.id = (int64_t)INT32_MAX + 1;
	assert_int_equal(tmdb_query_check(&q), -1);
	q = (struct tmdb_query){ .kind = TMDB_SEARCH, .text = "", .page = 1 };
	assert_int_equal(tmdb_query_check(&q), -1);
	q.text = "fight";
	assert_int_equal(tmdb_query_check(&q), 0);
	q.year = 99;
	assert_int_equal(tmdb_query_check(&q), -1);
	q.year = 0;
	q.primary_release_year = 99;
	assert_int_equal(tmdb_query_check(&q), -1);
	q = (struct tmdb_query){ .kind = TMDB_DISCOVER, .id = 28, .page = 0 };
	assert_int_equal(tmdb_query_check(&q), -1);
}

static void
test_build_url(void **state)
{
	struct tmdb_settings	s = { .base_url = "http://127.0.0.1:9999/3/", .api_key = "k3y",
	    .language = "de-DE" };
	struct tmdb_query	q = { .kind = TMDB_SEARCH, .text = "fight club & co/=?#é",
	    .primary_release_year = 1999, .page = 2 };
	struct buf		b = BUF_INIT;

	(void)state;
	assert_int_equal(tmdb_build_url(&s, &q, &b), 0);
	assert_string_equal(buf_cstr(&b), "http://127.0.0.1:9999/3/search/movie?api_key=k3y"
	    "&query=fight+club+%26+co%2f%3d%3f%23%c3%a9&include_adult=false&language=de-DE&page=2"
	    "&primary_release_year=1999");
	buf_reset(&b);
	/* The origin app's search sends TMDb's own year parameter. */
	q = (struct tmdb_query){ .kind = TMDB_SEARCH, .text = "heat", .year = 1995, .page = 1 };
	assert_int_equal(tmdb_build_url(&s, &q, &b), 0);
	assert_string_equal(buf_cstr(&b), "http://127.0.0.1:9999/3/search/movie?api_key=k3y"
	    "&query=heat&include_adult=false&language=de-DE&page=1&year=1995");
	buf_reset(&b);
	/* With a read token, the key never goes into the URL. */
	s.read_token = "eyJtoken";
	q = (struct tmdb_query){ .kind = TMDB_DETAILS, .id = 550 };
	assert_int_equal(tmdb_build_url(&s, &q, &b), 0);
	assert_null(strstr(buf_cstr(&b), "api_key"));
	assert_non_null(strstr(buf_cstr(&b), "/3/movie/550?"));
	assert_non_null(strstr(buf_cstr(&b), "append_to_response=credits%2cvideos"));
	buf_reset(&b);
	q = (struct tmdb_query){ .kind = TMDB_DISCOVER, .id = 28, .page = 3 };
	assert_int_equal(tmdb_build_url(&s, &q, &b), 0);
	assert_non_null(strstr(buf_cstr(&b), "with_genres=28"));
	assert_non_null(strstr(buf_cstr(&b), "include_adult=false"));
	buf_reset(&b);
	q = (struct tmdb_query){ .kind = TMDB_TRENDING, .window = "week", .page = 1 };
	assert_int_equal(tmdb_build_url(&s, &q, &b), 0);
	assert_string_equal(buf_cstr(&b), "http://127.0.0.1:9999/3/trending/movie/week?language=de-DE&page=1");
	buf_reset(&b);
	/* Every region comes in one answer, with no language. */
	q = (struct tmdb_query){ .kind = TMDB_WATCH_PROVIDERS, .id = 550 };
	assert_int_equal(tmdb_build_url(&s, &q, &b), 0);
	assert_string_equal(buf_cstr(&b), "http://127.0.0.1:9999/3/movie/550/watch/providers");
	q.id = 0;
	assert_int_equal(tmdb_query_check(&q), -1);
	buf_reset(&b);
	q = (struct tmdb_query){ .kind = TMDB_FIND, .text = "tt0137523" };
	assert_int_equal(tmdb_build_url(&s, &q, &b), 0);
	assert_string_equal(buf_cstr(&b), "http://127.0.0.1:9999/3/find/tt0137523?external_source=imdb_id&language=de-DE");
	/* The id goes into the path: nothing but tt and digits. */
	q.text = "tt0137523/../../movie/550";
	assert_int_equal(tmdb_query_check(&q), -1);
	q.text = "nm0000093";
	assert_int_equal(tmdb_query_check(&q), -1);
	q = (struct tmdb_query){ .kind = TMDB_WATCH_PROVIDERS, .id = 0 };
	buf_reset(&b);
	q.page = 501;
	assert_int_equal(tmdb_build_url(&s, &q, &b), -1);
	s.base_url = "ftp://example.com/3";
	q.page = 1;
	assert_int_equal(tmdb_build_url(&s, &q, &b), -1);
	buf_reset(&b);
	q = (struct tmdb_query){ .kind = TMDB_DETAILS, .id = 550 };
	tmdb_describe(&q, &b);
	assert_string_equal(buf_cstr(&b), "GET /movie/550");
	buf_reset(&b);
	/* A genre is not in discover's path: the description names it. */
	q = (struct tmdb_query){ .kind = TMDB_DISCOVER, .id = 28, .page = 2 };
	tmdb_describe(&q, &b);
	assert_string_equal(buf_cstr(&b), "GET /discover/movie genre=28 page=2");
	buf_free(&b);
}

static void
check_key(const struct tmdb_query *q, const char *want)
{
	struct buf b = BUF_INIT;

	assert_int_equal(movies_cache_key(q, "en-US", &b), 0);
	assert_string_equal(buf_cstr(&b), want);
	buf_free(&b);
}

static void
test_keys(void **state)
{
	struct tmdb_query	q;
	struct buf		a = BUF_INIT, b = BUF_INIT;

	(void)state;
	check_key(&(struct tmdb_query){ .kind = TMDB_TRENDING, .window = "day", .page = 1 },
	    "movie_rec:trending_movies");
	check_key(&(struct tmdb_query){ .kind = TMDB_TRENDING, .window = "day", .page = 2 },
	    "movie_rec:trending_movies:day:2");
	check_key(&(struct tmdb_query){ .kind = TMDB_TRENDING, .window = "week", .page = 1 },
	    "movie_rec:trending_movies:week:1");
	check_key(&(struct tmdb_query){ .kind = TMDB_RECOMMENDATIONS, .id = 550, .page = 1 },
	    "movie_rec:recommendations_550");
	check_key(&(struct tmdb_query){ .kind = TMDB_RECOMMENDATIONS, .id = 550, .page = 3 },
	    "movie_rec:recommendations_550:3");
	check_key(&(struct tmdb_query){ .kind = TMDB_DETAILS, .id = 550 }, "movie_550_details");
	check_key(&(struct tmdb_query){ .kind = TMDB_SIMILAR, .id = 550, .page = 1 }, "movie_rec:similar_550:1");
	check_key(&(struct tmdb_query){ .kind = TMDB_GENRES }, "movie_rec:genres");
	check_key(&(struct tmdb_query){ .kind = TMDB_DISCOVER, .id = 28, .page = 2 }, "movie_rec:discover:28:2");
	check_key(&(struct tmdb_query){ .kind = TMDB_CONFIGURATION }, "movie_rec:configuration");
	check_key(&(struct tmdb_query){ .kind = TMDB_WATCH_PROVIDERS, .id = 550 }, "movie_550_watch_providers");
	check_key(&(struct tmdb_query){ .kind = TMDB_FIND, .text = "tt0137523" }, "movie_rec:find_imdb_tt0137523");
	/* search: the same normalised text gives the same key, other params another */
	q = (struct tmdb_query){ .kind = TMDB_SEARCH, .text = "  Fight \t CLUB ", .page = 1 };
	assert_int_equal(movies_cache_key(&q, "en-US", &a), 0);
	q.text = "fight club";
	assert_int_equal(movies_cache_key(&q, "en-US", &b), 0);
	assert_string_equal(buf_cstr(&a), buf_cstr(&b));
	/* sha1("query=fight club&year=0&page=1&language=en-US"): keys stay those already in Redis. */
	assert_string_equal(buf_cstr(&a), "movie_rec:search:cbcc8ab7ef156a56060bacd6e6e580d5fb8eba47");
	assert_int_equal(strncmp(buf_cstr(&a), "movie_rec:search:", 17), 0);
	buf_reset(&b);
	q.page = 2;
	assert_int_equal(movies_cache_key(&q, "en-US", &b), 0);
	assert_string_not_equal(buf_cstr(&a), buf_cstr(&b));
	buf_reset(&b);
	/* year and primary_release_year give different keys. */
	q.page = 1;
	q.year = 1999;
	buf_reset(&a);
	assert_int_equal(movies_cache_key(&q, "en-US", &a), 0);
	q.year = 0;
	q.primary_release_year = 1999;
	assert_int_equal(movies_cache_key(&q, "en-US", &b), 0);
	assert_string_not_equal(buf_cstr(&a), buf_cstr(&b));
	buf_reset(&b);
	q.page = 0;
	assert_int_equal(movies_cache_key(&q, "en-US", &b), -1);
	buf_free(&a);
	buf_free(&b);
	assert_int_equal(movies_ttl(TMDB_TRENDING), 3600);
	assert_int_equal(movies_ttl(TMDB_RECOMMENDATIONS), 3600);
	assert_int_equal(movies_ttl(TMDB_DETAILS), 86400);
}

static void
test_normalize_query(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	assert_int_equal(movies_normalize_query("  The\tMatrix   Reloaded \n", &b), 0);
	assert_string_equal(buf_cstr(&b), "the matrix reloaded");
	assert_int_equal(movies_normalize_query("Amélie", &b), 0);
	assert_string_equal(buf_cstr(&b), "amélie");
	assert_int_equal(movies_normalize_query("   ", &b), -1);
	assert_int_equal(movies_normalize_query("\xc3", &b), -1);
	assert_int_equal(movies_normalize_query(NULL, &b), -1);
	buf_free(&b);
	assert_string_equal(movies_status_name(MOVIES_STALE), "stale");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_details),
		cmocka_unit_test(test_watch_providers),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_details_nulls),
		cmocka_unit_test(test_details_rejected),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_genres_configuration),
		cmocka_unit_test(test_query_check),
		cmocka_unit_test(test_build_url),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_normalize_query),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
