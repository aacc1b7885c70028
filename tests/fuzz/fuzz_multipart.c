/*
 * fuzz_multipart.c: fuzz target for the API's multipart/form-data bodies: the first line of the
 * input is the Content-Type (its boundary parameter), the rest is the body.
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "fuzz.h"
#include "multipart.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena		 a = ARENA_INIT;
	struct multipart	*mp = arena_alloc(&a, sizeof(*mp));
	const uint8_t		*nl = memchr(data, '\n', size);
	size_t			 head = nl ? (size_t)(nl - data) : size;
	char			*type = fuzz_cstr(data, head);
	const char		*boundary, *why = NULL;
	/* The body in a buffer of its own size, so ASan sees any read past its end. */
	size_t			 len = nl ? size - head - 1 : 0;
	char			*body = malloc(len ? len : 1);

	if (len)
		memcpy(body, nl + 1, len);
	boundary = multipart_boundary(&a, type);
	if (boundary != NULL && multipart_parse(mp, &a, boundary, body, len, &why) == 0) {
		if (mp->n > MULTIPART_MAX_PARTS)
			__builtin_trap();
		for (size_t i = 0; i < mp->n; i++) {
			const struct multipart_part *p = &mp->part[i];

			/* Every value lies inside the body. */
			if (p->data < body || p->data + p->len > body + len || p->name == NULL)
				__builtin_trap();
		}
	} else if (boundary != NULL && why == NULL)
		__builtin_trap();
	free(body);
	free(type);
	arena_reset(&a);
	return 0;
}
