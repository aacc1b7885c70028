/* observe.c: what a worker records about each request: the metrics and its one log line. */
#include <stdio.h>

#include "auth.h"
#include "log.h"
#include "metrics.h"
#include "observe.h"
#include "resettoken.h"
#include "router.h"
#include "util.h"

void
observe_request_begin(void)
{
	metrics_busy(1);
}

void
observe_request_end(const struct req *r, const struct resp *rs, int64_t start_ms)
{
	int64_t		 ms = now_ms() - start_ms;
	const char	*route = r->route ? r->route->pattern : "unmatched";
	char		 status[12], user[24], path[160], masked[160];

	snprintf(status, sizeof(status), "%d", rs->status);
	metrics_inc(MET_HTTP_REQUESTS, route, status);
	metrics_time(MET_HTTP_SECONDS, (double)ms / 1000.0, route);
	metrics_busy(0);
	if (r->user)
		snprintf(user, sizeof(user), "%lld", (long long)r->user->id);
	else
		snprintf(user, sizeof(user), "-");
	log_info("%s %s %d %lldms route=%s user=%s", r->method_name ? r->method_name : "-",
	    log_sanitize(r->path ? resettoken_log_path(r->path, masked, sizeof(masked)) : "-", path,
	    sizeof(path)), rs->status, (long long)ms,
	    route, user);
}
