/* rand.h: cryptographically secure random bytes and Django-style random strings. */
#ifndef RAND_H
#define RAND_H

#include <stddef.h>

/* Django's RANDOM_STRING_CHARS: a-z, A-Z, 0-9. */
#define RAND_ALNUM "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
/* Django's session key alphabet: a-z, 0-9. */
#define RAND_LOWER_DIGITS "abcdefghijklmnopqrstuvwxyz0123456789"

/* Fills n bytes from the kernel's CSPRNG; aborts if the kernel cannot supply them. */
void	 rand_bytes(void *, size_t);
/* Writes n characters drawn uniformly from alphabet (as secrets.choice) plus a NUL into out. */
void	 rand_string(char *out, size_t n, const char *alphabet);

#endif
