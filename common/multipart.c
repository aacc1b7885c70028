/* multipart.c: a bounded parser of multipart/form-data bodies (RFC 7578), as DRF's MultiPartParser reads them. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "multipart.h"
#include "util.h"

/* RFC 2046's bchars, the characters a boundary may hold (space not last). */
static int
bchar(int c)
{
	return isalnum(c) || strchr("'()+_,-./:=? ", c) != NULL;
}

/* Skips spaces and tabs. */
static const char *
skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/*
 * Reads one parameter value at *p (a token, or a quoted string with backslash escapes as
 * Python's parse_header reads it) into the arena. NULL if malformed or longer than max.
 */
static char *
param_value(struct arena *a, const char **pp, const char *end, size_t max)
{
	const char	*p = *pp;
	char		*out = arena_alloc(a, max + 1);
	size_t		 n = 0;

	if (p < end && *p == '"') {
		for (p++; p < end && *p != '"'; p++) {
			if (*p == '\\' && p + 1 < end && (p[1] == '"' || p[1] == '\\'))
				p++;
			if (n == max)
				return NULL;
			out[n++] = *p;
		}
		if (p == end)
			return NULL;
		p++;
	} else {
		for (; p < end && *p != ';' && *p != ' ' && *p != '\t'; p++) {
			if (n == max)
				return NULL;
			out[n++] = *p;
		}
	}
	out[n] = '\0';
	*pp = p;
	return out;
}

/*
 * The next "; name=value" parameter of a header at *pp (before end): 1 with *name, *nlen and
 * *value (arena-owned, at most max bytes) set, 0 at the end, -1 when malformed.
 */
static int
next_param(struct arena *a, const char **pp, const char *end, const char **name, size_t *nlen,
    char **value, size_t max)
{
	const char *p = *pp;

	while ((p = skip_ws(p, end)) < end && *p == ';')
		p++;
	if (p == end)
		return 0;
	*name = p;
	while (p < end && *p != '=' && *p != ';')
		p++;
	if (p == end || *p != '=')
		return -1;
	*nlen = (size_t)(p - *name);
	p++;
	if ((*value = param_value(a, &p, end, max)) == NULL)
		return -1;
	*pp = p;
	return 1;
}

const char *
multipart_boundary(struct arena *a, const char *ct)
{
	const char	*end, *p, *name;
	size_t		 nlen;
	char		*v;
	int		 rv;

	if (ct == NULL)
		return NULL;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	if (strncasecmp(ct, "multipart/form-data", 19) != 0 ||
	    (ct[19] != '\0' && ct[19] != ';' && ct[19] != ' ' && ct[19] != '\t'))
		return NULL;
	end = ct + strlen(ct);
	p = ct + 19;
	while ((rv = next_param(a, &p, end, &name, &nlen, &v, MULTIPART_MAX_BOUNDARY + 1)) == 1) {
		size_t n = strlen(v);

		if (nlen != 8 || strncasecmp(name, "boundary", 8) != 0)
			continue;
		if (n == 0 || n > MULTIPART_MAX_BOUNDARY || v[n - 1] == ' ')
			return NULL;
		for (size_t i = 0; i < n; i++)
			if (!bchar((unsigned char)v[i]))
				return NULL;
		return v;
	}
	return NULL;
}

/* Parses one part's headers [h, hend) into pt. 1 = a named form-data part, 0 = unnamed, -1 = bad. */
static int
part_headers(struct arena *a, const char *h, const char *hend, struct multipart_part *pt, const char **why)
{
	int	 lines = 0, named = 0;

	while (h < hend) {
		const char *eol = memmem(h, (size_t)(hend - h), "\r\n", 2), *colon, *p;

		if (eol == NULL)
			eol = hend;
		if (++lines > MULTIPART_MAX_HEADERS) {
			*why = "too many part headers";
			return -1;
		}
		if ((size_t)(eol - h) > MULTIPART_MAX_HEADER_LINE) {
			*why = "part header too long";
			return -1;
		}
		if (memchr(h, '\0', (size_t)(eol - h)) || (colon = memchr(h, ':', (size_t)(eol - h))) == NULL) {
			*why = "malformed part header";
			return -1;
		}
		if ((size_t)(colon - h) == 19 && strncasecmp(h, "Content-Disposition", 19) == 0) {
			p = skip_ws(colon + 1, eol);
			if ((size_t)(eol - p) < 9 || strncasecmp(p, "form-data", 9) != 0) {
				*why = "part is not form-data";
				return -1;
			}
			const char	*name;
			size_t		 nlen;
			char		*v;
			int		 rv;

			for (p += 9; (rv = next_param(a, &p, eol, &name, &nlen, &v, MULTIPART_MAX_NAME)) != 0;) {
				if (rv < 0) {
					*why = "malformed Content-Disposition";
					return -1;
				}
				if (!utf8_valid(v, strlen(v))) {
					*why = "part name is not UTF-8";
					return -1;
				}
				if (nlen == 4 && strncasecmp(name, "name", 4) == 0) {
					pt->name = v;
					named = *v != '\0';
				} else if (nlen == 8 && strncasecmp(name, "filename", 8) == 0)
					pt->filename = v;
			}
		}
		h = eol == hend ? hend : eol + 2;
	}
	return named;
}

/* Where the body goes on after its first delimiter (delim is "\r\n--" boundary), or NULL if it
 * has none. The first delimiter may open the body (no CRLF before it) or follow a preamble. */
static const char *
after_opening(const char *body, size_t len, const char *delim, size_t dlen)
{
	const char *p;

	if (len >= dlen - 2 && memcmp(body, delim + 2, dlen - 2) == 0)
		return body + dlen - 2;
	if ((p = memmem(body, len, delim, dlen)) != NULL)
		return p + dlen;
	return NULL;
}

int
multipart_parse(struct multipart *mp, struct arena *a, const char *boundary, const char *body,
    size_t len, const char **why)
{
	char		 delim[MULTIPART_MAX_BOUNDARY + 5];	/* "\r\n--" boundary */
	size_t		 blen = boundary ? strlen(boundary) : 0, dlen;
	const char	*p, *end = body + len;

	mp->n = 0;
	if (blen == 0 || blen > MULTIPART_MAX_BOUNDARY) {
		*why = "bad boundary";
		return -1;
	}
	memcpy(delim, "\r\n--", 4);
	memcpy(delim + 4, boundary, blen);
	dlen = blen + 4;
	if ((p = after_opening(body, len, delim, dlen)) == NULL) {
		*why = "no opening boundary";
		return -1;
	}
	for (;;) {
		struct multipart_part	 pt = { 0 };
		const char		*hend, *data, *next;
		int			 rv;

		/* After a delimiter: "--" closes the body; else optional padding and CRLF. */
		if (end - p >= 2 && p[0] == '-' && p[1] == '-')
			return 0;
		p = skip_ws(p, end);
		if (end - p < 2 || p[0] != '\r' || p[1] != '\n') {
			*why = "malformed boundary line";
			return -1;
		}
		p += 2;
		if (end - p >= 2 && p[0] == '\r' && p[1] == '\n')
			hend = p;	/* no headers at all */
		else if ((hend = memmem(p, (size_t)(end - p), "\r\n\r\n", 4)) == NULL) {
			*why = "part headers do not end";
			return -1;
		}
		data = hend + (hend == p ? 2 : 4);
		if (data > end || (next = memmem(data, (size_t)(end - data), delim, dlen)) == NULL) {
			*why = "no closing boundary";
			return -1;
		}
		if ((rv = part_headers(a, p, hend, &pt, why)) < 0)
			return -1;
		if (rv == 1) {
			if (mp->n == MULTIPART_MAX_PARTS) {
				*why = "too many parts";
				return -1;
			}
			pt.data = data;
			pt.len = (size_t)(next - data);
			mp->part[mp->n++] = pt;
		}
		p = next + dlen;
	}
}
