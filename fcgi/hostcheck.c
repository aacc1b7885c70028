/* hostcheck.c: the ALLOWED_HOSTS gate every request passes before routing. */
#include "allowed_hosts.h"
#include "config.h"
#include "hostcheck.h"
#include "log.h"
#include "view.h"

int
hostcheck_refused(struct req *r, struct resp *rs)
{
	char host[96];

	if (allowed_host(config.allowed_hosts, r->host))
		return 0;
	log_warn("hosts: refused Host %s (not in ALLOWED_HOSTS)",
	    log_sanitize(r->host ? r->host : "-", host, sizeof(host)));
	answer_fail(r, rs, FAIL_INPUT, MSG_BAD_HOST);
	return 1;
}
