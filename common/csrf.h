/* csrf.h: Django's CSRF secrets and masked tokens, and the token comparison of CsrfViewMiddleware. */
#ifndef CSRF_H
#define CSRF_H

#include <stddef.h>

#define CSRF_SECRET_LEN	32
#define CSRF_TOKEN_LEN	64
/* CSRF_ALLOWED_CHARS: the order matters for masking. */
#define CSRF_CHARS	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

/* A new secret: 32 characters of CSRF_CHARS plus NUL (CSPRNG). */
void	 csrf_new_secret(char out[CSRF_SECRET_LEN + 1]);
/* get_token()'s value: a fresh random mask, then the masked secret (64 characters plus NUL). */
void	 csrf_mask(const char *secret, char out[CSRF_TOKEN_LEN + 1]);
/* The same with a given 32-character mask (for tests). secret and mask must be valid. */
void	 csrf_mask_with(const char *secret, const char *mask, char out[CSRF_TOKEN_LEN + 1]);
/* Unmasks a 64-character token. Returns 0, or -1 if it is not 64 characters of CSRF_CHARS. */
int	 csrf_unmask(const char *token, size_t len, char out[CSRF_SECRET_LEN + 1]);
/*
 * The secret held by a csrftoken cookie: a 32-character secret as is (4.1+ cookies) or a
 * 64-character masked token unmasked (<= 4.0 cookies). Returns 0, or -1 for any other
 * length or a character outside CSRF_CHARS (4.0+ then refuses the request).
 */
int	 csrf_secret_from_cookie(const char *cookie, size_t len, char out[CSRF_SECRET_LEN + 1]);

enum csrf_result {
	CSRF_OK = 0,
	CSRF_NO_COOKIE,		/* "CSRF cookie not set." */
	CSRF_BAD_COOKIE,	/* "CSRF cookie has incorrect length / invalid characters." */
	CSRF_NO_TOKEN,		/* "CSRF token missing." */
	CSRF_BAD_TOKEN,		/* "CSRF token from ... has incorrect length / invalid characters." */
	CSRF_MISMATCH		/* "CSRF token incorrect." */
};
/*
 * The token step of CsrfViewMiddleware._check_token (4.0+): cookie is the csrftoken cookie
 * (NULL if absent), token the POST csrfmiddlewaretoken if non-empty, else the X-CSRFToken
 * header (NULL if absent). Each may be 32 or 64 characters; 64 are unmasked; the secrets
 * are compared in constant time. The Origin/Referer checks are the caller's.
 */
enum csrf_result csrf_check(const char *cookie, size_t cookie_len, const char *token,
	    size_t token_len);
/* A short English reason for logs (Django's wording). */
const char *csrf_reason(enum csrf_result);

#endif
