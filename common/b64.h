/* b64.h: base64 in the standard (+/) and URL-safe (-_) alphabets, with or without padding. */
#ifndef B64_H
#define B64_H

#include <stddef.h>

#include "buf.h"

enum b64_alphabet { B64_STD, B64_URL };

/* Appends the encoding of n bytes; pad adds '=' to a multiple of 4. */
void	 b64_encode(struct buf *out, const void *in, size_t n, enum b64_alphabet, int pad);
/*
 * Appends the decoded bytes; padding is optional, whitespace is refused.
 * Returns 0, or -1 on a character outside the alphabet or an impossible length
 * (out is left with whatever was decoded before the error).
 */
int	 b64_decode(struct buf *out, const char *in, size_t n, enum b64_alphabet);

#endif
