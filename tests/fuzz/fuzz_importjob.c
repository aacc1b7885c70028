/*
 * fuzz_importjob.c: fuzz target for an import job read back from Redis (model_import.c's
 * decode: the stored JSON into struct import_job). decode is static, so this file includes
 * model_import.c and fuzz.mk links it without model_import.o. Input: the stored value.
 */
#include "../../fcgi/model_import.c"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena		 a = ARENA_INIT;
	struct req		 r = { .arena = &a };
	struct import_job	 job = { 0 };
	char			*s = fuzz_cstr(data, size);
	struct json_object	*doc = json_tokener_parse(s);	/* as import_load parses it */

	if (doc != NULL && decode(&r, doc, &job) == 0)
		for (size_t i = 0; i < job.total && i < job.done; i++)	/* what the pages read */
			for (int k = 0; k < job.rows[i].ncand; k++)
				if (job.rows[i].cand[k].title == NULL || job.rows[i].title == NULL)
					__builtin_trap();
	json_object_put(doc);
	arena_reset(&a);
	free(s);
	return 0;
}
