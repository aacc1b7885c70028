/* observe.h: what a worker records about each request: the metrics and its one log line. */
#ifndef OBSERVE_H
#define OBSERVE_H

#include <stdint.h>

#include "http.h"

/* A request has arrived: the worker counts as busy (movies_http_requests_in_flight). */
void	 observe_request_begin(void);
/*
 * The answer is sent: counts it by route pattern and status, times it, marks the worker idle
 * and logs the request's one line (method, path, status, duration, route, user id; never a
 * query string, header, cookie or body, so no secret can reach the log).
 */
void	 observe_request_end(const struct req *, const struct resp *, int64_t start_ms);

#endif
