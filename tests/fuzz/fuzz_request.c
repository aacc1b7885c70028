/*
 * fuzz_request.c: fuzz target for reading a FastCGI request (req_parse) and its form fields.
 * Input: "NAME=value" lines (the FastCGI parameters nginx sends), an empty line, then the body,
 * which the body reader hands out in small uneven pieces as a socket would.
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "form.h"
#include "fuzz.h"
#include "http.h"

#define MAX_ENV	32

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*env[MAX_ENV + 1];
	size_t		 nenv = 0, off = 0;
	struct arena	 a = ARENA_INIT;
	struct req	 r;
	const char	*why = NULL;

	/* Parameter lines up to the first empty line. */
	while (off < size && nenv < MAX_ENV) {
		const uint8_t *nl = memchr(data + off, '\n', size - off);
		size_t n = nl ? (size_t)(nl - (data + off)) : size - off;

		if (n == 0) {
			off++;
			break;
		}
		env[nenv++] = fuzz_cstr(data + off, n);
		off += n + (nl != NULL);
	}
	env[nenv] = NULL;
	if (fuzz_req_pieces(&r, &a, (const char *const *)env, data + off, size - off, 7, &why) == 0) {
		struct form f;

		if (r.body != NULL && strlen(r.body) > r.body_len)
			__builtin_trap();
		form_init(&f, &r);
		(void)form_field(&f, "username", 150, 1, 1);
		(void)form_field(&f, "password", 4096, 0, 0);
		(void)form_field(&f, "q", 3, 1, 1);	/* the view is the request's: freed by the arena */
	} else if (why == NULL) {
		__builtin_trap();	/* every refusal names its reason */
	}
	arena_reset(&a);
	for (size_t i = 0; i < nenv; i++)
		free(env[i]);
	return 0;
}
