/* mailer.h: the mailer process: sends the outbox's rows through SMTP, each exactly once if it can. */
#ifndef MAILER_H
#define MAILER_H

/*
 * Runs the mailer child (forked by the master, which respawns it like a worker) until SIGTERM:
 * its own database connection, rows claimed one at a time, sent, and marked. A SIGTERM lands
 * only while it sleeps between rows, so a send in progress is finished and recorded first.
 * Never returns (exits).
 */
void	 mailer_run(void) __attribute__((noreturn));

#endif
