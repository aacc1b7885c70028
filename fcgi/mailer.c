/* mailer.c: the mailer process: sends the outbox's rows through SMTP, each exactly once if it can. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "config.h"
#include "db.h"
#include "emailaddr.h"
#include "log.h"
#include "mailer.h"
#include "metrics.h"
#include "mime.h"
#include "smtp.h"
#include "util.h"
#include "worker.h"

/*
 * The contract with the SMTP server and the outbox (README, Operations: mail).
 *
 * A row is claimed in one statement (DB_OUTBOX_CLAIM): 'sending', held by this mailer (host and
 * master pid), with a lease (next_attempt_at) longer than one SMTP exchange may last. Then it is
 * sent on a fresh connection, and the moment the server answers 250 to the end of DATA the row
 * is marked 'sent' (DB_OUTBOX_SENT), before anything else is done; should the database be
 * unavailable just then, the mark is retried until the lease runs out.
 *
 * Killed, or its machine lost, mid-send: the row stays 'sending'. A respawned mailer takes its
 * predecessor's rows back at once (DB_OUTBOX_RECLAIM, by the same identity); any mailer takes it
 * when the lease runs out. Nothing is lost.
 *
 * The one window that cannot be closed: between the server's 250 and the commit of 'sent' (a
 * kill, or a database outage longer than the lease, right then). That message goes again, with
 * the same Message-ID and Date (both come from the row), so the receiver can tell it is the same.
 * No SMTP exchange is shared: a server that dies mid-stream costs at most the message on the
 * wire, which was not acknowledged and is retried.
 */

#define LEASE_MARGIN_S	30
#define WHY_MAX		400

static volatile sig_atomic_t stop_requested;
static char identity[300];

static void
on_term(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* Seconds a claimed row stays ours: two whole exchanges and a margin, so it is never taken
 * from a live mailer. */
static int
lease_s(void)
{
	return config.email_timeout * 2 + LEASE_MARGIN_S;
}

/* The wait after attempt n (1-based) failed for now: EMAIL_RETRY_MIN_S doubling, capped. */
static int
retry_delay_s(int attempts)
{
	int64_t d = config.email_retry_min_s;

	for (int i = 1; i < attempts && d < config.email_retry_max_s; i++)
		d *= 2;
	return (int)(d < config.email_retry_max_s ? d : config.email_retry_max_s);
}

/* Runs an update on one row until it is done or the deadline (monotonic ms) passes. 0 or -1. */
static int
mark(struct db *db, enum db_stmt s, int n, const char *const *params, int64_t deadline)
{
	PGresult *r;

	while ((r = db_exec(db, s, n, params)) == NULL) {
		if (now_ms() >= deadline)
			return -1;
		usleep(250 * 1000);
	}
	PQclear(r);
	return 0;
}

/* The domain of DEFAULT_FROM_EMAIL's address, for Message-IDs. */
static void
from_domain(char *out, size_t outsz)
{
	const char	*addr, *at;
	size_t		 len;

	mime_from_address(config.default_from_email, &addr, &len);
	at = memrchr(addr, '@', len);
	snprintf(out, outsz, "%.*s", (int)(addr + len - at - 1), at + 1);
}

/* What to do with the row after the exchange ended with res (why: the server's reason). */
static void
record_outcome(struct db *db, const char *id, int attempts, enum smtp_result res, const char *why,
    int64_t deadline)
{
	char		 delay[16];
	const char	*sent[] = { id }, *failed[] = { id, why }, *retry[] = { id, delay, why };

	if (res == SMTP_SENT) {
		if (mark(db, DB_OUTBOX_SENT, 1, sent, deadline) != 0)
			log_error("mailer: message %s was accepted by the server but could not be marked "
			    "sent; it will be sent again (same Message-ID)", id);
		metrics_inc(MET_MAIL_SENT);
		log_info("mailer: message %s sent", id);
	} else if (res == SMTP_PERMANENT || attempts >= config.email_max_attempts) {
		mark(db, DB_OUTBOX_FAIL, 2, failed, deadline);
		metrics_inc(MET_MAIL_FAILED);
		log_warn("mailer: message %s given up after %d attempts: %s", id, attempts, why);
	} else {
		snprintf(delay, sizeof(delay), "%d", retry_delay_s(attempts));
		mark(db, DB_OUTBOX_RETRY, 3, retry, deadline);
		metrics_inc(MET_MAIL_DEFERRED);
		log_warn("mailer: message %s deferred %s s (attempt %d): %s", id, delay, attempts, why);
	}
}

/* Composes and sends claimed row 0 of r; returns what came of it. */
static enum smtp_result
send_row(struct db *db, const struct smtp_settings *ss, PGresult *r)
{
	const char		*id = PQgetvalue(r, 0, 0), *from;
	char			 msgid[160], domain[128], why[WHY_MAX];
	struct buf		 msg = BUF_INIT;
	struct mime_message	 m;
	size_t			 flen;
	int			 attempts = atoi(PQgetvalue(r, 0, 6));
	int64_t			 deadline = now_ms() + (int64_t)lease_s() * 1000;
	enum smtp_result	 res = SMTP_PERMANENT;

	from_domain(domain, sizeof(domain));
	snprintf(msgid, sizeof(msgid), "outbox.%s.%s@%s", id, PQgetvalue(r, 0, 5), domain);
	m = (struct mime_message){ config.default_from_email, PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 2),
	    PQgetvalue(r, 0, 3), PQgetvalue(r, 0, 4), msgid, atoll(PQgetvalue(r, 0, 5)) };
	snprintf(why, sizeof(why), "the row cannot be composed (an invalid address or header)");
	if (mime_compose(&m, &msg) == 0) {
		char env_from[EMAILADDR_MAX + 1];

		mime_from_address(config.default_from_email, &from, &flen);
		snprintf(env_from, sizeof(env_from), "%.*s", (int)flen, from);
		res = smtp_send(ss, env_from, m.to, msg.data, msg.len, why, sizeof(why));
	}
	record_outcome(db, id, attempts, res, why, deadline);
	buf_free(&msg);
	return res;
}

/*
 * Claims and sends one due row. 1 sent (or tried), 0 none due, -1 the database failed, 2 the
 * SMTP server did not answer (the next rows wait rather than each spend an attempt on it).
 */
static int
send_next(struct db *db, const struct smtp_settings *ss)
{
	char		 lease[16];
	const char		*p[] = { identity, lease };
	PGresult		*r;
	enum smtp_result	 res;

	snprintf(lease, sizeof(lease), "%d", lease_s());
	if ((r = db_exec(db, DB_OUTBOX_CLAIM, 2, p)) == NULL)
		return -1;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return 0;
	}
	res = send_row(db, ss, r);
	PQclear(r);
	return res == SMTP_UNREACHABLE ? 2 : 1;
}

/* Updates the gauges; returns ms until the next row is due (-1: none, or unknown). */
static long
count_unsent(struct db *db)
{
	PGresult	*r = db_exec(db, DB_OUTBOX_STATS, 0, NULL);
	long		 due = -1;

	if (r == NULL)
		return -1;
	metrics_gauge(MET_MAIL_UNSENT, atoll(PQgetvalue(r, 0, 0)));
	metrics_gauge(MET_MAIL_OLDEST_UNSENT, atoll(PQgetvalue(r, 0, 1)));
	if (!PQgetisnull(r, 0, 2))
		due = atol(PQgetvalue(r, 0, 2));
	PQclear(r);
	return due;
}

/* Sleeps until a NOTIFY, timeout_ms, or SIGTERM (deliverable only here). */
static void
sleep_until_woken(struct db *db, long timeout_ms, const sigset_t *waitmask)
{
	struct pollfd	 pfd = { .fd = db_notify_fd(db), .events = POLLIN };
	struct timespec	 ts = { timeout_ms / 1000, (timeout_ms % 1000) * 1000000L };

	/* A notification read along with an earlier answer is waiting in libpq already. */
	if (pfd.fd >= 0 && db_notified(db) != 0)
		return;
	if (ppoll(&pfd, pfd.fd >= 0 ? 1 : 0, &ts, waitmask) > 0)
		db_notified(db);
}

/* A stop asked for while sending: finish the current row, take no next one. */
static int
stop_pending(void)
{
	sigset_t p;

	sigpending(&p);
	return stop_requested || sigismember(&p, SIGTERM) || sigismember(&p, SIGINT);
}

/* SIGTERM only ends a sleep; the listening socket (fd 0) is the workers' business, not ours. */
static void
mailer_signals(sigset_t *waitmask)
{
	int null = open("/dev/null", O_RDWR);

	worker_child_signals(on_term, waitmask);
	if (null >= 0) {
		dup2(null, 0);
		close(null);
	}
}

void
mailer_run(void)
{
	struct db_settings	ds = { config.database_url, config.db_connect_timeout_ms,
	    config.db_statement_timeout_ms, config.db_keepalive_idle_s, config.db_tcp_user_timeout_ms,
	    config.db_breaker_max_ms, !config.db_prepared };
	struct smtp_settings	ss = { config.email_host, config.email_port, config.email_host_user,
	    config.email_host_password, config.email_use_tls, config.email_use_ssl, config.email_timeout,
	    NULL };
	const char		*reclaim[] = { identity };
	char			 host[256] = "localhost";
	sigset_t		 waitmask;
	struct db		*db;
	int			 reclaimed = 0;

	mailer_signals(&waitmask);
	gethostname(host, sizeof(host) - 1);
	/* The master's pid: the same for every mailer it respawns, so one takes back its predecessor's rows. */
	snprintf(identity, sizeof(identity), "%s:%ld", host, (long)getppid());
	curl_global_init(CURL_GLOBAL_DEFAULT);
	db = db_open_with(&ds);
	metrics_add(MET_MAIL_SENT, 0, 0, NULL);
	metrics_add(MET_MAIL_FAILED, 0, 0, NULL);
	metrics_add(MET_MAIL_DEFERRED, 0, 0, NULL);
	log_info("mailer: sending through %s://%s:%d as %s", config.email_use_ssl ? "smtps" : "smtp",
	    config.email_host, config.email_port, config.default_from_email);
	while (!stop_requested) {
		long		 due, wait_ms = (long)config.email_poll_s * 1000;
		int		 got = 0;
		PGresult	*r;

		if (!reclaimed && (r = db_exec(db, DB_OUTBOX_RECLAIM, 1, reclaim)) != NULL) {
			reclaimed = 1;
			PQclear(r);
		}
		while (!stop_pending() && (got = send_next(db, &ss)) == 1)
			;
		due = count_unsent(db);
		if (due >= 0 && due < wait_ms)
			wait_ms = due + 1;
		if (got == 2)
			wait_ms = (long)config.email_retry_min_s * 1000;
		/* With the database away, look again within a second (its breaker bounds the cost). */
		if (got < 0 && wait_ms > 1000)
			wait_ms = 1000;
		if (!stop_requested)
			sleep_until_woken(db, wait_ms, &waitmask);
	}
	log_info("mailer: stopped");
	db_close(db);
	curl_global_cleanup();
	exit(0);
}
