/* main.c: the FastCGI program: configuration, admin commands, and the master that supervises workers. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "config.h"
#include "db.h"
#include "dbbreaker.h"
#include "hashgate.h"
#include "log.h"
#include "mailer.h"
#include "metrics.h"
#include "scoreboard.h"
#include "model_session.h"
#include "util.h"
#include "worker.h"

#define MAX_WORKERS	256
#define STOP_GRACE_S	10
#define CRASH_BACKOFF_FIRST_MS	250	/* the second crash in a row waits this; each next one twice as long */
#define CRASH_BACKOFF_MAX_MS	30000
#define CRASH_FORGIVE_S		30	/* a worker that lived this long ends a crash loop */

/* Slots 0..nworkers-1 are the workers; slot nworkers is the mailer (fcgi/mailer.c). */
static pid_t	workers[MAX_WORKERS + 1];
static time_t	started_at[MAX_WORKERS + 1];
static int64_t	respawn_at[MAX_WORKERS + 1];	/* monotonic ms; 0 = now */
static int	nworkers, nchildren;
static int	crashes[2];			/* consecutive abnormal exits: workers, the mailer */

#define IS_MAILER(slot)	((slot) == nworkers)

static void
usage(FILE *f)
{
	fprintf(f, "usage: movies-fcgi [--check-config | --clear-sessions | --help]\n"
	    "  Run under spawn-fcgi with the listening socket on fd 0; settings come from the\n"
	    "  environment (see README.md).\n"
	    "  --check-config   print the effective configuration (secrets redacted) and exit\n"
	    "  --clear-sessions delete expired rows of django_session (like Django's clearsessions)\n");
}

static pid_t
spawn_worker(int slot)
{
	pid_t pid;

	metrics_worker_slot(IS_MAILER(slot) ? -1 : slot);
	if ((pid = fork()) < 0) {
		log_error("master: fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0 && IS_MAILER(slot))
		mailer_run();
	if (pid == 0)
		worker_run(config.max_requests, slot);
	workers[slot] = pid;
	started_at[slot] = time(NULL);
	if (!IS_MAILER(slot))
		metrics_inc(MET_WORKER_STARTS);
	return pid;
}

/* Logs how a worker ended, and what it was serving if it died abnormally. 1 if it crashed. */
static int
describe_exit(int slot, pid_t pid, int status)
{
	char serving[SCOREBOARD_TEXT], what[SCOREBOARD_TEXT + 32] = "";

	scoreboard_get(slot, serving, sizeof(serving));
	if (serving[0])
		snprintf(what, sizeof(what), " while serving %s", serving);
	scoreboard_clear(slot);
	/* A worker killed mid-hash gives its place back here. */
	hashgate_release(slot);
	const char *who = IS_MAILER(slot) ? "mailer" : "worker";

	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		log_info("master: %s %ld exited", who, (long)pid);
		return 0;
	}
	if (WIFEXITED(status))
		log_warn("master: %s %ld exited with status %d%s", who, (long)pid, WEXITSTATUS(status), what);
	else if (WIFSIGNALED(status))
		log_error("master: %s %ld killed by signal %d (%s)%s", who, (long)pid, WTERMSIG(status),
		    strsignal(WTERMSIG(status)), what);
	return 1;
}

/*
 * When to start a replacement for a worker that died: at once, unless workers keep crashing,
 * in which case the wait doubles with every crash in a row (up to CRASH_BACKOFF_MAX_MS).
 */
static void
schedule_respawn(int slot, int crashed)
{
	int64_t	 delay = 0;
	int	*run = &crashes[IS_MAILER(slot)];

	if (!crashed || time(NULL) - started_at[slot] >= CRASH_FORGIVE_S)
		*run = crashed;
	else
		(*run)++;
	if (*run >= 2) {
		delay = CRASH_BACKOFF_FIRST_MS;
		for (int i = 2; i < *run && delay < CRASH_BACKOFF_MAX_MS; i++)
			delay *= 2;
		if (delay > CRASH_BACKOFF_MAX_MS)
			delay = CRASH_BACKOFF_MAX_MS;
		log_error("master: %s keep crashing (%d in a row); next start in %lld ms",
		    IS_MAILER(slot) ? "the mailer" : "workers", *run, (long long)delay);
	}
	respawn_at[slot] = now_ms() + delay;
}

/* The workers, and the mailer too when with_mailer (a stop; a reload leaves it alone). */
static void
signal_workers(int sig, int with_mailer)
{
	for (int i = 0; i < (with_mailer ? nchildren : nworkers); i++)
		if (workers[i] > 0)
			kill(workers[i], sig);
}

static int
live_workers(void)
{
	int n = 0;

	for (int i = 0; i < nchildren; i++)
		n += workers[i] > 0;
	return n;
}

/* Reaps every dead child; returns how many exited. Slots of dead workers become 0. */
static int
reap(void)
{
	int	status, n = 0;
	pid_t	pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (int i = 0; i < nchildren; i++)
			if (workers[i] == pid) {
				if (!IS_MAILER(i))
					metrics_worker_exited(i, status);
				schedule_respawn(i, describe_exit(i, pid, status));
				workers[i] = 0;
				n++;
			}
	}
	return n;
}

static void
stop_workers(void)
{
	time_t deadline = time(NULL) + STOP_GRACE_S;

	signal_workers(SIGTERM, 1);
	while (live_workers() > 0 && time(NULL) < deadline) {
		reap();
		if (live_workers() > 0)
			usleep(50 * 1000);
	}
	if (live_workers() > 0) {
		log_warn("master: %d workers still busy after %ds, killing them", live_workers(), STOP_GRACE_S);
		signal_workers(SIGKILL, 1);
		while (live_workers() > 0 && reap() >= 0)
			usleep(10 * 1000);
	}
}

/* Starts the workers whose time has come; returns ms until the next one is due (-1: none). */
static long
respawn_due(void)
{
	int64_t now = now_ms(), next = -1;

	for (int i = 0; i < nchildren; i++) {
		if (workers[i] != 0)
			continue;
		if (respawn_at[i] <= now)
			spawn_worker(i);
		else if (next < 0 || respawn_at[i] - now < next)
			next = respawn_at[i] - now;
	}
	return (long)next;
}

static int
master_run(void)
{
	sigset_t	set;
	int		sig;
	long		wait_ms;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	/* Signals are handled in this loop only, never in a handler. */
	sigprocmask(SIG_BLOCK, &set, NULL);

	nworkers = config.workers;
	nchildren = nworkers + 1;
	scoreboard_init(nworkers);
	hashgate_init(nworkers);
	for (int i = 0; i < nchildren; i++)
		spawn_worker(i);
	log_info("master: %d workers and the mailer started", nworkers);

	for (;;) {
		wait_ms = respawn_due();
		if (wait_ms < 0)
			sig = sigwaitinfo(&set, NULL);
		else {
			struct timespec ts = { wait_ms / 1000, (wait_ms % 1000) * 1000000L };

			sig = sigtimedwait(&set, NULL, &ts);
		}
		if (sig < 0)
			continue;	/* a respawn is due (EAGAIN) or EINTR */
		if (sig == SIGTERM || sig == SIGINT || sig == SIGQUIT) {
			log_info("master: stopping");
			stop_workers();
			return 0;
		}
		if (sig == SIGHUP) {
			/* Reload: fresh templates, then replace every worker gracefully. */
			log_info("master: reloading");
			if (app_load() != 0) {
				log_error("master: reload failed (see above); the running workers keep the "
				    "previous templates");
				continue;
			}
			signal_workers(SIGTERM, 0);
			continue;
		}
		reap();
	}
}

static int
clear_sessions(void)
{
	struct db_settings ds = { .url = config.database_url, .unnamed_statements = !config.db_prepared };
	struct db	*db = db_open_with(&ds);
	long long	 n;
	enum fail	 f = model_session_clear_expired(db, &n);

	db_close(db);
	if (f != FAIL_OK)
		return 1;
	printf("removed %lld expired sessions\n", n);
	return 0;
}

int
main(int argc, char *argv[])
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (cmd && (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	if (cmd && strcmp(cmd, "--check-config") && strcmp(cmd, "--clear-sessions")) {
		usage(stderr);
		return 2;
	}
	if (config_load(stderr) != 0) {
		fprintf(stderr, "movies-fcgi: fix the configuration above and start again\n");
		return 1;
	}
	log_set_level(config.log_level);
	if (cmd && strcmp(cmd, "--check-config") == 0) {
		config_print(stdout);
		return 0;
	}
	if (cmd && strcmp(cmd, "--clear-sessions") == 0)
		return clear_sessions();
	if (app_load() != 0)
		return 1;
	/* Before any fork: every worker, old or new, counts into the same shared registry. */
	metrics_init();
	/* Before any fork too: one worker's timeout opens the breaker for all. */
	dbbreaker_init(config.workers);
	return master_run();
}
