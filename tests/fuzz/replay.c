/*
 * replay.c: a plain main() for the fuzz targets (no libFuzzer): feeds each file named on the
 * command line, or each file in a named directory, to LLVMFuzzerTestOneInput once. Built with
 * the project's compiler and sanitizers, it replays the kept corpora in `make test`.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

/* Reads one file and runs the target on it. Returns 0, or -1 if the file cannot be read. */
static int
run_file(const char *path)
{
	FILE		*f = fopen(path, "rb");
	uint8_t		*data = NULL;
	size_t		 len = 0, cap = 0, n;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	do {
		if (len == cap) {
			cap = cap ? cap * 2 : 4096;
			if ((data = realloc(data, cap)) == NULL)
				abort();
		}
		n = fread(data + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	fclose(f);
	LLVMFuzzerTestOneInput(data, len);
	free(data);
	return 0;
}

/* Runs every regular file of a directory (not recursive). Returns files run, or -1. */
static long
run_dir(const char *dir)
{
	DIR		*d = opendir(dir);
	struct dirent	*e;
	long		 count = 0;
	char		 path[4096];

	if (d == NULL) {
		perror(dir);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (run_file(path) != 0) {
			closedir(d);
			return -1;
		}
		count++;
	}
	closedir(d);
	return count;
}

int
main(int argc, char **argv)
{
	long total = 0;

	for (int i = 1; i < argc; i++) {
		struct stat st;
		long n;

		if (stat(argv[i], &st) != 0) {
			perror(argv[i]);
			return 1;
		}
		n = S_ISDIR(st.st_mode) ? run_dir(argv[i]) : run_file(argv[i]) == 0 ? 1 : -1;
		if (n < 0)
			return 1;
		total += n;
	}
	printf("%s: %ld inputs replayed\n", argv[0], total);
	return 0;
}
