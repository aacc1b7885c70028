/* throttle.c: fixed-window attempt counters in Redis, shared by all workers, that fail open when Redis is down. */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "cache.h"
#include "throttle.h"
#include "util.h"

/* throttle:<kind>:<hex>; a kind is a short constant such as "login:user". */
static void
key_of(char *out, size_t outsz, const char *kind, const char *who)
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	mdlen = 0;
	char		hex[2 * 16 + 1];

	EVP_Digest(who, strlen(who), md, &mdlen, EVP_sha256(), NULL);
	hex_encode(md, 16, hex);
	snprintf(out, outsz, "throttle:%s:%s", kind, hex);
}

/* Reads (or counts, then reads) who's counter: 1 once it is past limit - 1 (reached) or limit (count_it). */
static int
check(struct cache *c, const char *kind, const char *who, int limit, int window_s, int count_it,
    int *retry_after)
{
	char		 key[128];
	long long	 count = 0, ttl = 0;
	int		 rc;

	if (c == NULL)
		return 0;
	key_of(key, sizeof(key), kind, who);
	rc = count_it ? cache_counter_incr(c, key, window_s, &count, &ttl) :
	    cache_counter_get(c, key, &count, &ttl);
	if (rc != 0 || count < limit + count_it)
		return 0;
	*retry_after = ttl > 0 ? (int)ttl : window_s;
	return 1;
}

int
throttle_reached(struct cache *c, const char *kind, const char *who, int limit, int window_s,
    int *retry_after)
{
	return check(c, kind, who, limit, window_s, 0, retry_after);
}

int
throttle_count(struct cache *c, const char *kind, const char *who, int window_s)
{
	char key[128];

	if (c == NULL)
		return -1;
	key_of(key, sizeof(key), kind, who);
	return cache_counter_incr(c, key, window_s, NULL, NULL);
}

int
throttle_attempt(struct cache *c, const char *kind, const char *who, int limit, int window_s,
    int *retry_after)
{
	return check(c, kind, who, limit, window_s, 1, retry_after);
}

void
throttle_pair(char *out, size_t outsz, const char *first, const char *second)
{
	/* The unit separator: valid usernames and addresses never contain it, so pairs stay distinct. */
	snprintf(out, outsz, "%s%c%s", first, '\x1f', second);
}
