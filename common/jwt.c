/* jwt.c: JSON Web Tokens as djangorestframework-simplejwt makes and checks them (HS256, typed, expiring). */
#include <math.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "b64.h"
#include "jwt.h"
#include "rand.h"
#include "signing.h"
#include "util.h"

/* PyJWT sorts the header keys: this is base64url of {"alg":"HS256","typ":"JWT"}. */
#define HEADER_JSON	"{\"alg\":\"HS256\",\"typ\":\"JWT\"}"
#define MAX_DEPTH	32
#define HMAC_LEN	32

static void
hmac_sha256(const char *secret, const char *msg, size_t len, unsigned char out[HMAC_LEN])
{
	unsigned int outlen = HMAC_LEN;

	if (HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)msg, len, out,
	    &outlen) == NULL)
		die("jwt: HMAC failed");
}

struct json_object *
jwt_new_payload(const char *token_type, int64_t lifetime, int64_t now)
{
	struct json_object	*o = json_object_new_object();
	unsigned char		 id[JWT_JTI_HEX / 2];
	char			 hex[JWT_JTI_HEX + 1];

	/* Shaped like uuid4().hex (version 4, RFC 4122 variant), as simplejwt's set_jti. */
	rand_bytes(id, sizeof(id));
	id[6] = (unsigned char)((id[6] & 0x0f) | 0x40);
	id[8] = (unsigned char)((id[8] & 0x3f) | 0x80);
	hex_encode(id, sizeof(id), hex);
	json_object_object_add(o, "token_type", json_object_new_string(token_type));
	json_object_object_add(o, "exp", json_object_new_int64(now + lifetime));
	json_object_object_add(o, "iat", json_object_new_int64(now));
	json_object_object_add(o, "jti", json_object_new_string(hex));
	return o;
}

struct json_object *
jwt_access_from_refresh(struct json_object *refresh, int64_t now)
{
	struct json_object *access = jwt_new_payload(JWT_ACCESS, JWT_ACCESS_LIFETIME, now);

	json_object_object_foreach(refresh, key, value) {
		if (strcmp(key, "token_type") == 0 || strcmp(key, "exp") == 0 ||
		    strcmp(key, "jti") == 0 || strcmp(key, "iat") == 0)
			continue;
		json_object_object_add(access, key, json_object_get(value));
	}
	return access;
}

int
jwt_encode(const char *secret, struct json_object *payload, struct buf *out)
{
	struct buf	 json = BUF_INIT, token = BUF_INIT;
	unsigned char	 mac[HMAC_LEN];

	if (signing_json_dumps(payload, &json) != 0) {
		buf_free(&json);
		return -1;
	}
	b64_encode(&token, HEADER_JSON, strlen(HEADER_JSON), B64_URL, 0);
	buf_putc(&token, '.');
	b64_encode(&token, json.data, json.len, B64_URL, 0);
	hmac_sha256(secret, token.data, token.len, mac);
	buf_putc(&token, '.');
	b64_encode(&token, mac, sizeof(mac), B64_URL, 0);
	buf_append(out, token.data, token.len);
	buf_free(&json);
	buf_free(&token);
	return 0;
}

/* A JSON object from base64url text, as PyJWT requires for header and payload; NULL otherwise. */
static struct json_object *
decode_object(const char *b64, size_t len)
{
	struct buf		 raw = BUF_INIT;
	struct json_tokener	*tok;
	struct json_object	*o = NULL;

	if (b64_decode(&raw, b64, len, B64_URL) != 0 || raw.len == 0 || raw.len > JWT_MAX_TOKEN) {
		buf_free(&raw);
		return NULL;
	}
	if ((tok = json_tokener_new_ex(MAX_DEPTH)) == NULL)
		die("jwt: out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	/* The NUL is part of the input so that the tokener knows the text has ended. */
	o = json_tokener_parse_ex(tok, raw.data, (int)raw.len + 1);
	if (json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) < raw.len || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	buf_free(&raw);
	return o;
}

/* 1 and *v when the claim is a finite number, 0 when absent, -1 when anything else. */
static int
claim_number(struct json_object *payload, const char *name, double *v)
{
	struct json_object *c;

	if (!json_object_object_get_ex(payload, name, &c))
		return 0;
	if (json_object_is_type(c, json_type_int))
		*v = (double)json_object_get_int64(c);
	else if (json_object_is_type(c, json_type_double))
		*v = json_object_get_double(c);
	else
		return -1;
	return isfinite(*v) ? 1 : -1;
}

/* PyJWT's registered-claim checks (leeway 0): exp > now after int(), iat and nbf <= now. */
static int
times_valid(struct json_object *payload, int64_t now)
{
	double	v;
	int	has;

	if ((has = claim_number(payload, "iat", &v)) < 0 || (has && v > (double)now))
		return 0;
	if ((has = claim_number(payload, "nbf", &v)) < 0 || (has && trunc(v) > (double)now))
		return 0;
	if ((has = claim_number(payload, "exp", &v)) < 0 || (has && trunc(v) <= (double)now))
		return 0;
	return 1;
}

enum jwt_status
jwt_decode(const char *secret, const char *token, size_t len, const char *want_type, int64_t now,
    struct json_object **payload)
{
	const char		*dot1, *dot2;
	struct json_object	*header, *claims = NULL, *type;
	struct buf		 sig = BUF_INIT;
	unsigned char		 mac[HMAC_LEN];
	enum jwt_status		 st = JWT_INVALID;

	*payload = NULL;
	if (len == 0 || len > JWT_MAX_TOKEN || memchr(token, '\0', len))
		return JWT_INVALID;
	if ((dot1 = memchr(token, '.', len)) == NULL ||
	    (dot2 = memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - token))) == NULL ||
	    memchr(dot2 + 1, '.', len - (size_t)(dot2 + 1 - token)))
		return JWT_INVALID;
	if ((header = decode_object(token, (size_t)(dot1 - token))) == NULL)
		return JWT_INVALID;
	/* Only the algorithm the key is meant for: never "none", never an RSA confusion. */
	struct json_object *alg;
	int alg_ok = json_object_object_get_ex(header, "alg", &alg) &&
	    json_object_is_type(alg, json_type_string) && strcmp(json_object_get_string(alg), "HS256") == 0;
	json_object_put(header);
	if (!alg_ok)
		return JWT_INVALID;
	if (b64_decode(&sig, dot2 + 1, len - (size_t)(dot2 + 1 - token), B64_URL) != 0)
		goto done;
	hmac_sha256(secret, token, (size_t)(dot2 - token), mac);
	if (!ct_equal(sig.data ? sig.data : "", sig.len, mac, sizeof(mac)))
		goto done;
	if ((claims = decode_object(dot1 + 1, (size_t)(dot2 - dot1 - 1))) == NULL || !times_valid(claims, now))
		goto done;
	/* simplejwt's own checks, in its order. */
	if (!json_object_object_get_ex(claims, "exp", NULL))
		st = JWT_NO_EXP;
	else if (!json_object_object_get_ex(claims, "jti", NULL))
		st = JWT_NO_ID;
	else if (want_type == NULL)
		st = JWT_OK;
	else if (!json_object_object_get_ex(claims, "token_type", &type))
		st = JWT_NO_TYPE;
	else if (!json_object_is_type(type, json_type_string) || strcmp(json_object_get_string(type), want_type) != 0)
		st = JWT_WRONG_TYPE;
	else
		st = JWT_OK;
done:
	buf_free(&sig);
	if (st == JWT_OK)
		*payload = claims;
	else
		json_object_put(claims);
	return st;
}

const char *
jwt_status_message(enum jwt_status st)
{
	switch (st) {
	case JWT_OK:
		return "Token is valid";
	case JWT_NO_EXP:
		return "Token has no 'exp' claim";
	case JWT_NO_ID:
		return "Token has no id";
	case JWT_NO_TYPE:
		return "Token has no type";
	case JWT_WRONG_TYPE:
		return "Token has wrong type";
	case JWT_INVALID:
		break;
	}
	return "Token is invalid or expired";
}
