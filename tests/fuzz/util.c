/* util.c: the small input helpers the fuzz targets share (see fuzz.h). */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "util.h"

char *
fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = xmalloc(size + 1);

	if (size > 0)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

void
fuzz_split(const uint8_t *data, size_t size, char sep, char **first, const uint8_t **rest,
    size_t *restlen)
{
	const uint8_t *p = size > 0 ? memchr(data, (unsigned char)sep, size) : NULL;
	size_t n = p ? (size_t)(p - data) : size;

	*first = fuzz_cstr(data, n);
	*rest = p ? p + 1 : data + size;
	*restlen = p ? size - n - 1 : 0;
}
