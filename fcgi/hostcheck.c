/* hostcheck.c: the ALLOWED_HOSTS gate every request passes before routing. */
#include "allowed_hosts.h"
#include "app.h"
#include "config.h"
#include "hostcheck.h"
#include "log.h"

int
hostcheck_refused(struct req *r, struct resp *rs)
{
	char host[96];

	if (allowed_host(config.allowed_hosts, r->host))
		return 0;
	log_warn("hosts: refused Host %s (not in ALLOWED_HOSTS)",
	    log_sanitize(r->host ? r->host : "-", host, sizeof(host)));
	app_error(r, rs, 400, "This site does not answer to the name in the request's Host header "
	    "(it is not in ALLOWED_HOSTS). Use the site's own address.");
	return 1;
}
