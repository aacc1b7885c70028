/* worker.h: one worker process: accepts FastCGI requests one at a time until told to stop. */
#ifndef WORKER_H
#define WORKER_H

#include <signal.h>

/*
 * Serves requests on fd 0 until SIGTERM (a request in progress is finished first) or
 * max_requests; notes each request in scoreboard slot. Never returns (exits).
 */
void	 worker_run(int max_requests, int slot) __attribute__((noreturn));
/*
 * A child's signals (a worker's or the mailer's): SIGTERM and SIGINT call handler and stay
 * blocked but inside a ppoll() given *waitmask (set here: nothing blocked); SIGHUP and SIGPIPE
 * ignored.
 */
void	 worker_child_signals(void (*handler)(int), sigset_t *waitmask);

#endif
