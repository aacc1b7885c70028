/* dbbreaker.h: the database circuit breaker's state, shared by every worker (one mapping made before fork). */
#ifndef DBBREAKER_H
#define DBBREAKER_H

#include <stdint.h>

/*
 * Maps the shared state (the master, before the first fork; the workers inherit it). Without
 * it (tools, unit tests, a failed mmap) each process keeps its own state. 0, or -1 (logged).
 */
int	 dbbreaker_init(int nworkers);
/*
 * May this process use the database now? 1 while closed. While open: 0 until the wait ends,
 * then 1 for exactly one caller (the probe, given probe_ms before another may try) and 0 for
 * the rest. A worker with a live connection asks too, so one worker's timeout spares the others.
 */
int	 dbbreaker_allow(int probe_ms);
/*
 * Opens (or keeps open) the breaker for every worker: no use for 250 ms, doubling per failure
 * to max_ms. hung: a statement got no answer (not a refused connect), which also ends the
 * waits other workers started before now (dbbreaker_give_up). Returns 1 if this call started
 * the outage (the caller logs it once for all).
 */
int	 dbbreaker_open(int max_ms, int hung);
/*
 * Should a wait for the server that started at started_ms and ends by deadline_ms (monotonic)
 * end now, unanswered? 1 if a statement of another worker got no answer since it started (the
 * server is the same), or if every worker of two or more has been waiting on the server for
 * DB_STUCK_MS (so nobody is left for the pages that need no database). *mark is the caller's (-1 at the wait's
 * start); dbbreaker_wait_end(*mark) must follow the wait. A worker that dies waiting leaves a
 * mark that counts only until its deadline.
 */
int	 dbbreaker_give_up(int64_t started_ms, int64_t deadline_ms, int *mark);
void	 dbbreaker_wait_end(int mark);

/* A wait for the server longer than this is a suspect one (statements answer in milliseconds). */
#define DB_STUCK_MS	500
/* The database answered: closes the breaker. Returns 1 if this call ended an outage (log it). */
int	 dbbreaker_close(void);
/* 1 while the breaker is open (a cheap read for the success path). */
int	 dbbreaker_is_open(void);

#endif
