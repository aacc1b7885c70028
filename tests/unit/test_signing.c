/* test_signing.c: salted_hmac, base62, Signer, TimestampSigner and dumps/loads against Django's outputs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "buf.h"
#include "signing.h"
#include "util.h"

#define VECTOR_SECRET	"django-insecure-test-secret-key-for-vectors"
#define VECTOR_TIME	1700000000

static const struct signing_key vector_key = { VECTOR_SECRET, NULL, 0 };

static void
hmac_hex(enum signing_digest d, const char *salt, const char *value, const char *secret,
    char *hex)
{
	unsigned char	 mac[SIGNING_MAX_DIGEST];
	size_t		 n = signing_salted_hmac(d, salt, secret, value, strlen(value), mac);

	assert_int_equal(n, d == SIGNING_SHA1 ? 20 : 32);
	hex_encode(mac, n, hex);
}

/* Expected values printed by Django 3.2's django.utils.crypto.salted_hmac. */
static void
test_salted_hmac(void **state)
{
	char hex[65];

	(void)state;
	hmac_hex(SIGNING_SHA256, "salt", "value", "secret", hex);
	assert_string_equal(hex, "debaddcd9ecbaab181289870baf8af49b0af0a7050d620d1a63f1e69bd87ceb8");
	hmac_hex(SIGNING_SHA1, "salt", "value", "secret", hex);
	assert_string_equal(hex, "a82be9ba6efe61405ee8d2e8a3781c37e103360a");
	hmac_hex(SIGNING_SHA256, "", "", "", hex);
	assert_string_equal(hex, "bfe4527091e7291c5b9a9359c579a97302ba3a7d969994f80a562db7bad4315c");
}

static void
test_b62(void **state)
{
	static const struct { int64_t v; const char *s; } cases[] = {
		{ 0, "0" }, { 9, "9" }, { 10, "A" }, { 61, "z" }, { 62, "10" }, { -1, "-1" },
		{ -62, "-10" }, { VECTOR_TIME, "1r31eq" },
		{ INT64_MAX, "AzL8n0Y58m7" }, { INT64_MIN, "-AzL8n0Y58m8" },
	};
	char	 s[SIGNING_B62_MAX];
	int64_t	 v;

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		signing_b62_encode(cases[i].v, s);
		assert_string_equal(s, cases[i].s);
		assert_int_equal(signing_b62_decode(s, strlen(s), &v), 0);
		assert_true(v == cases[i].v);
	}
	assert_int_equal(signing_b62_decode("", 0, &v), 0);
	assert_true(v == 0);
	assert_int_equal(signing_b62_decode("1r3!", 4, &v), -1);
	assert_int_equal(signing_b62_decode("1r3 ", 4, &v), -1);
	assert_int_equal(signing_b62_decode("AzL8n0Y58m8", 11, &v), -1);	/* INT64_MAX + 1 */
	assert_int_equal(signing_b62_decode("zzzzzzzzzzzzzzzz", 16, &v), -1);
	assert_int_equal(signing_b62_decode("a\0b", 3, &v), -1);
}

static void
test_signer(void **state)
{
	struct buf out = BUF_INIT;

	(void)state;
	signing_sign(&vector_key, SIGNING_SALT_SIGNER, "hello", 5, &out);
	assert_string_equal(buf_cstr(&out), "hello:wGbtVFiEUEtZE2DSMaWp3DVGEKeWX0sAZI_y25_uscY");
	buf_reset(&out);
	signing_sign(&vector_key, "extra", "a:b", 3, &out);
	assert_string_equal(buf_cstr(&out), "a:b:ow0UzQ5Iu3Y3K2Wn1zLtLjq3RWCxD9IdaFh4z1-G-JU");

	/* unsign splits at the last ':' */
	buf_reset(&out);
	assert_int_equal(signing_unsign(&vector_key, "extra",
	    "a:b:ow0UzQ5Iu3Y3K2Wn1zLtLjq3RWCxD9IdaFh4z1-G-JU", 47, &out), 0);
	assert_string_equal(buf_cstr(&out), "a:b");
	buf_reset(&out);
	assert_int_equal(signing_unsign(&vector_key, SIGNING_SALT_DUMPS,
	    "a:b:ow0UzQ5Iu3Y3K2Wn1zLtLjq3RWCxD9IdaFh4z1-G-JU", 47, &out), -1);
	assert_int_equal(signing_unsign(&vector_key, "extra",
	    "a:c:ow0UzQ5Iu3Y3K2Wn1zLtLjq3RWCxD9IdaFh4z1-G-JU", 47, &out), -1);
	assert_int_equal(signing_unsign(&vector_key, "extra",
	    "a:b:ow0UzQ5Iu3Y3K2Wn1zLtLjq3RWCxD9IdaFh4z1-G-J", 46, &out), -1);
	assert_int_equal(signing_unsign(&vector_key, "extra", "nocolon", 7, &out), -1);
	assert_int_equal(out.len, 0);
	buf_free(&out);
}

static void
test_signer_sha1_and_fallbacks(void **state)
{
	static const char *const fallbacks[] = { "other", VECTOR_SECRET, NULL };
	struct signing_key	 rotated = { "new-key", fallbacks, 0 };
	struct signing_key	 sha1 = { VECTOR_SECRET, NULL, 1 };
	struct buf		 out = BUF_INIT;
	const char		*legacy = "hello:uUuzzXGWeqQO1pdEC9rS9PPpT-o";

	(void)state;
	/* Django 3.2's Signer(algorithm='sha1'), which its unsign() still accepts. */
	assert_int_equal(signing_unsign(&vector_key, SIGNING_SALT_SIGNER, legacy,
	    strlen(legacy), &out), -1);
	assert_int_equal(signing_unsign(&sha1, SIGNING_SALT_SIGNER, legacy, strlen(legacy),
	    &out), 0);
	assert_string_equal(buf_cstr(&out), "hello");

	/* A value signed with the old key verifies through SECRET_KEY_FALLBACKS. */
	buf_reset(&out);
	assert_int_equal(signing_unsign(&rotated, SIGNING_SALT_SIGNER,
	    "hello:wGbtVFiEUEtZE2DSMaWp3DVGEKeWX0sAZI_y25_uscY", 49, &out), 0);
	assert_string_equal(buf_cstr(&out), "hello");
	/* New signatures use the current key only. */
	buf_reset(&out);
	signing_sign(&rotated, SIGNING_SALT_SIGNER, "hello", 5, &out);
	assert_string_not_equal(buf_cstr(&out),
	    "hello:wGbtVFiEUEtZE2DSMaWp3DVGEKeWX0sAZI_y25_uscY");
	buf_free(&out);
}

static void
test_timestamp_signer(void **state)
{
	const char	*v = "hello:1r31eq:tQMbaB7m1V3hg4Q2XaQZAR99WLpExDQAdlVfTk5c_qo";
	struct buf	 out = BUF_INIT;
	int64_t		 ts = 0;

	(void)state;
	signing_timestamp_sign(&vector_key, SIGNING_SALT_TIMESTAMP_SIGNER, "hello", 5,
	    VECTOR_TIME, &out);
	assert_string_equal(buf_cstr(&out), v);
	buf_reset(&out);
	assert_int_equal(signing_timestamp_unsign(&vector_key, SIGNING_SALT_TIMESTAMP_SIGNER, v,
	    strlen(v), -1, 0, &out, &ts), 0);
	assert_string_equal(buf_cstr(&out), "hello");
	assert_true(ts == VECTOR_TIME);
	/* max_age: age = now - ts must not exceed it. */
	buf_reset(&out);
	assert_int_equal(signing_timestamp_unsign(&vector_key, SIGNING_SALT_TIMESTAMP_SIGNER, v,
	    strlen(v), 10, VECTOR_TIME + 10, &out, NULL), 0);
	buf_reset(&out);
	assert_int_equal(signing_timestamp_unsign(&vector_key, SIGNING_SALT_TIMESTAMP_SIGNER, v,
	    strlen(v), 10, VECTOR_TIME + 11, &out, NULL), -1);
	assert_int_equal(out.len, 0);
	buf_free(&out);
}

static void
expect_dumps(const char *json, int compress, const char *salt, const char *want)
{
	struct json_object	*obj = json_tokener_parse(json);
	struct json_object	*back;
	struct buf		 out = BUF_INIT, a = BUF_INIT, b = BUF_INIT;

	assert_non_null(obj);
	assert_int_equal(signing_dumps(&vector_key, salt, obj, compress, VECTOR_TIME, &out), 0);
	assert_string_equal(buf_cstr(&out), want);
	assert_int_equal(signing_loads(&vector_key, salt, out.data, out.len, -1, 0, &back), 0);
	assert_non_null(back);
	assert_int_equal(signing_json_dumps(obj, &a), 0);
	assert_int_equal(signing_json_dumps(back, &b), 0);
	assert_string_equal(buf_cstr(&a), buf_cstr(&b));
	json_object_put(obj);
	json_object_put(back);
	buf_free(&out);
	buf_free(&a);
	buf_free(&b);
}

/* Outputs of Django 3.2's signing.dumps with time.time() patched to 1700000000. */
static void
test_dumps_vectors(void **state)
{
	(void)state;
	expect_dumps("\"hello\"", 0, SIGNING_SALT_DUMPS,
	    "ImhlbGxvIg:1r31eq:Hh1TXssZfcJomOS8Rocv-OntwL8gffV-5bSNqr2ElJQ");
	expect_dumps("{\"a\":[1,2.5,null,true,false],\"\\u00e9\":\"\\ud83d\\ude00\\u00e9\\n\\u007f\"}",
	    0, SIGNING_SALT_DUMPS,
	    "eyJhIjpbMSwyLjUsbnVsbCx0cnVlLGZhbHNlXSwiXHUwMGU5IjoiXHVkODNkXHVkZTAwXHUwMGU5XG5cdTAwN2Yi"
	    "fQ:1r31eq:-qjMpuBFVP43HAJ9DZmxt1SGG0pSr7ebESns3RHfXmk");
	/* Compressed: 100 x's shrink, so the payload gets the '.' marker. */
	expect_dumps("\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxx\"", 1, SIGNING_SALT_DUMPS,
	    ".eJxTqqADUAIAfKsvJQ:1r31eq:EARfo1dyT8OaeHpza8E0Hl_SOlkSWXlzB1WiIREtKS0");
	/* compress=True but zlib does not save more than one byte: stored plain. */
	expect_dumps("\"abcdefghij\"", 1, SIGNING_SALT_DUMPS,
	    "ImFiY2RlZmdoaWoi:1r31eq:qA0HcmkCVOEn1utt0VHj3K2nN9zIMs8bz-2pj_GPGDo");
}

static void
test_loads_failures(void **state)
{
	static const char *const fallbacks[] = { "oldkey", NULL };
	struct signing_key	 rotated = { VECTOR_SECRET, fallbacks, 0 };
	const char		*v = "ImhlbGxvIg:1r31eq:Hh1TXssZfcJomOS8Rocv-OntwL8gffV-5bSNqr2ElJQ";
	const char		*old = "ImhlbGxvIg:1r31eq:MOo6Zdt3IE-tz-tFV-1Za5_dkj52A3kPsc2URX753M8";
	struct json_object	*o;

	(void)state;
	assert_int_equal(signing_loads(&vector_key, "other.salt", v, strlen(v), -1, 0, &o), -1);
	assert_null(o);
	assert_int_equal(signing_loads(&vector_key, SIGNING_SALT_DUMPS, v, strlen(v) - 1, -1, 0,
	    &o), -1);
	assert_int_equal(signing_loads(&vector_key, SIGNING_SALT_DUMPS, v, strlen(v), 5,
	    VECTOR_TIME + 6, &o), -1);
	assert_int_equal(signing_loads(&vector_key, SIGNING_SALT_DUMPS, v, strlen(v), 5,
	    VECTOR_TIME + 5, &o), 0);
	assert_non_null(o);
	assert_string_equal(json_object_get_string(o), "hello");
	json_object_put(o);
	/* signed with the old key: only accepted through the fallback list */
	assert_int_equal(signing_loads(&vector_key, SIGNING_SALT_DUMPS, old, strlen(old), -1, 0,
	    &o), -1);
	assert_int_equal(signing_loads(&rotated, SIGNING_SALT_DUMPS, old, strlen(old), -1, 0, &o),
	    0);
	assert_non_null(o);
	json_object_put(o);
}

/* A correctly signed payload whose content is bad must still be refused. */
static void
test_loads_bad_payloads(void **state)
{
	static const char *const payloads[] = {
		"!!!",		/* not base64url */
		".eJx",		/* truncated zlib */
		".aGVsbG8",	/* "hello", not zlib */
		"aGVsbG8",	/* "hello", not JSON */
		"IngiIHg",	/* "x" x: trailing garbage */
	};
	struct buf	 signed_value = BUF_INIT;
	char		 ts[SIGNING_B62_MAX];

	(void)state;
	signing_b62_encode(VECTOR_TIME, ts);
	for (size_t i = 0; i < NELEM(payloads); i++) {
		buf_reset(&signed_value);
		signing_timestamp_sign(&vector_key, SIGNING_SALT_DUMPS, payloads[i],
		    strlen(payloads[i]), VECTOR_TIME, &signed_value);
		struct json_object *o = NULL;

		assert_int_equal(signing_loads(&vector_key, SIGNING_SALT_DUMPS, signed_value.data,
		    signed_value.len, -1, 0, &o), -1);
		assert_null(o);
	}
	buf_free(&signed_value);
}

static void
expect_json(const char *in, const char *want)
{
	struct json_object	*o = json_tokener_parse(in);
	struct buf		 out = BUF_INIT;

	assert_non_null(o);
	assert_int_equal(signing_json_dumps(o, &out), 0);
	assert_string_equal(buf_cstr(&out), want);
	json_object_put(o);
	buf_free(&out);
}

/* Expected strings are Python's json.dumps(..., separators=(',', ':')). */
static void
test_json_dumps(void **state)
{
	struct json_object	*o;
	struct buf		 out = BUF_INIT;

	(void)state;
	expect_json("{\"k\":\"\xf0\x9f\x98\x80\xc3\xa9\xe2\x80\xa8\\u0000\\u001f\x7f\\\"\\\\/\\b\\f\\n\\r\\t\"}",
	    "{\"k\":\"\\ud83d\\ude00\\u00e9\\u2028\\u0000\\u001f\\u007f\\\"\\\\/\\b\\f\\n\\r\\t\"}");
	expect_json("[1.5,1e16,1e15,0.0001,1e-05,-0.0,1.2345678901234567e-7,123456789.125,"
	    "3.141592653589793,1e22,2.5e-310]",
	    "[1.5,1e+16,1000000000000000.0,0.0001,1e-05,-0.0,1.2345678901234566e-07,"
	    "123456789.125,3.141592653589793,1e+22,2.5e-310]");
	expect_json("[0,-1,9223372036854775807,-9223372036854775808,18446744073709551615]",
	    "[0,-1,9223372036854775807,-9223372036854775808,18446744073709551615]");
	/* key order is insertion order; a repeated key keeps its first place, last value */
	expect_json("{\"z\":1,\"a\":{\"y\":[],\"b\":{}},\"m\":null,\"z\":2}",
	    "{\"z\":2,\"a\":{\"y\":[],\"b\":{}},\"m\":null}");
	/* a string that is not UTF-8 cannot come from Python: refused */
	o = json_object_new_string("\xff");
	assert_int_equal(signing_json_dumps(o, &out), -1);
	json_object_put(o);
	buf_free(&out);
}

static void
test_json_loads_latin1(void **state)
{
	struct json_object *o;

	(void)state;
	/* Raw byte 0xE9 is U+00E9 under latin-1; the escapes give a surrogate pair. */
	assert_int_equal(signing_json_loads("[\"\xe9\",\"\\ud83d\\ude00\"]", 20, &o), 0);
	assert_non_null(o);
	assert_string_equal(json_object_get_string(json_object_array_get_idx(o, 0)), "\xc3\xa9");
	assert_string_equal(json_object_get_string(json_object_array_get_idx(o, 1)),
	    "\xf0\x9f\x98\x80");
	json_object_put(o);
	assert_int_equal(signing_json_loads(" {\"a\":1} \n", 10, &o), 0);
	assert_non_null(o);
	json_object_put(o);
	/* top-level scalars, which json-c only knows are complete at the end of input */
	assert_int_equal(signing_json_loads("332028071.908959", 16, &o), 0);
	assert_true(json_object_get_double(o) == 332028071.908959);
	json_object_put(o);
	assert_int_equal(signing_json_loads("-7 ", 3, &o), 0);
	assert_int_equal(json_object_get_int64(o), -7);
	json_object_put(o);
	/* JSON null is a success with a NULL object */
	o = (struct json_object *)&o;	/* any non-NULL value, to see it reset */
	assert_int_equal(signing_json_loads("null", 4, &o), 0);
	assert_null(o);
	assert_int_equal(signing_json_loads("7 7", 3, &o), -1);
	assert_int_equal(signing_json_loads("7\0", 2, &o), -1);
	assert_int_equal(signing_json_loads("{\"a\":1} x", 9, &o), -1);
	assert_int_equal(signing_json_loads("{\"a\":", 5, &o), -1);
	assert_int_equal(signing_json_loads("", 0, &o), -1);
	assert_null(o);
}

static void
test_dumps_null(void **state)
{
	struct json_object	*o = (struct json_object *)1;
	struct buf		 out = BUF_INIT;

	(void)state;
	assert_int_equal(signing_dumps(&vector_key, SIGNING_SALT_DUMPS, NULL, 1, VECTOR_TIME,
	    &out), 0);
	assert_int_equal(signing_loads(&vector_key, SIGNING_SALT_DUMPS, out.data, out.len, -1, 0,
	    &o), 0);
	assert_null(o);
	buf_free(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_salted_hmac),
		cmocka_unit_test(test_b62),
		cmocka_unit_test(test_signer),
		cmocka_unit_test(test_signer_sha1_and_fallbacks),
		cmocka_unit_test(test_timestamp_signer),
		cmocka_unit_test(test_dumps_vectors),
		cmocka_unit_test(test_loads_failures),
		cmocka_unit_test(test_loads_bad_payloads),
		cmocka_unit_test(test_json_dumps),
		cmocka_unit_test(test_json_loads_latin1),
		cmocka_unit_test(test_dumps_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
