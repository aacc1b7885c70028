/* servers.h: the real Redis and PostgreSQL a unit test starts for itself in a temp dir (unix sockets only), and stops. */
#ifndef TEST_SERVERS_H
#define TEST_SERVERS_H

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * Header-only on purpose: each test binary is one translation unit, and these helpers are the
 * tests' own (not the program's), so nothing here goes into the libraries.
 */

#define PG_BIN "/usr/lib/postgresql/15/bin"

/* Under valgrind (tests/run-unit.sh sets it) a test makes fewer rounds, never none. */
static inline int
srv_under_valgrind(void)
{
	const char *v = getenv("UNIT_UNDER_VALGRIND");

	return v != NULL && strcmp(v, "1") == 0;
}

static inline void
srv_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static inline long long
srv_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 1 if something accepts connections on the unix socket path. */
static inline int
srv_unix_up(const char *path)
{
	struct sockaddr_un	 sa;
	int			 fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), up;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	up = fd != -1 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	if (fd != -1)
		close(fd);
	return up;
}

/* Runs argv (stdout and stderr to log, or /dev/null) as user (NULL: as we are); the child's pid or -1. */
static inline pid_t
srv_spawn(const char *const *argv, const char *user, const char *log)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	int fd = open(log ? log : "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0644);

	if (fd != -1) {
		dup2(fd, 1);
		dup2(fd, 2);
	}
	setpgid(0, 0);	/* a ^C of the test leaves the servers alone; teardown stops them */
	/* A test killed before its teardown takes a server it runs in the foreground with it (Redis). */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (user != NULL && geteuid() == 0) {
		struct passwd *pw = getpwnam(user);

		if (pw == NULL || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0)
			_exit(126);
	}
	execv(argv[0], (char *const *)argv);
	execvp(argv[0], (char *const *)argv);
	_exit(127);
}

/* Runs argv to its end: its exit status, or -1. */
static inline int
srv_run(const char *const *argv, const char *user, const char *log)
{
	pid_t	pid = srv_spawn(argv, user, log);
	int	st;

	if (pid == -1 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* ---- Redis ---- */

struct test_redis {
	pid_t	pid;
	char	dir[64];
	char	sock[96];
	char	url[128];	/* unix:<sock>, for cache_settings.url */
};

/* 1 if redis-server can be run here (else the test skips, saying why). */
static inline int
test_redis_available(void)
{
	return access("/usr/bin/redis-server", X_OK) == 0 || access("/usr/local/bin/redis-server", X_OK) == 0;
}

/* Starts redis-server on r->sock (made in a new temp dir unless r->dir is set: a restart). 0 or -1. */
static inline int
test_redis_start(struct test_redis *r)
{
	if (r->dir[0] == '\0') {
		snprintf(r->dir, sizeof(r->dir), "/tmp/unit-redis.XXXXXX");
		if (mkdtemp(r->dir) == NULL)
			return -1;
		snprintf(r->sock, sizeof(r->sock), "%s/redis.sock", r->dir);
		snprintf(r->url, sizeof(r->url), "unix:%s", r->sock);
	}
	const char *argv[] = { "redis-server", "--port", "0", "--unixsocket", r->sock, "--unixsocketperm", "700",
	    "--save", "", "--appendonly", "no", "--dir", r->dir, "--daemonize", "no", NULL };

	r->pid = srv_spawn(argv, NULL, NULL);
	if (r->pid == -1)
		return -1;
	for (int i = 0; i < 500; i++) {
		if (srv_unix_up(r->sock))
			return 0;
		if (waitpid(r->pid, NULL, WNOHANG) == r->pid)
			break;
		srv_sleep_ms(10);
	}
	r->pid = 0;
	return -1;
}

/* Stops the server (SIGKILL when hard: a crash, else SIGTERM) and waits for it; the dir stays. */
static inline void
test_redis_stop(struct test_redis *r, int hard)
{
	if (r->pid > 0) {
		kill(r->pid, hard ? SIGKILL : SIGTERM);
		kill(r->pid, SIGCONT);	/* one a test stopped (SIGSTOP) could not act on SIGTERM */
		waitpid(r->pid, NULL, 0);
	}
	r->pid = 0;
	unlink(r->sock);
}

/* Stops the server and removes its temp dir. */
static inline void
test_redis_cleanup(struct test_redis *r)
{
	char cmd[128];

	test_redis_stop(r, 0);
	if (r->dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", r->dir);
		if (system(cmd) != 0)
			fprintf(stderr, "servers.h: could not remove %s\n", r->dir);
	}
	r->dir[0] = '\0';
}

/* ---- PostgreSQL ---- */

struct test_pg {
	char	dir[64];	/* the temp dir: data/ and the socket */
	char	data[96];
	char	log[96];	/* initdb's and migrate.sh's output */
	char	server_log[96];	/* the server's own (written as the server's user) */
	char	url[192];	/* libpq URI over the unix socket, database postgres, user postgres */
};

/* 1 if initdb and pg_ctl are there (else the test skips, saying why). */
static inline int
test_pg_available(void)
{
	return access(PG_BIN "/initdb", X_OK) == 0 && access(PG_BIN "/pg_ctl", X_OK) == 0 &&
	    (geteuid() != 0 || getpwnam("postgres") != NULL);
}

/* The user the servers run as: root may not run PostgreSQL (deploy/stack.sh's as_user does the same). */
static inline const char *
srv_pg_user(void)
{
	return geteuid() == 0 ? "postgres" : NULL;
}

/* pg_ctl start (or stop: mode "fast"/"immediate") on the test's cluster. Its exit status. */
static inline int
test_pg_ctl(struct test_pg *p, const char *action, const char *mode)
{
	char		 opts[256];
	const char	*start[] = { PG_BIN "/pg_ctl", "-D", p->data, "-l", p->server_log, "-w", "-t", "30", "-o", opts,
	    "start", NULL };
	const char	*stop[] = { PG_BIN "/pg_ctl", "-D", p->data, "-m", mode ? mode : "fast", "-w", "-t", "30",
	    "stop", NULL };

	/*
	 * No TCP at all: the socket in the temp dir is the only way in. fsync off, but commits
	 * still written before they return: the breaker test stops the server "immediate", and
	 * with synchronous_commit off the last commits (a table renamed back) could be lost.
	 */
	snprintf(opts, sizeof(opts), "-c listen_addresses='' -k %s -c fsync=off -c full_page_writes=off",
	    p->dir);
	return srv_run(strcmp(action, "start") == 0 ? start : stop, srv_pg_user(), NULL);
}

/*
 * initdb into a new temp dir, start the server on its unix socket there, and apply
 * db/migrate.sh (the test runs from the repository's root, as run-unit.sh does). 0 or -1.
 */
static inline int
test_pg_start(struct test_pg *p)
{
	char		 env[256];
	const char	*user = srv_pg_user();

	snprintf(p->dir, sizeof(p->dir), "/tmp/unit-pg.XXXXXX");
	if (mkdtemp(p->dir) == NULL)
		return -1;
	snprintf(p->data, sizeof(p->data), "%s/data", p->dir);
	snprintf(p->log, sizeof(p->log), "%s/setup.log", p->dir);
	snprintf(p->server_log, sizeof(p->server_log), "%s/server.log", p->dir);
	snprintf(p->url, sizeof(p->url), "postgresql:///postgres?host=%s&user=postgres", p->dir);
	if (user != NULL) {
		struct passwd *pw = getpwnam(user);

		if (pw == NULL || chown(p->dir, pw->pw_uid, pw->pw_gid) != 0)
			return -1;
	}
	const char *initdb[] = { PG_BIN "/initdb", "-D", p->data, "-U", "postgres", "-A", "trust", "-E", "UTF8",
	    "--locale=C.UTF-8", "--no-sync", NULL };

	if (srv_run(initdb, user, p->log) != 0 || test_pg_ctl(p, "start", NULL) != 0)
		return -1;
	const char *migrate[] = { "/usr/bin/env", env, "db/migrate.sh", NULL };

	snprintf(env, sizeof(env), "DATABASE_URL=%s", p->url);
	return srv_run(migrate, NULL, p->log) == 0 ? 0 : -1;
}

/* Stops the server and removes its temp dir. */
static inline void
test_pg_cleanup(struct test_pg *p)
{
	char cmd[128];

	if (p->dir[0] == '\0')
		return;
	test_pg_ctl(p, "stop", "immediate");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", p->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "servers.h: could not remove %s\n", p->dir);
	p->dir[0] = '\0';
}

#endif
