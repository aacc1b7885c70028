/* movies.h: the movie data the pages use: TMDb behind a Redis cache with stale copies and single-flight refreshes. */
#ifndef MOVIES_H
#define MOVIES_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "cache.h"
#include "tmdb.h"

/*
 * Redis keys (values are the normalised JSON of tmdb_parse()) and their TTLs (the per-kind keys
 * and TTLs are rows of common/tmdb_kinds.c; this list mirrors them):
 *   trending day, page 1      movie_rec:trending_movies                    1 h  (the origin app's key)
 *   trending other            movie_rec:trending_movies:<window>:<page>    1 h
 *   recommendations page 1    movie_rec:recommendations_<id>               1 h  (the origin app's key)
 *   recommendations page p    movie_rec:recommendations_<id>:<page>        1 h
 *   details                   movie_<id>_details                          24 h  (credits+videos inside)
 *   similar                   movie_rec:similar_<id>:<page>               24 h
 *   search                    movie_rec:search:<sha1 hex>                  1 h  sha1 of
 *                             "query=<normalised text>&year=<y>&page=<p>&language=<lang>"
 *                             + "&primary_release_year=<y>" when given
 *   genre list                movie_rec:genres                             7 d
 *   discover by genre         movie_rec:discover:<genre>:<page>            6 h
 *   configuration             movie_rec:configuration                      3 d
 *   where to watch            movie_<id>_watch_providers                  24 h  (every region)
 *   IMDb id lookup            movie_rec:find_imdb_<tt id>                  24 h  (imports)
 *   TMDb said 404             notfound:<key>  ("1")                        1 h  negative cache
 *   last good copy            stale:<key>                                  7 d  served when TMDb fails
 *   refresh lock              lock:<key>  (random token)   tmdb_worst_case_ms() + 1 s
 *   shared TMDb budget        tmdb:budget  (hash: tokens, ts)                60 s  token bucket
 *   background calls' share   tmdb:budget:background  (hash: tokens, ts)     60 s  token bucket
 *   one client's share        tmdb:budget:client:<sha1(address) hex, 32>     60 s  token bucket
 *   TMDb's Retry-After        tmdb:pause   ("1")               what TMDb said (max 10 min)
 * Keys carry no language: one deployment serves one TMDb language (except search, hashed).
 */
#define MOVIES_TTL_NOTFOUND	3600
#define MOVIES_TTL_STALE	(7 * 86400)
#define MOVIES_MANY_MAX		100	/* ids per movies_details_many() call */

struct movies_settings {
	struct tmdb_settings	tmdb;
	struct cache_settings	cache;	/* cache.url NULL or "" runs without Redis */
	int			shared_rate;	/* TMDb calls a second for all workers together (0 = no limit) */
	int			shared_burst;	/* calls that may go at once after a quiet spell (0 = rate) */
	int			background_share; /* percent of that budget background calls may spend
						   * (0 or 100 = all of it) */
	int			client_share;	/* percent of it one client's visitor calls may spend
						 * (0 or 100 = all of it): see movies_set_client */
};

enum movies_status {
	MOVIES_OK,		/* fresh data (from Redis or TMDb) */
	MOVIES_STALE,		/* TMDb failed or another worker is refreshing: the last good copy */
	MOVIES_NOT_FOUND,	/* TMDb 404 (negative-cached): the site answers 404 */
	MOVIES_UNAVAILABLE,	/* TMDb failed and nothing is cached: 503 */
	MOVIES_CONFIG_ERROR,	/* TMDb refused our key/token (logged at ERROR): 503 */
	MOVIES_BAD_REQUEST,	/* invalid parameters (page outside 1..500, bad id, empty query): 400 */
	MOVIES_DEFERRED		/* background calls only: the budget grants them nothing now and no
				 * copy is cached; nothing failed: ask again later */
};

/*
 * Who a call is for. A visitor's page may spend the whole shared TMDb budget; background work
 * (imports) at most background_share of it, so visitors always keep the rest. What background
 * calls are not granted is MOVIES_DEFERRED (or STALE when a copy is cached), never unavailable.
 */
enum movies_priority {
	MOVIES_VISITOR,
	MOVIES_BACKGROUND
};

struct movies;

/*
 * Per worker, after fork: opens the curl handles and the Redis connection (which may be down;
 * it is retried later). NULL on unusable settings (logged).
 */
struct movies	*movies_open(const struct movies_settings *);
void		 movies_close(struct movies *);
/* The worker's Redis connection, for other users of the cache (login throttles, "for you"). */
struct cache	*movies_cache(struct movies *);

/* "ok", "stale", "not_found", "unavailable", "config_error", "bad_request", "deferred". */
const char	*movies_status_name(enum movies_status);

/*
 * The calls below: on MOVIES_OK or MOVIES_STALE, *out is the normalised JSON (the caller
 * owns a reference: json_object_put); otherwise *out is NULL. Shapes are documented at
 * tmdb_parse(). The object may be shared with later calls of this process (values read from
 * Redis are parsed once): read it, and copy what you would change.
 */
/*
 * o as compact JSON (JSON_C_TO_STRING_PLAIN | NOSLASHESCAPE) and its length: for an object the
 * calls below returned from Redis, written once and kept with it, so an answer repeated is not
 * serialized again. Valid until the next movies_ call or until o is released.
 */
const char	*movies_json_text(struct json_object *o, size_t *len);

/*
 * A text made from o alone (a page fragment rendered from it; index: which of its items, -1
 * for the whole), kept with o when o is a value read from Redis and kept (see above): the same
 * bytes from Redis again find it, new bytes do not. context is what else the text depends on
 * (a digest of the templates and settings used): a text made under another context is not
 * given. NULL when there is none; else the text and *len, valid until the next movies_ call.
 */
const char	*movies_derived(const struct json_object *o, const char *name, int index, uint64_t context,
		    size_t *len);
/*
 * Keeps len bytes of text for movies_derived (name and text copied), replacing one made under
 * another context. 0, or -1 when o is not a kept value (built per request) or the text is too
 * large: then nothing is kept and the caller makes it again next time.
 */
int		 movies_derive(const struct json_object *o, const char *name, int index, uint64_t context,
		    const char *text, size_t len);

/* window "day" or "week", page 1..500. */
enum movies_status movies_trending(struct movies *, const char *window, int page, struct json_object **out);
enum movies_status movies_details(struct movies *, int64_t id, struct json_object **out);
enum movies_status movies_recommendations(struct movies *, int64_t id, int page, struct json_object **out);
enum movies_status movies_similar(struct movies *, int64_t id, int page, struct json_object **out);
/*
 * query: user text (trimmed, spaces collapsed, lowercased before use); year (0 = any) is sent
 * as TMDb's primary_release_year (the site's search).
 */
enum movies_status movies_search(struct movies *, const char *query, int year, int page,
		    struct json_object **out);
/* The same with TMDb's own year (any release that year, as the origin app sent it) and
 * primary_release_year, each 0 = any. */
enum movies_status movies_search_years(struct movies *, const char *query, int year,
		    int primary_release_year, int page, struct json_object **out);
enum movies_status movies_genres(struct movies *, struct json_object **out);
enum movies_status movies_discover(struct movies *, int64_t genre_id, int page, struct json_object **out);
enum movies_status movies_configuration(struct movies *, struct json_object **out);

/*
 * Details of up to MOVIES_MANY_MAX movies: one Redis MGET for all, then the misses from TMDb
 * concurrently. outs[i] is the details (caller puts) or NULL; each[i] (each may be NULL) is
 * that item's status. Returns MOVIES_BAD_REQUEST if n is too large, else the worst item
 * status ignoring NOT_FOUND and BAD_REQUEST items (which are simply absent): CONFIG_ERROR,
 * then UNAVAILABLE, then STALE, else OK.
 */
enum movies_status movies_details_many(struct movies *, const int64_t *ids, size_t n,
		    struct json_object **outs, enum movies_status *each);

/*
 * The grid fields of up to MOVIES_MANY_MAX movies (id, title, original_title, release_date,
 * poster_path, backdrop_path, overview, vote_average, vote_count): one MGET of the small
 * movie_<id>_card entries (24 h), the misses through movies_details_many, which also refills
 * them. Much cheaper to read than whole details. outs[i] as movies_details_many's.
 */
enum movies_status movies_cards_many(struct movies *, const int64_t *ids, size_t n,
		    struct json_object **outs);

/*
 * A cached value (NUL-terminated JSON text, or NULL) as an object, or NULL. Parsed once per
 * worker while it stays in the worker's small parsed-value cache: the caller gets a reference
 * other requests of this worker may share, reads it, copies what it would change, and puts it.
 */
struct json_object *movies_parse_cached(const char *s);

/* The cards movies_cards_many would give, from Redis only (no TMDb call); misses stay NULL. */
void		 movies_cards_cached(struct movies *, const int64_t *ids, size_t n, struct json_object **outs);

/*
 * Any n queries at once: one MGET for all, then the misses from TMDb concurrently (the same
 * key twice is resolved once). outs[i] (caller puts) and sts[i] as the single calls give
 * them; an invalid query gets MOVIES_BAD_REQUEST. prio: whose share of the TMDb budget the
 * calls spend (the single calls are MOVIES_VISITOR's).
 */
void		 movies_resolve_many(struct movies *, const struct tmdb_query *qs, size_t n,
		    struct json_object **outs, enum movies_status *sts, enum movies_priority prio);

/*
 * The current page's deadline (monotonic ms, util.h's now_ms; 0 = none): no TMDb call and no
 * wait for another worker's refresh goes past it; what is not resolved by then is stale or
 * unavailable. Set at the start of each request.
 */
void		 movies_set_deadline(struct movies *, int64_t deadline_ms);
/*
 * Who the current request is for (a client address, any plain string; NULL = nobody in
 * particular): its visitor calls spend that client's share of the budget (client_share) before
 * the shared one, so one client flooding misses gets MOVIES_UNAVAILABLE for its own while other
 * clients' still get calls. Set at the start of each request; background calls ignore it.
 */
void		 movies_set_client(struct movies *, const char *who);

/* --- pure helpers (unit-tested) --- */

/* The Redis key of a (checked) query into out. 0, or -1 if the query is invalid. */
int		 movies_cache_key(const struct tmdb_query *, const char *language, struct buf *out);
/* TTL in seconds of a kind's primary key. */
int		 movies_ttl(enum tmdb_kind);
/*
 * Search text as used for the call and the key: trimmed, runs of whitespace made one space,
 * ASCII lowercased. 0, or -1 if empty, not UTF-8, or longer than TMDB_MAX_QUERY_BYTES.
 */
int		 movies_normalize_query(const char *in, struct buf *out);

#endif
