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

struct arena;
struct req;

/*
 * Reads a request as the worker does (req_parse) from env (a NULL-terminated "NAME=value"
 * array the caller keeps until it is done with r) and body (handed over whole). Returns
 * req_parse's answer: 0, or the HTTP status it refused with.
 */
int	 fuzz_req(struct req *r, struct arena *a, const char *const *env, const uint8_t *body, size_t len);

/* fuzz_req with the body handed out at most piece bytes a read (as a socket would); *why as req_parse's. */
int	 fuzz_req_pieces(struct req *r, struct arena *a, const char *const *env, const uint8_t *body,
	    size_t len, size_t piece, const char **why);

/* A malloc'd "name=value" C string (value's bytes up to a NUL), for fuzz_req's env. */
char	*fuzz_env(const char *name, const uint8_t *value, size_t len);

#endif
