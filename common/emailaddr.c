/* emailaddr.c: e-mail addresses checked as Django's EmailValidator does, and normalised. */
#include <arpa/inet.h>
#include <ctype.h>
#include <string.h>

#include "emailaddr.h"
#include "util.h"

/* The characters of a dot-atom's atoms besides letters and digits (Django's user_regex). */
static int
atext(unsigned char c)
{
	return isalnum(c) || (c != 0 && strchr("-!#$%&'*+/=?^_`{}|~", c) != NULL);
}

/* ^atom(\.atom)*\Z */
static int
dot_atom(const char *s, size_t n)
{
	size_t run = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (run == 0)
				return 0;
			run = 0;
		} else if (atext(c))
			run++;
		else
			return 0;
	}
	return run > 0;
}

/* ^"([\001-\010\013\014\016-\037!#-\[\]-\177]|\\[\001-\011\013\014\016-\177])*"\Z */
static int
quoted_string(const char *s, size_t n)
{
	if (n < 2 || s[0] != '"' || s[n - 1] != '"')
		return 0;
	for (size_t i = 1; i < n - 1; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\\') {
			if (++i >= n - 1)
				return 0;	/* the closing quote escaped */
			c = (unsigned char)s[i];
			if (c == 0 || c == '\n' || c == '\r' || c > 0x7f)
				return 0;
		} else if (c == 0 || c == '\t' || c == '\n' || c == '\r' || c == ' ' || c == '"' || c > 0x7f)
			return 0;
	}
	return 1;
}

/* ((?:[A-Z0-9](?:[A-Z0-9-]{0,61}[A-Z0-9])?\.)+)(?:[A-Z0-9-]{2,63}(?<!-))\Z */
static int
host_name(const char *s, size_t n)
{
	size_t start = 0, labels = 0;

	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != '.') {
			if (!isalnum((unsigned char)s[i]) && s[i] != '-')
				return 0;
			continue;
		}
		size_t len = i - start;

		if (i < n) {	/* an inner label: starts and ends with a letter or digit */
			if (len < 1 || len > 63 || s[start] == '-' || s[i - 1] == '-')
				return 0;
		} else if (len < 2 || len > 63 || s[i - 1] == '-')
			return 0;	/* the last label may start with '-' in Django's regex */
		labels++;
		start = i + 1;
	}
	return labels >= 2;
}

/* \[([A-f0-9:.]+)\]\Z, then validate_ipv46_address. */
static int
address_literal(const char *s, size_t n)
{
	char		ip[64];
	unsigned char	bin[16];

	if (n < 3 || s[0] != '[' || s[n - 1] != ']' || n - 2 >= sizeof(ip))
		return 0;
	memcpy(ip, s + 1, n - 2);
	ip[n - 2] = '\0';
	if (strlen(ip) != n - 2)
		return 0;
	return inet_pton(AF_INET, ip, bin) == 1 || inet_pton(AF_INET6, ip, bin) == 1;
}

int
emailaddr_valid(const char *s, size_t len)
{
	const char *at = NULL;

	if (len == 0 || len > EMAILADDR_MAX)
		return 0;
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)s[i] > 0x7f || s[i] == '\0')
			return 0;
		if (s[i] == '@')
			at = s + i;
	}
	if (at == NULL)
		return 0;
	size_t ulen = (size_t)(at - s), dlen = len - ulen - 1;

	if (!dot_atom(s, ulen) && !quoted_string(s, ulen))
		return 0;
	if (dlen == 9 && memcmp(at + 1, "localhost", 9) == 0)
		return 1;
	return host_name(at + 1, dlen) || address_literal(at + 1, dlen);
}

char *
emailaddr_normalize(const char *s, size_t len)
{
	char	*out, *at;

	/* Python's str.strip(): ASCII whitespace and the separators \x1c-\x1f. */
	while (len > 0 && (isspace((unsigned char)*s) || (*s >= 0x1c && *s <= 0x1f))) {
		s++;
		len--;
	}
	while (len > 0 && (isspace((unsigned char)s[len - 1]) || (s[len - 1] >= 0x1c && s[len - 1] <= 0x1f)))
		len--;
	if (!emailaddr_valid(s, len))
		return NULL;
	out = xstrndup(s, len);
	at = strrchr(out, '@');
	for (char *p = at + 1; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return out;
}
