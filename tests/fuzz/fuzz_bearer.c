/*
 * fuzz_bearer.c: fuzz target for the API's Authorization header (bearer_authenticate: the
 * scheme and word split, the access token's decoding and its user_id claim). No database: a
 * token that verifies reaches the user lookup, which fails as on an unreachable server.
 * Input: the header's value.
 */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "arena.h"
#include "bearer.h"
#include "db.h"
#include "fuzz.h"
#include "http.h"
#include "log.h"

#define FUZZ_SECRET	"fuzz-secret-key"	/* seeds.py signs its tokens with it */

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena		 a = ARENA_INIT;
	struct req		 r;
	struct json_object	*extra;
	enum msg		 m = MSG_NONE;
	char			*auth = fuzz_env("HTTP_AUTHORIZATION", data, size);
	const char		*env[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/api/v1/auth/favorites/", auth, NULL };

	log_threshold = LOG_ERROR;
	app.signing.secret = FUZZ_SECRET;
	if (app.db == NULL)
		app.db = db_open("postgresql://fuzz@/fuzz?host=/nonexistent-fuzz-socket-dir");
	if (fuzz_req(&r, &a, env, NULL, 0) == 0) {
		/* Never a user without the database; every refusal says why. */
		if (bearer_authenticate(&r, &m, &extra) == FAIL_OK || m == MSG_NONE || r.user != NULL)
			__builtin_trap();
	}
	arena_reset(&a);
	free(auth);
	return 0;
}
