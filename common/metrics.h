/* metrics.h: the site's counters, gauges and histograms in memory shared by the master and every worker. */
#ifndef METRICS_H
#define METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* One row each in metrics.c's table, which gives the name, help text, type and label names. */
enum metric {
	MET_HTTP_REQUESTS,		/* route, status */
	MET_HTTP_SECONDS,		/* route */
	MET_HTTP_IN_FLIGHT,		/* (the workers' busy flags) */
	MET_CACHE_LOOKUPS,		/* kind, result */
	MET_TMDB_CALLS,			/* kind */
	MET_TMDB_ERRORS,		/* kind, reason */
	MET_TMDB_SECONDS,		/* kind */
	MET_TMDB_RATE_LIMIT_WAITS,
	MET_TMDB_LAST_SUCCESS,
	MET_TMDB_LAST_FAILURE,
	MET_PG_STATEMENTS,		/* statement */
	MET_PG_ERRORS,			/* kind */
	MET_PG_RECONNECTS,
	MET_REDIS_ERRORS,		/* kind */
	MET_REDIS_RECONNECTS,
	MET_LOGINS,			/* result */
	MET_WORKER_STARTS,
	MET_WORKER_EXITS,
	MET_WORKER_CRASHES,
	MET_MAIL_SENT,
	MET_MAIL_FAILED,
	MET_MAIL_DEFERRED,
	MET_MAIL_UNSENT,
	MET_MAIL_OLDEST_UNSENT,
	MET_BUILD_INFO,			/* version, commit */
	MET_SERIES_DROPPED,
	MET_COUNT
};

/*
 * Maps the shared registry (anonymous, shared across fork) and records the build. Call once in
 * the master before the first fork; a process that never calls it (tools, unit tests) gets
 * no-ops everywhere below. 0, or -1 (logged) when the memory cannot be mapped: metrics are then off.
 */
int	 metrics_init(void);
/* Whether metrics_init succeeded in this process or its parent. */
int	 metrics_enabled(void);

/*
 * The primitives take the label values in the order of the table's label names; a wrong count
 * is a programming error and aborts. A series is created on its first use; when the registry is
 * full the update is dropped and counted in movies_metrics_series_dropped_total.
 */
void	 metrics_add(enum metric, uint64_t n, size_t nlabels, const char *const *labels);
void	 metrics_set(enum metric, int64_t value, size_t nlabels, const char *const *labels);
void	 metrics_observe(enum metric, double seconds, size_t nlabels, const char *const *labels);
/* Sets a label-less millisecond gauge (the *_timestamp_seconds ones) to the wall clock now. */
void	 metrics_stamp(enum metric);
/* A gauge's current value (0 when the series does not exist or metrics are off). */
int64_t	 metrics_get(enum metric, size_t nlabels, const char *const *labels);

/* Label lists for the call sites: metrics_inc(MET_LOGINS, "ok"), metrics_inc(MET_WORKER_STARTS). */
#define METRICS_LABELS(...) \
	(sizeof((const char *const[]){ "", __VA_ARGS__ }) / sizeof(const char *) - 1), \
	((const char *const[]){ "", __VA_ARGS__ }) + 1
#define metrics_inc(m, ...)		metrics_add((m), 1, METRICS_LABELS(__VA_ARGS__))
#define metrics_gauge(m, v, ...)	metrics_set((m), (v), METRICS_LABELS(__VA_ARGS__))
#define metrics_time(m, s, ...)		metrics_observe((m), (s), METRICS_LABELS(__VA_ARGS__))
#define metrics_value(m, ...)		metrics_get((m), METRICS_LABELS(__VA_ARGS__))

/* Master: the next fork is for worker slot (0..255); the child inherits it. */
void	 metrics_worker_slot(int slot);
/* Master: the worker of this slot ended with this waitpid status: counts an exit or a crash. */
void	 metrics_worker_exited(int slot, int wait_status);
/* Worker: marks this worker busy (1) or idle (0) for the in-flight gauge. */
void	 metrics_busy(int on);

/* Appends every metric in Prometheus' text exposition format (version 0.0.4). */
void	 metrics_render(struct buf *out);

#endif
