/*
 * fuzz_apibody.c: fuzz target for the JSON API's request bodies (api_body: JSON, urlencoded and
 * multipart as DRF parses them) and the field validator every handler's body goes through
 * (api_fields_check, with a text, an untrimmed text and an integer field).
 * Input: the Content-Type, a newline, the body.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_body.h"
#include "api_fields.h"
#include "arena.h"
#include "fuzz.h"
#include "http.h"
#include "log.h"
#include "reqjson.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena		 a = ARENA_INIT;
	struct req		 r;
	struct resp		 rs;
	struct json_object	*o;
	struct api_value	 out[API_MAX_FIELDS];
	static const struct api_field fields[] = { { "username", API_TEXT, 1, 0, 150 },
				    { "password", API_TEXT_RAW, 1, 0, 4096 }, { "movie_id", API_INT, 0, 1, INT32_MAX },
				    { NULL, 0, 0, 0, 0 } };
	const uint8_t		*body;
	size_t			 len;
	char			*type, *ctype, length[48];
	const char		*env[] = { "REQUEST_METHOD=POST", "REQUEST_URI=/api/v1/auth/register/", NULL,
				    length, NULL };

	log_threshold = LOG_ERROR;
	fuzz_split(data, size, '\n', &type, &body, &len);
	env[2] = ctype = fuzz_env("CONTENT_TYPE", (const uint8_t *)type, strlen(type));
	snprintf(length, sizeof(length), "CONTENT_LENGTH=%zu", len);
	resp_init(&rs);
	if (fuzz_req(&r, &a, env, body, len) == 0) {
		o = api_body(&r, &rs);
		/* Either the data as an object, or an answer (400 or 415) and no data. */
		if ((o == NULL) == (rs.status < 400) || (o && !json_object_is_type(o, json_type_object)))
			__builtin_trap();
		if (o != NULL) {
			(void)api_fields_check(r.arena, o, fields, out, req_object(&r));
			(void)json_str(o, "email");
		}
	}
	resp_free(&rs);
	arena_reset(&a);
	free(ctype);
	free(type);
	return 0;
}
