/* rand.c: cryptographically secure random bytes and Django-style random strings. */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "rand.h"
#include "util.h"

void
rand_bytes(void *p, size_t n)
{
	unsigned char *c = p;

	while (n > 0) {
		ssize_t got = getrandom(c, n, 0);

		if (got < 0) {
			if (errno == EINTR)
				continue;
			die("getrandom: %s", strerror(errno));
		}
		c += got;
		n -= (size_t)got;
	}
}

void
rand_string(char *out, size_t n, const char *alphabet)
{
	size_t		 k = strlen(alphabet);
	/* Rejection sampling keeps every character equally likely. */
	unsigned	 limit = 256 - 256 % (unsigned)k;
	unsigned char	 pool[64];
	size_t		 used = sizeof(pool), i = 0;

	while (i < n) {
		if (used == sizeof(pool)) {
			rand_bytes(pool, sizeof(pool));
			used = 0;
		}
		unsigned char b = pool[used++];
		if (b < limit)
			out[i++] = alphabet[b % k];
	}
	out[n] = '\0';
}
