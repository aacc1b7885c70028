/* allowed_hosts.h: Django's ALLOWED_HOSTS check of a request's Host header (validate_host). */
#ifndef ALLOWED_HOSTS_H
#define ALLOWED_HOSTS_H

/*
 * Is host (the Host header as received, possibly with a port; NULL when absent) allowed by
 * list, a comma-separated ALLOWED_HOSTS? As Django's get_host(): the header must be a
 * syntactically valid host[:port] (a name of [a-z0-9.-], case-insensitive, or a bracketed
 * IPv6 address); the port and one trailing dot are ignored; then an entry matches when it is
 * "*", equal to the name (ignoring case), or ".example.com", which matches example.com and
 * every name under it. Empty entries and surrounding spaces are ignored. 1 if allowed, else 0.
 */
int	 allowed_host(const char *list, const char *host);

#endif
