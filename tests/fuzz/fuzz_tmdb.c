/*
 * fuzz_tmdb.c: fuzz target for the TMDb JSON mapping (tmdb_parse: validation and normalised
 * copy of every kind of answer) and the search-text normalisation. The first byte picks the
 * kind; the rest is the answer's body.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "fuzz.h"
#include "log.h"
#include "movies.h"
#include "tmdb.h"

#define NKINDS	(TMDB_CONFIGURATION + 1)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object	*o, *again;
	enum tmdb_kind		 kind;
	struct buf		 b = BUF_INIT;

	log_threshold = LOG_ERROR;
	if (size == 0)
		return 0;
	kind = (enum tmdb_kind)(data[0] % NKINDS);
	o = tmdb_parse(kind, (const char *)data + 1, size - 1);
	if (o != NULL) {
		/* A normalised copy is itself valid: it goes through the mapping unchanged. */
		const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);

		if ((again = tmdb_parse(kind, s, strlen(s))) == NULL)
			__builtin_trap();
		json_object_put(again);
		json_object_put(o);
	}
	{
		char *text = fuzz_cstr(data + 1, size - 1);

		if (movies_normalize_query(text, &b) == 0) {
			struct tmdb_query q = { .kind = TMDB_SEARCH, .page = 1, .text = b.data };
			struct buf key = BUF_INIT;

			(void)movies_cache_key(&q, "en-US", &key);
			buf_free(&key);
		}
		free(text);
	}
	buf_free(&b);
	return 0;
}
