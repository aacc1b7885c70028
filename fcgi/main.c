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
#include "log.h"
#include "model_session.h"
#include "util.h"
#include "worker.h"

#define MAX_WORKERS	256
#define STOP_GRACE_S	10

static pid_t	workers[MAX_WORKERS];
static time_t	started_at[MAX_WORKERS];
static int	nworkers;

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
	pid_t pid = fork();

	if (pid < 0) {
		log_error("master: fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0)
		worker_run(config.max_requests);
	workers[slot] = pid;
	started_at[slot] = time(NULL);
	return pid;
}

static void
describe_exit(pid_t pid, int status)
{
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		log_info("master: worker %ld exited", (long)pid);
	else if (WIFEXITED(status))
		log_warn("master: worker %ld exited with status %d", (long)pid, WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		log_error("master: worker %ld killed by signal %d (%s)", (long)pid, WTERMSIG(status),
		    strsignal(WTERMSIG(status)));
}

static void
signal_workers(int sig)
{
	for (int i = 0; i < nworkers; i++)
		if (workers[i] > 0)
			kill(workers[i], sig);
}

static int
live_workers(void)
{
	int n = 0;

	for (int i = 0; i < nworkers; i++)
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
		for (int i = 0; i < nworkers; i++)
			if (workers[i] == pid) {
				describe_exit(pid, status);
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

	signal_workers(SIGTERM);
	while (live_workers() > 0 && time(NULL) < deadline) {
		reap();
		if (live_workers() > 0)
			usleep(50 * 1000);
	}
	if (live_workers() > 0) {
		log_warn("master: %d workers still busy after %ds, killing them", live_workers(), STOP_GRACE_S);
		signal_workers(SIGKILL);
		while (live_workers() > 0 && reap() >= 0)
			usleep(10 * 1000);
	}
}

static int
master_run(void)
{
	sigset_t	set;
	int		sig, quick_deaths = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	/* Signals are handled in this loop only, never in a handler. */
	sigprocmask(SIG_BLOCK, &set, NULL);

	nworkers = config.workers;
	for (int i = 0; i < nworkers; i++)
		spawn_worker(i);
	log_info("master: %d workers started", nworkers);

	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGTERM || sig == SIGINT || sig == SIGQUIT) {
			log_info("master: stopping");
			stop_workers();
			return 0;
		}
		if (sig == SIGHUP) {
			/* Reload: fresh templates, then replace every worker gracefully. */
			log_info("master: reloading");
			app_load();
			signal_workers(SIGTERM);
			continue;
		}
		reap();
		for (int i = 0; i < nworkers; i++) {
			if (workers[i] != 0)
				continue;
			/* A worker dying right after start is probably a crash loop: slow down. */
			if (time(NULL) - started_at[i] < 2) {
				if (++quick_deaths > 5) {
					log_error("master: workers keep dying at start; waiting 1s before respawning");
					sleep(1);
				}
			} else
				quick_deaths = 0;
			spawn_worker(i);
		}
	}
}

static int
clear_sessions(void)
{
	struct db	*db = db_open(config.database_url);
	long long	 n;
	enum fail	 f = session_rows_clear_expired(db, &n);

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
	return master_run();
}
