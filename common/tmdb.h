/* tmdb.h: the TMDb client's interface: transport (tmdb.c), URLs (tmdb_url.c), reshaping (tmdb_shape.c). */
#ifndef TMDB_H
#define TMDB_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct json_object;

/*
 * Client settings, filled by the caller (the config table). Zero/NULL fields take the
 * defaults noted. The strings are copied by tmdb_open().
 */
struct tmdb_settings {
	const char	*base_url;		/* "https://api.themoviedb.org/3" (no trailing slash needed) */
	const char	*api_key;		/* v3 key sent as ?api_key=; NULL or "" if unused */
	const char	*read_token;		/* v4 read-access token sent as Bearer; preferred when set */
	const char	*language;		/* default "en-US" */
	long		 connect_timeout_ms;	/* default 2000 */
	long		 timeout_ms;		/* whole transfer, default 5000 */
	size_t		 max_response_bytes;	/* default 2 MiB; the transfer is aborted past it */
	int		 max_concurrency;	/* parallel transfers and host connections, default 8, max 19 */
};

#define TMDB_DEFAULT_CONNECT_TIMEOUT_MS	2000
#define TMDB_DEFAULT_TIMEOUT_MS		5000
#define TMDB_DEFAULT_MAX_RESPONSE	(2u * 1024 * 1024)
#define TMDB_DEFAULT_CONCURRENCY	8
#define TMDB_MAX_CONCURRENCY		19	/* TMDb's CDN allows 20 connections per IP */
#define TMDB_MAX_PAGE			500
#define TMDB_RETRY_BACKOFF_MS		200	/* before the one retry of a 5xx/timeout/drop/garbage */
#define TMDB_RETRY_AFTER_CAP_MS		2000	/* longest wait honoured for a 429 Retry-After */
#define TMDB_RETRY_AFTER_DEFAULT_MS	1000	/* 429 without a usable Retry-After */
#define TMDB_MAX_QUERY_BYTES		800	/* 200 characters of 4-byte UTF-8: pages cap characters */

/* What a call asks for. Everything a kind decides (path, parameters, paging, cache key, TTL,
 * reshaper) is its row in tmdb_kinds.c: a new kind is one enumerator and one row. */
enum tmdb_kind {
	TMDB_TRENDING,		/* window ("day"|"week"), page */
	TMDB_DETAILS,		/* id; fetched with append_to_response=credits,videos */
	TMDB_RECOMMENDATIONS,	/* id, page */
	TMDB_SIMILAR,		/* id, page */
	TMDB_SEARCH,		/* text, year, primary_release_year (0 = any), page */
	TMDB_GENRES,		/* - */
	TMDB_DISCOVER,		/* id = genre id, page */
	TMDB_CONFIGURATION,	/* - */
	TMDB_WATCH_PROVIDERS,	/* id: where to stream, rent or buy it, every region (JustWatch's data) */
	TMDB_FIND		/* text = an IMDb id ("tt" + 7..10 digits): /find/{id}?external_source=imdb_id */
};

/* One call's parameters; pointers are borrowed for the duration of the call. */
struct tmdb_query {
	enum tmdb_kind	 kind;
	int64_t		 id;
	int		 page;
	int		 year;			/* search: TMDb's year (any release that year), 0 = any */
	int		 primary_release_year;	/* search: the primary release's year, 0 = any */
	const char	*window;
	const char	*text;
};

enum tmdb_status {
	TMDB_OK,
	TMDB_NOT_FOUND,		/* HTTP 404 */
	TMDB_CONFIG_ERROR,	/* HTTP 401: bad key or token (logged at ERROR) */
	TMDB_RATE_LIMITED,	/* HTTP 429 still after the bounded wait, or not waited (stale exists) */
	TMDB_UNAVAILABLE,	/* 5xx, timeout, connection failure, oversize or malformed body */
	TMDB_BAD_REQUEST	/* parameters refused before the call, or HTTP 400/422 */
};

struct tmdb_result {
	enum tmdb_status	 status;
	long			 http_status;	/* 0 when no response arrived */
	struct json_object	*json;		/* normalised copy when TMDB_OK, else NULL; caller puts it */
	long			 retry_after_ms;	/* TMDb's Retry-After of a 429, even if a retry then succeeded (uncapped), else 0 */
};

struct tmdb;

/* Creates the per-worker client (after fork). NULL on failure (logged). */
struct tmdb	*tmdb_open(const struct tmdb_settings *);
void		 tmdb_close(struct tmdb *);

/*
 * One call with the retry policy: 5xx, timeout, drop or malformed body are retried once after
 * TMDB_RETRY_BACKOFF_MS; a 429 waits Retry-After (capped) and retries once, unless have_stale,
 * in which case it returns TMDB_RATE_LIMITED at once. Longest possible wait:
 * tmdb_worst_case_ms(). Fills *res (res->json owned by the caller).
 */
void		 tmdb_fetch(struct tmdb *, const struct tmdb_query *, int have_stale, struct tmdb_result *res);
/*
 * The same for n calls run concurrently (at most max_concurrency at once) through the
 * multi handle; have_stale may be NULL (none stale). Retries happen in one shared round.
 */
void		 tmdb_fetch_many(struct tmdb *, const struct tmdb_query *, const int *have_stale, size_t n,
		    struct tmdb_result *res);
/*
 * A point in time (monotonic ms, util.h's now_ms) no call may wait past: each transfer's
 * timeouts are cut to it, a retry that could not finish by then is not made, and once it has
 * passed no call is made at all (TMDB_UNAVAILABLE). 0 removes it. Set per page.
 */
void		 tmdb_set_deadline(struct tmdb *, int64_t deadline_ms);
/* Upper bound in ms of one tmdb_fetch/tmdb_fetch_many: 2 attempts plus the longest wait. */
long		 tmdb_worst_case_ms(const struct tmdb *);
/* The normalised settings in use (defaults applied). */
const struct tmdb_settings *tmdb_get_settings(const struct tmdb *);

/* --- pure helpers (unit-tested) --- */

/* 0 if the query is well-formed (page 1..500, id > 0, window day|week, text 1..200 bytes UTF-8, an IMDb id for find), else -1. */
int		 tmdb_query_check(const struct tmdb_query *);
/*
 * Appends the full request URL (query escaped, api_key included when no read token) to out.
 * 0, or -1 for a bad query or base URL. Never log the result: it can carry the api_key.
 */
int		 tmdb_build_url(const struct tmdb_settings *, const struct tmdb_query *, struct buf *out);
/* 1 if s is an IMDb title id: "tt" and 7 to 10 digits (what TMDB_FIND takes). */
int		 tmdb_is_imdb_id(const char *s);
/* The kind's name for metrics labels ("details", "search", ...). */
const char	*tmdb_kind_name(enum tmdb_kind);
/* Appends a log-safe description of the call ("GET /movie/550", no key, no user text). */
void		 tmdb_describe(const struct tmdb_query *, struct buf *out);
/*
 * Parses a body and returns its validated, normalised copy (caller puts it), or NULL when
 * the body is not JSON or lacks a required field. Shapes:
 *  list kinds: {"page":int,"results":[item...],"total_pages":int<=500,"total_results":int}
 *    item: {"id":int,"title":str,"original_title":str,"original_language":str,"overview":str,
 *           "poster_path":str|null,"backdrop_path":str|null,"release_date":"YYYY-MM-DD"|"",
 *           "genre_ids":[int],"vote_average":double,"vote_count":int,"popularity":double}
 *    (items without an int id and a string title, and adult items, are dropped)
 *  details: item fields (genre_ids replaced by "genres":[{"id","name"}]) plus "runtime":int|null
 *    (0 -> null), "tagline","homepage","status":str, "imdb_id":str|null, "origin_country":[str]
 *    ([] when absent), "budget","revenue":int, "belongs_to_collection":null|{id,name,poster_path,
 *    backdrop_path}, "credits":{"cast":[{id,name,character,profile_path,order}] (first 50),
 *    "crew":[{id,name,job,department,profile_path}] (key jobs only)}, "videos":{"results":
 *    [{key,name,site,type,official,published_at,size}]}
 *  items and details also keep every other member TMDb sent, unchanged (production_companies,
 *    production_countries, spoken_languages, video, media_type, ...): the API answers TMDb's JSON
 *  find: {"movie_results":[item...]} (TMDb's person, tv and episode results are dropped)
 *  genres: {"genres":[{"id":int,"name":str}]}
 *  configuration: {"images":{"secure_base_url":str,"base_url":str,"poster_sizes":[str],
 *    "backdrop_sizes":[str],"profile_sizes":[str],"logo_sizes":[str],"still_sizes":[str]}}
 */
struct json_object *tmdb_parse(enum tmdb_kind, const char *body, size_t len);
/* Validates an already parsed document the same way (raw is only read). */
struct json_object *tmdb_normalize(enum tmdb_kind, struct json_object *raw);

#endif
