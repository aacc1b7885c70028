/* test_jwt.c: HS256 tokens against PyJWT's output; tampering, alg none, expiry and token types refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "buf.h"
#include "jwt.h"
#include "util.h"

#define SECRET		"django-insecure-test-secret-key-for-vectors"
#define VECTOR_IAT	1700000000

/*
 * Printed by PyJWT 2.6 (Debian python3-jwt, as simplejwt uses it):
 * jwt.encode({"token_type":"access","exp":1700001800,"iat":1700000000,
 *     "jti":"0123456789abcdef0123456789abcdef","user_id":42,"username":"Zoë"}, SECRET, "HS256")
 */
static const char ACCESS_VECTOR[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJ0b2tlbl90eXBlIjoiYWNjZXNzIiwiZXhwIjoxNzAwMDAxODAwLCJpYXQiOjE3MDAwMDAwMDAsImp0aSI6IjAxMjM0"
    "NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVmIiwidXNlcl9pZCI6NDIsInVzZXJuYW1lIjoiWm9cdTAwZWIifQ."
    "yYbT2UdBok6f1wClBhVFmqedhtsAndV4U92LV4LVarU";
/* The same for {"token_type":"refresh","exp":1700086400,"iat":1700000000,"jti":"fedc...3210","user_id":7,"username":"alice"}. */
static const char REFRESH_VECTOR[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJ0b2tlbl90eXBlIjoicmVmcmVzaCIsImV4cCI6MTcwMDA4NjQwMCwiaWF0IjoxNzAwMDAwMDAwLCJqdGkiOiJmZWRj"
    "YmE5ODc2NTQzMjEwZmVkY2JhOTg3NjU0MzIxMCIsInVzZXJfaWQiOjcsInVzZXJuYW1lIjoiYWxpY2UifQ."
    "RosPjTOATfK-_CClxVTtyF_gJIxnqljKAlRsgQgN2sE";
/* PyJWT with algorithm="HS512" and with algorithm="none" (same claims minus username). */
static const char HS512_VECTOR[] =
    "eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9."
    "eyJ0b2tlbl90eXBlIjoiYWNjZXNzIiwiZXhwIjoxNzAwMDAxODAwLCJpYXQiOjE3MDAwMDAwMDAsImp0aSI6IjAxMjM0"
    "NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVmIiwidXNlcl9pZCI6NDJ9."
    "MuJDOZOzqCeGlWRdcv3BQ1gsCver6pylaLNT5EJqUZxpfytKFlfjIC5CpAcOllIuEEOkLqW1fJNZmOVrDHnFbg";
static const char NONE_VECTOR[] =
    "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0."
    "eyJ0b2tlbl90eXBlIjoiYWNjZXNzIiwiZXhwIjoxNzAwMDAxODAwLCJpYXQiOjE3MDAwMDAwMDAsImp0aSI6IjAxMjM0"
    "NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVmIiwidXNlcl9pZCI6NDJ9.";

static enum jwt_status
decode(const char *token, const char *type, int64_t now, struct json_object **out)
{
	return jwt_decode(SECRET, token, strlen(token), type, now, out);
}

/* The claims of the vector built in C, in simplejwt's key order. */
static struct json_object *
vector_payload(void)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "token_type", json_object_new_string("access"));
	json_object_object_add(o, "exp", json_object_new_int64(VECTOR_IAT + JWT_ACCESS_LIFETIME));
	json_object_object_add(o, "iat", json_object_new_int64(VECTOR_IAT));
	json_object_object_add(o, "jti", json_object_new_string("0123456789abcdef0123456789abcdef"));
	json_object_object_add(o, "user_id", json_object_new_int(42));
	json_object_object_add(o, "username", json_object_new_string("Zo\xc3\xab"));
	return o;
}

static void
test_encode_matches_pyjwt(void **state)
{
	struct json_object	*o = vector_payload();
	struct buf		 out = BUF_INIT;

	(void)state;
	assert_int_equal(jwt_encode(SECRET, o, &out), 0);
	assert_string_equal(buf_cstr(&out), ACCESS_VECTOR);
	buf_free(&out);
	json_object_put(o);
}

static void
test_decode_pyjwt_tokens(void **state)
{
	struct json_object *o, *v;

	(void)state;
	assert_int_equal(decode(ACCESS_VECTOR, JWT_ACCESS, VECTOR_IAT + 10, &o), JWT_OK);
	assert_true(json_object_object_get_ex(o, "user_id", &v));
	assert_int_equal(json_object_get_int64(v), 42);
	assert_true(json_object_object_get_ex(o, "username", &v));
	assert_string_equal(json_object_get_string(v), "Zo\xc3\xab");
	json_object_put(o);
	assert_int_equal(decode(REFRESH_VECTOR, JWT_REFRESH, VECTOR_IAT + 86399, &o), JWT_OK);
	json_object_put(o);
	/* UntypedToken: no type wanted. */
	assert_int_equal(decode(REFRESH_VECTOR, NULL, VECTOR_IAT, &o), JWT_OK);
	json_object_put(o);
}

static void
test_wrong_type(void **state)
{
	struct json_object *o;

	(void)state;
	assert_int_equal(decode(ACCESS_VECTOR, JWT_REFRESH, VECTOR_IAT, &o), JWT_WRONG_TYPE);
	assert_null(o);
	assert_int_equal(decode(REFRESH_VECTOR, JWT_ACCESS, VECTOR_IAT, &o), JWT_WRONG_TYPE);
	assert_null(o);
	assert_string_equal(jwt_status_message(JWT_WRONG_TYPE), "Token has wrong type");
}

static void
test_expiry(void **state)
{
	struct json_object *o;

	(void)state;
	/* Valid while now < exp; at exp it is expired (PyJWT: exp <= now). */
	assert_int_equal(decode(ACCESS_VECTOR, JWT_ACCESS, VECTOR_IAT + JWT_ACCESS_LIFETIME - 1, &o), JWT_OK);
	json_object_put(o);
	assert_int_equal(decode(ACCESS_VECTOR, JWT_ACCESS, VECTOR_IAT + JWT_ACCESS_LIFETIME, &o), JWT_INVALID);
	assert_null(o);
	/* Issued in the future. */
	assert_int_equal(decode(ACCESS_VECTOR, JWT_ACCESS, VECTOR_IAT - 1, &o), JWT_INVALID);
	assert_string_equal(jwt_status_message(JWT_INVALID), "Token is invalid or expired");
}

static void
test_tampering(void **state)
{
	struct json_object	*o;
	char			*t = xstrdup(ACCESS_VECTOR);
	char			*payload = strchr(t, '.') + 1, *sig = strrchr(t, '.') + 1;

	(void)state;
	/* A flipped payload character (user_id 42 -> another id) breaks the signature. */
	payload[10] = payload[10] == 'A' ? 'B' : 'A';
	assert_int_equal(decode(t, JWT_ACCESS, VECTOR_IAT, &o), JWT_INVALID);
	assert_null(o);
	free(t);
	t = xstrdup(ACCESS_VECTOR);
	sig = strrchr(t, '.') + 1;
	sig[0] = sig[0] == 'A' ? 'B' : 'A';
	assert_int_equal(decode(t, JWT_ACCESS, VECTOR_IAT, &o), JWT_INVALID);
	/* A truncated signature, a missing part, an extra part, padding-free garbage. */
	t[strlen(t) - 1] = '\0';
	assert_int_equal(decode(t, JWT_ACCESS, VECTOR_IAT, &o), JWT_INVALID);
	free(t);
	assert_int_equal(decode("abc.def", JWT_ACCESS, VECTOR_IAT, &o), JWT_INVALID);
	assert_int_equal(decode("a.b.c.d", JWT_ACCESS, VECTOR_IAT, &o), JWT_INVALID);
	assert_int_equal(decode("..", JWT_ACCESS, VECTOR_IAT, &o), JWT_INVALID);
	assert_int_equal(decode("", JWT_ACCESS, VECTOR_IAT, &o), JWT_INVALID);
	assert_int_equal(decode("e30.e30.!!!", JWT_ACCESS, VECTOR_IAT, &o), JWT_INVALID);
	/* Another secret. */
	assert_int_equal(jwt_decode("another-secret", ACCESS_VECTOR, strlen(ACCESS_VECTOR), JWT_ACCESS,
	    VECTOR_IAT, &o), JWT_INVALID);
	assert_null(o);
}

static void
test_other_algorithms(void **state)
{
	struct json_object	*o;
	struct buf		 forged = BUF_INIT;

	(void)state;
	assert_int_equal(decode(NONE_VECTOR, JWT_ACCESS, VECTOR_IAT, &o), JWT_INVALID);
	assert_null(o);
	assert_int_equal(decode(HS512_VECTOR, JWT_ACCESS, VECTOR_IAT, &o), JWT_INVALID);
	assert_null(o);
	/* "alg":"none" carrying a genuine HS256 signature of its own bytes is refused too. */
	const char *none_part = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0";
	const char *rest = strchr(ACCESS_VECTOR, '.');
	buf_puts(&forged, none_part);
	buf_append(&forged, rest, strlen(rest));
	assert_int_equal(decode(buf_cstr(&forged), JWT_ACCESS, VECTOR_IAT, &o), JWT_INVALID);
	buf_free(&forged);
}

/* Signs a payload built here, then decodes it. */
static enum jwt_status
roundtrip(struct json_object *payload, const char *type, int64_t now)
{
	struct buf		 t = BUF_INIT;
	struct json_object	*o;
	enum jwt_status		 st;

	assert_int_equal(jwt_encode(SECRET, payload, &t), 0);
	json_object_put(payload);
	st = decode(buf_cstr(&t), type, now, &o);
	json_object_put(o);
	buf_free(&t);
	return st;
}

static void
test_missing_claims(void **state)
{
	struct json_object *o;

	(void)state;
	o = vector_payload();
	json_object_object_del(o, "jti");
	assert_int_equal(roundtrip(o, JWT_ACCESS, VECTOR_IAT), JWT_NO_ID);
	o = vector_payload();
	json_object_object_del(o, "token_type");
	assert_int_equal(roundtrip(o, JWT_ACCESS, VECTOR_IAT), JWT_NO_TYPE);
	o = vector_payload();
	json_object_object_del(o, "exp");
	assert_int_equal(roundtrip(o, JWT_ACCESS, VECTOR_IAT), JWT_NO_EXP);
	o = vector_payload();
	json_object_object_add(o, "exp", json_object_new_string("soon"));
	assert_int_equal(roundtrip(o, JWT_ACCESS, VECTOR_IAT), JWT_INVALID);
	o = vector_payload();
	json_object_object_add(o, "token_type", json_object_new_int(1));
	assert_int_equal(roundtrip(o, JWT_ACCESS, VECTOR_IAT), JWT_WRONG_TYPE);
	o = vector_payload();
	json_object_object_add(o, "nbf", json_object_new_int64(VECTOR_IAT + 5));
	assert_int_equal(roundtrip(o, JWT_ACCESS, VECTOR_IAT), JWT_INVALID);
	/* A payload that is not an object. */
	o = json_object_new_array();
	assert_int_equal(roundtrip(o, NULL, VECTOR_IAT), JWT_INVALID);
}

static void
test_new_payload_and_refresh(void **state)
{
	struct json_object	*refresh = jwt_new_payload(JWT_REFRESH, JWT_REFRESH_LIFETIME, VECTOR_IAT);
	struct json_object	*access, *v;
	const char		*jti;
	char			 refresh_jti[JWT_JTI_HEX + 1];
	struct buf		 t = BUF_INIT;
	struct json_object	*o;

	(void)state;
	json_object_object_add(refresh, "user_id", json_object_new_int(7));
	json_object_object_add(refresh, "username", json_object_new_string("alice"));
	assert_true(json_object_object_get_ex(refresh, "jti", &v));
	jti = json_object_get_string(v);
	assert_int_equal(strlen(jti), JWT_JTI_HEX);
	assert_int_equal(strspn(jti, "0123456789abcdef"), JWT_JTI_HEX);
	assert_int_equal(jti[12], '4');
	strcpy(refresh_jti, jti);
	access = jwt_access_from_refresh(refresh, VECTOR_IAT + 100);
	assert_true(json_object_object_get_ex(access, "token_type", &v));
	assert_string_equal(json_object_get_string(v), "access");
	assert_true(json_object_object_get_ex(access, "exp", &v));
	assert_int_equal(json_object_get_int64(v), VECTOR_IAT + 100 + JWT_ACCESS_LIFETIME);
	assert_true(json_object_object_get_ex(access, "iat", &v));
	assert_int_equal(json_object_get_int64(v), VECTOR_IAT + 100);
	assert_true(json_object_object_get_ex(access, "jti", &v));
	assert_string_not_equal(json_object_get_string(v), refresh_jti);
	assert_true(json_object_object_get_ex(access, "user_id", &v));
	assert_int_equal(json_object_get_int(v), 7);
	assert_true(json_object_object_get_ex(access, "username", &v));
	assert_string_equal(json_object_get_string(v), "alice");
	assert_int_equal(jwt_encode(SECRET, access, &t), 0);
	assert_int_equal(decode(buf_cstr(&t), JWT_ACCESS, VECTOR_IAT + 100, &o), JWT_OK);
	json_object_put(o);
	buf_free(&t);
	json_object_put(access);
	json_object_put(refresh);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_matches_pyjwt),
		cmocka_unit_test(test_decode_pyjwt_tokens),
		cmocka_unit_test(test_wrong_type),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_tampering),
		cmocka_unit_test(test_other_algorithms),
		cmocka_unit_test(test_missing_claims),
		cmocka_unit_test(test_new_payload_and_refresh),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
