/*
 * fuzz_session.c: fuzz target for signed values and session payloads (common/signing.c,
 * common/djsession.c, common/b64.c). The first byte picks what the rest is:
 *   0: a whole signed string for signing.loads (signature parsing, base62 timestamp);
 *   1: the payload of signing.loads (base64, '.' + zlib, JSON), given a valid signature here
 *      so the decoding behind the signature is reached;
 *   2: a session_data payload for djsession_decode, validly signed the same way;
 *   3: Signer/TimestampSigner unsign of the raw bytes, and base62 decoding;
 *   4: base64 in both alphabets, and Python-style json.loads.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "b64.h"
#include "buf.h"
#include "djsession.h"
#include "fuzz.h"
#include "log.h"
#include "signing.h"

#define NOW	1700000000

static const char *const fallbacks[] = { "old-fuzz-key", NULL };
static const struct signing_key key = { "fuzz-secret-key", fallbacks, 1 };

/* Signs payload with TimestampSigner under salt, as signing.dumps would, into out. */
static void
sign_payload(const char *salt, const uint8_t *p, size_t n, struct buf *out)
{
	signing_timestamp_sign(&key, salt, (const char *)p, n, NOW - 10, out);
}

/* Parses a signed value as signing.loads, then serialises what came out (round trip). */
static void
loads(const char *salt, const char *s, size_t n)
{
	struct json_object	*o = NULL;
	struct buf		 b = BUF_INIT;

	if (signing_loads(&key, salt, s, n, 3600, NOW, &o) == 0) {
		(void)signing_json_dumps(o, &b);
		json_object_put(o);
	}
	buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf		 b = BUF_INIT, out = BUF_INIT;
	struct json_object	*o = NULL;
	int64_t			 ts, v;

	log_threshold = LOG_ERROR;	/* djsession_decode warns on every bad payload */
	if (size == 0)
		return 0;
	switch (data[0] % 5) {
	case 0:
		loads(SIGNING_SALT_DUMPS, (const char *)data + 1, size - 1);
		break;
	case 1:
		sign_payload(SIGNING_SALT_DUMPS, data + 1, size - 1, &b);
		loads(SIGNING_SALT_DUMPS, b.data, b.len);
		break;
	case 2:
		sign_payload(DJSESSION_KEY_SALT, data + 1, size - 1, &b);
		if ((o = djsession_decode(&key, b.data, b.len)) != NULL) {
			if (djsession_encode_at(&key, o, NOW, &out) == 0) {
				struct json_object *back = djsession_decode(&key, out.data, out.len);

				if (back == NULL)
					__builtin_trap();	/* what we encode we must read back */
				json_object_put(back);
			}
			json_object_put(o);
			o = NULL;
		}
		/* The same bytes as a pre-3.1 (legacy) session_data. */
		(void)json_object_put(djsession_decode(&key, (const char *)data + 1, size - 1));
		break;
	case 3:
		(void)signing_unsign(&key, SIGNING_SALT_SIGNER, (const char *)data + 1, size - 1, &out);
		(void)signing_timestamp_unsign(&key, SIGNING_SALT_TIMESTAMP_SIGNER,
		    (const char *)data + 1, size - 1, 60, NOW, &out, &ts);
		if (signing_b62_decode((const char *)data + 1, size - 1, &v) == 0) {
			char enc[SIGNING_B62_MAX];

			signing_b62_encode(v, enc);
		}
		break;
	default:
		(void)b64_decode(&out, (const char *)data + 1, size - 1, B64_STD);
		buf_reset(&out);
		(void)b64_decode(&out, (const char *)data + 1, size - 1, B64_URL);
		if (signing_json_loads((const char *)data + 1, size - 1, &o) == 0) {
			buf_reset(&out);
			(void)signing_json_dumps(o, &out);
			json_object_put(o);
		}
		break;
	}
	buf_free(&b);
	buf_free(&out);
	return 0;
}
