/* tmdb.c: the TMDb HTTP transport (libcurl, deadlines, retries, metrics) and a body's parse. */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "log.h"
#include "metrics.h"
#include "tmdb.h"
#include "tmdb_kinds.h"
#include "util.h"

struct xfer {
	const struct tmdb_query	*q;
	struct tmdb_result	*res;
	struct buf		 body;
	size_t			 cap;
	int			 oversize;
	int			 retryable;	/* failed in a way worth one more attempt */
	long			 wait_ms;	/* how long to wait before that attempt */
};

struct tmdb {
	struct tmdb_settings	 s;
	char			*auth_header;	/* "Authorization: Bearer ..." or NULL */
	struct curl_slist	*headers;
	CURL			*single;	/* reused for one-off calls: its connection stays alive */
	CURLM			*multi;		/* reused for concurrent calls, with its own pool */
	CURL			**pool;		/* max_concurrency easy handles for the multi handle */
	int64_t			 deadline_ms;	/* monotonic; no wait goes past it (0 = none) */
};

static int curl_ready;

/* ---------- a body into its kind's shape ---------- */

struct json_object *
tmdb_normalize(enum tmdb_kind kind, struct json_object *raw)
{
	const struct tmdb_kind_desc *d = tmdb_kind_desc(kind);

	if (d == NULL || raw == NULL || !json_object_is_type(raw, json_type_object))
		return NULL;
	return d->shape(raw);
}

struct json_object *
tmdb_parse(enum tmdb_kind kind, const char *body, size_t len)
{
	struct json_tokener	*tok;
	struct json_object	*raw, *norm = NULL;

	if (body == NULL || len == 0 || len > INT32_MAX)
		return NULL;
	if ((tok = json_tokener_new()) == NULL)
		die("json_tokener_new: out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	raw = json_tokener_parse_ex(tok, body, (int)len);
	/* The whole body must be one complete document. */
	if (raw != NULL && json_tokener_get_error(tok) == json_tokener_success &&
	    json_tokener_get_parse_end(tok) == len)
		norm = tmdb_normalize(kind, raw);
	json_object_put(raw);
	json_tokener_free(tok);
	return norm;
}

/* ---------- transport ---------- */

static size_t
on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct xfer	*x = arg;
	size_t		 n = size * nmemb;

	if (x->body.len + n > x->cap) {
		x->oversize = 1;
		return 0;	/* aborts the transfer with CURLE_WRITE_ERROR */
	}
	buf_append(&x->body, data, n);
	return n;
}

/* Milliseconds left before the deadline (LONG_MAX without one); may be 0 or less. */
static long
time_left(const struct tmdb *t)
{
	if (t->deadline_ms == 0)
		return LONG_MAX;
	return (long)(t->deadline_ms - now_ms());
}

static long
min_long(long a, long b)
{
	return a < b ? a : b;
}

static void
setup_easy(struct tmdb *t, CURL *e, struct xfer *x, const char *url)
{
	/* Bounded by the page's deadline too; curl treats 0 as "none", hence at least 1 ms. */
	long left = time_left(t) > 1 ? time_left(t) : 1;

	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, min_long(t->s.connect_timeout_ms, left));
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, min_long(t->s.timeout_ms, left));
	curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)t->s.max_response_bytes);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	/*
	 * Over HTTPS TMDb speaks HTTP/2: wait for a connection that can multiplex rather than open
	 * more. Plain http (the stand-in) is HTTP/1.1, where waiting would only delay.
	 */
	if (strncmp(t->s.base_url, "https://", 8) == 0)
		curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "movies-fcgi/1");
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(e, CURLOPT_PRIVATE, x);
}

static void
xfer_start(struct tmdb *t, struct xfer *x)
{
	buf_reset(&x->body);
	x->cap = t->s.max_response_bytes;
	x->oversize = 0;
	x->retryable = 0;
	x->wait_ms = 0;
	x->res->status = TMDB_UNAVAILABLE;
	x->res->http_status = 0;
	x->res->json = NULL;
}

/* Counts one finished attempt: its kind, duration, outcome, and when TMDb last answered. */
static void
count_attempt(CURL *e, const struct xfer *x)
{
	static const char	*reasons[] = { "ok", "not_found", "config_error", "rate_limited",
	    "unavailable", "bad_request" };
	const char		*kind = tmdb_kind_name(x->q->kind);
	curl_off_t		 us = 0;
	enum tmdb_status	 st = x->res->status;

	curl_easy_getinfo(e, CURLINFO_TOTAL_TIME_T, &us);
	metrics_inc(MET_TMDB_CALLS, kind);
	metrics_time(MET_TMDB_SECONDS, (double)us / 1e6, kind);
	if (st == TMDB_OK || st == TMDB_NOT_FOUND)
		metrics_stamp(MET_TMDB_LAST_SUCCESS);
	else {
		metrics_inc(MET_TMDB_ERRORS, kind, (size_t)st < NELEM(reasons) ? reasons[st] : "unknown");
		metrics_stamp(MET_TMDB_LAST_FAILURE);
	}
}

/* An HTTP 429 (what = the call, for the log): rate limited, retryable after TMDb's Retry-After
 * (capped for this worker's wait; reported in x->res so every worker can hold back). */
static void
finish_429(CURL *e, struct xfer *x, const char *what)
{
	curl_off_t retry_after = 0;

	x->res->status = TMDB_RATE_LIMITED;
	x->retryable = 1;
	if (curl_easy_getinfo(e, CURLINFO_RETRY_AFTER, &retry_after) != CURLE_OK || retry_after <= 0)
		retry_after = 0;
	x->res->retry_after_ms = retry_after > 0 && retry_after < 86400 ?
	    (long)retry_after * 1000 : TMDB_RETRY_AFTER_DEFAULT_MS;
	if (retry_after <= 0)
		x->wait_ms = TMDB_RETRY_AFTER_DEFAULT_MS;
	else if (retry_after > TMDB_RETRY_AFTER_CAP_MS / 1000)
		x->wait_ms = TMDB_RETRY_AFTER_CAP_MS;
	else
		x->wait_ms = (long)retry_after * 1000;
	log_warn("tmdb: %s: HTTP 429 (retry after %ld ms)", what, x->wait_ms);
}

/* Classifies a finished attempt into x->res and decides whether another is worth it. */
static void
xfer_finish(struct tmdb *t, CURL *e, struct xfer *x, CURLcode rc)
{
	struct buf	 what = BUF_INIT;
	long		 code = 0;

	tmdb_describe(x->q, &what);
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
	x->res->http_status = code;
	if (rc != CURLE_OK) {
		x->res->status = TMDB_UNAVAILABLE;
		if (x->oversize || rc == CURLE_FILESIZE_EXCEEDED)
			log_warn("tmdb: %s: response larger than %zu bytes", buf_cstr(&what),
			    t->s.max_response_bytes);
		else {
			x->retryable = 1;
			x->wait_ms = TMDB_RETRY_BACKOFF_MS;
			log_warn("tmdb: %s: %s", buf_cstr(&what), curl_easy_strerror(rc));
		}
	} else if (code == 200) {
		x->res->json = tmdb_parse(x->q->kind, x->body.data, x->body.len);
		if (x->res->json != NULL)
			x->res->status = TMDB_OK;
		else {
			x->res->status = TMDB_UNAVAILABLE;
			x->retryable = 1;
			x->wait_ms = TMDB_RETRY_BACKOFF_MS;
			log_warn("tmdb: %s: malformed or incomplete JSON (%zu bytes)", buf_cstr(&what),
			    x->body.len);
		}
	} else if (code == 404) {
		x->res->status = TMDB_NOT_FOUND;
	} else if (code == 401) {
		x->res->status = TMDB_CONFIG_ERROR;
		log_error("tmdb: %s: HTTP 401: the TMDb API key / read token is refused; "
		    "check the TMDB configuration", buf_cstr(&what));
	} else if (code == 429) {
		finish_429(e, x, buf_cstr(&what));
	} else if (code == 400 || code == 422) {
		x->res->status = TMDB_BAD_REQUEST;
		log_warn("tmdb: %s: HTTP %ld", buf_cstr(&what), code);
	} else {
		x->res->status = TMDB_UNAVAILABLE;
		x->retryable = code >= 500;
		x->wait_ms = TMDB_RETRY_BACKOFF_MS;
		log_warn("tmdb: %s: HTTP %ld", buf_cstr(&what), code);
	}
	count_attempt(e, x);
	buf_free(&what);
}

static void
run_single(struct tmdb *t, struct xfer *x, const char *url)
{
	CURLcode rc;

	setup_easy(t, t->single, x, url);
	rc = curl_easy_perform(t->single);
	xfer_finish(t, t->single, x, rc);
}

/*
 * A failed multi handle fails this round's transfers, not the worker: every one not yet
 * finished keeps the TMDB_UNAVAILABLE that xfer_start set (no retry), and the pool is
 * detached so the next round starts clean.
 */
static void
abandon_multi(struct tmdb *t, const char *what)
{
	log_error("tmdb: %s failed: the remaining requests of this page fail", what);
	for (int i = 0; i < t->s.max_concurrency; i++)
		if (t->pool[i])
			curl_multi_remove_handle(t->multi, t->pool[i]);
}

/* Runs the given transfers, at most max_concurrency at a time, through the multi handle. */
static void
run_multi(struct tmdb *t, struct xfer **xs, char **urls, size_t n)
{
	size_t		 next = 0, active = 0;
	int		 running = 0, left;
	CURLMsg		*msg;
	struct xfer	*x;

	for (int i = 0; i < t->s.max_concurrency && next < n; i++) {
		if (t->pool[i] == NULL && (t->pool[i] = curl_easy_init()) == NULL)
			die("curl_easy_init: out of memory");
		setup_easy(t, t->pool[i], xs[next], urls[next]);
		curl_multi_add_handle(t->multi, t->pool[i]);
		next++;
		active++;
	}
	while (active > 0) {
		if (curl_multi_perform(t->multi, &running) != CURLM_OK) {
			abandon_multi(t, "curl_multi_perform");
			return;
		}
		while ((msg = curl_multi_info_read(t->multi, &left)) != NULL) {
			CURL *e = msg->easy_handle;

			if (msg->msg != CURLMSG_DONE)
				continue;
			char *priv = NULL;

			curl_easy_getinfo(e, CURLINFO_PRIVATE, &priv);
			x = (struct xfer *)(void *)priv;
			curl_multi_remove_handle(t->multi, e);
			xfer_finish(t, e, x, msg->data.result);
			active--;
			if (next < n) {
				/* The handle keeps its connection in the multi pool for reuse. */
				setup_easy(t, e, xs[next], urls[next]);
				curl_multi_add_handle(t->multi, e);
				next++;
				active++;
			}
		}
		if (active > 0 && curl_multi_poll(t->multi, NULL, 0, 100, NULL) != CURLM_OK) {
			abandon_multi(t, "curl_multi_poll");
			return;
		}
	}
}

static void
run_round(struct tmdb *t, struct xfer **xs, size_t n)
{
	char		**urls = xcalloc(n ? n : 1, sizeof(*urls));
	struct xfer	**go = xcalloc(n ? n : 1, sizeof(*go));
	char		**go_urls = xcalloc(n ? n : 1, sizeof(*go_urls));
	size_t		  k = 0;

	for (size_t i = 0; i < n; i++) {
		struct buf u = BUF_INIT;

		xfer_start(t, xs[i]);
		if (time_left(t) <= 0) {
			/* The page's deadline has passed: no call at all (stale copies are served). */
			log_warn("tmdb: the page deadline has passed; not calling TMDb");
			continue;
		}
		if (tmdb_build_url(&t->s, xs[i]->q, &u) == -1) {
			xs[i]->res->status = TMDB_BAD_REQUEST;
			buf_free(&u);
			continue;
		}
		urls[i] = buf_detach(&u);
		go[k] = xs[i];
		go_urls[k++] = urls[i];
	}
	if (k == 1)
		run_single(t, go[0], go_urls[0]);
	else if (k > 1)
		run_multi(t, go, go_urls, k);
	for (size_t i = 0; i < n; i++)
		free(urls[i]);
	free(urls);
	free(go);
	free(go_urls);
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

void
tmdb_fetch_many(struct tmdb *t, const struct tmdb_query *qs, const int *have_stale, size_t n,
    struct tmdb_result *res)
{
	struct xfer	 *xv = xcalloc(n ? n : 1, sizeof(*xv));
	struct xfer	**all = xcalloc(n ? n : 1, sizeof(*all));
	size_t		  k = 0;
	long		  wait = 0;

	for (size_t i = 0; i < n; i++) {
		xv[i].q = &qs[i];
		xv[i].res = &res[i];
		res[i].retry_after_ms = 0;	/* kept across the retry: TMDb's word stands */
		all[i] = &xv[i];
	}
	run_round(t, all, n);
	/* One shared retry round: the longest wait any of them needs, then all of them at once. */
	for (size_t i = 0; i < n; i++) {
		if (!xv[i].retryable)
			continue;
		/* A 429 with a stale copy at hand: serve that rather than make the user wait. */
		if (xv[i].res->status == TMDB_RATE_LIMITED && have_stale && have_stale[i])
			continue;
		if (xv[i].res->status == TMDB_RATE_LIMITED)
			metrics_inc(MET_TMDB_RATE_LIMIT_WAITS);
		if (xv[i].wait_ms > wait)
			wait = xv[i].wait_ms;
		all[k++] = &xv[i];
	}
	/* No retry that could not finish before the page's deadline. */
	if (k > 0 && time_left(t) > wait + TMDB_RETRY_BACKOFF_MS) {
		sleep_ms(wait);
		run_round(t, all, k);
	}
	for (size_t i = 0; i < n; i++)
		buf_free(&xv[i].body);
	free(xv);
	free(all);
}

void
tmdb_fetch(struct tmdb *t, const struct tmdb_query *q, int have_stale, struct tmdb_result *res)
{
	tmdb_fetch_many(t, q, &have_stale, 1, res);
}

void
tmdb_set_deadline(struct tmdb *t, int64_t deadline_ms)
{
	t->deadline_ms = deadline_ms;
}

long
tmdb_worst_case_ms(const struct tmdb *t)
{
	return 2 * t->s.timeout_ms + TMDB_RETRY_AFTER_CAP_MS;
}

const struct tmdb_settings *
tmdb_get_settings(const struct tmdb *t)
{
	return &t->s;
}

struct tmdb *
tmdb_open(const struct tmdb_settings *s)
{
	struct tmdb	*t;
	struct buf	 h = BUF_INIT;

	if (s->base_url == NULL || s->base_url[0] == '\0') {
		log_error("tmdb: no base URL configured");
		return NULL;
	}
	if ((s->api_key == NULL || s->api_key[0] == '\0') &&
	    (s->read_token == NULL || s->read_token[0] == '\0'))
		log_error("tmdb: neither an API key nor a read-access token is configured");
	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			log_error("tmdb: curl_global_init failed");
			return NULL;
		}
		curl_ready = 1;
	}
	t = xcalloc(1, sizeof(*t));
	t->s.base_url = xstrdup(s->base_url);
	t->s.api_key = s->api_key ? xstrdup(s->api_key) : NULL;
	t->s.read_token = s->read_token ? xstrdup(s->read_token) : NULL;
	t->s.language = xstrdup(s->language && s->language[0] ? s->language : "en-US");
	t->s.connect_timeout_ms = s->connect_timeout_ms > 0 ? s->connect_timeout_ms :
	    TMDB_DEFAULT_CONNECT_TIMEOUT_MS;
	t->s.timeout_ms = s->timeout_ms > 0 ? s->timeout_ms : TMDB_DEFAULT_TIMEOUT_MS;
	t->s.max_response_bytes = s->max_response_bytes > 0 ? s->max_response_bytes :
	    TMDB_DEFAULT_MAX_RESPONSE;
	t->s.max_concurrency = s->max_concurrency > 0 ? s->max_concurrency : TMDB_DEFAULT_CONCURRENCY;
	if (t->s.max_concurrency > TMDB_MAX_CONCURRENCY)
		t->s.max_concurrency = TMDB_MAX_CONCURRENCY;
	t->headers = curl_slist_append(NULL, "Accept: application/json");
	if (t->s.read_token && t->s.read_token[0]) {
		buf_printf(&h, "Authorization: Bearer %s", t->s.read_token);
		t->auth_header = buf_detach(&h);
		t->headers = curl_slist_append(t->headers, t->auth_header);
	}
	if (t->headers == NULL || (t->single = curl_easy_init()) == NULL ||
	    (t->multi = curl_multi_init()) == NULL)
		die("tmdb: curl handles: out of memory");
	/* Many requests share one HTTP/2 connection: a page of misses costs about one round trip. */
	curl_multi_setopt(t->multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
	curl_multi_setopt(t->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)t->s.max_concurrency);
	curl_multi_setopt(t->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)t->s.max_concurrency);
	curl_multi_setopt(t->multi, CURLMOPT_MAXCONNECTS, (long)t->s.max_concurrency);
	t->pool = xcalloc((size_t)t->s.max_concurrency, sizeof(*t->pool));
	return t;
}

void
tmdb_close(struct tmdb *t)
{
	if (t == NULL)
		return;
	for (int i = 0; i < t->s.max_concurrency; i++)
		if (t->pool[i])
			curl_easy_cleanup(t->pool[i]);
	free(t->pool);
	curl_multi_cleanup(t->multi);
	curl_easy_cleanup(t->single);
	curl_slist_free_all(t->headers);
	if (t->auth_header) {
		explicit_bzero(t->auth_header, strlen(t->auth_header));
		free(t->auth_header);
	}
	free((char *)t->s.base_url);
	free((char *)t->s.api_key);
	free((char *)t->s.read_token);
	free((char *)t->s.language);
	free(t);
}
