/* fuzz.h: the libFuzzer entry point every target defines, and the helpers the targets share. */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* libFuzzer's entry point: one input, returns 0 (the input is never kept by the target). */
int	 LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * A malloc'd NUL-terminated copy of the input, so targets whose parser takes C strings see
 * exactly the fuzzer's bytes (an embedded NUL simply ends the string early, as a C caller's
 * string would). The caller frees it.
 */
char	*fuzz_cstr(const uint8_t *data, size_t size);

/*
 * Splits the input at the first occurrence of sep: *first gets the bytes before it (as a
 * malloc'd C string, caller frees), *rest and *restlen what follows. Without sep, the whole input
 * is the first part and the rest is empty. Lets one input carry two fields.
 */
void	 fuzz_split(const uint8_t *data, size_t size, char sep, char **first, const uint8_t **rest,
	    size_t *restlen);

#endif
