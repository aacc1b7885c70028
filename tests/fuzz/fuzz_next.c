/*
 * fuzz_next.c: fuzz target for next= (where a form sends the visitor afterwards: only a path
 * on this site, never an open redirect) and the other parameters args_parse reads. Input: the
 * first byte picks GET (query) or POST (form body), the rest is the urlencoded parameters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "arena.h"
#include "fuzz.h"
#include "http.h"
#include "router.h"

static const struct route next_only = { M_GET | M_POST, "/x", NULL, 0, A_NEXT };
static const struct route every_arg = { M_GET | M_POST, "/x", NULL, R_JSON, ~0u };

/* A path of this site: "/x", not "//host", "/\host", a scheme or a control byte. */
static int
local_path(const char *n)
{
	if (n[0] != '/' || n[1] == '/' || n[1] == '\\')
		return 0;
	for (; *n; n++)
		if ((unsigned char)*n < 0x20 || *n == 0x7f || *n == '\\')
			return 0;
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena	 a = ARENA_INIT;
	struct req	 r;
	enum msg	 m;
	int		 post = size > 0 && (data[0] & 1);
	const uint8_t	*params = size > 0 ? data + 1 : data;
	size_t		 len = size > 0 ? size - 1 : 0;
	char		 length[48], *query = fuzz_cstr(params, post ? 0 : len), *uri;
	const char	*env[] = { post ? "REQUEST_METHOD=POST" : "REQUEST_METHOD=GET", NULL, length,
			    "CONTENT_TYPE=application/x-www-form-urlencoded", NULL };

	snprintf(length, sizeof(length), "CONTENT_LENGTH=%zu", post ? len : 0);
	uri = malloc(strlen(query) + 32);
	strcpy(uri, "REQUEST_URI=/x?");
	strcat(uri, query);
	env[1] = uri;
	if (fuzz_req(&r, &a, env, params, post ? len : 0) == 0) {
		r.route = &next_only;
		if (args_parse(&r, &m) != FAIL_OK || (r.arg.next != NULL && !local_path(r.arg.next)))
			__builtin_trap();
		r.route = &every_arg;
		(void)args_parse(&r, &m);
	}
	arena_reset(&a);
	free(uri);
	free(query);
	return 0;
}
