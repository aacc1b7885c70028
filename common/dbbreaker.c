/* dbbreaker.c: the database circuit breaker's state, shared by every worker (one mapping made before fork). */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "dbbreaker.h"
#include "log.h"
#include "util.h"

#define FIRST_MS	250
#define MARKS		256	/* more than any pool's workers (config.c's WORKERS range) */

/*
 * Lock-free: each field is read and written atomically; a race between two workers opening
 * at once at worst doubles the wait twice, which the cap bounds. Times are CLOCK_MONOTONIC,
 * one clock for every process of the host.
 */
struct state {
	int64_t	retry_at_ms;	/* 0 closed; else no use before this */
	int	backoff_ms;	/* the current wait; 0 while closed */
	int	down;		/* an outage is under way (logged once, by whoever opened it) */
	int64_t	hung_at_ms;	/* when a statement last got no answer; 0 since the close */
	int64_t	stuck_until[MARKS];	/* a worker waiting DB_STUCK_MS or longer: its deadline; else 0 */
	int	nworkers;	/* 0: unknown (no shared mapping); under 2: never all stuck */
};

static struct state	 own;
static struct state	*st = &own;

int
dbbreaker_init(int nworkers)
{
	void *p = mmap(NULL, sizeof(struct state), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		log_error("db breaker: mmap: %s (each worker keeps its own breaker)", strerror(errno));
		return -1;
	}
	st = p;
	memset(st, 0, sizeof(*st));
	st->nworkers = nworkers;
	return 0;
}

int
dbbreaker_is_open(void)
{
	return __atomic_load_n(&st->retry_at_ms, __ATOMIC_ACQUIRE) != 0;
}

int
dbbreaker_allow(int probe_ms)
{
	int64_t at = __atomic_load_n(&st->retry_at_ms, __ATOMIC_ACQUIRE), now;

	if (at == 0)
		return 1;
	now = now_ms();
	if (now < at)
		return 0;
	/* The wait is over: the one who moves retry_at on probes; the others keep failing fast. */
	return __atomic_compare_exchange_n(&st->retry_at_ms, &at, now + probe_ms, 0,
	    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

int
dbbreaker_open(int max_ms, int hung)
{
	int b = __atomic_load_n(&st->backoff_ms, __ATOMIC_ACQUIRE), next;

	do {
		next = b == 0 ? FIRST_MS : b * 2;
		if (next > max_ms)
			next = max_ms;
	} while (!__atomic_compare_exchange_n(&st->backoff_ms, &b, next, 0, __ATOMIC_ACQ_REL,
	    __ATOMIC_ACQUIRE));
	__atomic_store_n(&st->retry_at_ms, now_ms() + next, __ATOMIC_RELEASE);
	if (hung)
		__atomic_store_n(&st->hung_at_ms, now_ms(), __ATOMIC_RELEASE);
	return __atomic_exchange_n(&st->down, 1, __ATOMIC_ACQ_REL) == 0;
}

int
dbbreaker_close(void)
{
	__atomic_store_n(&st->backoff_ms, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&st->retry_at_ms, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&st->hung_at_ms, 0, __ATOMIC_RELEASE);
	return __atomic_exchange_n(&st->down, 0, __ATOMIC_ACQ_REL) == 1;
}

/* Claims a free (or expired) mark holding until_ms: its index, or -1 if all are taken. */
static int
mark_claim(int64_t now, int64_t until_ms)
{
	for (int i = 0; i < MARKS; i++) {
		int64_t v = __atomic_load_n(&st->stuck_until[i], __ATOMIC_ACQUIRE);

		if (v <= now && __atomic_compare_exchange_n(&st->stuck_until[i], &v, until_ms, 0,
		    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			return i;
	}
	return -1;
}

static int
marks_live(int64_t now)
{
	int n = 0;

	for (int i = 0; i < MARKS; i++)
		if (__atomic_load_n(&st->stuck_until[i], __ATOMIC_ACQUIRE) > now)
			n++;
	return n;
}

int
dbbreaker_give_up(int64_t started_ms, int64_t deadline_ms, int *mark)
{
	int64_t now = now_ms(), hung = __atomic_load_n(&st->hung_at_ms, __ATOMIC_ACQUIRE);

	if (hung != 0 && hung >= started_ms)
		return 1;
	/* A lone worker waiting is no sign of a hang, only of a slow statement. */
	if (st->nworkers < 2 || now - started_ms < DB_STUCK_MS)
		return 0;
	if (*mark < 0)
		*mark = mark_claim(now, deadline_ms > 0 ? deadline_ms : now + 3600000);
	return *mark >= 0 && marks_live(now) >= st->nworkers;
}

void
dbbreaker_wait_end(int mark)
{
	if (mark >= 0 && mark < MARKS)
		__atomic_store_n(&st->stuck_until[mark], 0, __ATOMIC_RELEASE);
}
