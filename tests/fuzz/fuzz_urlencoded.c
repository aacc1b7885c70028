/* fuzz_urlencoded.c: fuzz target for query-string and form-body decoding (params_parse_urlencoded). */
#include <string.h>

#include "arena.h"
#include "fuzz.h"
#include "http.h"
#include "util.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena	 a = ARENA_INIT;
	struct params	*p = arena_alloc(&a, sizeof(*p));

	/* The parser is given a length, not a C string: pass the bytes as they are. */
	if (params_parse_urlencoded(p, &a, (const char *)data, size) == 0) {
		if (p->n > REQ_MAX_PARAMS)
			__builtin_trap();
		for (size_t i = 0; i < p->n; i++) {
			/* Each value must be NUL-free, NUL-terminated and valid UTF-8, as http.h promises. */
			if (strlen(p->v[i].value) != p->v[i].len || !utf8_valid(p->v[i].value, p->v[i].len) ||
			    !utf8_valid(p->v[i].name, strlen(p->v[i].name)))
				__builtin_trap();
			(void)params_get(p, p->v[i].name);
		}
	}
	arena_reset(&a);
	return 0;
}
