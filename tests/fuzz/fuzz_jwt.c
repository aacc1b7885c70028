/*
 * fuzz_jwt.c: fuzz target for JSON Web Tokens (jwt_decode). The first byte picks the input's
 * meaning: even, a whole compact token as a client sends it; odd, a header JSON, a newline and
 * a claims JSON, which are encoded and signed here with the right key, so the header and claim
 * checks behind the signature are reached.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "b64.h"
#include "buf.h"
#include "fuzz.h"
#include "jwt.h"

#define SECRET	"fuzz-secret-key"
#define NOW	1700000000

/* base64url(header).base64url(claims).base64url(HMAC-SHA256) into out. */
static void
sign_token(const char *header, const uint8_t *claims, size_t n, struct buf *out)
{
	unsigned char	mac[EVP_MAX_MD_SIZE];
	unsigned int	maclen = 0;

	b64_encode(out, header, strlen(header), B64_URL, 0);
	buf_putc(out, '.');
	b64_encode(out, claims, n, B64_URL, 0);
	HMAC(EVP_sha256(), SECRET, (int)strlen(SECRET), (const unsigned char *)out->data, out->len,
	    mac, &maclen);
	buf_putc(out, '.');
	b64_encode(out, mac, maclen, B64_URL, 0);
}

/* Decodes under every token type; a token that passes is encoded again. */
static void
decode_all(const char *tok, size_t len)
{
	static const char *const types[] = { JWT_ACCESS, JWT_REFRESH, NULL };

	for (size_t i = 0; i < 3; i++) {
		struct json_object *payload = NULL;
		enum jwt_status st = jwt_decode(SECRET, tok, len, types[i], NOW, &payload);

		(void)jwt_status_message(st);
		if ((st == JWT_OK) != (payload != NULL))
			__builtin_trap();
		if (payload != NULL) {
			struct buf again = BUF_INIT;
			struct json_object *access = jwt_access_from_refresh(payload, NOW);

			(void)jwt_encode(SECRET, payload, &again);
			json_object_put(access);
			json_object_put(payload);
			buf_free(&again);
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf	 tok = BUF_INIT;
	char		*header;
	const uint8_t	*claims;
	size_t		 n;

	if (size == 0)
		return 0;
	if (data[0] % 2 == 0) {
		decode_all((const char *)data + 1, size - 1);
		return 0;
	}
	fuzz_split(data + 1, size - 1, '\n', &header, &claims, &n);
	sign_token(header, claims, n, &tok);
	decode_all(tok.data, tok.len);
	free(header);
	buf_free(&tok);
	return 0;
}
