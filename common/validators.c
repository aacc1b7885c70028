/* validators.c: Django's username rules, normalize_email and the four default password validators. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>
#include <zlib.h>

#include "buf.h"
#include "log.h"
#include "util.h"
#include "validators.h"

/* A decoded string: Python's str is a sequence of code points, and so are the rules. */
struct cps {
	int32_t	*v;
	size_t	 n;
};

/* ---- Python's str predicates and lower() on code points ---- */

/* str.isspace(): bidi classes WS, B, S or category Zs. */
static int
py_isspace(int32_t c)
{
	return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 ||
	    c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 ||
	    c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

const char *
validators_strip(const char *v, size_t *len)
{
	size_t	i = 0, start;
	long	c;

	while (i < *len) {
		start = i;
		if ((c = utf8_next(v, *len, &i)) < 0 || !py_isspace((int32_t)c)) {
			i = start;
			break;
		}
	}
	v += i;
	*len -= i;
	while (*len) {
		size_t	last = *len - 1, j;

		while (last > 0 && ((unsigned char)v[last] & 0xc0) == 0x80)
			last--;
		j = last;
		if ((c = utf8_next(v, *len, &j)) < 0 || !py_isspace((int32_t)c))
			break;
		*len = last;
	}
	return v;
}

/* str.isalnum() or '_': the \w of a Python str regex. */
static int
py_isword(int32_t c)
{
	if (c == '_')
		return 1;
	switch (utf8proc_category(c)) {
	case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
	case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO:
	case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
		return 1;
	default:
		return 0;
	}
}

/* str.isdigit(): Numeric_Type Decimal (category Nd) or Digit (the ranges below). */
static int
py_isdigit(int32_t c)
{
	/* Generated from CPython 3.11 (Unicode 14): isdigit() and category != Nd. */
	static const int32_t digit_ranges[][2] = {
		{ 0xB2, 0xB3 }, { 0xB9, 0xB9 }, { 0x1369, 0x1371 }, { 0x19DA, 0x19DA },
		{ 0x2070, 0x2070 }, { 0x2074, 0x2079 }, { 0x2080, 0x2089 },
		{ 0x2460, 0x2468 }, { 0x2474, 0x247C }, { 0x2488, 0x2490 },
		{ 0x24EA, 0x24EA }, { 0x24F5, 0x24FD }, { 0x24FF, 0x24FF },
		{ 0x2776, 0x277E }, { 0x2780, 0x2788 }, { 0x278A, 0x2792 },
		{ 0x10A40, 0x10A43 }, { 0x10E60, 0x10E68 }, { 0x11052, 0x1105A },
		{ 0x1F100, 0x1F10A },
	};

	if (utf8proc_category(c) == UTF8PROC_CATEGORY_ND)
		return 1;
	for (size_t i = 0; i < NELEM(digit_ranges); i++)
		if (c >= digit_ranges[i][0] && c <= digit_ranges[i][1])
			return 1;
	return 0;
}

/* Unicode "Cased", approximated from categories and case mappings. */
static int
py_iscased(int32_t c)
{
	utf8proc_category_t cat = utf8proc_category(c);

	return cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LL ||
	    cat == UTF8PROC_CATEGORY_LT || utf8proc_tolower(c) != c ||
	    utf8proc_toupper(c) != c;
}

/* Unicode "Case_Ignorable": categories Mn Me Cf Lm Sk, or a MidLetter-like word break. */
static int
py_iscaseignorable(int32_t c)
{
	static const int32_t mid[] = { 0x27, 0x2E, 0x3A, 0xB7, 0x387, 0x55F, 0x5F4, 0x2018,
	    0x2019, 0x2024, 0x2027, 0xFE13, 0xFE52, 0xFE55, 0xFF07, 0xFF0E, 0xFF1A };

	switch (utf8proc_category(c)) {
	case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_ME: case UTF8PROC_CATEGORY_CF:
	case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_SK:
		return 1;
	default:
		break;
	}
	for (size_t i = 0; i < NELEM(mid); i++)
		if (c == mid[i])
			return 1;
	return 0;
}

/* CPython's handle_capital_sigma: final form when cased before and not cased after. */
static int32_t
lower_sigma(const struct cps *s, size_t i)
{
	size_t	 j;
	int	 final;

	for (j = i; j > 0 && py_iscaseignorable(s->v[j - 1]); j--)
		;
	final = j > 0 && py_iscased(s->v[j - 1]);
	if (final) {
		for (j = i + 1; j < s->n && py_iscaseignorable(s->v[j]); j++)
			;
		final = j == s->n || !py_iscased(s->v[j]);
	}
	return final ? 0x3C2 : 0x3C3;
}

/* str.lower(): full lower-case mapping (only U+0130 expands) with the final-sigma rule. */
static struct cps
py_lower(const struct cps *s)
{
	struct cps r;

	r.v = xmalloc((2 * s->n + 1) * sizeof(int32_t));
	r.n = 0;
	for (size_t i = 0; i < s->n; i++) {
		int32_t c = s->v[i];

		if (c == 0x130) {
			r.v[r.n++] = 'i';
			r.v[r.n++] = 0x307;
		} else if (c == 0x3A3)
			r.v[r.n++] = lower_sigma(s, i);
		else
			r.v[r.n++] = utf8proc_tolower(c);
	}
	return r;
}

/* str.strip(): the bounds [*lo, *hi) without surrounding whitespace. */
static void
py_strip(const struct cps *s, size_t *lo, size_t *hi)
{
	*lo = 0;
	*hi = s->n;
	while (*lo < *hi && py_isspace(s->v[*lo]))
		(*lo)++;
	while (*hi > *lo && py_isspace(s->v[*hi - 1]))
		(*hi)--;
}

/* Decodes UTF-8; returns 0, or -1 if invalid (nothing allocated). */
static int
cps_decode(const char *str, size_t len, struct cps *out)
{
	const utf8proc_uint8_t	*s = (const utf8proc_uint8_t *)str;
	size_t			 i = 0;

	if (!utf8_valid(str, len))
		return -1;
	out->v = xmalloc((len + 1) * sizeof(int32_t));
	out->n = 0;
	while (i < len) {
		utf8proc_int32_t	c;
		utf8proc_ssize_t	k = utf8proc_iterate(s + i, (utf8proc_ssize_t)(len - i), &c);

		if (k <= 0) {
			free(out->v);
			return -1;
		}
		out->v[out->n++] = c;
		i += (size_t)k;
	}
	return 0;
}

static void
cps_encode(const int32_t *v, size_t n, struct buf *out)
{
	utf8proc_uint8_t tmp[4];

	for (size_t i = 0; i < n; i++)
		buf_append(out, tmp, (size_t)utf8proc_encode_char(v[i], tmp));
}

/* ---- usernames and e-mail ---- */

char *
validators_normalize_username(const char *name, size_t len)
{
	utf8proc_uint8_t	*dst = NULL;
	utf8proc_ssize_t	 n;
	char			*r;

	if (memchr(name, '\0', len) != NULL || !utf8_valid(name, len))
		return NULL;
	n = utf8proc_map((const utf8proc_uint8_t *)name, (utf8proc_ssize_t)len, &dst,
	    UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT);
	if (n < 0)
		return NULL;
	/* Copy so the caller frees with our allocator's free like every other string. */
	r = xstrndup((const char *)dst, (size_t)n);
	free(dst);
	return r;
}

static void
set_error(struct validators_error *e, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
set_error(struct validators_error *e, const char *code, const char *fmt, ...)
{
	va_list ap;

	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
}

#define MSG_USERNAME_INVALID "Enter a valid username. This value may contain only letters, " \
	"numbers, and @/./+/-/_ characters."

int
validators_username(const char *name, size_t len, char **normalized,
    struct validators_error errs[2])
{
	struct cps	 s;
	char		*norm;
	int		 nerr = 0, ok = 1;

	if (normalized != NULL)
		*normalized = NULL;
	if (len == 0) {
		set_error(&errs[0], "required", "This field is required.");
		return 1;
	}
	if ((norm = validators_normalize_username(name, len)) == NULL) {
		set_error(&errs[0], "invalid", MSG_USERNAME_INVALID);
		return 1;
	}
	if (cps_decode(norm, strlen(norm), &s) != 0)
		die("validators: NFKC produced invalid UTF-8");
	for (size_t i = 0; i < s.n; i++) {
		int32_t c = s.v[i];

		if (!py_isword(c) && c != '.' && c != '@' && c != '+' && c != '-')
			ok = 0;
	}
	if (!ok)
		set_error(&errs[nerr++], "invalid", MSG_USERNAME_INVALID);
	if (s.n > VALIDATORS_USERNAME_MAX)
		set_error(&errs[nerr++], "max_length",
		    "Ensure this value has at most %d characters (it has %zu).",
		    VALIDATORS_USERNAME_MAX, s.n);
	free(s.v);
	if (normalized != NULL)
		*normalized = norm;
	else
		free(norm);
	return nerr;
}

char *
validators_normalize_email(const char *email)
{
	struct cps	 s, domain;
	struct buf	 out = BUF_INIT;
	size_t		 lo, hi, at;

	if (cps_decode(email, strlen(email), &s) != 0)
		return NULL;
	py_strip(&s, &lo, &hi);
	for (at = hi; at > lo && s.v[at - 1] != '@'; at--)
		;
	if (at == lo) {
		/* No '@': Django returns the value as given, not even stripped. */
		free(s.v);
		return xstrdup(email);
	}
	cps_encode(s.v + lo, at - lo, &out);	/* name and the '@' */
	domain.v = s.v + at;
	domain.n = hi - at;
	struct cps lower = py_lower(&domain);
	cps_encode(lower.v, lower.n, &out);
	free(lower.v);
	free(s.v);
	if (out.data == NULL)
		return xstrdup("");
	return buf_detach(&out);
}

/* ---- the common-password set ---- */

static struct {
	char	**slots;	/* open addressing; NULL = empty */
	size_t	  mask;		/* slot count - 1 (a power of two) */
	size_t	  count;
} common;

static uint64_t
fnv1a(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* The slot holding s, or the empty slot where it belongs. */
static char **
common_slot(char **slots, size_t mask, const char *s, size_t n)
{
	size_t i = (size_t)fnv1a(s, n) & mask;

	while (slots[i] != NULL && (strlen(slots[i]) != n || memcmp(slots[i], s, n) != 0))
		i = (i + 1) & mask;
	return &slots[i];
}

/* Adds one raw line after Python's strip(). */
static void
common_add(const char *line, size_t len)
{
	struct cps	 s;
	struct buf	 entry = BUF_INIT;
	size_t		 lo, hi;
	char		**slot;

	if (cps_decode(line, len, &s) == 0) {
		py_strip(&s, &lo, &hi);
		cps_encode(s.v + lo, hi - lo, &entry);
		free(s.v);
	} else
		buf_append(&entry, line, len);	/* Django would fail to load it; keep the bytes */
	if (memchr(buf_cstr(&entry), '\0', entry.len) == NULL) {
		slot = common_slot(common.slots, common.mask, buf_cstr(&entry), entry.len);
		if (*slot == NULL) {
			*slot = xstrdup(buf_cstr(&entry));
			common.count++;
		}
	}
	buf_free(&entry);
}

/* Reads a gzip file, or a plain one (gzread passes non-gzip data through). */
static int
read_maybe_gzip(const char *path, struct buf *out)
{
	gzFile	 gz;
	char	 chunk[65536];
	int	 n;

	if ((gz = gzopen(path, "rb")) == NULL) {
		log_error("validators: cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	while ((n = gzread(gz, chunk, sizeof(chunk))) > 0)
		buf_append(out, chunk, (size_t)n);
	if (n < 0) {
		int		 zerr;
		const char	*msg = gzerror(gz, &zerr);

		log_error("validators: cannot read %s: %s", path, msg);
		gzclose(gz);
		return -1;
	}
	gzclose(gz);
	return 0;
}

int
validators_init(const char *data_dir, const char *common_path)
{
	struct buf	 path = BUF_INIT, text = BUF_INIT;
	size_t		 lines = 1, start = 0;
	int		 rc = -1;

	if (common.slots != NULL)
		return 0;
	if (common_path != NULL)
		buf_puts(&path, common_path);
	else
		buf_printf(&path, "%s/%s", data_dir != NULL ? data_dir : ".",
		    VALIDATORS_COMMON_FILE);
	if (read_maybe_gzip(buf_cstr(&path), &text) != 0)
		goto done;
	for (size_t i = 0; i < text.len; i++)
		if (text.data[i] == '\n' || text.data[i] == '\r')
			lines++;
	/* Load factor at most 1/2. */
	for (common.mask = 1; common.mask < 2 * lines; common.mask <<= 1)
		;
	common.slots = xcalloc(common.mask, sizeof(char *));
	common.mask--;
	common.count = 0;
	/* Universal newlines, as Python's text mode: \n, \r\n and \r end a line. */
	for (size_t i = 0; i <= text.len; i++) {
		if (i < text.len && text.data[i] != '\n' && text.data[i] != '\r')
			continue;
		if (i < text.len || i > start)
			common_add(text.data + start, i - start);
		if (i + 1 < text.len && text.data[i] == '\r' && text.data[i + 1] == '\n')
			i++;
		start = i + 1;
	}
	rc = 0;
done:
	buf_free(&path);
	buf_free(&text);
	return rc;
}

size_t
validators_common_count(void)
{
	return common.count;
}

void
validators_cleanup(void)
{
	if (common.slots == NULL)
		return;
	for (size_t i = 0; i <= common.mask; i++)
		free(common.slots[i]);
	free(common.slots);
	memset(&common, 0, sizeof(common));
}

/* ---- password validators ---- */

static int
cmp_cp(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

/* SequenceMatcher(a=a, b=b).quick_ratio(): 2 * |multiset intersection| / (|a| + |b|). */
static double
quick_ratio(const int32_t *a, size_t na, const int32_t *b, size_t nb)
{
	int32_t	*x, *y;
	size_t	 i = 0, j = 0, matches = 0;

	if (na + nb == 0)
		return 1.0;
	x = xmalloc((na + 1) * sizeof(int32_t));
	y = xmalloc((nb + 1) * sizeof(int32_t));
	memcpy(x, a, na * sizeof(int32_t));
	memcpy(y, b, nb * sizeof(int32_t));
	qsort(x, na, sizeof(int32_t), cmp_cp);
	qsort(y, nb, sizeof(int32_t), cmp_cp);
	while (i < na && j < nb) {
		if (x[i] == y[j]) {
			matches++;
			i++;
			j++;
		} else if (x[i] < y[j])
			i++;
		else
			j++;
	}
	free(x);
	free(y);
	return 2.0 * (double)matches / (double)(na + nb);
}

#define MAX_SIMILARITY 0.7

/* exceeds_maximum_length_ratio (CVE-2021-45115): such parts cannot be similar enough. */
static int
too_long_to_compare(size_t pwd_len, size_t value_len)
{
	return pwd_len >= 10 * value_len &&
	    (double)value_len < MAX_SIMILARITY / 2 * (double)pwd_len;
}

/* 1 if the (lower-cased) password is too similar to one part of the attribute value. */
static int
similar_to(const struct cps *pw, const char *value)
{
	struct cps	 raw, v;
	size_t		 start = 0, i = 0;
	int		 hit = 0;

	if (value == NULL || value[0] == '\0' || cps_decode(value, strlen(value), &raw) != 0)
		return 0;
	v = py_lower(&raw);
	free(raw.v);
	/* re.split(r'\W+', v) + [v]: the parts between runs of non-word characters, then v. */
	for (;;) {
		if (i < v.n && py_isword(v.v[i])) {
			i++;
			continue;
		}
		if (!too_long_to_compare(pw->n, i - start) &&
		    quick_ratio(pw->v, pw->n, v.v + start, i - start) >= MAX_SIMILARITY) {
			hit = 1;
			break;
		}
		if (i == v.n)
			break;
		while (i < v.n && !py_isword(v.v[i]))
			i++;
		start = i;
	}
	if (!hit && !too_long_to_compare(pw->n, v.n) &&
	    quick_ratio(pw->v, pw->n, v.v, v.n) >= MAX_SIMILARITY)
		hit = 1;
	free(v.v);
	return hit;
}

static void
check_similarity(const struct cps *pw, const struct validators_user *user,
    struct validators_error *errs, int *nerr)
{
	struct cps	 lower = py_lower(pw);
	const struct {
		const char	*value;
		const char	*verbose_name;
	} attrs[] = {
		{ user->username, "username" },
		{ user->first_name, "first name" },
		{ user->last_name, "last name" },
		{ user->email, "email address" },
	};

	for (size_t i = 0; i < NELEM(attrs); i++)
		if (similar_to(&lower, attrs[i].value)) {
			set_error(&errs[(*nerr)++], "password_too_similar",
			    "The password is too similar to the %s.", attrs[i].verbose_name);
			break;
		}
	free(lower.v);
}

static int
is_common(const struct cps *pw)
{
	struct cps	 lower = py_lower(pw);
	struct buf	 key = BUF_INIT;
	size_t		 lo, hi;
	int		 found;

	py_strip(&lower, &lo, &hi);
	cps_encode(lower.v + lo, hi - lo, &key);
	found = *common_slot(common.slots, common.mask, buf_cstr(&key), key.len) != NULL;
	buf_free(&key);
	free(lower.v);
	return found;
}

int
validators_password(const char *password, const struct validators_user *user,
    struct validators_error errs[VALIDATORS_MAX_ERRORS])
{
	struct cps	 pw;
	int		 nerr = 0, numeric;

	if (common.slots == NULL) {
		log_error("validators: common password list not loaded (validators_init)");
		return -1;
	}
	if (cps_decode(password, strlen(password), &pw) != 0) {
		log_warn("validators: password is not valid UTF-8");
		return -1;
	}
	if (user != NULL)
		check_similarity(&pw, user, errs, &nerr);
	if (pw.n < VALIDATORS_MIN_PASSWORD)
		set_error(&errs[nerr++], "password_too_short",
		    "This password is too short. It must contain at least %d characters.",
		    VALIDATORS_MIN_PASSWORD);
	if (is_common(&pw))
		set_error(&errs[nerr++], "password_too_common", "This password is too common.");
	numeric = pw.n > 0;
	for (size_t i = 0; i < pw.n && numeric; i++)
		numeric = py_isdigit(pw.v[i]);
	if (numeric)
		set_error(&errs[nerr++], "password_entirely_numeric",
		    "This password is entirely numeric.");
	free(pw.v);
	return nerr;
}
