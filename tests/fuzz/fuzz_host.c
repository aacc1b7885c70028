/*
 * fuzz_host.c: fuzz target for the Host header against ALLOWED_HOSTS (allowed_host), with the
 * list from the input and with fixed lists. Input: the list, a newline, the Host header.
 */
#include <stdlib.h>

#include "allowed_hosts.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t	*rest;
	size_t		 len;
	char		*list, *host;
	int		 any;

	fuzz_split(data, size, '\n', &list, &rest, &len);
	host = fuzz_cstr(rest, len);
	any = allowed_host("*", host);
	/* Every list checks the syntax first: nothing passes a list that "*" refuses. */
	if ((allowed_host(list, host) || allowed_host(".example.com, 127.0.0.1,[::1],localhost.", host)) && !any)
		__builtin_trap();
	(void)allowed_host(list, NULL);
	free(host);
	free(list);
	return 0;
}
