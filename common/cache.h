/* cache.h: the worker's Redis connection (hiredis) with bounded reconnects, and the few primitives the site uses. */
#ifndef CACHE_H
#define CACHE_H

#include <stddef.h>

#include "buf.h"

/*
 * Zero fields take the defaults noted. url forms: redis://[:password@]host[:port][/db],
 * unix:/path/to/socket (or unix:///path). NULL or "" disables the cache: every call then
 * reports "down" (-1) and callers go straight to the source.
 */
struct cache_settings {
	const char	*url;
	int		 connect_timeout_ms;	/* default 100 */
	int		 command_timeout_ms;	/* default 200 */
	int		 retry_interval_ms;	/* default 1000: at most one failed connect per interval */
};

/* One value of a batch write. */
struct cache_item {
	const char	*key;
	const char	*val;
	size_t		 len;
	int		 ttl_s;		/* > 0 */
};

struct cache;

/*
 * Creates the per-worker connection holder (after fork) and tries to connect once; a refused
 * connection is not an error (it is retried later). NULL only for an unusable URL (logged).
 */
struct cache	*cache_open(const struct cache_settings *);
void		 cache_close(struct cache *);

/*
 * 1 if connected now (trying a reconnect when one is due), 0 if Redis is unavailable.
 * Outages are logged once at WARN when they start and once at INFO when they end.
 */
int		 cache_ok(struct cache *);

/* 1 and the value in out (replaced) on a hit, 0 on a miss, -1 if Redis is unavailable. */
int		 cache_get(struct cache *, const char *key, struct buf *out);
/* SET key val EX ttl_s. 0, or -1 if Redis is unavailable or refused it (an error reply). */
int		 cache_set(struct cache *, const char *key, const char *val, size_t len, int ttl_s);
/* DEL key. 0, or -1 if Redis is unavailable or refused it (an error reply). */
int		 cache_del(struct cache *, const char *key);
/* Remaining TTL in seconds (-2 missing, -1 no expiry) into *ttl_s. 0 or -1 (unavailable). */
int		 cache_ttl(struct cache *, const char *key, long long *ttl_s);

/*
 * MGET in one round trip: vals[i] is a malloc'd NUL-terminated copy (caller frees) or NULL for
 * a miss; lens may be NULL. 0, or -1 (all vals NULL) if Redis is unavailable.
 */
int		 cache_mget(struct cache *, const char *const *keys, size_t n, char **vals, size_t *lens);
/* All SETs with EX in one pipeline. 0, or -1 if Redis is unavailable or refused any. */
int		 cache_set_many(struct cache *, const struct cache_item *, size_t n);

/*
 * SET key token NX PX ttl_ms for each key in one pipeline: acquired[i] = 1 if this caller now
 * holds keys[i]. 0, or -1 (none acquired) if Redis is unavailable.
 */
int		 cache_lock_many(struct cache *, const char *const *keys, size_t n, const char *token,
		    int ttl_ms, int *acquired);
/* 1 acquired, 0 held by someone else, -1 Redis unavailable. */
int		 cache_lock(struct cache *, const char *key, const char *token, int ttl_ms);
/* Deletes each lock only if it still holds token (Lua compare-and-delete), one pipeline. */
int		 cache_unlock_many(struct cache *, const char *const *keys, size_t n, const char *token);
int		 cache_unlock(struct cache *, const char *key, const char *token);
/* EXISTS key: 1, 0, or -1 if Redis is unavailable. */
int		 cache_exists(struct cache *, const char *key);

/*
 * A counter in a fixed window: INCR, and EXPIRE only when the key has none yet, so the
 * window runs from the first increment. The new count and remaining seconds go to count and
 * ttl_s (either may be NULL). 0, or -1 when Redis is down.
 */
int		 cache_counter_incr(struct cache *, const char *key, int window_s, long long *count,
		    long long *ttl_s);
/* The counter's value (0 if absent) and its remaining seconds (-2 absent). 0, or -1 when down. */
int		 cache_counter_get(struct cache *, const char *key, long long *count, long long *ttl_s);

/*
 * Takes up to want tokens from a token bucket shared by every worker (rate a second, at most
 * burst stored) in one atomic script, leaving at least keep tokens in it (a reserve for other
 * callers; 0 = none). While pause_key exists nothing is granted and *pause_ms is its remaining
 * time. Returns the tokens granted (0..want), or -1 when Redis is unavailable.
 */
int		 cache_bucket_take(struct cache *, const char *bucket, const char *pause_key, int rate,
		    int burst, int keep, int want, long long *pause_ms);
/* Sets pause_key for ms milliseconds (see cache_bucket_take). 0, or -1 when Redis is down. */
int		 cache_pause(struct cache *, const char *pause_key, long long ms);

#endif
