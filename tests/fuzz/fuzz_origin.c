/*
 * fuzz_origin.c: fuzz target for the Origin and Referer headers: CORS_ALLOWED_ORIGINS and
 * CSRF_TRUSTED_ORIGINS lists (cors_check_origins, cors_origin_listed) and the POST check of
 * the site's forms (csrf_verify_post) against Host. Input: lines list, Origin, Referer, Host;
 * an Origin line starting with '-' means no Origin header.
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "config.h"
#include "cors.h"
#include "csrf_web.h"
#include "fuzz.h"
#include "http.h"
#include "log.h"

#define NLINES	4

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena	 a = ARENA_INIT;
	struct req	 r;
	char		*line[NLINES], *mine[3];
	const char	*env[NLINES + 4];
	size_t		 n = 0;

	log_threshold = LOG_ERROR;
	for (int i = 0; i < NLINES; i++)
		fuzz_split(data, size, '\n', &line[i], &data, &size);
	(void)cors_check_origins(line[0]);
	if (cors_origin_listed(line[0], line[1]) && *line[1] == '\0')
		__builtin_trap();
	config.csrf_trusted_origins = line[0];
	env[n++] = "REQUEST_METHOD=POST";
	env[n++] = "REQUEST_URI=/logout";
	env[n++] = "HTTPS=on";
	mine[0] = fuzz_env("HTTP_ORIGIN", (const uint8_t *)line[1], strlen(line[1]));
	mine[1] = fuzz_env("HTTP_REFERER", (const uint8_t *)line[2], strlen(line[2]));
	mine[2] = fuzz_env("HTTP_HOST", (const uint8_t *)line[3], strlen(line[3]));
	for (int i = line[1][0] == '-' ? 1 : 0; i < 3; i++)
		env[n++] = mine[i];
	env[n] = NULL;
	/* No cookie and no token: whatever the headers say, the POST is refused. */
	if (fuzz_req(&r, &a, env, NULL, 0) == 0 && csrf_verify_post(&r) == FAIL_OK)
		__builtin_trap();
	config.csrf_trusted_origins = NULL;
	arena_reset(&a);
	for (int i = 0; i < 3; i++)
		free(mine[i]);
	for (int i = 0; i < NLINES; i++)
		free(line[i]);
	return 0;
}
