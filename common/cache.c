/* cache.c: the worker's Redis connection (hiredis) with bounded reconnects, and the few primitives the site uses. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <curl/curl.h>
#include <hiredis.h>

#include "cache.h"
#include "log.h"
#include "metrics.h"
#include "util.h"

struct cache {
	redisContext	*ctx;
	char		*host;		/* TCP host, or NULL for a unix socket */
	char		*path;		/* unix socket path */
	int		 port;
	char		*password;
	int		 db;
	int		 connect_timeout_ms;
	int		 command_timeout_ms;
	int		 retry_interval_ms;
	int64_t		 next_attempt_ms;	/* no connect before this (monotonic) */
	int		 down_logged;		/* the current outage has been logged */
	int		 enabled;
};

/* Compare-and-delete: a worker only ever removes the lock it took. */
static const char unlock_script[] =
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/*
 * A token bucket refilled at ARGV[1] tokens a second up to ARGV[2], from which ARGV[3] are
 * wanted; KEYS[2] is a pause (set when TMDb said Retry-After) during which none are given.
 * Redis's own clock is used, so every worker shares one notion of time. Returns {granted,
 * pause ms left}.
 */
static const char bucket_script[] =
    "local pause = redis.call('pttl', KEYS[2])\n"
    "if pause > 0 then return {0, pause} end\n"
    "local rate, burst, want, keep = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])\n"
    "local t = redis.call('time')\n"
    "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
    "local v = redis.call('hmget', KEYS[1], 'tokens', 'ts')\n"
    "local tokens, ts = tonumber(v[1]) or burst, tonumber(v[2]) or now\n"
    "if now > ts then tokens = math.min(burst, tokens + (now - ts) * rate / 1000) end\n"
    "local got = math.max(0, math.min(want, math.floor(tokens - keep)))\n"
    "redis.call('hset', KEYS[1], 'tokens', tostring(tokens - got), 'ts', tostring(math.max(now, ts)))\n"
    "redis.call('pexpire', KEYS[1], 60000)\n"
    "return {got, 0}\n";

struct cmd {
	int		 argc;
	const char	**argv;
	size_t		*lens;
};

static struct timeval
tv_of(int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	return tv;
}

static void
went_down(struct cache *c, const char *why)
{
	if (!c->down_logged)
		log_warn("cache: redis unavailable (%s); serving without cache until it returns", why);
	c->down_logged = 1;
}

/*
 * Drops a broken connection. A closed connection (e.g. a restart) may be retried by the next
 * call right away; a command that timed out (a hung server) is not retried for the retry
 * interval, so requests stop paying the timeout again and again.
 */
static void
drop(struct cache *c)
{
	/* hiredis reports a timeout as an I/O error with strerror(EAGAIN) as its text. */
	int timed_out = c->ctx && c->ctx->err == REDIS_ERR_IO &&
	    (strcmp(c->ctx->errstr, strerror(EAGAIN)) == 0 || strcmp(c->ctx->errstr, strerror(ETIMEDOUT)) == 0);

	went_down(c, timed_out ? "a command timed out" :
	    c->ctx && c->ctx->errstr[0] ? c->ctx->errstr : "connection lost");
	metrics_inc(MET_REDIS_ERRORS, "connection_lost");
	redisFree(c->ctx);
	c->ctx = NULL;
	if (timed_out)
		c->next_attempt_ms = now_ms() + c->retry_interval_ms;
}

/* Runs one command on a fresh connection during setup (AUTH, SELECT). 0 or -1. */
static int
setup_command(struct cache *c, int argc, const char **argv)
{
	redisReply	*r = redisCommandArgv(c->ctx, argc, argv, NULL);
	int		 ok = r != NULL && r->type != REDIS_REPLY_ERROR;

	if (r && r->type == REDIS_REPLY_ERROR)
		log_error("cache: redis %s refused: %s", argv[0], r->str);
	freeReplyObject(r);
	return ok ? 0 : -1;
}

static int
connect_now(struct cache *c)
{
	struct timeval	 ctv = tv_of(c->connect_timeout_ms);
	char		 db[16];

	c->next_attempt_ms = now_ms() + c->retry_interval_ms;
	if (c->host)
		c->ctx = redisConnectWithTimeout(c->host, c->port, ctv);
	else
		c->ctx = redisConnectUnixWithTimeout(c->path, ctv);
	if (c->ctx == NULL || c->ctx->err) {
		went_down(c, c->ctx ? c->ctx->errstr : "out of memory");
		metrics_inc(MET_REDIS_ERRORS, "connect");
		redisFree(c->ctx);
		c->ctx = NULL;
		return -1;
	}
	if (redisSetTimeout(c->ctx, tv_of(c->command_timeout_ms)) != REDIS_OK)
		goto fail;
	/* TCP only: on a unix socket it fails and marks the context as broken. */
	if (c->host && redisEnableKeepAlive(c->ctx) != REDIS_OK)
		goto fail;
	if (c->password) {
		const char *argv[] = { "AUTH", c->password };

		if (setup_command(c, 2, argv) == -1)
			goto fail;
	}
	if (c->db != 0) {
		const char *argv[] = { "SELECT", db };

		snprintf(db, sizeof(db), "%d", c->db);
		if (setup_command(c, 2, argv) == -1)
			goto fail;
	}
	if (c->down_logged) {
		log_info("cache: redis is back");
		metrics_inc(MET_REDIS_RECONNECTS);
	}
	c->down_logged = 0;
	return 0;
fail:
	drop(c);
	c->next_attempt_ms = now_ms() + c->retry_interval_ms;
	return -1;
}

int
cache_ok(struct cache *c)
{
	if (c == NULL || !c->enabled)
		return 0;
	if (c->ctx != NULL)
		return 1;
	if (now_ms() < c->next_attempt_ms)
		return 0;
	return connect_now(c) == 0;
}

/*
 * The connection was closed under us (a restarted Redis: EOF, or a reset or broken pipe), as
 * opposed to a timeout (a hung one), which must not be paid twice.
 */
static int
closed_not_timed_out(const redisContext *ctx)
{
	if (ctx == NULL)
		return 0;
	if (ctx->err == REDIS_ERR_EOF)
		return 1;
	return ctx->err == REDIS_ERR_IO && (strcmp(ctx->errstr, strerror(ECONNRESET)) == 0 ||
	    strcmp(ctx->errstr, strerror(EPIPE)) == 0);
}

/* One attempt of pipeline() on the current connection. 0, or -1 with every reply NULL. */
static int
pipeline_once(struct cache *c, const struct cmd *cmds, size_t n, redisReply **replies)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (redisAppendCommandArgv(c->ctx, cmds[i].argc, cmds[i].argv, cmds[i].lens) != REDIS_OK)
			goto fail;
	for (i = 0; i < n; i++) {
		void *r = NULL;

		if (redisGetReply(c->ctx, &r) != REDIS_OK)
			goto fail;
		replies[i] = r;
	}
	return 0;
fail:
	for (i = 0; i < n; i++) {
		freeReplyObject(replies[i]);
		replies[i] = NULL;
	}
	return -1;
}

/*
 * Sends n commands in one pipeline and collects their replies (caller frees each).
 * 0, or -1 with every reply NULL when the connection is or goes down. A connection made
 * before this call and found closed (Redis restarted since) is replaced once, at once: the
 * commands never reached the old server, and the new attempt has the usual connect and
 * command timeouts, so the call is bounded as one that had to connect.
 */
static int
pipeline(struct cache *c, const struct cmd *cmds, size_t n, redisReply **replies)
{
	int established;

	for (size_t i = 0; i < n; i++)
		replies[i] = NULL;
	established = c != NULL && c->ctx != NULL;
	if (!cache_ok(c))
		return -1;
	if (pipeline_once(c, cmds, n, replies) == 0)
		return 0;
	if (established && closed_not_timed_out(c->ctx)) {
		metrics_inc(MET_REDIS_ERRORS, "connection_lost");
		redisFree(c->ctx);
		c->ctx = NULL;
		if (connect_now(c) == 0 && pipeline_once(c, cmds, n, replies) == 0)
			return 0;
		if (c->ctx == NULL)
			return -1;
	}
	drop(c);
	return -1;
}

static redisReply *
command(struct cache *c, int argc, const char **argv, size_t *lens)
{
	struct cmd	 cmd = { argc, argv, lens };
	redisReply	*r;

	if (pipeline(c, &cmd, 1, &r) == -1)
		return NULL;
	return r;
}

int
cache_get(struct cache *c, const char *key, struct buf *out)
{
	const char	*argv[] = { "GET", key };
	redisReply	*r = command(c, 2, argv, NULL);
	int		 rv = 0;

	if (r == NULL)
		return -1;
	if (r->type == REDIS_REPLY_STRING) {
		buf_reset(out);
		buf_append(out, r->str, r->len);
		rv = 1;
	}
	freeReplyObject(r);
	return rv;
}

int
cache_set(struct cache *c, const char *key, const char *val, size_t len, int ttl_s)
{
	struct cache_item item = { key, val, len, ttl_s };

	return cache_set_many(c, &item, 1);
}

int
cache_set_many(struct cache *c, const struct cache_item *items, size_t n)
{
	struct cmd	 *cmds = xcalloc(n ? n : 1, sizeof(*cmds));
	const char	**argv = xcalloc(5 * (n ? n : 1), sizeof(*argv));
	size_t		 *lens = xcalloc(5 * (n ? n : 1), sizeof(*lens));
	char		(*ttl)[24] = xcalloc(n ? n : 1, sizeof(*ttl));
	redisReply	**r = xcalloc(n ? n : 1, sizeof(*r));
	int		  rv;

	for (size_t i = 0; i < n; i++) {
		const char	**a = argv + 5 * i;
		size_t		 *l = lens + 5 * i;

		snprintf(ttl[i], sizeof(ttl[i]), "%d", items[i].ttl_s > 0 ? items[i].ttl_s : 1);
		a[0] = "SET"; l[0] = 3;
		a[1] = items[i].key; l[1] = strlen(items[i].key);
		a[2] = items[i].val; l[2] = items[i].len;
		a[3] = "EX"; l[3] = 2;
		a[4] = ttl[i]; l[4] = strlen(ttl[i]);
		cmds[i] = (struct cmd){ 5, a, l };
	}
	rv = n == 0 ? 0 : pipeline(c, cmds, n, r);
	for (size_t i = 0; i < n; i++) {
		/* An error reply (OOM, NOPERM, READONLY) stored nothing. */
		if (r[i] && r[i]->type == REDIS_REPLY_ERROR)
			rv = -1;
		freeReplyObject(r[i]);
	}
	free(cmds);
	free(argv);
	free(lens);
	free(ttl);
	free(r);
	return rv;
}

int
cache_del(struct cache *c, const char *key)
{
	const char	*argv[] = { "DEL", key };
	redisReply	*r = command(c, 2, argv, NULL);
	int		 rv;

	if (r == NULL)
		return -1;
	rv = r->type == REDIS_REPLY_ERROR ? -1 : 0;	/* e.g. NOPERM: nothing was deleted */
	freeReplyObject(r);
	return rv;
}

int
cache_exists(struct cache *c, const char *key)
{
	const char	*argv[] = { "EXISTS", key };
	redisReply	*r = command(c, 2, argv, NULL);
	int		 rv;

	if (r == NULL)
		return -1;
	rv = r->type == REDIS_REPLY_INTEGER && r->integer > 0;
	freeReplyObject(r);
	return rv;
}

int
cache_ttl(struct cache *c, const char *key, long long *ttl_s)
{
	const char	*argv[] = { "TTL", key };
	redisReply	*r = command(c, 2, argv, NULL);

	if (r == NULL)
		return -1;
	*ttl_s = r->type == REDIS_REPLY_INTEGER ? r->integer : -2;
	freeReplyObject(r);
	return 0;
}

int
cache_mget(struct cache *c, const char *const *keys, size_t n, char **vals, size_t *lens)
{
	const char	**argv;
	redisReply	 *r;
	int		  rv = -1;

	for (size_t i = 0; i < n; i++) {
		vals[i] = NULL;
		if (lens)
			lens[i] = 0;
	}
	if (n == 0)
		return 0;
	argv = xcalloc(n + 1, sizeof(*argv));
	argv[0] = "MGET";
	memcpy(argv + 1, keys, n * sizeof(*argv));
	r = command(c, (int)n + 1, argv, NULL);
	free(argv);
	if (r == NULL)
		return -1;
	if (r->type == REDIS_REPLY_ARRAY && r->elements == n) {
		for (size_t i = 0; i < n; i++) {
			redisReply *e = r->element[i];

			if (e->type != REDIS_REPLY_STRING)
				continue;
			vals[i] = xstrndup(e->str, e->len);
			if (lens)
				lens[i] = e->len;
		}
		rv = 0;
	} else if (r->type == REDIS_REPLY_ERROR)
		log_warn("cache: MGET: %s", r->str);
	freeReplyObject(r);
	return rv;
}

int
cache_lock_many(struct cache *c, const char *const *keys, size_t n, const char *token, int ttl_ms,
    int *acquired)
{
	struct cmd	 *cmds = xcalloc(n ? n : 1, sizeof(*cmds));
	const char	**argv = xcalloc(6 * (n ? n : 1), sizeof(*argv));
	redisReply	**r = xcalloc(n ? n : 1, sizeof(*r));
	char		  px[24];
	int		  rv;

	snprintf(px, sizeof(px), "%d", ttl_ms > 0 ? ttl_ms : 1);
	for (size_t i = 0; i < n; i++) {
		const char **a = argv + 6 * i;

		a[0] = "SET"; a[1] = keys[i]; a[2] = token; a[3] = "NX"; a[4] = "PX"; a[5] = px;
		cmds[i] = (struct cmd){ 6, a, NULL };
	}
	rv = n == 0 ? 0 : pipeline(c, cmds, n, r);
	for (size_t i = 0; i < n; i++) {
		acquired[i] = r[i] && r[i]->type == REDIS_REPLY_STATUS;
		freeReplyObject(r[i]);
	}
	free(cmds);
	free(argv);
	free(r);
	return rv;
}

int
cache_lock(struct cache *c, const char *key, const char *token, int ttl_ms)
{
	int got = 0;

	if (cache_lock_many(c, &key, 1, token, ttl_ms, &got) == -1)
		return -1;
	return got;
}

int
cache_unlock_many(struct cache *c, const char *const *keys, size_t n, const char *token)
{
	struct cmd	 *cmds = xcalloc(n ? n : 1, sizeof(*cmds));
	const char	**argv = xcalloc(5 * (n ? n : 1), sizeof(*argv));
	redisReply	**r = xcalloc(n ? n : 1, sizeof(*r));
	int		  rv;

	for (size_t i = 0; i < n; i++) {
		const char **a = argv + 5 * i;

		a[0] = "EVAL"; a[1] = unlock_script; a[2] = "1"; a[3] = keys[i]; a[4] = token;
		cmds[i] = (struct cmd){ 5, a, NULL };
	}
	rv = n == 0 ? 0 : pipeline(c, cmds, n, r);
	for (size_t i = 0; i < n; i++) {
		if (r[i] && r[i]->type == REDIS_REPLY_ERROR)
			log_warn("cache: unlock: %s", r[i]->str);
		freeReplyObject(r[i]);
	}
	free(cmds);
	free(argv);
	free(r);
	return rv;
}

int
cache_unlock(struct cache *c, const char *key, const char *token)
{
	return cache_unlock_many(c, &key, 1, token);
}

/* Fills host/port/password/db from a redis:// URL, or path from unix:. 0 or -1. */
static int
parse_url(struct cache *c, const char *url)
{
	CURLU	*u;
	char	*host = NULL, *port = NULL, *pass = NULL, *path = NULL, *scheme = NULL;
	int	 rv = -1;

	if (strncmp(url, "unix://", 7) == 0 || strncmp(url, "unix:", 5) == 0) {
		const char *p = url + (strncmp(url, "unix://", 7) == 0 ? 7 : 5);

		if (p[0] != '/')
			return -1;
		c->path = xstrdup(p);
		return 0;
	}
	if ((u = curl_url()) == NULL)
		die("curl_url: out of memory");
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK || strcmp(scheme, "redis") != 0 ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		goto out;
	c->port = 6379;
	if (curl_url_get(u, CURLUPART_PORT, &port, 0) == CURLUE_OK &&
	    parse_int(port, 1, 65535, &c->port) == -1)
		goto out;
	if (curl_url_get(u, CURLUPART_PASSWORD, &pass, CURLU_URLDECODE) == CURLUE_OK && pass[0])
		c->password = xstrdup(pass);
	if (curl_url_get(u, CURLUPART_PATH, &path, 0) == CURLUE_OK && path[0] == '/' && path[1] &&
	    parse_int(path + 1, 0, 1000, &c->db) == -1)
		goto out;
	/* curl keeps IPv6 brackets; hiredis wants the bare address. */
	if (host[0] == '[') {
		c->host = xstrndup(host + 1, strlen(host) - 2);
	} else
		c->host = xstrdup(host);
	rv = 0;
out:
	curl_free(host);
	curl_free(port);
	curl_free(pass);
	curl_free(path);
	curl_free(scheme);
	curl_url_cleanup(u);
	return rv;
}

struct cache *
cache_open(const struct cache_settings *s)
{
	struct cache *c = xcalloc(1, sizeof(*c));

	c->connect_timeout_ms = s->connect_timeout_ms > 0 ? s->connect_timeout_ms : 100;
	c->command_timeout_ms = s->command_timeout_ms > 0 ? s->command_timeout_ms : 200;
	c->retry_interval_ms = s->retry_interval_ms > 0 ? s->retry_interval_ms : 1000;
	if (s->url == NULL || s->url[0] == '\0') {
		log_info("cache: no redis configured; every lookup goes to the source");
		return c;
	}
	if (parse_url(c, s->url) == -1) {
		/* The URL may hold a password: do not print it. */
		log_error("cache: unusable redis URL (expected redis://[:password@]host[:port][/db] "
		    "or unix:/path)");
		cache_close(c);
		return NULL;
	}
	/*
	 * hiredis writes with write(): a Redis that died would kill the worker with SIGPIPE.
	 * Unless the program chose a handler already, ignore it (write then fails with EPIPE).
	 */
	{
		struct sigaction old;

		if (sigaction(SIGPIPE, NULL, &old) == 0 && old.sa_handler == SIG_DFL)
			signal(SIGPIPE, SIG_IGN);
	}
	c->enabled = 1;
	connect_now(c);
	return c;
}

void
cache_close(struct cache *c)
{
	if (c == NULL)
		return;
	redisFree(c->ctx);
	free(c->host);
	free(c->path);
	if (c->password) {
		explicit_bzero(c->password, strlen(c->password));
		free(c->password);
	}
	free(c);
}

int
cache_counter_incr(struct cache *c, const char *key, int window_s, long long *count, long long *ttl_s)
{
	char		 ttl[16];
	const char	*incr[] = { "INCR", key };
	/* NX: the window starts at the first increment and is never extended by later ones. */
	const char	*expire[] = { "EXPIRE", key, ttl, "NX" };
	const char	*left[] = { "TTL", key };
	struct cmd	 cmds[3] = { { 2, incr, NULL }, { 4, expire, NULL }, { 2, left, NULL } };
	redisReply	*replies[3];

	snprintf(ttl, sizeof(ttl), "%d", window_s);
	if (pipeline(c, cmds, 3, replies) != 0)
		return -1;
	if (count)
		*count = replies[0]->type == REDIS_REPLY_INTEGER ? replies[0]->integer : 0;
	if (ttl_s)
		*ttl_s = replies[2]->type == REDIS_REPLY_INTEGER ? replies[2]->integer : -2;
	for (int i = 0; i < 3; i++)
		freeReplyObject(replies[i]);
	return 0;
}

int
cache_counter_get(struct cache *c, const char *key, long long *count, long long *ttl_s)
{
	const char	*get[] = { "GET", key };
	const char	*ttl[] = { "TTL", key };
	struct cmd	 cmds[2] = { { 2, get, NULL }, { 2, ttl, NULL } };
	redisReply	*replies[2];

	if (pipeline(c, cmds, 2, replies) != 0)
		return -1;
	*count = 0;
	if (replies[0]->type == REDIS_REPLY_STRING) {
		int64_t v;

		/* Only INCR writes these keys; anything else reads as 0 rather than garbage. */
		if (parse_int64(replies[0]->str, replies[0]->len, 0, INT64_MAX, &v) == 0)
			*count = v;
	}
	*ttl_s = replies[1]->type == REDIS_REPLY_INTEGER ? replies[1]->integer : -2;
	freeReplyObject(replies[0]);
	freeReplyObject(replies[1]);
	return 0;
}

int
cache_bucket_take(struct cache *c, const char *bucket, const char *pause_key, int rate, int burst,
    int keep, int want, long long *pause_ms)
{
	char		 a_rate[16], a_burst[16], a_want[16], a_keep[16];
	const char	*argv[] = { "EVAL", bucket_script, "2", bucket, pause_key, a_rate, a_burst, a_want,
	    a_keep };
	redisReply	*r;
	int		 got = -1;

	*pause_ms = 0;
	snprintf(a_rate, sizeof(a_rate), "%d", rate);
	snprintf(a_burst, sizeof(a_burst), "%d", burst);
	snprintf(a_want, sizeof(a_want), "%d", want);
	snprintf(a_keep, sizeof(a_keep), "%d", keep);
	if ((r = command(c, (int)NELEM(argv), argv, NULL)) == NULL)
		return -1;
	if (r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
	    r->element[0]->type == REDIS_REPLY_INTEGER && r->element[1]->type == REDIS_REPLY_INTEGER) {
		got = (int)r->element[0]->integer;
		*pause_ms = r->element[1]->integer;
	} else if (r->type == REDIS_REPLY_ERROR)
		log_warn("cache: token bucket: %s", r->str);
	freeReplyObject(r);
	return got;
}

int
cache_pause(struct cache *c, const char *pause_key, long long ms)
{
	char		 px[24];
	const char	*argv[] = { "SET", pause_key, "1", "PX", px };
	redisReply	*r;

	snprintf(px, sizeof(px), "%lld", ms > 0 ? ms : 1);
	if ((r = command(c, (int)NELEM(argv), argv, NULL)) == NULL)
		return -1;
	freeReplyObject(r);
	return 0;
}
