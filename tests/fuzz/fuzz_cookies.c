/*
 * fuzz_cookies.c: fuzz target for the Cookie header (params_parse_cookies) and what reads its
 * values: the session key check and the csrftoken cookie's secret.
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "csrf.h"
#include "djsession.h"
#include "fuzz.h"
#include "http.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena	 a = ARENA_INIT;
	struct params	*p = arena_alloc(&a, sizeof(*p));
	char		*s = fuzz_cstr(data, size), secret[CSRF_SECRET_LEN + 1];
	const char	*v;

	params_parse_cookies(p, &a, s);
	if (p->n > REQ_MAX_PARAMS)
		__builtin_trap();
	for (size_t i = 0; i < p->n; i++) {
		v = p->v[i].value;
		(void)djsession_key_valid(v, strlen(v));
		(void)csrf_secret_from_cookie(v, strlen(v), secret);
		(void)csrf_unmask(v, strlen(v), secret);
	}
	v = params_get(p, "csrftoken");
	/* The token step of the CSRF check, cookie against the first other value. */
	if (v != NULL && p->n > 0)
		(void)csrf_check(v, strlen(v), p->v[0].value, strlen(p->v[0].value));
	free(s);
	arena_reset(&a);
	return 0;
}
