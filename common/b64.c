/* b64.c: base64 in the standard (+/) and URL-safe (-_) alphabets, with or without padding. */
#include <stdint.h>

#include "b64.h"

static const char std_chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char url_chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

void
b64_encode(struct buf *out, const void *in, size_t n, enum b64_alphabet alpha, int pad)
{
	const unsigned char	*p = in;
	const char		*c = alpha == B64_URL ? url_chars : std_chars;
	size_t			 i;

	buf_reserve(out, (n + 2) / 3 * 4);
	for (i = 0; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		char q[4] = { c[v >> 18], c[(v >> 12) & 63], c[(v >> 6) & 63], c[v & 63] };
		buf_append(out, q, 4);
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)p[i] << 16;
		buf_putc(out, c[v >> 18]);
		buf_putc(out, c[(v >> 12) & 63]);
		if (pad)
			buf_puts(out, "==");
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
		buf_putc(out, c[v >> 18]);
		buf_putc(out, c[(v >> 12) & 63]);
		buf_putc(out, c[(v >> 6) & 63]);
		if (pad)
			buf_putc(out, '=');
	}
}

static int
b64_value(char ch, enum b64_alphabet alpha)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == (alpha == B64_URL ? '-' : '+'))
		return 62;
	if (ch == (alpha == B64_URL ? '_' : '/'))
		return 63;
	return -1;
}

int
b64_decode(struct buf *out, const char *in, size_t n, enum b64_alphabet alpha)
{
	uint32_t acc = 0;
	int	 bits = 0;
	size_t	 i, pads = 0;

	while (n > 0 && in[n - 1] == '=' && pads < 2) {
		n--;
		pads++;
	}
	if (n % 4 == 1 || (pads && (n + pads) % 4 != 0))
		return -1;
	for (i = 0; i < n; i++) {
		int v = b64_value(in[i], alpha);

		if (v < 0)
			return -1;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_putc(out, (char)((acc >> bits) & 0xFF));
		}
	}
	return 0;
}
