/* hashers.c: Django-compatible password hashing, one table row per hasher (make, check, must_update). */
#include <argon2.h>
#include <crypt.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "buf.h"
#include "hashers.h"
#include "log.h"
#include "rand.h"
#include "util.h"

#define SALT_CHARS		22	/* ceil(128 bits / log2(62)) */
#define UNUSABLE_SUFFIX_CHARS	40
#define ARGON2_HASH_LEN		16	/* argon2-cffi DEFAULT_HASH_LENGTH */
#define BCRYPT_MAX_INPUT	72	/* Python bcrypt truncates here */
#define BCRYPT_SETTING_LEN	29	/* "$2b$12$" + 22 salt characters */
#define BCRYPT_HASH_LEN		60
#define SCRYPT_DKLEN		64
#define MAX_FIELDS		7

/* Result of verify/must_update on a hash Django would raise an exception on. */
#define MALFORMED		(-1)

/*
 * One row per hasher: everything that differs between algorithms lives here, so adding a
 * hasher is one row plus its functions. The table itself is defined after those functions.
 */
struct hasher {
	const char	*algorithm;	/* stored prefix before the first '$' */
	const char	*class_name;	/* Django class, for PASSWORD_HASHERS entries */
	/* The digest it is built on: PBKDF2's PRF, salted/unsalted digest, bcrypt_sha256's
	 * pre-hash (NULL for plain bcrypt, which hashes the password itself). */
	const EVP_MD	*(*md)(void);
	/* Recognises a hash without an "algorithm$" prefix (chars counted as Django does);
	 * NULL = identified by its prefix only. */
	int		 (*identify)(const char *encoded, size_t chars);
	/* hasher.encode(pw, salt) with the policy's parameters into b: 0 or -1. Set for the
	 * hashers that take a salt of SALT_CHARS alphanumerics; make_with() draws it. */
	int		 (*encode)(const struct hasher_policy *, enum hasher_alg, struct buf *b,
			    const char *pw, size_t len, const char *salt, size_t saltlen);
	/* A whole new hash into b, for the hashers that salt themselves or not at all: 0 or -1. */
	int		 (*make)(const struct hasher_policy *, enum hasher_alg, struct buf *b,
			    const char *pw, size_t len);
	/* hasher.verify(): 1 match, 0 mismatch, MALFORMED where Django would raise. */
	int		 (*verify)(const struct hasher_policy *, enum hasher_alg, const char *pw,
			    size_t len, const char *encoded);
	/* hasher.must_update(): 1, 0 or MALFORMED; NULL = BasePasswordHasher's (never). */
	int		 (*must_update)(const struct hasher_policy *, const char *encoded);
	/* hasher.harden_runtime(); NULL = BasePasswordHasher's (nothing). */
	void		 (*harden)(const struct hasher_policy *, enum hasher_alg, const char *pw,
			    size_t len, const char *encoded);
};

static const struct hasher hasher_table[HASHER_COUNT];

/* django/conf/global_settings.py and hashers.py, per feature release (django-compat.md §1). */
static const struct {
	const char	*version;
	int		 pbkdf2_iterations;
	int		 scrypt_p;
	int		 has_scrypt;	/* ScryptPasswordHasher in the default list (4.0+) */
} django_versions[] = {
	{ "3.2", 260000, 1, 0 },
	{ "4.0", 320000, 1, 1 },
	{ "4.1", 390000, 1, 1 },
	{ "4.2", 600000, 1, 1 },
	{ "5.0", 720000, 1, 1 },
	{ "5.1", 870000, 5, 1 },
	{ "5.2", 1000000, 5, 1 },
	{ "6.0", 1200000, 5, 1 },
};

const char *
hasher_name(enum hasher_alg alg)
{
	return (unsigned)alg < HASHER_COUNT ? hasher_table[alg].algorithm : "?";
}

int
hasher_policy_init(struct hasher_policy *pol, const char *version)
{
	size_t i;

	if (version == NULL)
		version = "5.1";
	for (i = 0; i < NELEM(django_versions); i++)
		if (strcmp(version, django_versions[i].version) == 0)
			break;
	if (i == NELEM(django_versions)) {
		log_error("hashers: unsupported Django version \"%.16s\"", version);
		return -1;
	}
	memset(pol, 0, sizeof(*pol));
	pol->hashers[pol->nhashers++] = HASHER_PBKDF2_SHA256;
	pol->hashers[pol->nhashers++] = HASHER_PBKDF2_SHA1;
	pol->hashers[pol->nhashers++] = HASHER_ARGON2;
	pol->hashers[pol->nhashers++] = HASHER_BCRYPT_SHA256;
	if (django_versions[i].has_scrypt)
		pol->hashers[pol->nhashers++] = HASHER_SCRYPT;
	pol->pbkdf2_iterations = django_versions[i].pbkdf2_iterations;
	pol->argon2_time_cost = 2;
	pol->argon2_memory_cost = 102400;
	pol->argon2_parallelism = 8;
	pol->bcrypt_rounds = 12;
	pol->scrypt_n = 16384;
	pol->scrypt_r = 8;
	pol->scrypt_p = django_versions[i].scrypt_p;
	return 0;
}

/* An algorithm name, a class name, or a dotted path ending in a class name. */
static int
lookup_hasher_name(const char *name, size_t len, enum hasher_alg *out)
{
	const char	*dot = memrchr(name, '.', len);
	const char	*cls = dot ? dot + 1 : name;
	size_t		 clslen = len - (size_t)(cls - name);
	int		 i;

	for (i = 0; i < HASHER_COUNT; i++) {
		const char *a = hasher_table[i].algorithm, *c = hasher_table[i].class_name;

		if ((dot == NULL && strlen(a) == len && memcmp(a, name, len) == 0) ||
		    (strlen(c) == clslen && memcmp(c, cls, clslen) == 0)) {
			*out = (enum hasher_alg)i;
			return 0;
		}
	}
	return -1;
}

int
hasher_policy_set_hashers(struct hasher_policy *pol, const char *list)
{
	enum hasher_alg	 algs[HASHER_COUNT];
	size_t		 n = 0, i;
	const char	*p = list;

	if (list == NULL)
		return -1;
	for (;;) {
		const char	*end = strchr(p, ',');
		size_t		 len = end ? (size_t)(end - p) : strlen(p);
		enum hasher_alg	 alg;

		while (len > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			len--;
		}
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == 0 || lookup_hasher_name(p, len, &alg) != 0) {
			log_error("hashers: unknown password hasher \"%.*s\"",
			    (int)(len > 64 ? 64 : len), p);
			return -1;
		}
		for (i = 0; i < n; i++) {
			if (algs[i] == alg) {
				log_error("hashers: password hasher %s listed twice", hasher_name(alg));
				return -1;
			}
		}
		algs[n++] = alg;
		if (end == NULL)
			break;
		p = end + 1;
	}
	memcpy(pol->hashers, algs, n * sizeof(algs[0]));
	pol->nhashers = n;
	return 0;
}

int
hasher_policy_set_param(struct hasher_policy *pol, const char *name, int64_t value)
{
	static const struct {
		const char	*name;
		size_t		 offset;
		int64_t		 min, max;
	} params[] = {
		{ "pbkdf2_iterations", offsetof(struct hasher_policy, pbkdf2_iterations), 1, INT_MAX },
		{ "argon2_time_cost", offsetof(struct hasher_policy, argon2_time_cost), 1, INT_MAX },
		{ "argon2_memory_cost", offsetof(struct hasher_policy, argon2_memory_cost), 8, INT_MAX },
		{ "argon2_parallelism", offsetof(struct hasher_policy, argon2_parallelism), 1, 0xffffff },
		{ "bcrypt_rounds", offsetof(struct hasher_policy, bcrypt_rounds), 4, 31 },
		{ "scrypt_n", offsetof(struct hasher_policy, scrypt_n), 2, INT_MAX },
		{ "scrypt_r", offsetof(struct hasher_policy, scrypt_r), 1, INT_MAX },
		{ "scrypt_p", offsetof(struct hasher_policy, scrypt_p), 1, INT_MAX },
	};
	size_t i;

	for (i = 0; i < NELEM(params); i++) {
		if (strcmp(name, params[i].name) != 0)
			continue;
		if (value < params[i].min || value > params[i].max ||
		    (strcmp(name, "scrypt_n") == 0 && (value & (value - 1)) != 0)) {
			log_error("hashers: %s=%lld is out of range", name, (long long)value);
			return -1;
		}
		*(int *)(void *)((char *)pol + params[i].offset) = (int)value;
		return 0;
	}
	log_error("hashers: unknown hasher parameter \"%.32s\"", name);
	return -1;
}

static int
policy_enabled(const struct hasher_policy *pol, enum hasher_alg alg)
{
	size_t i;

	for (i = 0; i < pol->nhashers; i++)
		if (pol->hashers[i] == alg)
			return 1;
	return 0;
}

int
hasher_identify(const char *encoded, enum hasher_alg *out)
{
	size_t		 bytes = strlen(encoded), chars = bytes;
	const char	*dollar = strchr(encoded, '$');
	size_t		 namelen = dollar ? (size_t)(dollar - encoded) : bytes;
	int		 i;

	/* Django counts characters, not bytes. */
	if (utf8_valid(encoded, bytes))
		chars = utf8_length(encoded, bytes);
	/* The unprefixed forms first: "sha1$$<hex>" would otherwise read as salted sha1. */
	for (i = 0; i < HASHER_COUNT; i++) {
		if (hasher_table[i].identify != NULL && hasher_table[i].identify(encoded, chars)) {
			*out = (enum hasher_alg)i;
			return 0;
		}
	}
	for (i = 0; i < HASHER_COUNT; i++) {
		const char *a = hasher_table[i].algorithm;

		if (strlen(a) == namelen && memcmp(a, encoded, namelen) == 0) {
			*out = (enum hasher_alg)i;
			return 0;
		}
	}
	return -1;
}

/* Python's s.split('$', maxsplit): returns the number of fields (at most maxsplit + 1). */
static size_t
split_dollar(const char *s, struct strview *f, size_t maxsplit)
{
	size_t		 n = 0;
	const char	*d;

	while (n < maxsplit && (d = strchr(s, '$')) != NULL) {
		f[n].ptr = s;
		f[n].len = (size_t)(d - s);
		n++;
		s = d + 1;
	}
	f[n].ptr = s;
	f[n].len = strlen(s);
	return n + 1;
}

static int
view_int(struct strview v, int64_t *out)
{
	return parse_int64(v.ptr, v.len, INT64_MIN, INT64_MAX, out);
}

/* must_update_salt(salt, 128): fewer than 128 bits of [A-Za-z0-9] entropy. */
static int
salt_too_short(size_t chars)
{
	return chars < SALT_CHARS;
}

/* ---- PBKDF2 ---- */

static int
pbkdf2_encode(struct buf *out, enum hasher_alg alg, const char *pw, size_t len,
    const char *salt, size_t saltlen, int64_t iterations)
{
	const EVP_MD	*md = hasher_table[alg].md();
	unsigned char	 dk[EVP_MAX_MD_SIZE];
	int		 dklen = EVP_MD_get_size(md);

	if (len > INT_MAX || saltlen > INT_MAX || iterations < 1 || iterations > INT_MAX)
		return -1;
	if (PKCS5_PBKDF2_HMAC(pw, (int)len, (const unsigned char *)salt, (int)saltlen,
	    (int)iterations, md, dklen, dk) != 1) {
		log_error("hashers: PBKDF2 failed");
		return -1;
	}
	buf_printf(out, "%s$%lld$", hasher_name(alg), (long long)iterations);
	buf_append(out, salt, saltlen);
	buf_putc(out, '$');
	b64_encode(out, dk, (size_t)dklen, B64_STD, 1);
	OPENSSL_cleanse(dk, sizeof(dk));
	return 0;
}

/* Fields: algorithm, iterations, salt, hash (split('$', 3)). */
static int
pbkdf2_decode(const char *encoded, struct strview *f, int64_t *iterations)
{
	if (split_dollar(encoded, f, 3) != 4 || view_int(f[1], iterations) != 0)
		return -1;
	return 0;
}

/*
 * Django verifies by encoding again and comparing whole strings in constant time: 1 equal,
 * 0 not, MALFORMED when the stored value could not be encoded again. Frees b.
 */
static int
encoded_equal(const char *encoded, struct buf *b, int encode_rc)
{
	int ok = encode_rc != 0 ? MALFORMED : ct_equal(encoded, strlen(encoded), b->data, b->len);

	buf_free(b);
	return ok;
}

static int
pbkdf2_verify(const struct hasher_policy *pol, enum hasher_alg alg, const char *pw, size_t len,
    const char *encoded)
{
	struct strview	 f[4];
	struct buf	 b = BUF_INIT;
	int64_t		 iterations;

	if (pbkdf2_decode(encoded, f, &iterations) != 0 || f[2].len == 0)
		return MALFORMED;
	if (iterations == 0)	/* encode() does "iterations or self.iterations" */
		iterations = pol->pbkdf2_iterations;
	return encoded_equal(encoded, &b, pbkdf2_encode(&b, alg, pw, len, f[2].ptr, f[2].len, iterations));
}

static int
pbkdf2_must_update(const struct hasher_policy *pol, const char *encoded)
{
	struct strview	f[4];
	int64_t		iterations;

	if (pbkdf2_decode(encoded, f, &iterations) != 0)
		return MALFORMED;
	return iterations != pol->pbkdf2_iterations || salt_too_short(f[2].len);
}

static void
pbkdf2_harden(const struct hasher_policy *pol, enum hasher_alg alg, const char *pw, size_t len,
    const char *encoded)
{
	struct strview	 f[4];
	struct buf	 b = BUF_INIT;
	int64_t		 iterations;

	if (pbkdf2_decode(encoded, f, &iterations) != 0)
		return;
	if (pol->pbkdf2_iterations - iterations > 0)
		(void)pbkdf2_encode(&b, alg, pw, len, f[2].ptr, f[2].len,
		    pol->pbkdf2_iterations - iterations);
	buf_free(&b);
}

/* ---- Argon2 ---- */

static int
argon2_encode(const struct hasher_policy *pol, enum hasher_alg alg, struct buf *out,
    const char *pw, size_t len, const char *salt, size_t saltlen)
{
	size_t	 sz;
	char	*enc;
	int	 rc;

	(void)alg;
	if (len > UINT32_MAX || saltlen > UINT32_MAX)
		return -1;
	sz = argon2_encodedlen((uint32_t)pol->argon2_time_cost, (uint32_t)pol->argon2_memory_cost,
	    (uint32_t)pol->argon2_parallelism, (uint32_t)saltlen, ARGON2_HASH_LEN, Argon2_id) + 1;
	enc = xmalloc(sz);
	rc = argon2_hash((uint32_t)pol->argon2_time_cost, (uint32_t)pol->argon2_memory_cost,
	    (uint32_t)pol->argon2_parallelism, pw, len, salt, saltlen, NULL, ARGON2_HASH_LEN,
	    enc, sz, Argon2_id, ARGON2_VERSION_13);
	if (rc != ARGON2_OK) {
		log_error("hashers: argon2_hash failed: %s", argon2_error_message(rc));
		free(enc);
		return -1;
	}
	buf_puts(out, "argon2");
	buf_puts(out, enc);
	free(enc);
	return 0;
}

/* The variant from the first 9 bytes, as argon2-cffi's PasswordHasher.verify does. */
static int
argon2_type_of(const char *rest, argon2_type *type)
{
	if (strncmp(rest, "$argon2id", 9) == 0)
		*type = Argon2_id;
	else if (strncmp(rest, "$argon2i$", 9) == 0)
		*type = Argon2_i;
	else if (strncmp(rest, "$argon2d$", 9) == 0)
		*type = Argon2_d;
	else
		return -1;
	return 0;
}

static int
argon2_verify_hash(const struct hasher_policy *pol, enum hasher_alg alg, const char *pw,
    size_t len, const char *encoded)
{
	const char	*rest = encoded + strlen("argon2");
	argon2_type	 type;

	(void)pol;	/* the parameters come from the stored hash */
	(void)alg;
	if (*rest != '$' || argon2_type_of(rest, &type) != 0)
		return MALFORMED;
	if (len > UINT32_MAX)
		return 0;
	/* argon2-cffi maps every libargon2 failure to VerificationError, i.e. False. */
	return argon2_verify(rest, pw, len, type) == ARGON2_OK;
}

/* argon2-cffi's _decoded_str_len: bytes encoded by l unpadded base64 characters. */
static size_t
decoded_len(size_t l)
{
	return l / 4 * 3 + (l % 4 == 3 ? 2 : l % 4 == 2 ? 1 : 0);
}

/*
 * Splits what follows "argon2" ("$type$v=..$m=..,t=..,p=..$salt$hash") at its '$'s into
 * part[1..], part[0] being the empty text before the first '$'; without a v= field, "v=18" is
 * put in, as argon2-cffi assumes. Returns the number of parts, or -1 if there are too many.
 */
static int
argon2_split(const char *s, struct strview part[8])
{
	size_t		 nparts = 0;
	const char	*d;

	if (*s != '$')
		return -1;
	s++;
	part[nparts++] = (struct strview){ "", 0 };
	for (;;) {
		d = strchr(s, '$');
		if (nparts == 8)
			return -1;
		part[nparts].ptr = s;
		part[nparts].len = d ? (size_t)(d - s) : strlen(s);
		nparts++;
		if (d == NULL)
			break;
		s = d + 1;
	}
	if (nparts == 5) {	/* no v= field: argon2-cffi assumes 18 */
		memmove(&part[3], &part[2], 3 * sizeof(part[0]));
		part[2] = (struct strview){ "v=18", 4 };
		nparts = 6;
	}
	return (int)nparts;
}

/* Reads v= (from vpart) and m=, t=, p= (comma-separated, from mtp). 0, or -1 if any is
 * missing, unknown, repeated beyond the four or not a whole number. */
static int
argon2_costs(struct strview vpart, struct strview mtp, int64_t *v, int64_t *m, int64_t *t, int64_t *p)
{
	struct strview	 tok[4];
	size_t		 ntok = 0;
	const char	*s = mtp.ptr, *end = mtp.ptr + mtp.len;

	*v = *m = *t = *p = -1;
	tok[ntok++] = vpart;
	for (;;) {
		const char *c = memchr(s, ',', (size_t)(end - s));

		if (ntok == NELEM(tok))
			return -1;
		tok[ntok].ptr = s;
		tok[ntok].len = c ? (size_t)(c - s) : (size_t)(end - s);
		ntok++;
		if (c == NULL)
			break;
		s = c + 1;
	}
	for (size_t i = 0; i < ntok; i++) {
		int64_t		*slot;
		struct strview	 val;

		if (tok[i].len < 2 || tok[i].ptr[1] != '=')
			return -1;
		switch (tok[i].ptr[0]) {
		case 'v': slot = v; break;
		case 'm': slot = m; break;
		case 't': slot = t; break;
		case 'p': slot = p; break;
		default: return -1;
		}
		val = (struct strview){ tok[i].ptr + 2, tok[i].len - 2 };
		if (memchr(val.ptr, '=', val.len) != NULL || view_int(val, slot) != 0)
			return -1;
	}
	return *v < 0 || *m < 0 || *t < 0 || *p < 0 ? -1 : 0;
}

/*
 * argon2-cffi extract_parameters() compared with Parameters(ID, 19, hash_len 16, t, m, p),
 * plus Django's raw-salt length check.
 */
static int
argon2_must_update(const struct hasher_policy *pol, const char *encoded)
{
	struct strview	 part[8];
	int64_t		 v, m, t, p;
	argon2_type	 type;
	struct buf	 salt = BUF_INIT;
	int		 short_salt;

	if (argon2_split(encoded + strlen("argon2"), part) != 6 ||
	    argon2_type_of(encoded + strlen("argon2"), &type) != 0)
		return MALFORMED;
	if (!(part[1].len == 7 && memcmp(part[1].ptr, "argon2i", 7) == 0) &&
	    !(part[1].len == 7 && memcmp(part[1].ptr, "argon2d", 7) == 0) &&
	    !(part[1].len == 8 && memcmp(part[1].ptr, "argon2id", 8) == 0))
		return MALFORMED;
	if (argon2_costs(part[2], part[3], &v, &m, &t, &p) != 0)
		return MALFORMED;
	if (b64_decode(&salt, part[4].ptr, part[4].len, B64_STD) != 0) {
		buf_free(&salt);
		return MALFORMED;
	}
	short_salt = salt_too_short(salt.len);
	buf_free(&salt);
	return type != Argon2_id || v != ARGON2_VERSION_13 ||
	    decoded_len(part[5].len) != ARGON2_HASH_LEN || t != pol->argon2_time_cost ||
	    m != pol->argon2_memory_cost || p != pol->argon2_parallelism || short_salt;
}

/* ---- bcrypt ---- */

/*
 * bcrypt.hashpw(input, setting) as Python bcrypt 3.x/4.x does it, prefixed with the algorithm:
 * NUL refused, input cut at 72 bytes, $2a$/$2y$ hashed as $2b$ and the original prefix kept.
 */
static int
bcrypt_encode(struct buf *out, enum hasher_alg alg, const char *pw, size_t len,
    const char *setting)
{
	char			 input[EVP_MAX_MD_SIZE * 2 + BCRYPT_MAX_INPUT + 1];
	char			 salt[BCRYPT_SETTING_LEN + 1];
	struct crypt_data	*cd;
	const char		*hash;
	int			 rc = -1;

	if (hasher_table[alg].md != NULL) {	/* bcrypt_sha256: hex of the digest */
		unsigned char	md[EVP_MAX_MD_SIZE];
		unsigned int	mdlen;

		if (EVP_Digest(pw, len, md, &mdlen, hasher_table[alg].md(), NULL) != 1)
			return -1;
		hex_encode(md, mdlen, input);
		OPENSSL_cleanse(md, sizeof(md));
	} else {
		if (memchr(pw, '\0', len) != NULL)
			return -1;
		if (len > BCRYPT_MAX_INPUT)
			len = BCRYPT_MAX_INPUT;
		memcpy(input, pw, len);
		input[len] = '\0';
	}
	/* Python bcrypt knows $2a$, $2b$ and $2y$ only ($2x$ is "Invalid salt"). */
	if (strlen(setting) < BCRYPT_SETTING_LEN || setting[0] != '$' || setting[1] != '2' ||
	    (setting[2] != 'a' && setting[2] != 'b' && setting[2] != 'y') || setting[3] != '$')
		goto out;
	memcpy(salt, setting, BCRYPT_SETTING_LEN);
	salt[BCRYPT_SETTING_LEN] = '\0';
	salt[2] = 'b';
	cd = xcalloc(1, sizeof(*cd));
	hash = crypt_rn(input, salt, cd, sizeof(*cd));
	if (hash != NULL && strlen(hash) == BCRYPT_HASH_LEN && strncmp(hash, "$2b$", 4) == 0) {
		buf_puts(out, hasher_name(alg));
		buf_putc(out, '$');
		buf_append(out, setting, 4);
		buf_puts(out, hash + 4);
		rc = 0;
	}
	OPENSSL_cleanse(cd, sizeof(*cd));
	free(cd);
out:
	OPENSSL_cleanse(input, sizeof(input));
	return rc;
}

static int
bcrypt_verify(const struct hasher_policy *pol, enum hasher_alg alg, const char *pw, size_t len,
    const char *encoded)
{
	const char	*data = strchr(encoded, '$');
	struct buf	 b = BUF_INIT;

	(void)pol;	/* the rounds come from the stored hash */
	if (alg == HASHER_BCRYPT && memchr(pw, '\0', len) != NULL)
		return 0;	/* Python bcrypt raises; the caller rejects NUL anyway */
	if (data == NULL)
		return MALFORMED;
	return encoded_equal(encoded, &b, bcrypt_encode(&b, alg, pw, len, data + 1));
}

static int
bcrypt_must_update(const struct hasher_policy *pol, const char *encoded)
{
	struct strview	f[5];
	int64_t		work_factor;

	if (split_dollar(encoded, f, 4) != 5 || view_int(f[3], &work_factor) != 0)
		return MALFORMED;
	return work_factor != pol->bcrypt_rounds;
}

static void
bcrypt_harden(const struct hasher_policy *pol, enum hasher_alg alg, const char *pw, size_t len,
    const char *encoded)
{
	struct strview	 f[5];
	int64_t		 rounds, diff;
	struct buf	 b = BUF_INIT;

	if (split_dollar(encoded, f, 4) != 5 || view_int(f[3], &rounds) != 0)
		return;
	if (pol->bcrypt_rounds - rounds <= 0 || pol->bcrypt_rounds - rounds > 31)
		return;
	/* The work factor is logarithmic: 2^(default - stored) - 1 more hashes at the stored one. */
	for (diff = ((int64_t)1 << (pol->bcrypt_rounds - rounds)) - 1; diff > 0; diff--) {
		buf_reset(&b);
		if (bcrypt_encode(&b, alg, pw, len, f[1].ptr) != 0)
			break;
	}
	buf_free(&b);
}

/* ---- scrypt ---- */

static int
scrypt_encode(struct buf *out, const char *pw, size_t len, const char *salt, size_t saltlen,
    int64_t n, int64_t r, int64_t p)
{
	unsigned char dk[SCRYPT_DKLEN];

	if (n < 2 || r < 1 || p < 1 || n > INT_MAX || r > INT_MAX || p > INT_MAX)
		return -1;
	/* maxmem 0 = OpenSSL's 32 MiB default, as hashlib.scrypt(maxmem=0). */
	if (EVP_PBE_scrypt(pw, len, (const unsigned char *)salt, saltlen, (uint64_t)n,
	    (uint64_t)r, (uint64_t)p, 0, dk, sizeof(dk)) != 1)
		return -1;
	buf_printf(out, "scrypt$%lld$", (long long)n);
	buf_append(out, salt, saltlen);
	buf_printf(out, "$%lld$%lld$", (long long)r, (long long)p);
	b64_encode(out, dk, sizeof(dk), B64_STD, 1);
	OPENSSL_cleanse(dk, sizeof(dk));
	return 0;
}

/* Fields: algorithm, N, salt, r, p, hash (split('$', 6) unpacked into exactly six). */
static int
scrypt_decode(const char *encoded, struct strview *f, int64_t *n, int64_t *r, int64_t *p)
{
	if (split_dollar(encoded, f, 6) != 6 || view_int(f[1], n) != 0 ||
	    view_int(f[3], r) != 0 || view_int(f[4], p) != 0)
		return -1;
	return 0;
}

static int
scrypt_verify(const struct hasher_policy *pol, enum hasher_alg alg, const char *pw, size_t len,
    const char *encoded)
{
	struct strview	 f[7];
	struct buf	 b = BUF_INIT;
	int64_t		 n, r, p;

	(void)alg;
	if (scrypt_decode(encoded, f, &n, &r, &p) != 0 || f[2].len == 0)
		return MALFORMED;
	/* encode() does "n or self.work_factor" etc. */
	if (n == 0)
		n = pol->scrypt_n;
	if (r == 0)
		r = pol->scrypt_r;
	if (p == 0)
		p = pol->scrypt_p;
	return encoded_equal(encoded, &b, scrypt_encode(&b, pw, len, f[2].ptr, f[2].len, n, r, p));
}

static int
scrypt_must_update(const struct hasher_policy *pol, const char *encoded)
{
	struct strview	f[7];
	int64_t		n, r, p;

	if (scrypt_decode(encoded, f, &n, &r, &p) != 0)
		return MALFORMED;
	return n != pol->scrypt_n || r != pol->scrypt_r || p != pol->scrypt_p;
}

/* ---- MD5 / SHA1, salted and unsalted ---- */

/* Lowercase hex of md(a || b) into out (2 * digest size + 1 bytes). */
static int
digest_hex(const EVP_MD *md, const void *a, size_t alen, const void *b, size_t blen, char *out)
{
	EVP_MD_CTX	*ctx = EVP_MD_CTX_new();
	unsigned char	 d[EVP_MAX_MD_SIZE];
	unsigned int	 dlen = 0;
	int		 ok;

	if (ctx == NULL)
		die("out of memory (EVP_MD_CTX)");
	ok = EVP_DigestInit_ex(ctx, md, NULL) == 1 && EVP_DigestUpdate(ctx, a, alen) == 1 &&
	    EVP_DigestUpdate(ctx, b, blen) == 1 && EVP_DigestFinal_ex(ctx, d, &dlen) == 1;
	EVP_MD_CTX_free(ctx);
	if (!ok) {
		log_error("hashers: %s digest failed", EVP_MD_get0_name(md));
		return -1;
	}
	hex_encode(d, dlen, out);
	return 0;
}

static int
salted_encode(const struct hasher_policy *pol, enum hasher_alg alg, struct buf *out,
    const char *pw, size_t len, const char *salt, size_t saltlen)
{
	char hex[EVP_MAX_MD_SIZE * 2 + 1];

	(void)pol;
	if (digest_hex(hasher_table[alg].md(), salt, saltlen, pw, len, hex) != 0)
		return -1;
	buf_printf(out, "%s$", hasher_name(alg));
	buf_append(out, salt, saltlen);
	buf_printf(out, "$%s", hex);
	return 0;
}

static int
salted_verify(const struct hasher_policy *pol, enum hasher_alg alg, const char *pw, size_t len,
    const char *encoded)
{
	struct strview	 f[3];
	struct buf	 b = BUF_INIT;

	(void)pol;
	/* encode() refuses an empty salt (assert / ValueError). */
	if (split_dollar(encoded, f, 2) != 3 || f[1].len == 0)
		return MALFORMED;
	return encoded_equal(encoded, &b, salted_encode(pol, alg, &b, pw, len, f[1].ptr, f[1].len));
}

static int
salted_must_update(const struct hasher_policy *pol, const char *encoded)
{
	struct strview f[3];

	(void)pol;
	if (split_dollar(encoded, f, 2) != 3)
		return MALFORMED;
	return salt_too_short(f[1].len);
}

/* Bare 32 hex digits, or "md5$$" and 32 hex digits. */
static int
unsalted_md5_identify(const char *encoded, size_t chars)
{
	return (chars == 32 && strchr(encoded, '$') == NULL) ||
	    (chars == 37 && strncmp(encoded, "md5$$", 5) == 0);
}

/* "sha1$$" and 40 hex digits. */
static int
unsalted_sha1_identify(const char *encoded, size_t chars)
{
	return chars == 46 && strncmp(encoded, "sha1$$", 6) == 0;
}

/* Unsalted md5 or sha1 of pw into out (nothing random in it): 0 or -1. */
static int
unsalted_encode(const struct hasher_policy *pol, enum hasher_alg alg, struct buf *out,
    const char *pw, size_t len)
{
	char hex[EVP_MAX_MD_SIZE * 2 + 1];

	(void)pol;
	if (digest_hex(hasher_table[alg].md(), pw, len, "", 0, hex) != 0)
		return -1;
	if (alg == HASHER_UNSALTED_SHA1)
		buf_puts(out, "sha1$$");
	buf_puts(out, hex);
	return 0;
}

static int
unsalted_verify(const struct hasher_policy *pol, enum hasher_alg alg, const char *pw, size_t len,
    const char *encoded)
{
	struct buf	b = BUF_INIT;
	size_t		elen = strlen(encoded);
	int		ok;

	(void)pol;
	if (alg == HASHER_UNSALTED_MD5 && elen == 37 && strncmp(encoded, "md5$$", 5) == 0) {
		encoded += 5;
		elen -= 5;
	}
	if (unsalted_encode(pol, alg, &b, pw, len) != 0)
		return MALFORMED;
	ok = ct_equal(encoded, elen, b.data, b.len);
	buf_free(&b);
	return ok;
}

/* ---- crypt(3) ---- */

/* crypt.crypt(pw, setting): NULL if Python would raise (NUL byte) or crypt fails. */
static char *
crypt_phrase(const char *pw, size_t len, const char *setting)
{
	struct crypt_data	*cd;
	char			*phrase, *res = NULL;
	const char		*h;

	if (memchr(pw, '\0', len) != NULL)
		return NULL;
	phrase = xstrndup(pw, len);
	cd = xcalloc(1, sizeof(*cd));
	h = crypt_rn(phrase, setting, cd, sizeof(*cd));
	if (h != NULL)
		res = xstrdup(h);
	OPENSSL_cleanse(cd, sizeof(*cd));
	free(cd);
	OPENSSL_cleanse(phrase, len);
	free(phrase);
	return res;
}

static int
crypt_verify(const struct hasher_policy *pol, enum hasher_alg alg, const char *pw, size_t len,
    const char *encoded)
{
	struct strview	 f[3];
	char		*h;
	int		 ok;

	(void)pol;
	(void)alg;
	if (split_dollar(encoded, f, 2) != 3)
		return MALFORMED;
	if (memchr(pw, '\0', len) != NULL)
		return 0;	/* Python's crypt raises; the caller rejects NUL anyway */
	/* Django compares crypt(pw, stored) with the stored crypt part only. */
	if ((h = crypt_phrase(pw, len, f[2].ptr)) == NULL)
		return 0;
	ok = ct_equal(f[2].ptr, f[2].len, h, strlen(h));
	free(h);
	return ok;
}

/* ---- making new hashes ---- */

/* PBKDF2 at the policy's iterations. */
static int
pbkdf2_policy_encode(const struct hasher_policy *pol, enum hasher_alg alg, struct buf *b,
    const char *pw, size_t len, const char *salt, size_t saltlen)
{
	return pbkdf2_encode(b, alg, pw, len, salt, saltlen, pol->pbkdf2_iterations);
}

/* scrypt at the policy's N, r, p. */
static int
scrypt_policy_encode(const struct hasher_policy *pol, enum hasher_alg alg, struct buf *b,
    const char *pw, size_t len, const char *salt, size_t saltlen)
{
	(void)alg;
	return scrypt_encode(b, pw, len, salt, saltlen, pol->scrypt_n, pol->scrypt_r, pol->scrypt_p);
}

/* A new bcrypt or bcrypt_sha256 hash of pw into b, salted as bcrypt.gensalt(rounds) does:
 * $2b$NN$ + bcrypt-base64 of 16 random bytes. 0, or -1 (logged when the salt failed). */
static int
bcrypt_make(const struct hasher_policy *pol, enum hasher_alg alg, struct buf *b, const char *pw,
    size_t len)
{
	char		setting[CRYPT_GENSALT_OUTPUT_SIZE];
	unsigned char	rnd[16];

	rand_bytes(rnd, sizeof(rnd));
	if (crypt_gensalt_rn("$2b$", (unsigned long)pol->bcrypt_rounds, (const char *)rnd,
	    (int)sizeof(rnd), setting, (int)sizeof(setting)) == NULL) {
		log_error("hashers: crypt_gensalt for bcrypt failed");
		return -1;
	}
	return bcrypt_encode(b, alg, pw, len, setting);
}

/* A new crypt hash of pw into b ("crypt$$" + crypt(3) with a random 2-character salt). 0 or -1. */
static int
crypt_make(const struct hasher_policy *pol, enum hasher_alg alg, struct buf *b, const char *pw,
    size_t len)
{
	char	 salt[3];
	char	*h;

	(void)pol;
	(void)alg;
	rand_string(salt, 2, RAND_ALNUM);
	if ((h = crypt_phrase(pw, len, salt)) == NULL)
		return -1;
	buf_printf(b, "crypt$$%s", h);
	free(h);
	return 0;
}

/* ---- the table ---- */

static const struct hasher hasher_table[HASHER_COUNT] = {
	[HASHER_PBKDF2_SHA256] = { "pbkdf2_sha256", "PBKDF2PasswordHasher", EVP_sha256, NULL,
	    pbkdf2_policy_encode, NULL, pbkdf2_verify, pbkdf2_must_update, pbkdf2_harden },
	[HASHER_PBKDF2_SHA1] = { "pbkdf2_sha1", "PBKDF2SHA1PasswordHasher", EVP_sha1, NULL,
	    pbkdf2_policy_encode, NULL, pbkdf2_verify, pbkdf2_must_update, pbkdf2_harden },
	[HASHER_ARGON2] = { "argon2", "Argon2PasswordHasher", NULL, NULL,
	    argon2_encode, NULL, argon2_verify_hash, argon2_must_update, NULL },
	[HASHER_BCRYPT_SHA256] = { "bcrypt_sha256", "BCryptSHA256PasswordHasher", EVP_sha256, NULL,
	    NULL, bcrypt_make, bcrypt_verify, bcrypt_must_update, bcrypt_harden },
	[HASHER_BCRYPT] = { "bcrypt", "BCryptPasswordHasher", NULL, NULL,
	    NULL, bcrypt_make, bcrypt_verify, bcrypt_must_update, bcrypt_harden },
	[HASHER_SCRYPT] = { "scrypt", "ScryptPasswordHasher", NULL, NULL,
	    scrypt_policy_encode, NULL, scrypt_verify, scrypt_must_update, NULL },
	[HASHER_MD5] = { "md5", "MD5PasswordHasher", EVP_md5, NULL,
	    salted_encode, NULL, salted_verify, salted_must_update, NULL },
	[HASHER_SHA1] = { "sha1", "SHA1PasswordHasher", EVP_sha1, NULL,
	    salted_encode, NULL, salted_verify, salted_must_update, NULL },
	[HASHER_UNSALTED_MD5] = { "unsalted_md5", "UnsaltedMD5PasswordHasher", EVP_md5,
	    unsalted_md5_identify, NULL, unsalted_encode, unsalted_verify, NULL, NULL },
	[HASHER_UNSALTED_SHA1] = { "unsalted_sha1", "UnsaltedSHA1PasswordHasher", EVP_sha1,
	    unsalted_sha1_identify, NULL, unsalted_encode, unsalted_verify, NULL, NULL },
	[HASHER_CRYPT] = { "crypt", "CryptPasswordHasher", NULL, NULL,
	    NULL, crypt_make, crypt_verify, NULL, NULL },
};

/* hasher.encode(pw, fresh salt) with the policy's parameters; NULL on failure (logged). */
static char *
make_with(const struct hasher_policy *pol, enum hasher_alg alg, const char *pw, size_t len)
{
	const struct hasher	*h = &hasher_table[alg];
	struct buf		 b = BUF_INIT;
	char			 salt[SALT_CHARS + 1];
	int			 rc;

	if (pw == NULL)
		pw = "";
	if (h->encode != NULL) {
		rand_string(salt, SALT_CHARS, RAND_ALNUM);
		rc = h->encode(pol, alg, &b, pw, len, salt, SALT_CHARS);
	} else {
		rc = h->make(pol, alg, &b, pw, len);
	}
	if (rc != 0) {
		log_warn("hashers: %s could not hash this password", hasher_name(alg));
		buf_free(&b);
		return NULL;
	}
	return buf_detach(&b);
}

char *
password_make(const struct hasher_policy *pol, const char *pw, size_t len)
{
	if (pol->nhashers == 0)
		return NULL;
	return make_with(pol, pol->hashers[0], pw, len);
}

void
password_dummy_hash(const struct hasher_policy *pol, const char *pw, size_t len)
{
	free(password_make(pol, pw, len));
}

/* make_password(get_random_string(40)), result discarded: equalises timing. */
static void
fake_runtime(const struct hasher_policy *pol)
{
	char rnd[UNUSABLE_SUFFIX_CHARS + 1];

	rand_string(rnd, UNUSABLE_SUFFIX_CHARS, RAND_ALNUM);
	password_dummy_hash(pol, rnd, UNUSABLE_SUFFIX_CHARS);
}

int
password_check(const struct hasher_policy *pol, const char *pw, size_t len, const char *encoded,
    int *must_update)
{
	enum hasher_alg	alg, preferred;
	int		changed, update, correct;

	if (must_update != NULL)
		*must_update = 0;
	if (pol->nhashers == 0)
		return 0;
	preferred = pol->hashers[0];
	if (pw == NULL || encoded == NULL || !password_usable(encoded) ||
	    hasher_identify(encoded, &alg) != 0 || !policy_enabled(pol, alg)) {
		fake_runtime(pol);
		return 0;
	}
	changed = alg != preferred;
	if (changed)
		update = 1;
	else if (hasher_table[preferred].must_update == NULL)
		update = 0;	/* BasePasswordHasher.must_update */
	else
		update = hasher_table[preferred].must_update(pol, encoded);
	if (update == MALFORMED) {
		log_warn("hashers: stored %s password hash is malformed", hasher_name(alg));
		return 0;
	}
	correct = hasher_table[alg].verify(pol, alg, pw, len, encoded);
	if (correct == MALFORMED) {
		log_warn("hashers: stored %s password hash is malformed", hasher_name(alg));
		return 0;
	}
	if (!correct && !changed && update && hasher_table[alg].harden != NULL)
		hasher_table[alg].harden(pol, alg, pw, len, encoded);
	if (must_update != NULL)
		*must_update = update;
	return correct;
}

int
password_usable(const char *encoded)
{
	return encoded == NULL || encoded[0] != '!';
}
