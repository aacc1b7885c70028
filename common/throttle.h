/* throttle.h: fixed-window attempt counters in Redis, shared by all workers, that fail open when Redis is down. */
#ifndef THROTTLE_H
#define THROTTLE_H

#include <stddef.h>

struct cache;

/*
 * Counters live under throttle:<kind>:<first 128 bits of sha256(who), hex>, so keys neither
 * grow with nor reveal the username or address. A window starts at a counter's first
 * increment and is never extended. Every call fails open: with Redis unavailable (or c NULL)
 * nothing is counted and nothing is refused.
 */

/* 1 if who's count of kind has reached limit (*retry_after = seconds left), else 0. */
int	 throttle_reached(struct cache *c, const char *kind, const char *who, int limit, int window_s,
	    int *retry_after);
/* Counts one event of kind for who. 0, or -1 when Redis is unavailable. */
int	 throttle_count(struct cache *c, const char *kind, const char *who, int window_s);
/*
 * Counts this attempt and answers whether it goes past limit: 1 (refuse it; *retry_after set)
 * or 0. For costly actions, where every attempt, good or bad, costs the server.
 */
int	 throttle_attempt(struct cache *c, const char *kind, const char *who, int limit, int window_s,
	    int *retry_after);
/* who for a (first, second) pair, e.g. (username, address), into out. */
void	 throttle_pair(char *out, size_t outsz, const char *first, const char *second);

#endif
