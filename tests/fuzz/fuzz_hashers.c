/*
 * fuzz_hashers.c: fuzz target for stored password hash strings of every hasher (Django's
 * identify_hasher, each hasher's decode, must_update and verify). Input: one byte choosing the
 * preferred hasher (every hasher is enabled), the encoded hash, a newline, the password.
 * Hashes whose stored work factors would take long to verify (large PBKDF2 iterations, bcrypt
 * cost, scrypt or argon2 parameters, slow crypt(3) methods) are skipped: their decoding is
 * what is fuzzed, and the expensive primitives are OpenSSL's, libargon2's and libcrypt's.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "hashers.h"
#include "log.h"

#define MAX_WORK	19	/* largest stored work number verified (iterations, N, r, p, m, t) */
#define MAX_BCRYPT_COST	6

static struct hasher_policy policies[HASHER_COUNT];
static int ready;

/* One policy per preferred hasher, all hashers enabled, every work factor at its minimum. */
static void
init_policies(void)
{
	for (int i = 0; i < HASHER_COUNT; i++) {
		char list[512];

		snprintf(list, sizeof(list), "%s", hasher_name((enum hasher_alg)i));
		for (int j = 0; j < HASHER_COUNT; j++)
			if (j != i) {
				strcat(list, ",");
				strcat(list, hasher_name((enum hasher_alg)j));
			}
		if (hasher_policy_init(&policies[i], "5.1") != 0 ||
		    hasher_policy_set_hashers(&policies[i], list) != 0 ||
		    hasher_policy_set_param(&policies[i], "pbkdf2_iterations", 1) != 0 ||
		    hasher_policy_set_param(&policies[i], "argon2_time_cost", 1) != 0 ||
		    hasher_policy_set_param(&policies[i], "argon2_memory_cost", 8) != 0 ||
		    hasher_policy_set_param(&policies[i], "argon2_parallelism", 1) != 0 ||
		    hasher_policy_set_param(&policies[i], "bcrypt_rounds", 4) != 0 ||
		    hasher_policy_set_param(&policies[i], "scrypt_n", 2) != 0 ||
		    hasher_policy_set_param(&policies[i], "scrypt_r", 1) != 0 ||
		    hasher_policy_set_param(&policies[i], "scrypt_p", 1) != 0)
			abort();
	}
	ready = 1;
}

/* 1 if any run of decimal digits in s exceeds max (or is too long to read). */
static int
numbers_above(const char *s, long max)
{
	while (*s) {
		if (isdigit((unsigned char)*s)) {
			long v = 0;
			size_t n = 0;

			for (; isdigit((unsigned char)*s); s++, n++)
				v = n < 9 ? v * 10 + (*s - '0') : max + 1;
			if (v > max)
				return 1;
		} else {
			s++;
		}
	}
	return 0;
}

/* 1 if a bcrypt setting ("$2b$NN$...") asks for a cost above MAX_BCRYPT_COST. */
static int
bcrypt_costly(const char *setting)
{
	if (strncmp(setting, "$2", 2) != 0 || strlen(setting) < 6)
		return 0;
	if (!isdigit((unsigned char)setting[4]) || !isdigit((unsigned char)setting[5]))
		return 0;
	return (setting[4] - '0') * 10 + (setting[5] - '0') > MAX_BCRYPT_COST;
}

/* 1 if verifying this stored hash would be slow (see the file comment). */
static int
too_costly(const char *enc)
{
	const char *d = strchr(enc, '$');

	if (strncmp(enc, "pbkdf2_", 7) == 0 || strncmp(enc, "scrypt$", 7) == 0 ||
	    strncmp(enc, "argon2$", 7) == 0)
		return numbers_above(enc, MAX_WORK);
	if (strncmp(enc, "bcrypt", 6) == 0)
		return d != NULL && bcrypt_costly(d + 1);
	if (strncmp(enc, "crypt$", 6) == 0) {
		const char *setting = strchr(enc + 6, '$');

		if (setting == NULL)
			return 0;
		setting++;
		if (*setting == '_' || strstr(setting, "rounds=") != NULL)
			return 1;	/* BSDi DES and SHA-crypt carry their own round counts */
		if (*setting == '$')	/* only MD5-crypt and cheap bcrypt among the $-methods */
			return strncmp(setting, "$1$", 3) != 0 && strncmp(setting, "$5$", 3) != 0 &&
			    strncmp(setting, "$6$", 3) != 0 && (strncmp(setting, "$2", 2) != 0 ||
			    bcrypt_costly(setting));
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*enc;
	const uint8_t	*pw;
	size_t		 pwlen;
	enum hasher_alg	 alg;
	int		 update;

	if (!ready)
		init_policies();
	log_threshold = LOG_ERROR;	/* malformed hashes are logged as warnings */
	if (size == 0)
		return 0;
	fuzz_split(data + 1, size - 1, '\n', &enc, &pw, &pwlen);
	if (!too_costly(enc)) {
		const struct hasher_policy *pol = &policies[data[0] % HASHER_COUNT];
		int ok = password_check(pol, (const char *)pw, pwlen, enc, &update);

		if (ok != 0 && ok != 1)
			__builtin_trap();
		(void)hasher_identify(enc, &alg);
		(void)password_usable(enc);
	}
	free(enc);
	return 0;
}
