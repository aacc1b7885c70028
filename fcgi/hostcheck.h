/* hostcheck.h: the ALLOWED_HOSTS gate every request passes before routing. */
#ifndef HOSTCHECK_H
#define HOSTCHECK_H

#include "http.h"

/*
 * Answers 400 (JSON under /api/, the error page otherwise) when the request's Host header
 * is not allowed by ALLOWED_HOSTS, and returns 1; returns 0 for an allowed host. Refusing
 * here, before sessions and CSRF, means a DNS-rebound name (Host and Origin both the
 * attacker's) never reaches the Origin check, which trusts Host.
 */
int	 hostcheck_refused(struct req *, struct resp *);

#endif
