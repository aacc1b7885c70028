/*
 * fuzz_resettoken.c: fuzz target for the password reset link's parts: resettoken_parse and
 * resettoken_check (the token), resettoken_uid_decode (the uidb64). Input: uidb64, '/', token,
 * as the path /reset/<uidb64>/<token>/ carries them.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "resettoken.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char		*fallbacks[] = { "fuzz-old-secret-key-0123", NULL };
	static const struct signing_key	 k = { "fuzz-secret-key-0123456789", fallbacks, 0 };
	const struct resettoken_user	 u = { 7, "pbkdf2_sha256$1$a$b", "2026-01-01 00:00:00", "a@example.com" };
	char				*uid, *token, again[RESETTOKEN_MAX], enc[RESETTOKEN_UID_MAX];
	const uint8_t			*rest;
	size_t				 restlen;
	int64_t				 id, ts;

	fuzz_split(data, size, '/', &uid, &rest, &restlen);
	if (resettoken_uid_decode(uid, strlen(uid), &id) == 0) {
		resettoken_uid_encode(id, enc);
		if (resettoken_uid_decode(enc, strlen(enc), &id) != 0)
			__builtin_trap();
	}
	token = fuzz_cstr(rest, restlen);
	if (resettoken_parse(token, strlen(token), &ts) == 0 && ts >= 0) {
		/* A token made here for the parsed time always checks, and the fuzzed one only if equal. */
		resettoken_make(k.secret, &u, ts, again);
		if (!resettoken_check(&k, &u, again, ts, 0))
			__builtin_trap();
		if (resettoken_check(&k, &u, token, ts, 0) && strcmp(token, again) != 0)
			__builtin_trap();
	} else if (resettoken_check(&k, &u, token, 0, 259200))
		__builtin_trap();
	free(token);
	free(uid);
	return 0;
}
