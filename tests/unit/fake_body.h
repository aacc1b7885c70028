/* fake_body.h: a request body read from a string, for tests that build requests in memory. */
#ifndef FAKE_BODY_H
#define FAKE_BODY_H

#include <string.h>

struct body {
	const char	*data;
	size_t		 off;
};

/* req_parse()'s body reader over a struct body. */
static int
read_body(void *ctx, char *out, size_t n)
{
	struct body	*b = ctx;
	size_t		 left = strlen(b->data) - b->off;

	if (n > left)
		n = left;
	memcpy(out, b->data + b->off, n);
	b->off += n;
	return (int)n;
}

#endif
