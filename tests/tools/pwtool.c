/* pwtool.c: command-line front end to common/hashers for the Django interoperability tests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "hashers.h"
#include "util.h"

static void
usage(void)
{
	fprintf(stderr,
	    "usage: pwtool make  [options]          < password\n"
	    "       pwtool check [options] ENCODED  < password\n"
	    "options: --django-version V  --hashers a,b,c  -n (drop one trailing newline)\n"
	    "         --pbkdf2-iterations N  --argon2-time-cost N  --argon2-memory-cost N\n"
	    "         --argon2-parallelism N  --bcrypt-rounds N  --scrypt-n N  --scrypt-r N\n"
	    "         --scrypt-p N\n"
	    "The password is stdin's exact bytes. make prints the hash; check prints\n"
	    "\"ok must_update=0|1\" (exit 0) or \"fail\" (exit 1). Usage errors exit 2.\n");
	exit(2);
}

/* Reads all of stdin, NUL bytes included. */
static void
read_stdin(struct buf *b)
{
	char	chunk[4096];
	size_t	n;

	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
		buf_append(b, chunk, n);
	if (ferror(stdin))
		die("pwtool: reading stdin failed");
}

int
main(int argc, char **argv)
{
	struct hasher_policy	 pol;
	struct buf		 pw = BUF_INIT;
	const char		*version = NULL, *hashers = NULL, *mode, *encoded = NULL;
	int			 strip_newline = 0, i, rc;

	if (argc < 2)
		usage();
	mode = argv[1];
	if (strcmp(mode, "make") != 0 && strcmp(mode, "check") != 0)
		usage();
	/* The version sets the defaults that the other options then override. */
	for (i = 2; i < argc; i++)
		if (strcmp(argv[i], "--django-version") == 0 && i + 1 < argc)
			version = argv[i + 1];
	if (hasher_policy_init(&pol, version) != 0)
		return 2;
	for (i = 2; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-n") == 0) {
			strip_newline = 1;
		} else if (strcmp(a, "--django-version") == 0 && i + 1 < argc) {
			i++;
		} else if (strcmp(a, "--hashers") == 0 && i + 1 < argc) {
			hashers = argv[++i];
		} else if (strncmp(a, "--", 2) == 0 && i + 1 < argc) {
			char	 name[64];
			int64_t	 value;
			size_t	 k;

			if (strlen(a + 2) >= sizeof(name))
				usage();
			for (k = 0; a[2 + k] != '\0'; k++)
				name[k] = a[2 + k] == '-' ? '_' : a[2 + k];
			name[k] = '\0';
			if (parse_int64(argv[i + 1], strlen(argv[i + 1]), INT64_MIN, INT64_MAX,
			    &value) != 0 || hasher_policy_set_param(&pol, name, value) != 0)
				usage();
			i++;
		} else if (a[0] != '-' && strcmp(mode, "check") == 0 && encoded == NULL) {
			encoded = a;
		} else {
			usage();
		}
	}
	if (hashers != NULL && hasher_policy_set_hashers(&pol, hashers) != 0)
		return 2;
	if (strcmp(mode, "check") == 0 && encoded == NULL)
		usage();

	read_stdin(&pw);
	if (strip_newline && pw.len > 0 && pw.data[pw.len - 1] == '\n')
		pw.data[--pw.len] = '\0';

	if (strcmp(mode, "make") == 0) {
		char *h = password_make(&pol, buf_cstr(&pw), pw.len);

		if (h == NULL) {
			fprintf(stderr, "pwtool: the hasher refused this password\n");
			rc = 1;
		} else {
			printf("%s\n", h);
			free(h);
			rc = 0;
		}
	} else {
		int must_update = 0;

		if (password_check(&pol, buf_cstr(&pw), pw.len, encoded, &must_update)) {
			printf("ok must_update=%d\n", must_update);
			rc = 0;
		} else {
			printf("fail\n");
			rc = 1;
		}
	}
	buf_free(&pw);
	return rc;
}
