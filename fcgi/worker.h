/* worker.h: one worker process: accepts FastCGI requests one at a time until told to stop. */
#ifndef WORKER_H
#define WORKER_H

/* Serves requests on fd 0 until SIGTERM or max_requests; never returns (exits). */
void	 worker_run(int max_requests) __attribute__((noreturn));

#endif
