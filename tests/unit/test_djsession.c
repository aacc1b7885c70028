/* test_djsession.c: session_data encode/decode, session keys and the auth hash against Django's outputs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "buf.h"
#include "djsession.h"
#include "signing.h"
#include "util.h"

#define VECTOR_SECRET	"django-insecure-test-secret-key-for-vectors"
#define VECTOR_TIME	1700000000
#define VECTOR_PASSWORD	"pbkdf2_sha256$260000$seasalt$XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"
#define VECTOR_HASH	"5ed090a1990cf2d02154cafe30ab2d5b7585f7b727202e70badaa3e97da1d522"
#define VECTOR_LEGACY_HASH "d5890230fcf581e5688aac6d62f7596714547495"

/* django-compat.md §6.2: SessionStore().encode(...) at time 1700000000 (3.2, 5.2, 6.0). */
#define VECTOR_SESSION \
	".eJxVjDEOwjAMRe-SGUWOSxTCyM4ZIjt2SAGlUtNOiLtDpQ6w_vfef5lE61LT2nVOo5izcebwuzHlh7YNyJ3abbJ5a" \
	"ss8st0Uu9Nur5Po87K7fweVev3WXgUikIsRckEBdP6YqegAxCiegz_5EjhgQEANwCREg8Yg5MQjmvcH5ZM4EQ:1r3" \
	"1eq:svFrhyRN6yFrpJD8eoGgS8yaqP60xFwta7Xd13gaSB0"
#define VECTOR_SESSION_JSON \
	"{\"_auth_user_id\":\"1\",\"_auth_user_backend\":\"django.contrib.auth.backends.ModelBackend\"," \
	"\"_auth_user_hash\":\"" VECTOR_HASH "\"}"
/* The same dict in 3.2's legacy format (DEFAULT_HASHING_ALGORITHM='sha1'). */
#define VECTOR_LEGACY_SESSION \
	"NTY2Yjk0ZDMyZTIxMTEzZWQ3NGQ2OGMwZWQ4OWNiNTRjMzBlZDM1Mzp7Il9hdXRoX3VzZXJfaWQiOiIxIiwiX2F1dG" \
	"hfdXNlcl9iYWNrZW5kIjoiZGphbmdvLmNvbnRyaWIuYXV0aC5iYWNrZW5kcy5Nb2RlbEJhY2tlbmQiLCJfYXV0aF9" \
	"1c2VyX2hhc2giOiJkNTg5MDIzMGZjZjU4MWU1Njg4YWFjNmQ2MmY3NTk2NzE0NTQ3NDk1In0="
/* Django 3.2 with unknown keys, an int, non-ASCII and a character above U+FFFF. */
#define EXTRA_SESSION \
	".eJwVjNsKwjAQBX9F9jnItuItn6KVJWlWDNZEsgm0lP6768uBYYazArlWX9SEC8UAFs5ggIRFYk7E8zeWBWzX4_W" \
	"EqGaU8qz5zUlT50eNk_uwwi0PDZH9bmjhcgi6jPjXLJX1eAUP9t6Zfn80qU3TY9t-EwUoAg:1r31eq:UK3KoVeFf" \
	"DxFz_8JFuVew9-jMrWrU5DbNiAazZTGDsw"
#define EXTRA_SESSION_JSON \
	"{\"_auth_user_id\":\"7\",\"_session_expiry\":1209600,\"_csrftoken\":\"abc\"," \
	"\"name\":\"Zo\\u00eb \\ud83d\\ude00\",\"nested\":{\"b\":[1,2.5,null]}}"

static const struct signing_key vector_key = { VECTOR_SECRET, NULL, 0 };

static char *
json_text(struct json_object *o)
{
	struct buf out = BUF_INIT;

	assert_int_equal(signing_json_dumps(o, &out), 0);
	return buf_detach(&out);
}

static void
test_encode_vector(void **state)
{
	struct json_object	*o = json_tokener_parse(VECTOR_SESSION_JSON);
	struct buf		 out = BUF_INIT;

	(void)state;
	assert_non_null(o);
	assert_int_equal(djsession_encode_at(&vector_key, o, VECTOR_TIME, &out), 0);
	assert_string_equal(buf_cstr(&out), VECTOR_SESSION);
	json_object_put(o);
	buf_free(&out);
}

static void
test_decode_vector(void **state)
{
	struct json_object	*o;
	char			*text;

	(void)state;
	o = djsession_decode(&vector_key, VECTOR_SESSION, strlen(VECTOR_SESSION));
	assert_non_null(o);
	text = json_text(o);
	assert_string_equal(text, VECTOR_SESSION_JSON);
	assert_string_equal(json_object_get_string(json_object_object_get(o, DJSESSION_USER_HASH)),
	    VECTOR_HASH);
	free(text);
	json_object_put(o);
}

/* Keys the C side does not know survive decode and re-encode byte for byte. */
static void
test_extra_keys_roundtrip(void **state)
{
	struct json_object	*o;
	struct buf		 out = BUF_INIT;
	char			*text;

	(void)state;
	o = djsession_decode(&vector_key, EXTRA_SESSION, strlen(EXTRA_SESSION));
	assert_non_null(o);
	text = json_text(o);
	assert_string_equal(text, EXTRA_SESSION_JSON);
	assert_string_equal(json_object_get_string(json_object_object_get(o, "name")),
	    "Zo\xc3\xab \xf0\x9f\x98\x80");
	assert_int_equal(djsession_encode_at(&vector_key, o, VECTOR_TIME, &out), 0);
	assert_string_equal(buf_cstr(&out), EXTRA_SESSION);
	free(text);
	json_object_put(o);
	buf_free(&out);
}

static void
test_empty_session(void **state)
{
	struct json_object	*o = json_object_new_object();
	struct buf		 out = BUF_INIT;

	(void)state;
	assert_int_equal(djsession_encode_at(&vector_key, o, VECTOR_TIME, &out), 0);
	assert_string_equal(buf_cstr(&out), "e30:1r31eq:usa9kxMcz_rq8loGkJ_b_F-9cdtm7JTxmDog59ofw64");
	json_object_put(o);
	buf_free(&out);
}

static void
test_decode_refusals(void **state)
{
	static const char *const fallbacks[] = { VECTOR_SECRET, NULL };
	struct signing_key	 other = { "another-key", NULL, 0 };
	struct signing_key	 rotated = { "another-key", fallbacks, 0 };
	/* signing.dumps("hello", salt=DJSESSION_KEY_SALT): valid signature, not a dict */
	const char		*not_dict = "ImhlbGxvIg:1r31eq:RXBU26EZP7yc0NaVVJp5k2wQo7VLRv2lls1pZqRhVTs";
	struct json_object	*o;
	char			 tampered[sizeof(VECTOR_SESSION)];

	(void)state;
	assert_null(djsession_decode(&other, VECTOR_SESSION, strlen(VECTOR_SESSION)));
	o = djsession_decode(&rotated, VECTOR_SESSION, strlen(VECTOR_SESSION));
	assert_non_null(o);
	json_object_put(o);
	assert_null(djsession_decode(&vector_key, not_dict, strlen(not_dict)));
	memcpy(tampered, VECTOR_SESSION, sizeof(tampered));
	tampered[5] ^= 1;
	assert_null(djsession_decode(&vector_key, tampered, strlen(tampered)));
	assert_null(djsession_decode(&vector_key, "", 0));
	assert_null(djsession_decode(&vector_key, ":", 1));
}

static void
test_legacy_format(void **state)
{
	struct signing_key	 dj32 = { VECTOR_SECRET, NULL, 1 };
	struct json_object	*o;
	char			*text;

	(void)state;
	assert_null(djsession_decode(&vector_key, VECTOR_LEGACY_SESSION,
	    strlen(VECTOR_LEGACY_SESSION)));
	o = djsession_decode(&dj32, VECTOR_LEGACY_SESSION, strlen(VECTOR_LEGACY_SESSION));
	assert_non_null(o);
	text = json_text(o);
	assert_string_equal(text, "{\"_auth_user_id\":\"1\",\"_auth_user_backend\":"
	    "\"django.contrib.auth.backends.ModelBackend\",\"_auth_user_hash\":\""
	    VECTOR_LEGACY_HASH "\"}");
	free(text);
	json_object_put(o);
}

static void
test_auth_hash(void **state)
{
	static const char *const fallbacks[] = { "old-1", VECTOR_SECRET, NULL };
	struct signing_key	 rotated = { "new-key", fallbacks, 0 };
	struct signing_key	 dj32 = { VECTOR_SECRET, NULL, 1 };
	char			 hex[DJSESSION_HASH_HEX + 1], legacy[DJSESSION_LEGACY_HASH_HEX + 1];

	(void)state;
	djsession_auth_hash(VECTOR_SECRET, VECTOR_PASSWORD, hex);
	assert_string_equal(hex, VECTOR_HASH);
	djsession_auth_hash_legacy(VECTOR_SECRET, VECTOR_PASSWORD, legacy);
	assert_string_equal(legacy, VECTOR_LEGACY_HASH);

	assert_int_equal(djsession_auth_hash_check(&vector_key, VECTOR_PASSWORD, VECTOR_HASH),
	    DJSESSION_HASH_OK);
	assert_int_equal(djsession_auth_hash_check(&rotated, VECTOR_PASSWORD, VECTOR_HASH),
	    DJSESSION_HASH_FALLBACK);
	assert_int_equal(djsession_auth_hash_check(&vector_key, VECTOR_PASSWORD "x", VECTOR_HASH),
	    DJSESSION_HASH_MISMATCH);
	assert_int_equal(djsession_auth_hash_check(&vector_key, VECTOR_PASSWORD, ""),
	    DJSESSION_HASH_MISMATCH);
	assert_int_equal(djsession_auth_hash_check(&vector_key, VECTOR_PASSWORD, NULL),
	    DJSESSION_HASH_MISMATCH);
	/* SHA-1 session hashes: only 3.2 accepts them */
	assert_int_equal(djsession_auth_hash_check(&vector_key, VECTOR_PASSWORD,
	    VECTOR_LEGACY_HASH), DJSESSION_HASH_MISMATCH);
	assert_int_equal(djsession_auth_hash_check(&dj32, VECTOR_PASSWORD, VECTOR_LEGACY_HASH),
	    DJSESSION_HASH_FALLBACK);
}

static void
test_session_keys(void **state)
{
	char a[DJSESSION_KEY_LEN + 1], b[DJSESSION_KEY_LEN + 1];

	(void)state;
	djsession_new_key(a);
	djsession_new_key(b);
	assert_int_equal(strlen(a), 32);
	assert_int_equal(strspn(a, "abcdefghijklmnopqrstuvwxyz0123456789"), 32);
	assert_string_not_equal(a, b);
	assert_true(djsession_key_valid(a, strlen(a)));
	assert_false(djsession_key_valid("", 0));
	assert_false(djsession_key_valid(NULL, 0));
	assert_false(djsession_key_valid("1234567", 7));
	assert_true(djsession_key_valid("12345678", 8));
	assert_true(djsession_key_valid("yuic483vn3glastu5bjjsflyuajpic4e", 32));
	assert_true(djsession_key_valid("0123456789012345678901234567890123456789", 40));
	assert_false(djsession_key_valid("01234567890123456789012345678901234567890", 41));
	assert_false(djsession_key_valid("abcd efgh", 9));
	assert_false(djsession_key_valid("abcdefg\xc3\xa9", 9));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_vector),
		cmocka_unit_test(test_decode_vector),
		cmocka_unit_test(test_extra_keys_roundtrip),
		cmocka_unit_test(test_empty_session),
		cmocka_unit_test(test_decode_refusals),
		cmocka_unit_test(test_legacy_format),
		cmocka_unit_test(test_auth_hash),
		cmocka_unit_test(test_session_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
