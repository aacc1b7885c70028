/* worker.h: one worker process: accepts FastCGI requests one at a time until told to stop. */
#ifndef WORKER_H
#define WORKER_H

/*
 * Serves requests on fd 0 until SIGTERM (a request in progress is finished first) or
 * max_requests; notes each request in scoreboard slot. Never returns (exits).
 */
void	 worker_run(int max_requests, int slot) __attribute__((noreturn));

#endif
