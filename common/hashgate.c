/* hashgate.c: a cap, across worker processes, on password hashes running at once, so hashing never holds every worker. */
#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>

#include "hashgate.h"
#include "log.h"

static atomic_int	*flags;
static int		 nflags;
static int		 self = -1;

int
hashgate_init(int nslots)
{
	void *p = mmap(NULL, sizeof(atomic_int) * (size_t)nslots, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		log_error("hashgate: mmap: %s (password hashes are not capped)", strerror(errno));
		return -1;
	}
	flags = p;
	nflags = nslots;
	for (int i = 0; i < nflags; i++)
		atomic_init(&flags[i], 0);
	return 0;
}

void
hashgate_release(int slot)
{
	if (flags != NULL && slot >= 0 && slot < nflags)
		atomic_store(&flags[slot], 0);
}

void
hashgate_self(int slot)
{
	self = slot;
	hashgate_release(slot);
}

int
hashgate_busy(void)
{
	int n = 0;

	for (int i = 0; flags != NULL && i < nflags; i++)
		n += atomic_load(&flags[i]) != 0;
	return n;
}

int
hashgate_enter(int cap)
{
	if (flags == NULL || self < 0 || self >= nflags || atomic_load(&flags[self]))
		return 0;
	atomic_store(&flags[self], 1);
	if (hashgate_busy() <= cap)
		return 0;
	atomic_store(&flags[self], 0);
	return -1;
}

void
hashgate_leave(void)
{
	hashgate_release(self);
}
