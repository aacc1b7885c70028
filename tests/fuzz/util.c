/* util.c: the small input helpers the fuzz targets share (see fuzz.h). */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "http.h"
#include "util.h"

char *
fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = xmalloc(size + 1);

	if (size > 0)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

void
fuzz_split(const uint8_t *data, size_t size, char sep, char **first, const uint8_t **rest,
    size_t *restlen)
{
	const uint8_t *p = size > 0 ? memchr(data, (unsigned char)sep, size) : NULL;
	size_t n = p ? (size_t)(p - data) : size;

	*first = fuzz_cstr(data, n);
	*rest = p ? p + 1 : data + size;
	*restlen = p ? size - n - 1 : 0;
}

struct body {
	const uint8_t	*data;
	size_t		 len, off, piece;
};

/* A body_reader handing out at most b->piece bytes a call (0 at the end). */
static int
read_body(void *ctx, char *out, size_t n)
{
	struct body *b = ctx;

	if (n > b->len - b->off)
		n = b->len - b->off;
	if (n > b->piece)
		n = b->piece;
	memcpy(out, b->data + b->off, n);
	b->off += n;
	return (int)n;
}

int
fuzz_req_pieces(struct req *r, struct arena *a, const char *const *env, const uint8_t *body,
    size_t len, size_t piece, const char **why)
{
	struct body b = { body, len, 0, piece };

	*why = NULL;
	return req_parse(r, a, (char *const *)env, read_body, &b, why);
}

int
fuzz_req(struct req *r, struct arena *a, const char *const *env, const uint8_t *body, size_t len)
{
	const char *why;

	return fuzz_req_pieces(r, a, env, body, len, len, &why);
}

char *
fuzz_env(const char *name, const uint8_t *value, size_t len)
{
	size_t	 n = strlen(name);
	char	*s = xmalloc(n + len + 2);

	memcpy(s, name, n);
	s[n] = '=';
	if (len > 0)
		memcpy(s + n + 1, value, len);
	s[n + 1 + len] = '\0';
	return s;
}
