/* allowed_hosts.c: Django's ALLOWED_HOSTS check of a request's Host header (validate_host). */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "allowed_hosts.h"
#include "util.h"

#define HOST_MAX 255

/*
 * Splits host[:port] as Django's split_domain_port after host_validation_re: the domain
 * (lowercased, one trailing dot removed) goes to out. 0, or -1 when the header is not a
 * valid host (so no pattern can match it).
 */
static int
domain_of(const char *host, char out[HOST_MAX + 1])
{
	size_t n = 0, i = 0;

	if (host[0] == '[') {
		/* \[[a-f0-9]*:[a-f0-9.:]+\] */
		int colon = 0;

		for (i = 1; host[i] && host[i] != ']'; i++) {
			char c = (char)tolower((unsigned char)host[i]);

			if (!(isxdigit((unsigned char)c) || c == ':' || (c == '.' && colon)))
				return -1;
			colon |= c == ':';
		}
		if (host[i] != ']' || !colon || i < 3 || i + 1 > HOST_MAX)
			return -1;
		i++;
		for (size_t k = 0; k < i; k++)
			out[n++] = (char)tolower((unsigned char)host[k]);
	} else {
		for (; host[i] && host[i] != ':'; i++) {
			char c = (char)tolower((unsigned char)host[i]);

			if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-'))
				return -1;
			if (n == HOST_MAX)
				return -1;
			out[n++] = c;
		}
		if (n == 0)
			return -1;
		/* A trailing dot names the same host. */
		if (out[n - 1] == '.')
			n--;
	}
	if (host[i] == ':') {
		/* (:[0-9]+)? */
		if (host[++i] == '\0')
			return -1;
		for (; host[i]; i++)
			if (!isdigit((unsigned char)host[i]))
				return -1;
	} else if (host[i] != '\0')
		return -1;
	out[n] = '\0';
	return 0;
}

/* Django's is_same_domain(): exact, or ".example.com" for the domain and its subdomains. */
static int
pattern_matches(const char *pat, size_t plen, const char *domain)
{
	size_t dlen = strlen(domain);

	if (plen == 1 && pat[0] == '*')
		return 1;
	if (pat[0] == '.') {
		if (dlen == plen - 1 && strncasecmp(domain, pat + 1, plen - 1) == 0)
			return 1;
		return dlen > plen && strncasecmp(domain + dlen - plen, pat, plen) == 0;
	}
	return dlen == plen && strncasecmp(domain, pat, plen) == 0;
}

int
allowed_host(const char *list, const char *host)
{
	char domain[HOST_MAX + 1];

	if (host == NULL || list == NULL || domain_of(host, domain) != 0)
		return 0;
	const char	*entry;
	size_t		 n;

	while (util_list_next(&list, &entry, &n))
		if (pattern_matches(entry, n, domain))
			return 1;
	return 0;
}
