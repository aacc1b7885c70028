/*
 * fuzz_listfile.c: fuzz target for uploaded list files: the CSV reader and the format detection
 * (common/csv.c, common/listfile.c) on any bytes, then the CSV writer on every cell read.
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "csv.h"
#include "fuzz.h"
#include "listfile.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena	 a = ARENA_INIT;
	struct listfile	 lf;
	struct buf	 out = BUF_INIT;
	/* The file in a buffer of its own size, so ASan sees any read past its end. */
	char		*file = malloc(size ? size : 1);

	if (size)
		memcpy(file, data, size);
	if (listfile_parse(&a, file, size, &lf) == 0) {
		if (lf.n == 0 || lf.n > LISTFILE_MAX_ROWS)
			__builtin_trap();
		for (size_t i = 0; i < lf.n; i++) {
			const char *cells[1] = { lf.rows[i].title };

			/* Every accepted cell is UTF-8 and never a formula; written back, it stays one row. */
			if (csv_is_formula(lf.rows[i].title))
				__builtin_trap();
			buf_reset(&out);
			csv_write_row(&out, cells, 1);
		}
	} else if (lf.err == LISTFILE_OK)
		__builtin_trap();
	buf_free(&out);
	free(file);
	arena_reset(&a);
	return 0;
}
