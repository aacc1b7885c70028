/*
 * fuzz_importjob.c: fuzz target for what an import keeps in Redis, read back
 * (model_import.c's import_decode and import_decode_page). Input: the first byte picks the
 * job (even) or a preview page (odd); the rest is the stored value.
 */
#include "fuzz.h"
#include "model_import.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena		 a = ARENA_INIT;
	struct import_job	 job = { 0 };
	struct import_page	 pg = { 0 };

	if (size == 0)
		return 0;
	if ((data[0] & 1) == 0) {
		if (import_decode(&a, (const char *)data + 1, size - 1, &job) == 0) {
			/* What the pages read: done rows of total, each with its title and candidates. */
			if (job.done > job.total || (job.rows == NULL && !job.built && job.total > 0))
				__builtin_trap();
			for (size_t i = 0; job.rows != NULL && i < job.done; i++)
				for (int k = 0; k < job.rows[i].ncand; k++)
					if (job.rows[i].cand[k].title == NULL || job.rows[i].title == NULL)
						__builtin_trap();
		}
	} else if (import_decode_page(&a, (const char *)data + 1, size - 1, &pg) == 0) {
		for (size_t i = 0; i < pg.n; i++)
			if (pg.rows[i].title == NULL)
				__builtin_trap();
	}
	arena_reset(&a);
	return 0;
}
