/*
 * fuzz_etag.c: fuzz target for If-None-Match against a public page's ETag (resp_serialize): a
 * 304 only for a header naming the page's tag or "*", and never a body with it.
 * Input: the header's value.
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "fuzz.h"
#include "http.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena	 a = ARENA_INIT;
	struct req	 r;
	struct resp	 rs;
	struct buf	 out = BUF_INIT;
	char		*inm = fuzz_env("HTTP_IF_NONE_MATCH", data, size);
	const char	*env[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/", inm, NULL };
	const char	*s, *tag;
	char		 etag[64];

	if (fuzz_req(&r, &a, env, NULL, 0) == 0) {
		resp_init(&rs);
		rs.public_cache = 1;
		buf_puts(&rs.body, "<!doctype html><title>x</title>");
		resp_serialize(&rs, &r, &out);
		s = buf_cstr(&out);
		tag = strstr(s, "ETag: ");
		if (tag == NULL || strcspn(tag + 6, "\r") >= sizeof(etag))
			__builtin_trap();
		memcpy(etag, tag + 6, strcspn(tag + 6, "\r"));
		etag[strcspn(tag + 6, "\r")] = '\0';
		if (strncmp(s, "Status: 304", 11) == 0 && (r.if_none_match == NULL ||
		    (strcmp(r.if_none_match, "*") != 0 && strstr(r.if_none_match, etag) == NULL) ||
		    strstr(s, "<title>") != NULL))
			__builtin_trap();
		resp_free(&rs);
	}
	buf_free(&out);
	arena_reset(&a);
	free(inm);
	return 0;
}
