/* hashers.h: Django-compatible password hashing: per-version policy, make, check and must_update. */
#ifndef HASHERS_H
#define HASHERS_H

#include <stddef.h>
#include <stdint.h>

/* Every hasher Django 3.2 - 6.0 has shipped, by its `algorithm` name. */
enum hasher_alg {
	HASHER_PBKDF2_SHA256,	/* pbkdf2_sha256 */
	HASHER_PBKDF2_SHA1,	/* pbkdf2_sha1 */
	HASHER_ARGON2,		/* argon2 (verifies argon2id/i/d, with or without v=) */
	HASHER_BCRYPT_SHA256,	/* bcrypt_sha256 */
	HASHER_BCRYPT,		/* bcrypt */
	HASHER_SCRYPT,		/* scrypt */
	HASHER_MD5,		/* md5 (salted) */
	HASHER_SHA1,		/* sha1 (salted) */
	HASHER_UNSALTED_MD5,	/* bare 32 hex, or md5$$<32 hex> */
	HASHER_UNSALTED_SHA1,	/* sha1$$<40 hex> */
	HASHER_CRYPT,		/* crypt$<salt>$<crypt(3) output> */
	HASHER_COUNT
};

/*
 * What the Django version running beside us would do: its PASSWORD_HASHERS (hashers[0] is the
 * preferred one, used for every new hash) and each hasher's work parameters. Read the fields
 * freely; change them only through the functions below, which validate.
 */
struct hasher_policy {
	enum hasher_alg	 hashers[HASHER_COUNT];	/* enabled hashers, first = preferred */
	size_t		 nhashers;
	int		 pbkdf2_iterations;	/* pbkdf2_sha256 and pbkdf2_sha1 */
	int		 argon2_time_cost;
	int		 argon2_memory_cost;	/* KiB */
	int		 argon2_parallelism;
	int		 bcrypt_rounds;		/* bcrypt_sha256 and bcrypt */
	int		 scrypt_n, scrypt_r, scrypt_p;
};

/*
 * Fills the policy with Django's defaults for version "3.2", "4.0", "4.1", "4.2", "5.0", "5.1",
 * "5.2" or "6.0" (NULL means "5.1"). Returns 0, or -1 (logged, policy untouched) for any
 * other version.
 */
int	 hasher_policy_init(struct hasher_policy *, const char *django_version);

/*
 * Replaces the enabled hashers with a comma-separated list, first = preferred. Entries are
 * algorithm names ("pbkdf2_sha256") or Django class paths/names
 * ("django.contrib.auth.hashers.PBKDF2PasswordHasher"); blanks around commas are ignored.
 * Returns 0, or -1 (logged, policy untouched) on an unknown or repeated name or an empty list.
 */
int	 hasher_policy_set_hashers(struct hasher_policy *, const char *list);

/*
 * Sets one work parameter: "pbkdf2_iterations", "argon2_time_cost", "argon2_memory_cost",
 * "argon2_parallelism", "bcrypt_rounds", "scrypt_n", "scrypt_r" or "scrypt_p".
 * Returns 0, or -1 (logged, policy untouched) for an unknown name or an out-of-range value
 * (bcrypt 4..31, scrypt_n a power of two >= 2, argon2 memory >= 8 KiB, all others >= 1).
 */
int	 hasher_policy_set_param(struct hasher_policy *, const char *name, int64_t value);

/* The algorithm name Django stores ("pbkdf2_sha256", ...). */
const char *hasher_name(enum hasher_alg);

/*
 * Django's identify_hasher() without the "is it installed" step: 0 and *out for a known
 * algorithm, -1 otherwise (the caller then treats the hash as unknown).
 */
int	 hasher_identify(const char *encoded, enum hasher_alg *out);

/*
 * make_password(): hashes len password bytes with the preferred hasher, its parameters and a
 * fresh salt. Returns a malloc'd NUL-terminated string, or NULL (logged) when the hasher
 * refuses the input (plain bcrypt or crypt with a NUL byte, crypt above 511 bytes) or fails.
 */
char	*password_make(const struct hasher_policy *, const char *pw, size_t len);

/*
 * Django 5.1's verify_password(): 1 if pw matches encoded, else 0. Unusable ("!..."), NULL,
 * unknown or not-enabled hashes, and pw == NULL, cost one dummy preferred-hasher hash and give
 * 0. A malformed hash that Django would raise on gives 0 (logged, no secret). *must_update
 * (may be NULL) gets Django's must_update: the hasher is not the preferred one or its
 * parameters/salt differ from the policy; re-hash with password_make() after a success.
 */
int	 password_check(const struct hasher_policy *, const char *pw, size_t len,
	    const char *encoded, int *must_update);

/* Costs one preferred-hasher hash of pw (a login for an unknown username). */
void	 password_dummy_hash(const struct hasher_policy *, const char *pw, size_t len);

/* is_password_usable(): 1 unless encoded starts with '!' (NULL counts as usable, as in Django). */
int	 password_usable(const char *encoded);

#endif
