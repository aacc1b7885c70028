/* test_hashers.c: Django password hasher vectors, identify rules, must_update and policy defaults. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <argon2.h>
#include <openssl/evp.h>

#include "b64.h"
#include "buf.h"
#include "hashers.h"
#include "log.h"
#include "rand.h"
#include "util.h"

#define PW "l\xc3\xa8tmein"	/* "lètmein", django-compat.md §6 */
#define ALL_HASHERS "pbkdf2_sha256,pbkdf2_sha1,argon2,bcrypt_sha256,bcrypt,scrypt,md5,sha1," \
	"unsalted_md5,unsalted_sha1,crypt"

static void
policy(struct hasher_policy *pol, const char *version, const char *hashers)
{
	assert_int_equal(hasher_policy_init(pol, version), 0);
	if (hashers != NULL)
		assert_int_equal(hasher_policy_set_hashers(pol, hashers), 0);
}

/* Checks pw against encoded under a version's policy with the given hashers enabled. */
static void
check_case(const char *version, const char *hashers, const char *pw, const char *encoded,
    int want_ok, int want_update)
{
	struct hasher_policy	pol;
	int			update = -1, ok;

	policy(&pol, version, hashers);
	ok = password_check(&pol, pw, strlen(pw), encoded, &update);
	if (ok != want_ok || (want_ok && update != want_update))
		fail_msg("%s: ok=%d must_update=%d, want ok=%d must_update=%d", encoded, ok,
		    update, want_ok, want_update);
}

static char *
pbkdf2_sha256_with(const char *pw, const char *salt, int iterations)
{
	unsigned char	dk[32];
	struct buf	b = BUF_INIT;

	assert_int_equal(PKCS5_PBKDF2_HMAC(pw, (int)strlen(pw), (const unsigned char *)salt,
	    (int)strlen(salt), iterations, EVP_sha256(), 32, dk), 1);
	buf_printf(&b, "pbkdf2_sha256$%d$%s$", iterations, salt);
	b64_encode(&b, dk, sizeof(dk), B64_STD, 1);
	return buf_detach(&b);
}

static void
test_version_defaults(void **state)
{
	static const struct {
		const char	*version;
		int		 iterations, scrypt_p;
		size_t		 nhashers;
	} want[] = {
		{ "3.2", 260000, 1, 4 }, { "4.0", 320000, 1, 5 }, { "4.1", 390000, 1, 5 },
		{ "4.2", 600000, 1, 5 }, { "5.0", 720000, 1, 5 }, { "5.1", 870000, 5, 5 },
		{ "5.2", 1000000, 5, 5 }, { "6.0", 1200000, 5, 5 }, { NULL, 870000, 5, 5 },
	};
	struct hasher_policy pol;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(want); i++) {
		assert_int_equal(hasher_policy_init(&pol, want[i].version), 0);
		assert_int_equal(pol.pbkdf2_iterations, want[i].iterations);
		assert_int_equal(pol.scrypt_p, want[i].scrypt_p);
		assert_int_equal(pol.nhashers, want[i].nhashers);
		assert_int_equal(pol.hashers[0], HASHER_PBKDF2_SHA256);
		assert_int_equal(pol.hashers[1], HASHER_PBKDF2_SHA1);
		assert_int_equal(pol.hashers[2], HASHER_ARGON2);
		assert_int_equal(pol.hashers[3], HASHER_BCRYPT_SHA256);
		if (want[i].nhashers == 5)
			assert_int_equal(pol.hashers[4], HASHER_SCRYPT);
		assert_int_equal(pol.argon2_time_cost, 2);
		assert_int_equal(pol.argon2_memory_cost, 102400);
		assert_int_equal(pol.argon2_parallelism, 8);
		assert_int_equal(pol.bcrypt_rounds, 12);
		assert_int_equal(pol.scrypt_n, 16384);
		assert_int_equal(pol.scrypt_r, 8);
	}
	assert_int_equal(hasher_policy_init(&pol, "6.1"), -1);
	assert_int_equal(hasher_policy_init(&pol, "5"), -1);
	assert_int_equal(hasher_policy_init(&pol, ""), -1);
	assert_int_equal(hasher_policy_init(&pol, "5.1.1"), -1);
}

static void
test_policy_overrides(void **state)
{
	struct hasher_policy pol;

	(void)state;
	policy(&pol, "5.1", NULL);
	assert_int_equal(hasher_policy_set_hashers(&pol, " argon2 , bcrypt,md5"), 0);
	assert_int_equal(pol.nhashers, 3);
	assert_int_equal(pol.hashers[0], HASHER_ARGON2);
	assert_int_equal(pol.hashers[1], HASHER_BCRYPT);
	assert_int_equal(pol.hashers[2], HASHER_MD5);
	assert_int_equal(hasher_policy_set_hashers(&pol,
	    "django.contrib.auth.hashers.ScryptPasswordHasher,UnsaltedMD5PasswordHasher"), 0);
	assert_int_equal(pol.nhashers, 2);
	assert_int_equal(pol.hashers[0], HASHER_SCRYPT);
	assert_int_equal(pol.hashers[1], HASHER_UNSALTED_MD5);
	/* Failures leave the list untouched. */
	assert_int_equal(hasher_policy_set_hashers(&pol, "argon2,whirlpool"), -1);
	assert_int_equal(hasher_policy_set_hashers(&pol, "argon2,argon2"), -1);
	assert_int_equal(hasher_policy_set_hashers(&pol, ""), -1);
	assert_int_equal(hasher_policy_set_hashers(&pol, "argon2,"), -1);
	assert_int_equal(hasher_policy_set_hashers(&pol, "x.argon2"), -1);
	assert_int_equal(pol.nhashers, 2);
	assert_int_equal(pol.hashers[0], HASHER_SCRYPT);

	assert_int_equal(hasher_policy_set_param(&pol, "pbkdf2_iterations", 1000), 0);
	assert_int_equal(pol.pbkdf2_iterations, 1000);
	assert_int_equal(hasher_policy_set_param(&pol, "bcrypt_rounds", 4), 0);
	assert_int_equal(hasher_policy_set_param(&pol, "bcrypt_rounds", 3), -1);
	assert_int_equal(hasher_policy_set_param(&pol, "bcrypt_rounds", 32), -1);
	assert_int_equal(pol.bcrypt_rounds, 4);
	assert_int_equal(hasher_policy_set_param(&pol, "scrypt_n", 1024), 0);
	assert_int_equal(hasher_policy_set_param(&pol, "scrypt_n", 1000), -1);
	assert_int_equal(pol.scrypt_n, 1024);
	assert_int_equal(hasher_policy_set_param(&pol, "scrypt_p", 0), -1);
	assert_int_equal(hasher_policy_set_param(&pol, "argon2_memory_cost", 512), 0);
	assert_int_equal(hasher_policy_set_param(&pol, "argon2_time_cost", 3), 0);
	assert_int_equal(hasher_policy_set_param(&pol, "argon2_parallelism", 2), 0);
	assert_int_equal(hasher_policy_set_param(&pol, "scrypt_r", 4), 0);
	assert_int_equal(hasher_policy_set_param(&pol, "pbkdf2_iterations", 0), -1);
	assert_int_equal(hasher_policy_set_param(&pol, "pbkdf2_iterations", 1LL << 40), -1);
	assert_int_equal(hasher_policy_set_param(&pol, "md5_rounds", 1), -1);
	assert_int_equal(pol.argon2_memory_cost, 512);
	assert_int_equal(pol.argon2_time_cost, 3);
	assert_int_equal(pol.argon2_parallelism, 2);
	assert_int_equal(pol.scrypt_r, 4);
}

/* §6.1: each PBKDF2 vector under its own version ("seasalt" is short, so must_update=1). */
static void
test_pbkdf2_vectors(void **state)
{
	static const struct { const char *version, *encoded; } v[] = {
		{ "3.2", "pbkdf2_sha256$260000$seasalt$YlZ2Vggtqdc61YjArZuoApoBh9JNGYoDRBUGu6tcJQo=" },
		{ "4.0", "pbkdf2_sha256$320000$seasalt$Toj2II2rBvFiGQcPmUml1Nlni2UtvyRWwz/jz4q6q/4=" },
		{ "4.1", "pbkdf2_sha256$390000$seasalt$8xBlGd3jVgvJ+92hWPxi5ww0uuAuAnKgC45eudxro7c=" },
		{ "4.2", "pbkdf2_sha256$600000$seasalt$OAXyhAQ/4ZDA9V5RMExt3C1OwQdUpLZ99vm1McFlLRA=" },
		{ "5.0", "pbkdf2_sha256$720000$seasalt$eDupbcisD1UuIiou3hMuMu8oe/XwnpDw45r6AA5iv0E=" },
		{ "5.1", "pbkdf2_sha256$870000$seasalt$wJSpLMQRQz0Dhj/pFpbyjMj71B2gUYp6HJS5AU+32Ac=" },
		{ "5.2", "pbkdf2_sha256$1000000$seasalt$r1uLUxoxpP2Ued/qxvmje7UH9PUJBkRrvf9gGPL7Cps=" },
		{ "6.0", "pbkdf2_sha256$1200000$seasalt$6sTlFi4QohxXLuZigqDIUNX8xG9NxrTmV8+flFQdBqE=" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(v); i++)
		check_case(v[i].version, NULL, PW, v[i].encoded, 1, 1);
	/* pbkdf2_sha1 is enabled by default but never preferred: hasher_changed. */
	check_case("3.2", NULL, PW, "pbkdf2_sha1$260000$seasalt$XXHk2gQ7tjWIyrS320RXXsGqkUg=", 1, 1);
	check_case("5.2", "pbkdf2_sha1", PW,
	    "pbkdf2_sha1$1000000$seasalt$A053mdnAt0THnbEBJ7jpfP3yz1o=", 1, 1);
}

static void
test_argon2_vectors(void **state)
{
	(void)state;
	check_case("5.1", "argon2", PW, "argon2$argon2id$v=19$m=102400,t=2,p=8"
	    "$YWJjZGVmZ2hpamtsbW5vcHFyc3R1dg$+JMlMPUK2HDUx3AfMuZcXg", 1, 0);
	/* Django's own old-format vectors: no v= (version 0x10, 64-byte hash), and argon2i v=19. */
	check_case("5.1", "argon2", "secret", "argon2$argon2i$m=8,t=1,p=1$c29tZXNhbHQ"
	    "$gwQOXSNhxiOxPOA0+PY10P9QFO4NAYysnqRt1GSQLE55m+2GYDt9FEjPMHhP2Cuf0nOEXXMocVrsJAtNSsKyfg",
	    1, 1);
	check_case("5.1", "argon2", "secret",
	    "argon2$argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q", 1, 1);
	check_case("5.1", NULL, "secreT",
	    "argon2$argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q", 0, 0);
	/* The variant must match the header. */
	check_case("5.1", NULL, "secret",
	    "argon2$argon2d$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q", 0, 0);
	check_case("5.1", NULL, "secret",
	    "argon2$argon2x$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q", 0, 0);
}

static void
test_bcrypt_vectors(void **state)
{
	static const char sha[] =
	    "bcrypt_sha256$$2b$12$abcdefghijklmnopqrstuuVrQ4zCyEDfwKOXCre954in7jn/y/.ua";
	static const char plain[] =
	    "bcrypt$$2b$12$abcdefghijklmnopqrstuupd4kvGe1RE7cUAJBlAgNLjj8dnLUqIu";

	(void)state;
	check_case("5.1", "bcrypt_sha256,bcrypt", PW, sha, 1, 0);
	check_case("5.1", "bcrypt,bcrypt_sha256", PW, plain, 1, 0);
	check_case("5.1", "bcrypt_sha256,bcrypt", PW, plain, 1, 1);
	/* Python bcrypt hashes $2a$/$2y$ as $2b$ and keeps the stored prefix; $2x$ is invalid. */
	check_case("5.1", "bcrypt_sha256",
	    PW, "bcrypt_sha256$$2y$12$abcdefghijklmnopqrstuuVrQ4zCyEDfwKOXCre954in7jn/y/.ua", 1, 0);
	check_case("5.1", "bcrypt",
	    PW, "bcrypt$$2a$12$abcdefghijklmnopqrstuupd4kvGe1RE7cUAJBlAgNLjj8dnLUqIu", 1, 0);
	check_case("5.1", "bcrypt",
	    PW, "bcrypt$$2x$12$abcdefghijklmnopqrstuupd4kvGe1RE7cUAJBlAgNLjj8dnLUqIu", 0, 0);
	check_case("5.1", "bcrypt", "letmein", plain, 0, 0);
	/* The whole string is compared: a non-canonical salt character re-encodes differently. */
	check_case("5.1", "bcrypt",
	    PW, "bcrypt$$2b$12$abcdefghijklmnopqrstuvpd4kvGe1RE7cUAJBlAgNLjj8dnLUqIu", 0, 0);
}

static void
test_scrypt_vectors(void **state)
{
	static const char p5[] = "scrypt$16384$seasalt$8$5$ECMIUp+LMxMSK8xB/IVyba+KYGTI7FTnet025q"
	    "/1f/vBAVnnP3hdYqJuRi+mJn6ji6ze3Fbb7JEFPKGpuEf5vw==";
	static const char p1[] = "scrypt$16384$seasalt$8$1$Qj3+9PPyRjSJIebHnG81TMjsqtaIGxNQG/aEB"
	    "/NYafTJ7tibgfYz71m0ldQESkXFRkdVCBhhY8mx7rQwite/Pw==";

	(void)state;
	/* scrypt has no salt-entropy check. */
	check_case("5.1", "scrypt", PW, p5, 1, 0);
	check_case("4.0", "scrypt", PW, p1, 1, 0);
	check_case("5.1", "scrypt", PW, p1, 1, 1);
	check_case("5.1", NULL, PW, p5, 1, 1);
	check_case("3.2", NULL, PW, p5, 0, 0);	/* not in 3.2's default list */
}

static void
test_legacy_vectors(void **state)
{
	(void)state;
	check_case("3.2", ALL_HASHERS, PW, "md5$seasalt$3f86d0d3d465b7b458c231bf3555c0e3", 1, 1);
	check_case("3.2", ALL_HASHERS, PW, "sha1$seasalt$cff36ea83f5706ce9aa7454e63e431fc726b2dc8",
	    1, 1);
	check_case("3.2", ALL_HASHERS, PW, "88a434c88cca4e900f7874cd98123f43", 1, 1);
	check_case("3.2", ALL_HASHERS, PW, "md5$$88a434c88cca4e900f7874cd98123f43", 1, 1);
	check_case("3.2", ALL_HASHERS, PW, "sha1$$6d138ca3ae545631b3abd71a4f076ce759c5700b", 1, 1);
	check_case("3.2", ALL_HASHERS, PW, "crypt$$abprj99vCww4M", 1, 1);
	check_case("3.2", ALL_HASHERS, PW, "crypt$ab$abprj99vCww4M", 1, 1);
	check_case("3.2", ALL_HASHERS, "password", "5f4dcc3b5aa765d61d8327deb882cf99", 1, 1);
	/* Hex is compared as a whole string: uppercase does not verify. */
	check_case("3.2", ALL_HASHERS, PW, "88A434C88CCA4E900F7874CD98123F43", 0, 0);
	check_case("3.2", ALL_HASHERS, "wrong", "md5$seasalt$3f86d0d3d465b7b458c231bf3555c0e3", 0, 0);
	check_case("3.2", ALL_HASHERS, "wrong", "crypt$$abprj99vCww4M", 0, 0);
	/* As preferred hashers: md5/sha1 check only the salt length; the unsalted ones never. */
	check_case("3.2", "md5", PW, "md5$seasalt$3f86d0d3d465b7b458c231bf3555c0e3", 1, 1);
	check_case("3.2", "unsalted_md5", PW, "88a434c88cca4e900f7874cd98123f43", 1, 0);
	check_case("3.2", "unsalted_sha1", PW, "sha1$$6d138ca3ae545631b3abd71a4f076ce759c5700b", 1, 0);
	check_case("3.2", "crypt", PW, "crypt$$abprj99vCww4M", 1, 0);
	/* Not enabled (the defaults), as Django's check_password: False. */
	check_case("5.1", NULL, PW, "md5$seasalt$3f86d0d3d465b7b458c231bf3555c0e3", 0, 0);
	check_case("5.1", NULL, PW, "88a434c88cca4e900f7874cd98123f43", 0, 0);
	check_case("5.1", NULL, PW, "crypt$$abprj99vCww4M", 0, 0);
}

static void
test_identify(void **state)
{
	static const struct { const char *encoded; int alg; } v[] = {
		{ "88a434c88cca4e900f7874cd98123f43", HASHER_UNSALTED_MD5 },
		{ "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", HASHER_UNSALTED_MD5 },	/* any 32, no '$' */
		{ "md5$$88a434c88cca4e900f7874cd98123f43", HASHER_UNSALTED_MD5 },
		{ "md5$$88a434c88cca4e900f7874cd98123f4", HASHER_MD5 },	/* 36: salted md5 */
		{ "md5$seasalt$3f86d0d3d465b7b458c231bf3555c0e3", HASHER_MD5 },
		{ "sha1$$6d138ca3ae545631b3abd71a4f076ce759c5700b", HASHER_UNSALTED_SHA1 },
		{ "sha1$$6d138ca3ae545631b3abd71a4f076ce759c5700", HASHER_SHA1 },
		{ "sha1$x$y", HASHER_SHA1 },
		{ "pbkdf2_sha256$1$a$b", HASHER_PBKDF2_SHA256 },
		{ "pbkdf2_sha1$1$a$b", HASHER_PBKDF2_SHA1 },
		{ "argon2$argon2id$...", HASHER_ARGON2 },
		{ "bcrypt_sha256$$2b$12$x", HASHER_BCRYPT_SHA256 },
		{ "bcrypt$$2b$12$x", HASHER_BCRYPT },
		{ "scrypt$16384$s$8$1$h", HASHER_SCRYPT },
		{ "crypt$$abprj99vCww4M", HASHER_CRYPT },
		{ "unsalted_md5$x", HASHER_UNSALTED_MD5 },
		{ "md5", HASHER_MD5 },	/* no '$': the whole string is the name */
		/* 32 characters, not bytes: 31 ASCII + one 2-byte character. */
		{ "88a434c88cca4e900f7874cd98123f4\xc3\xa9", HASHER_UNSALTED_MD5 },
		{ "", -1 }, { "!abc", -1 }, { "default$x", -1 }, { "PBKDF2_SHA256$1$a$b", -1 },
		{ "88a434c88cca4e900f7874cd98123f4", -1 }, { "whirlpool$x$y", -1 },
		{ "$pbkdf2_sha256$1$a$b", -1 },
	};
	enum hasher_alg	 alg;
	size_t		 i;

	(void)state;
	for (i = 0; i < NELEM(v); i++) {
		int rc = hasher_identify(v[i].encoded, &alg);

		if (v[i].alg < 0 ? rc != -1 : (rc != 0 || (int)alg != v[i].alg))
			fail_msg("identify(%s): rc=%d alg=%d, want %d", v[i].encoded, rc,
			    rc == 0 ? (int)alg : -1, v[i].alg);
	}
	assert_string_equal(hasher_name(HASHER_BCRYPT_SHA256), "bcrypt_sha256");
	assert_string_equal(hasher_name(HASHER_UNSALTED_MD5), "unsalted_md5");
}

static void
test_pbkdf2_must_update(void **state)
{
	struct hasher_policy	 pol;
	char			*h;
	int			 update;

	(void)state;
	policy(&pol, "5.1", NULL);
	assert_int_equal(hasher_policy_set_param(&pol, "pbkdf2_iterations", 1000), 0);
	h = pbkdf2_sha256_with("pw", "abcdefghijklmnopqrstuv", 1000);
	assert_int_equal(password_check(&pol, "pw", 2, h, &update), 1);
	assert_int_equal(update, 0);
	free(h);
	/* Fewer or more iterations than the default, or a 21-character salt: re-hash. */
	h = pbkdf2_sha256_with("pw", "abcdefghijklmnopqrstuv", 999);
	assert_int_equal(password_check(&pol, "pw", 2, h, &update), 1);
	assert_int_equal(update, 1);
	/* A wrong password with fewer stored iterations runs harden_runtime, still 0. */
	assert_int_equal(password_check(&pol, "pX", 2, h, &update), 0);
	free(h);
	h = pbkdf2_sha256_with("pw", "abcdefghijklmnopqrstuv", 1001);
	assert_int_equal(password_check(&pol, "pw", 2, h, &update), 1);
	assert_int_equal(update, 1);
	free(h);
	h = pbkdf2_sha256_with("pw", "abcdefghijklmnopqrstu", 1000);
	assert_int_equal(password_check(&pol, "pw", 2, h, &update), 1);
	assert_int_equal(update, 1);
	free(h);
	h = pbkdf2_sha256_with("pw", "abcdefghijkl", 1000);	/* Django <= 3.1: 12 characters */
	assert_int_equal(password_check(&pol, "pw", 2, h, &update), 1);
	assert_int_equal(update, 1);
	free(h);
	/* Iterations are printed with %d: a leading zero never verifies. */
	assert_int_equal(password_check(&pol, "pw", 2,
	    "pbkdf2_sha256$01000$abcdefghijklmnopqrstuv$xx", &update), 0);
	assert_int_equal(password_check(&pol, "pw", 2, "pbkdf2_sha256$x$a$b", &update), 0);
	assert_int_equal(password_check(&pol, "pw", 2, "pbkdf2_sha256$1000$abc", &update), 0);
	/* pbkdf2_sha1 while pbkdf2_sha256 is preferred: always re-hashed. */
	assert_int_equal(hasher_policy_set_hashers(&pol, "pbkdf2_sha1,pbkdf2_sha256"), 0);
	h = password_make(&pol, "pw", 2);
	assert_non_null(h);
	assert_int_equal(strncmp(h, "pbkdf2_sha1$1000$", 17), 0);
	assert_int_equal(password_check(&pol, "pw", 2, h, &update), 1);
	assert_int_equal(update, 0);
	assert_int_equal(hasher_policy_set_hashers(&pol, "pbkdf2_sha256,pbkdf2_sha1"), 0);
	assert_int_equal(password_check(&pol, "pw", 2, h, &update), 1);
	assert_int_equal(update, 1);
	free(h);
}

/* An argon2 hash with a given variant, salt and parameters, as argon2-cffi makes it. */
static char *
argon2_with(argon2_type type, const char *salt, uint32_t t, uint32_t m, uint32_t p,
    size_t hashlen)
{
	char		enc[256];
	struct buf	b = BUF_INIT;

	assert_int_equal(argon2_hash(t, m, p, "pw", 2, salt, strlen(salt), NULL, hashlen, enc,
	    sizeof(enc), type, ARGON2_VERSION_13), ARGON2_OK);
	buf_printf(&b, "argon2%s", enc);
	return buf_detach(&b);
}

static void
test_argon2_must_update(void **state)
{
	static const char	 salt22[] = "abcdefghijklmnopqrstuv";
	struct hasher_policy	 pol;
	char			*h;
	int			 update;

	(void)state;
	policy(&pol, "5.1", "argon2");
	assert_int_equal(hasher_policy_set_param(&pol, "argon2_memory_cost", 64), 0);
	assert_int_equal(hasher_policy_set_param(&pol, "argon2_parallelism", 2), 0);
	assert_int_equal(hasher_policy_set_param(&pol, "argon2_time_cost", 1), 0);
	h = argon2_with(Argon2_id, salt22, 1, 64, 2, 16);
	assert_int_equal(password_check(&pol, "pw", 2, h, &update), 1);
	assert_int_equal(update, 0);
	free(h);
	struct { argon2_type type; const char *salt; uint32_t t, m, p; size_t hashlen; } v[] = {
		{ Argon2_i, salt22, 1, 64, 2, 16 },
		{ Argon2_d, salt22, 1, 64, 2, 16 },
		{ Argon2_id, salt22, 2, 64, 2, 16 },
		{ Argon2_id, salt22, 1, 128, 2, 16 },
		{ Argon2_id, salt22, 1, 64, 1, 16 },
		{ Argon2_id, salt22, 1, 64, 2, 32 },
		{ Argon2_id, "abcdefghijklmnopqrstu", 1, 64, 2, 16 },
	};
	for (size_t i = 0; i < NELEM(v); i++) {
		h = argon2_with(v[i].type, v[i].salt, v[i].t, v[i].m, v[i].p, v[i].hashlen);
		update = -1;
		assert_int_equal(password_check(&pol, "pw", 2, h, &update), 1);
		if (update != 1)
			fail_msg("%s: must_update=%d", h, update);
		assert_int_equal(password_check(&pol, "pX", 2, h, &update), 0);
		free(h);
	}
	assert_int_equal(password_check(&pol, "pw", 2, "argon2$argon2id$v=19$m=64", &update), 0);
	assert_int_equal(password_check(&pol, "pw", 2, "argon2", &update), 0);
}

static void
test_bcrypt_must_update(void **state)
{
	struct hasher_policy	 pol;
	char			*h;
	int			 update;

	(void)state;
	policy(&pol, "5.1", "bcrypt_sha256,bcrypt");
	assert_int_equal(hasher_policy_set_param(&pol, "bcrypt_rounds", 5), 0);
	h = password_make(&pol, PW, strlen(PW));
	assert_non_null(h);
	assert_int_equal(strlen(h), strlen("bcrypt_sha256$") + 60);
	assert_int_equal(strncmp(h, "bcrypt_sha256$$2b$05$", 21), 0);
	assert_int_equal(password_check(&pol, PW, strlen(PW), h, &update), 1);
	assert_int_equal(update, 0);
	assert_int_equal(hasher_policy_set_param(&pol, "bcrypt_rounds", 4), 0);
	assert_int_equal(password_check(&pol, PW, strlen(PW), h, &update), 1);
	assert_int_equal(update, 1);
	assert_int_equal(hasher_policy_set_param(&pol, "bcrypt_rounds", 6), 0);
	assert_int_equal(password_check(&pol, PW, strlen(PW), h, &update), 1);
	assert_int_equal(update, 1);
	/* Wrong password at rounds 5 under a default of 6: one extra hash, still 0. */
	assert_int_equal(password_check(&pol, "x", 1, h, &update), 0);
	free(h);
}

static void
test_bcrypt_input_rules(void **state)
{
	struct hasher_policy	 pol;
	char			 pw73[74], *h;
	int			 update;

	(void)state;
	memset(pw73, 'a', 73);
	pw73[73] = '\0';
	policy(&pol, "5.1", "bcrypt");
	assert_int_equal(hasher_policy_set_param(&pol, "bcrypt_rounds", 4), 0);
	/* Plain bcrypt: cut at 72 bytes; NUL refused. */
	h = password_make(&pol, pw73, 73);
	assert_non_null(h);
	assert_int_equal(password_check(&pol, pw73, 72, h, &update), 1);
	assert_int_equal(password_check(&pol, pw73, 71, h, &update), 0);
	free(h);
	assert_null(password_make(&pol, "a\0b", 3));
	h = password_make(&pol, "a", 1);
	assert_non_null(h);
	assert_int_equal(password_check(&pol, "a\0b", 3, h, &update), 0);
	free(h);
	/* bcrypt_sha256 pre-hashes: every byte counts, NUL included. */
	assert_int_equal(hasher_policy_set_hashers(&pol, "bcrypt_sha256"), 0);
	h = password_make(&pol, pw73, 73);
	assert_non_null(h);
	assert_int_equal(password_check(&pol, pw73, 73, h, &update), 1);
	assert_int_equal(password_check(&pol, pw73, 72, h, &update), 0);
	free(h);
	h = password_make(&pol, "a\0b", 3);
	assert_non_null(h);
	assert_int_equal(password_check(&pol, "a\0b", 3, h, &update), 1);
	assert_int_equal(password_check(&pol, "a", 1, h, &update), 0);
	free(h);
}

static void
test_scrypt_must_update(void **state)
{
	struct hasher_policy	 pol;
	char			*h;
	int			 update;

	(void)state;
	policy(&pol, "5.1", "scrypt");
	assert_int_equal(hasher_policy_set_param(&pol, "scrypt_n", 1024), 0);
	h = password_make(&pol, PW, strlen(PW));
	assert_non_null(h);
	assert_int_equal(strncmp(h, "scrypt$1024$", 12), 0);
	assert_int_equal(strlen(h), strlen("scrypt$1024$") + 22 + strlen("$8$5$") + 88);
	assert_int_equal(password_check(&pol, PW, strlen(PW), h, &update), 1);
	assert_int_equal(update, 0);
	assert_int_equal(hasher_policy_set_param(&pol, "scrypt_n", 2048), 0);
	assert_int_equal(password_check(&pol, PW, strlen(PW), h, &update), 1);
	assert_int_equal(update, 1);
	assert_int_equal(hasher_policy_set_param(&pol, "scrypt_n", 1024), 0);
	assert_int_equal(hasher_policy_set_param(&pol, "scrypt_r", 4), 0);
	assert_int_equal(password_check(&pol, PW, strlen(PW), h, &update), 1);
	assert_int_equal(update, 1);
	assert_int_equal(hasher_policy_set_param(&pol, "scrypt_r", 8), 0);
	assert_int_equal(hasher_policy_set_param(&pol, "scrypt_p", 1), 0);
	assert_int_equal(password_check(&pol, PW, strlen(PW), h, &update), 1);
	assert_int_equal(update, 1);
	free(h);
	/* A short salt is no reason to re-hash an scrypt hash. */
	check_case("5.1", "scrypt", PW, "scrypt$16384$seasalt$8$5$ECMIUp+LMxMSK8xB/IVyba+KYGTI7FTnet025q"
	    "/1f/vBAVnnP3hdYqJuRi+mJn6ji6ze3Fbb7JEFPKGpuEf5vw==", 1, 0);
	check_case("5.1", "scrypt", PW, "scrypt$16384$seasalt$8$5", 0, 0);
}

static void
test_salted_must_update(void **state)
{
	struct hasher_policy	 pol;
	char			*h;
	int			 update;

	(void)state;
	policy(&pol, "3.2", "md5,sha1");
	h = password_make(&pol, PW, strlen(PW));
	assert_non_null(h);
	assert_int_equal(strlen(h), 4 + 22 + 1 + 32);
	assert_int_equal(password_check(&pol, PW, strlen(PW), h, &update), 1);
	assert_int_equal(update, 0);
	free(h);
	/* "seasalt" has 7 characters: too little entropy. */
	check_case("3.2", "md5", PW, "md5$seasalt$3f86d0d3d465b7b458c231bf3555c0e3", 1, 1);
	check_case("3.2", "sha1", PW, "sha1$seasalt$cff36ea83f5706ce9aa7454e63e431fc726b2dc8", 1, 1);
	/* An empty salt is refused by encode(): never verifies. */
	check_case("3.2", "md5", "", "md5$$d41d8cd98f00b204e9800998ecf8427e", 0, 0);
	policy(&pol, "3.2", "sha1");
	h = password_make(&pol, PW, strlen(PW));
	assert_non_null(h);
	assert_int_equal(strlen(h), 5 + 22 + 1 + 40);
	assert_int_equal(password_check(&pol, PW, strlen(PW), h, &update), 1);
	assert_int_equal(update, 0);
	free(h);
}

/* make then check for every hasher, with small parameters. */
static void
test_make_roundtrip(void **state)
{
	static const char *algs[] = { "pbkdf2_sha256", "pbkdf2_sha1", "argon2", "bcrypt_sha256",
	    "bcrypt", "scrypt", "md5", "sha1", "unsalted_md5", "unsalted_sha1", "crypt" };
	static const char *prefix[] = { "pbkdf2_sha256$1000$", "pbkdf2_sha1$1000$",
	    "argon2$argon2id$v=19$m=256,t=2,p=2$", "bcrypt_sha256$$2b$04$", "bcrypt$$2b$04$",
	    "scrypt$1024$", "md5$", "sha1$", "", "sha1$$", "crypt$$" };
	static const char pw[] = "p\xc3\xa4ss \xe5\x90\x8d\xe5\x89\x8d \xf0\x9f\x94\x91";
	struct hasher_policy pol;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(algs); i++) {
		char	*h, *h2;
		int	 update = -1;

		policy(&pol, "5.1", algs[i]);
		assert_int_equal(hasher_policy_set_param(&pol, "pbkdf2_iterations", 1000), 0);
		assert_int_equal(hasher_policy_set_param(&pol, "argon2_memory_cost", 256), 0);
		assert_int_equal(hasher_policy_set_param(&pol, "argon2_parallelism", 2), 0);
		assert_int_equal(hasher_policy_set_param(&pol, "bcrypt_rounds", 4), 0);
		assert_int_equal(hasher_policy_set_param(&pol, "scrypt_n", 1024), 0);
		h = password_make(&pol, pw, strlen(pw));
		assert_non_null(h);
		if (strncmp(h, prefix[i], strlen(prefix[i])) != 0)
			fail_msg("%s: %s does not start with %s", algs[i], h, prefix[i]);
		assert_int_equal(password_check(&pol, pw, strlen(pw), h, &update), 1);
		assert_int_equal(update, 0);
		/* DES crypt reads only 8 bytes: change the first one. */
		assert_int_equal(password_check(&pol, "P\xc3\xa4ss", 6, h, &update), 0);
		assert_int_equal(password_check(&pol, pw, strlen(pw) - 1, h, &update),
		    strcmp(algs[i], "crypt") == 0);
		/* Fresh salts: a second hash differs (the unsalted ones cannot). */
		h2 = password_make(&pol, pw, strlen(pw));
		assert_non_null(h2);
		if (strncmp(algs[i], "unsalted", 8) != 0)
			assert_string_not_equal(h, h2);
		free(h2);
		/* Disabled: the same hash no longer verifies. */
		assert_int_equal(hasher_policy_set_hashers(&pol,
		    strcmp(algs[i], "md5") == 0 ? "sha1" : "md5"), 0);
		assert_int_equal(password_check(&pol, pw, strlen(pw), h, &update), 0);
		free(h);
	}
	/* pbkdf2: 22-character [A-Za-z0-9] salt, 44-character padded base64. */
	policy(&pol, "5.1", NULL);
	assert_int_equal(hasher_policy_set_param(&pol, "pbkdf2_iterations", 1000), 0);
	char *h = password_make(&pol, "", 0);
	assert_non_null(h);
	assert_int_equal(strlen(h), strlen("pbkdf2_sha256$1000$") + 22 + 1 + 44);
	assert_int_equal(strspn(h + 19, RAND_ALNUM),
	    22);
	free(h);
}

static void
test_unusable_and_empty(void **state)
{
	struct hasher_policy	 pol;
	char			*u, *h;
	int			 update = 7;
	size_t			 i;

	(void)state;
	policy(&pol, "5.1", NULL);
	assert_int_equal(hasher_policy_set_param(&pol, "pbkdf2_iterations", 1000), 0);
	/* Django's make_password(None): "!" and 40 random letters and digits. */
	u = strdup("!Xq3TzK9mLw2Rb7Ys8NdVh4Jc6Fp1Ga5Ue0Io7PkA");
	assert_int_equal(strlen(u), 41);
	for (i = 1; i < 41; i++)
		assert_non_null(strchr(RAND_ALNUM, u[i]));
	assert_int_equal(password_usable(u), 0);
	assert_int_equal(password_usable("pbkdf2_sha256$1$a$b"), 1);
	assert_int_equal(password_usable(""), 1);
	assert_int_equal(password_usable(NULL), 1);
	assert_int_equal(password_check(&pol, "", 0, u, &update), 0);
	assert_int_equal(update, 0);
	assert_int_equal(password_check(&pol, u + 1, 40, u, &update), 0);
	free(u);
	/* The empty password is an ordinary password. */
	h = password_make(&pol, "", 0);
	assert_non_null(h);
	assert_int_equal(password_check(&pol, "", 0, h, &update), 1);
	assert_int_equal(update, 0);
	assert_int_equal(password_check(&pol, " ", 1, h, &update), 0);
	assert_int_equal(password_check(&pol, NULL, 0, h, &update), 0);
	assert_int_equal(password_check(&pol, "", 0, NULL, &update), 0);
	assert_int_equal(password_check(&pol, "", 0, "", &update), 0);
	assert_int_equal(password_check(&pol, "", 0, h, NULL), 1);
	free(h);
	password_dummy_hash(&pol, "anything", 8);
}

int
main(void)
{
	/* The vectors at Django's real costs: the plain and ASan runs only. */
	const struct CMUnitTest real_costs[] = {
		cmocka_unit_test(test_pbkdf2_vectors),
		cmocka_unit_test(test_argon2_vectors),
		cmocka_unit_test(test_bcrypt_vectors),
		cmocka_unit_test(test_scrypt_vectors),
		cmocka_unit_test(test_legacy_vectors),
	};
	/* Cheap parameters, every algorithm's code path: these run under valgrind too. */
	const struct CMUnitTest cheap_costs[] = {
		cmocka_unit_test(test_version_defaults),
		cmocka_unit_test(test_policy_overrides),
		cmocka_unit_test(test_identify),
		cmocka_unit_test(test_pbkdf2_must_update),
		cmocka_unit_test(test_argon2_must_update),
		cmocka_unit_test(test_bcrypt_must_update),
		cmocka_unit_test(test_bcrypt_input_rules),
		cmocka_unit_test(test_scrypt_must_update),
		cmocka_unit_test(test_salted_must_update),
		cmocka_unit_test(test_make_roundtrip),
		cmocka_unit_test(test_unusable_and_empty),
	};
	int failed;

	log_threshold = LOG_ERROR;	/* the malformed-hash cases warn by design */

	failed = cmocka_run_group_tests(cheap_costs, NULL, NULL);
	/*
	 * Under valgrind (run-unit.sh sets UNIT_CHEAP_HASHES) a real-cost vector takes minutes and
	 * reaches no code the cheap cases miss: the memory checks run on those.
	 */
	if (getenv("UNIT_CHEAP_HASHES") != NULL) {
		printf("test_hashers: the %zu real-cost vector tests run in the plain and ASan runs only\n",
		    sizeof(real_costs) / sizeof(real_costs[0]));
		return failed;
	}
	return failed + cmocka_run_group_tests(real_costs, NULL, NULL);
}
