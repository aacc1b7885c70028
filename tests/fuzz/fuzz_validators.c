/*
 * fuzz_validators.c: fuzz target for the username, e-mail and password validators (UTF-8
 * decoding, NFKC, the similarity and common-password checks). Input: the text to validate;
 * it is also used as the user's attributes for the similarity check.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "log.h"
#include "validators.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int		 loaded;
	struct validators_error	 errs[VALIDATORS_MAX_ERRORS];
	char			*s, *norm = NULL, *email;
	int			 n;

	log_threshold = LOG_ERROR;
	if (!loaded) {
		/* Run from the repository's root, as `make fuzz` and the replay do. */
		const char *dir = getenv("FUZZ_DATA_DIR");

		if (validators_init(dir ? dir : "common/data", NULL) != 0)
			abort();
		loaded = 1;
	}
	n = validators_username((const char *)data, size, &norm, errs);
	if (n < 0 || n > 2)
		__builtin_trap();
	free(norm);
	free(validators_normalize_username((const char *)data, size));
	s = fuzz_cstr(data, size);
	email = validators_normalize_email(s);
	{
		const char *half = s + strlen(s) / 2;
		struct validators_user u = { half, s, "", email };

		n = validators_password(s, &u, errs);
		if (n > VALIDATORS_MAX_ERRORS)
			__builtin_trap();
	}
	free(email);
	free(s);
	return 0;
}
