/* hashgate.h: a cap, across worker processes, on password hashes running at once, so hashing never holds every worker. */
#ifndef HASHGATE_H
#define HASHGATE_H

/*
 * One flag per worker slot in MAP_SHARED memory mapped by the master before the first fork:
 * set while that worker hashes a password. A worker takes a place by raising its flag and
 * counting the raised ones; over the cap, it lowers its flag again and is refused (no
 * queue: a worker waiting for a place would itself be a worker lost to pages). Both steps
 * are sequentially consistent atomics, so of two workers racing for the last place at
 * least one sees the other: the cap is never exceeded; at worst both back off.
 * A worker that dies mid-hash cannot leak its place: the master lowers the dead worker's
 * flag when it reaps it (hashgate_release), and a new worker lowers its own at start.
 * Without hashgate_init (unit tests, one-off commands) every hash is admitted.
 */

/* Maps nslots flags, all lowered (master, before forking). 0, or -1 (logged; no cap then). */
int	 hashgate_init(int nslots);
/* The calling worker's slot (worker start): its flag is lowered. */
void	 hashgate_self(int slot);
/* Lowers slot's flag (the master, for a worker that exited). */
void	 hashgate_release(int slot);
/*
 * Takes a place for the calling worker among at most cap hashing at once: 0 (held until
 * hashgate_leave; taking it again while held is a no-op) or -1 (every place is taken).
 */
int	 hashgate_enter(int cap);
/* Gives the calling worker's place back (no-op when it holds none). */
void	 hashgate_leave(void);
/* How many places are taken now (metrics, tests). */
int	 hashgate_busy(void);

#endif
