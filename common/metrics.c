/* metrics.c: the site's counters, gauges and histograms in memory shared by the master and every worker. */
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#include "buildinfo.h"
#include "log.h"
#include "metrics.h"
#include "util.h"

enum metric_type { MT_COUNTER, MT_GAUGE, MT_HISTOGRAM, MT_BUSY };

#define MAX_LABELS	2
#define SLOTS		2048		/* power of two; ~0.5 MB */
#define LABELS_MAX	120		/* rendered label pairs of one series */
#define MAX_WORKERS	256

/* Latency buckets in seconds (Prometheus' defaults); observations beyond go to +Inf only. */
static const double bucket_le[] = { 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10 };
#define NBUCKETS	(sizeof(bucket_le) / sizeof(bucket_le[0]))

struct metric_def {
	const char		*name;
	enum metric_type	 type;
	const char		*help;
	size_t			 nlabels;
	const char		*labels[MAX_LABELS];
	int			 millis;	/* a gauge kept in thousandths, shown in units */
};

static const struct metric_def defs[MET_COUNT] = {
	[MET_HTTP_REQUESTS] = { "movies_http_requests_total", MT_COUNTER,
	    "Requests answered by the workers, by route pattern (unmatched: no route) and status.",
	    2, { "route", "status" }, 0 },
	[MET_HTTP_SECONDS] = { "movies_http_request_duration_seconds", MT_HISTOGRAM,
	    "Time from a request's arrival at a worker to its answer, by route pattern.", 1, { "route" }, 0 },
	[MET_HTTP_IN_FLIGHT] = { "movies_http_requests_in_flight", MT_BUSY,
	    "Requests being answered right now (busy workers).", 0, { NULL }, 0 },
	[MET_CACHE_LOOKUPS] = { "movies_cache_lookups_total", MT_COUNTER,
	    "Redis movie cache lookups by kind of key, hit (value or not-found marker) or miss.",
	    2, { "kind", "result" }, 0 },
	[MET_TMDB_CALLS] = { "movies_tmdb_requests_total", MT_COUNTER,
	    "HTTP requests made to TMDb (each attempt), by kind.", 1, { "kind" }, 0 },
	[MET_TMDB_ERRORS] = { "movies_tmdb_errors_total", MT_COUNTER,
	    "TMDb requests that failed, by kind and reason.", 2, { "kind", "reason" }, 0 },
	[MET_TMDB_SECONDS] = { "movies_tmdb_request_duration_seconds", MT_HISTOGRAM,
	    "Duration of TMDb requests, by kind.", 1, { "kind" }, 0 },
	[MET_TMDB_RATE_LIMIT_WAITS] = { "movies_tmdb_rate_limit_waits_total", MT_COUNTER,
	    "Waits before a retry because TMDb answered 429.", 0, { NULL }, 0 },
	[MET_TMDB_LAST_SUCCESS] = { "movies_tmdb_last_success_timestamp_seconds", MT_GAUGE,
	    "When TMDb last answered (200 or 404), in Unix seconds; 0 if never.", 0, { NULL }, 1 },
	[MET_TMDB_LAST_FAILURE] = { "movies_tmdb_last_failure_timestamp_seconds", MT_GAUGE,
	    "When a TMDb request last failed, in Unix seconds; 0 if never.", 0, { NULL }, 1 },
	[MET_PG_STATEMENTS] = { "movies_postgres_statements_total", MT_COUNTER,
	    "Statements sent to PostgreSQL (round trips), by statement name (common/db.c).",
	    1, { "statement" }, 0 },
	[MET_PG_ERRORS] = { "movies_postgres_errors_total", MT_COUNTER,
	    "PostgreSQL failures: connect, query (not constraint violations) or connection_lost.",
	    1, { "kind" }, 0 },
	[MET_PG_RECONNECTS] = { "movies_postgres_reconnects_total", MT_COUNTER,
	    "Successful PostgreSQL connections after a worker's first.", 0, { NULL }, 0 },
	[MET_REDIS_ERRORS] = { "movies_redis_errors_total", MT_COUNTER,
	    "Redis failures: connect or connection_lost.", 1, { "kind" }, 0 },
	[MET_REDIS_RECONNECTS] = { "movies_redis_reconnects_total", MT_COUNTER,
	    "Redis connections made again after Redis was unavailable.", 0, { NULL }, 0 },
	[MET_LOGINS] = { "movies_logins_total", MT_COUNTER,
	    "Login attempts (site and API) by result: ok, failed, throttled or unavailable.",
	    1, { "result" }, 0 },
	[MET_WORKER_STARTS] = { "movies_worker_starts_total", MT_COUNTER,
	    "Worker processes started by the master.", 0, { NULL }, 0 },
	[MET_WORKER_EXITS] = { "movies_worker_exits_total", MT_COUNTER,
	    "Worker processes that exited normally (recycled, reloaded or stopped).", 0, { NULL }, 0 },
	[MET_WORKER_CRASHES] = { "movies_worker_crashes_total", MT_COUNTER,
	    "Worker processes that died of a signal or exited with an error status.", 0, { NULL }, 0 },
	[MET_MAIL_SENT] = { "movies_mail_sent_total", MT_COUNTER,
	    "Outbox messages the SMTP server acknowledged.", 0, { NULL }, 0 },
	[MET_MAIL_FAILED] = { "movies_mail_failed_total", MT_COUNTER,
	    "Outbox messages given up: a 5xx answer, an unusable row, or too many attempts.", 0, { NULL }, 0 },
	[MET_MAIL_DEFERRED] = { "movies_mail_deferred_total", MT_COUNTER,
	    "Send attempts that failed for now (server unreachable, 4xx) and will be retried.", 0, { NULL }, 0 },
	[MET_MAIL_UNSENT] = { "movies_mail_queued", MT_GAUGE,
	    "Outbox messages not yet sent (queued or being sent), as the mailer last counted.", 0, { NULL }, 0 },
	[MET_MAIL_OLDEST_UNSENT] = { "movies_mail_oldest_unsent_age_seconds", MT_GAUGE,
	    "Age of the oldest message not yet sent (0: none), as the mailer last counted.", 0, { NULL }, 0 },
	[MET_BUILD_INFO] = { "movies_build_info", MT_GAUGE,
	    "The running program's version and git commit (always 1).", 2, { "version", "commit" }, 0 },
	[MET_SERIES_DROPPED] = { "movies_metrics_series_dropped_total", MT_COUNTER,
	    "Metric updates dropped because the shared registry was full or a label too long.",
	    0, { NULL }, 0 },
};

enum slot_state { SLOT_FREE, SLOT_CLAIMED, SLOT_READY };

/*
 * One series. A counter or gauge uses v[0]; a histogram uses v[0..NBUCKETS] as per-bucket
 * (not cumulative) counts, the last one +Inf, and v[NBUCKETS + 1] as the sum in microseconds.
 */
struct slot {
	uint32_t	 state;
	uint32_t	 metric;
	uint64_t	 hash;
	char		 labels[LABELS_MAX];
	uint64_t	 v[NBUCKETS + 2];
};

struct registry {
	uint64_t	 dropped;
	uint32_t	 busy[MAX_WORKERS];
	struct slot	 slots[SLOTS];
};

static struct registry	*reg;
static int		 my_slot = -1;

int
metrics_init(void)
{
	void *p = mmap(NULL, sizeof(struct registry), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		log_error("metrics: cannot map %zu bytes of shared memory; /metrics stays empty",
		    sizeof(struct registry));
		return -1;
	}
	reg = p;
	metrics_gauge(MET_BUILD_INFO, 1, MOVIES_VERSION, MOVIES_GIT_COMMIT);
	return 0;
}

int
metrics_enabled(void)
{
	return reg != NULL;
}

/* Appends a label value with Prometheus' escapes (\\, \", \n). */
static void
put_label_value(char *out, size_t outsz, size_t *o, const char *v)
{
	for (; *v && *o + 1 < outsz; v++) {
		if (*v == '\\' || *v == '"' || *v == '\n') {
			out[(*o)++] = '\\';
			if (*o + 1 >= outsz)
				break;
			out[(*o)++] = *v == '\n' ? 'n' : *v;
		} else
			out[(*o)++] = *v;
	}
	out[*o] = '\0';
}

/* Renders name="value",... into out; -1 when it does not fit. */
static int
format_labels(const struct metric_def *d, const char *const *values, char *out, size_t outsz)
{
	size_t o = 0;

	out[0] = '\0';
	for (size_t i = 0; i < d->nlabels; i++) {
		int n = snprintf(out + o, outsz - o, "%s%s=\"", i ? "," : "", d->labels[i]);

		if (n < 0 || (size_t)n >= outsz - o)
			return -1;
		o += (size_t)n;
		put_label_value(out, outsz, &o, values[i] ? values[i] : "");
		if (o + 2 >= outsz)
			return -1;
		out[o++] = '"';
		out[o] = '\0';
	}
	return 0;
}

static uint64_t
hash_of(enum metric m, const char *labels)
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)m;

	for (const unsigned char *p = (const unsigned char *)labels; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return h;
}

/*
 * The slot of a series, created if new (open addressing, linear probing). Slots are only ever
 * added, so a READY slot never changes its key. NULL when metrics are off or the table is full.
 */
static struct slot *
series(enum metric m, size_t nlabels, const char *const *values)
{
	char		 labels[LABELS_MAX];
	uint64_t	 h;

	if (reg == NULL)
		return NULL;
	if ((size_t)m >= MET_COUNT || nlabels != defs[m].nlabels)
		die("metrics: %s takes %zu labels, got %zu", (size_t)m < MET_COUNT ? defs[m].name : "?",
		    (size_t)m < MET_COUNT ? defs[m].nlabels : 0, nlabels);
	if (format_labels(&defs[m], values, labels, sizeof(labels)) == -1) {
		__atomic_add_fetch(&reg->dropped, 1, __ATOMIC_RELAXED);
		return NULL;
	}
	h = hash_of(m, labels);
	for (size_t probe = 0; probe < SLOTS; probe++) {
		struct slot	*s = &reg->slots[(h + probe) & (SLOTS - 1)];
		uint32_t	 st = __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);

		if (st == SLOT_FREE) {
			uint32_t expect = SLOT_FREE;

			if (__atomic_compare_exchange_n(&s->state, &expect, SLOT_CLAIMED, 0,
			    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
				s->metric = (uint32_t)m;
				s->hash = h;
				memcpy(s->labels, labels, sizeof(labels));
				__atomic_store_n(&s->state, SLOT_READY, __ATOMIC_RELEASE);
				return s;
			}
			st = expect;
		}
		/* Another process is writing this slot's key: a few stores, so wait for them. */
		for (int spins = 0; st == SLOT_CLAIMED && spins < 1000; spins++) {
			sched_yield();
			st = __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);
		}
		if (st == SLOT_READY && s->hash == h && s->metric == (uint32_t)m &&
		    strcmp(s->labels, labels) == 0)
			return s;
	}
	__atomic_add_fetch(&reg->dropped, 1, __ATOMIC_RELAXED);
	return NULL;
}

void
metrics_add(enum metric m, uint64_t n, size_t nlabels, const char *const *labels)
{
	struct slot *s = series(m, nlabels, labels);

	if (s != NULL)
		__atomic_add_fetch(&s->v[0], n, __ATOMIC_RELAXED);
}

void
metrics_set(enum metric m, int64_t value, size_t nlabels, const char *const *labels)
{
	struct slot *s = series(m, nlabels, labels);

	if (s != NULL)
		__atomic_store_n(&s->v[0], (uint64_t)value, __ATOMIC_RELAXED);
}

void
metrics_observe(enum metric m, double seconds, size_t nlabels, const char *const *labels)
{
	struct slot	*s = series(m, nlabels, labels);
	size_t		 b = 0;

	if (s == NULL)
		return;
	if (!(seconds >= 0))
		seconds = 0;
	while (b < NBUCKETS && seconds > bucket_le[b])
		b++;
	__atomic_add_fetch(&s->v[b], 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&s->v[NBUCKETS + 1], (uint64_t)llround(seconds * 1e6), __ATOMIC_RELAXED);
}

int64_t
metrics_get(enum metric m, size_t nlabels, const char *const *labels)
{
	struct slot *s = series(m, nlabels, labels);

	return s ? (int64_t)__atomic_load_n(&s->v[0], __ATOMIC_RELAXED) : 0;
}

void
metrics_stamp(enum metric m)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	metrics_set(m, (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000, 0, NULL);
}

void
metrics_worker_slot(int slot)
{
	my_slot = slot >= 0 && slot < MAX_WORKERS ? slot : -1;
}

void
metrics_worker_exited(int slot, int wait_status)
{
	if (reg == NULL)
		return;
	/* A worker that died mid-request never cleared its flag. */
	if (slot >= 0 && slot < MAX_WORKERS)
		__atomic_store_n(&reg->busy[slot], 0, __ATOMIC_RELAXED);
	if (WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0)
		metrics_inc(MET_WORKER_EXITS);
	else
		metrics_inc(MET_WORKER_CRASHES);
}

void
metrics_busy(int on)
{
	if (reg != NULL && my_slot >= 0)
		__atomic_store_n(&reg->busy[my_slot], on ? 1 : 0, __ATOMIC_RELAXED);
}

static void
render_histogram(struct buf *out, const char *name, const struct slot *s)
{
	uint64_t	 cum = 0;
	const char	*sep = s->labels[0] ? "," : "";

	for (size_t b = 0; b <= NBUCKETS; b++) {
		cum += __atomic_load_n(&s->v[b], __ATOMIC_RELAXED);
		if (b < NBUCKETS)
			buf_printf(out, "%s_bucket{%s%sle=\"%g\"} %llu\n", name, s->labels, sep,
			    bucket_le[b], (unsigned long long)cum);
		else
			buf_printf(out, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, s->labels, sep,
			    (unsigned long long)cum);
	}
	buf_printf(out, "%s_sum%s%s%s %.6f\n", name, s->labels[0] ? "{" : "", s->labels,
	    s->labels[0] ? "}" : "", (double)__atomic_load_n(&s->v[NBUCKETS + 1], __ATOMIC_RELAXED) / 1e6);
	buf_printf(out, "%s_count%s%s%s %llu\n", name, s->labels[0] ? "{" : "", s->labels,
	    s->labels[0] ? "}" : "", (unsigned long long)cum);
}

/* Series that were never used are not shown, except label-less ones (shown as 0). */
void
metrics_render(struct buf *out)
{
	static const char *types[] = { "counter", "gauge", "histogram", "gauge" };

	if (reg == NULL)
		return;
	for (size_t m = 0; m < MET_COUNT; m++) {
		const struct metric_def	*d = &defs[m];
		int			 shown = 0;

		buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", d->name, d->help, d->name, types[d->type]);
		if (d->type == MT_BUSY) {
			uint64_t busy = 0;

			for (size_t i = 0; i < MAX_WORKERS; i++)
				busy += __atomic_load_n(&reg->busy[i], __ATOMIC_RELAXED);
			buf_printf(out, "%s %llu\n", d->name, (unsigned long long)busy);
			continue;
		}
		if (m == MET_SERIES_DROPPED) {
			buf_printf(out, "%s %llu\n", d->name,
			    (unsigned long long)__atomic_load_n(&reg->dropped, __ATOMIC_RELAXED));
			continue;
		}
		for (size_t i = 0; i < SLOTS; i++) {
			const struct slot *s = &reg->slots[i];

			if (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) != SLOT_READY || s->metric != m)
				continue;
			shown++;
			if (d->type == MT_HISTOGRAM)
				render_histogram(out, d->name, s);
			else {
				long long v = (long long)__atomic_load_n(&s->v[0], __ATOMIC_RELAXED);

				buf_printf(out, "%s%s%s%s ", d->name, s->labels[0] ? "{" : "", s->labels,
				    s->labels[0] ? "}" : "");
				if (d->millis)
					buf_printf(out, "%lld.%03lld\n", v / 1000, v % 1000);
				else
					buf_printf(out, "%lld\n", v);
			}
		}
		if (!shown && d->nlabels == 0 && d->type != MT_HISTOGRAM)
			buf_printf(out, "%s 0\n", d->name);
	}
}
