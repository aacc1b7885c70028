/*
 * fuzz_emailaddr.c: fuzz target for the e-mail address parser (emailaddr_valid, emailaddr_normalize)
 * and the MIME composer fed that address and the rest of the input as subject and bodies.
 * Input: the address, a newline, then the subject/body text.
 */
#include <stdlib.h>
#include <string.h>

#include "emailaddr.h"
#include "fuzz.h"
#include "mime.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*addr, *norm, *text;
	const uint8_t	*rest;
	size_t		 restlen;
	struct buf	 out = BUF_INIT;

	fuzz_split(data, size, '\n', &addr, &rest, &restlen);
	if (emailaddr_valid(addr, strlen(addr)) && (strpbrk(addr, "\r\n") || strlen(addr) > EMAILADDR_MAX))
		__builtin_trap();
	norm = emailaddr_normalize((const char *)data, size);
	if (norm && !emailaddr_valid(norm, strlen(norm)))
		__builtin_trap();
	text = fuzz_cstr(rest, restlen);
	{
		struct mime_message m = { "Site <noreply@example.com>", norm ? norm : "a@example.com", text,
		    text, text, "1.2@example.com", 0 };

		/* Whatever the subject, no header line may end before the blank line unexpectedly. */
		if (mime_compose(&m, &out) == 0 && strpbrk(text, "\r\n") != NULL)
			__builtin_trap();
	}
	buf_free(&out);
	free(text);
	free(norm);
	free(addr);
	return 0;
}
