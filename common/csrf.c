/* csrf.c: Django's CSRF secrets and masked tokens, and the token comparison of CsrfViewMiddleware. */
#include <string.h>

#include "csrf.h"
#include "rand.h"
#include "util.h"

#define NCHARS 62

/* Position of c in CSRF_CHARS, or -1. */
static int
char_index(char c)
{
	if (c >= 'a' && c <= 'z')
		return c - 'a';
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return -1;
}

static int
all_allowed(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (char_index(s[i]) < 0)
			return 0;
	return 1;
}

void
csrf_new_secret(char out[CSRF_SECRET_LEN + 1])
{
	rand_string(out, CSRF_SECRET_LEN, CSRF_CHARS);
}

void
csrf_mask_with(const char *secret, const char *mask, char out[CSRF_TOKEN_LEN + 1])
{
	static const char chars[] = CSRF_CHARS;

	memcpy(out, mask, CSRF_SECRET_LEN);
	for (size_t i = 0; i < CSRF_SECRET_LEN; i++)
		out[CSRF_SECRET_LEN + i] =
		    chars[(char_index(secret[i]) + char_index(mask[i])) % NCHARS];
	out[CSRF_TOKEN_LEN] = '\0';
}

void
csrf_mask(const char *secret, char out[CSRF_TOKEN_LEN + 1])
{
	char mask[CSRF_SECRET_LEN + 1];

	rand_string(mask, CSRF_SECRET_LEN, CSRF_CHARS);
	csrf_mask_with(secret, mask, out);
}

int
csrf_unmask(const char *token, size_t len, char out[CSRF_SECRET_LEN + 1])
{
	static const char chars[] = CSRF_CHARS;

	if (len != CSRF_TOKEN_LEN || !all_allowed(token, len))
		return -1;
	for (size_t i = 0; i < CSRF_SECRET_LEN; i++) {
		int d = char_index(token[CSRF_SECRET_LEN + i]) - char_index(token[i]);

		out[i] = chars[(d + NCHARS) % NCHARS];
	}
	out[CSRF_SECRET_LEN] = '\0';
	return 0;
}

int
csrf_secret_from_cookie(const char *cookie, size_t len, char out[CSRF_SECRET_LEN + 1])
{
	if (len == CSRF_TOKEN_LEN)
		return csrf_unmask(cookie, len, out);
	if (len != CSRF_SECRET_LEN || !all_allowed(cookie, len))
		return -1;
	memcpy(out, cookie, CSRF_SECRET_LEN);
	out[CSRF_SECRET_LEN] = '\0';
	return 0;
}

enum csrf_result
csrf_check(const char *cookie, size_t cookie_len, const char *token, size_t token_len)
{
	char	 secret[CSRF_SECRET_LEN + 1], given[CSRF_SECRET_LEN + 1];
	int	 ok;

	if (cookie == NULL)
		return CSRF_NO_COOKIE;
	if (csrf_secret_from_cookie(cookie, cookie_len, secret) != 0)
		return CSRF_BAD_COOKIE;
	if (token == NULL || token_len == 0)
		return CSRF_NO_TOKEN;
	/* The same format rules apply to the request token as to the cookie. */
	if (csrf_secret_from_cookie(token, token_len, given) != 0)
		return CSRF_BAD_TOKEN;
	ok = ct_equal(given, CSRF_SECRET_LEN, secret, CSRF_SECRET_LEN);
	return ok ? CSRF_OK : CSRF_MISMATCH;
}

const char *
csrf_reason(enum csrf_result r)
{
	switch (r) {
	case CSRF_OK:		return "ok";
	case CSRF_NO_COOKIE:	return "CSRF cookie not set.";
	case CSRF_BAD_COOKIE:	return "CSRF cookie has incorrect length or invalid characters.";
	case CSRF_NO_TOKEN:	return "CSRF token missing.";
	case CSRF_BAD_TOKEN:	return "CSRF token has incorrect length or invalid characters.";
	case CSRF_MISMATCH:	return "CSRF token incorrect.";
	}
	return "CSRF check failed.";
}
