/* test_pickle.c: pickle_json against the bytes Python 3.11's pickle.dumps(json.loads(x), protocol=4) wrote. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "buf.h"
#include "pickle.h"
#include "util.h"

/* JSON in, Python's pickle out (from /usr/bin/python3: pickle.dumps(json.loads(json), protocol=4)). */
static const struct {
	const char	*json;
	size_t		 len;
	const char	*pickle;
} vectors[] = {
	{ "{}",
	  5, "\x80\x04\x7d\x94\x2e" },
	{ "[]",
	  5, "\x80\x04\x5d\x94\x2e" },
	{ "null",
	  4, "\x80\x04\x4e\x2e" },
	{ "true",
	  4, "\x80\x04\x88\x2e" },
	{ "\"abc\"",
	  18, "\x80\x04\x95\x07\x00\x00\x00\x00\x00\x00\x00\x8c\x03\x61\x62\x63\x94\x2e" },
	{ "{\"a\":\"b\"}",
	  23, "\x80\x04\x95\x0c\x00\x00\x00\x00\x00\x00\x00\x7d\x94\x8c\x01\x61\x94\x8c"
	  "\x01\x62\x94\x73\x2e" },
	{ "{\"_auth_user_id\":\"1\",\"_auth_user_backend\":\"django.contrib.auth.backends.ModelBackend\",\"watch_region\":\"GB\"}",
	  121, "\x80\x04\x95\x6e\x00\x00\x00\x00\x00\x00\x00\x7d\x94\x28\x8c\x0d\x5f\x61"
	  "\x75\x74\x68\x5f\x75\x73\x65\x72\x5f\x69\x64\x94\x8c\x01\x31\x94\x8c\x12"
	  "\x5f\x61\x75\x74\x68\x5f\x75\x73\x65\x72\x5f\x62\x61\x63\x6b\x65\x6e\x64"
	  "\x94\x8c\x29\x64\x6a\x61\x6e\x67\x6f\x2e\x63\x6f\x6e\x74\x72\x69\x62\x2e"
	  "\x61\x75\x74\x68\x2e\x62\x61\x63\x6b\x65\x6e\x64\x73\x2e\x4d\x6f\x64\x65"
	  "\x6c\x42\x61\x63\x6b\x65\x6e\x64\x94\x8c\x0c\x77\x61\x74\x63\x68\x5f\x72"
	  "\x65\x67\x69\x6f\x6e\x94\x8c\x02\x47\x42\x94\x75\x2e" },
	{ "[1,255,256,65535,65536,-1,2147483647,-2147483648,2147483648,-2147483649,9223372036854775807,-9223372036854775808,18446744073709551615]",
	  91, "\x80\x04\x95\x50\x00\x00\x00\x00\x00\x00\x00\x5d\x94\x28\x4b\x01\x4b\xff"
	  "\x4d\x00\x01\x4d\xff\xff\x4a\x00\x00\x01\x00\x4a\xff\xff\xff\xff\x4a\xff"
	  "\xff\xff\x7f\x4a\x00\x00\x00\x80\x8a\x05\x00\x00\x00\x80\x00\x8a\x05\xff"
	  "\xff\xff\x7f\xff\x8a\x08\xff\xff\xff\xff\xff\xff\xff\x7f\x8a\x08\x00\x00"
	  "\x00\x00\x00\x00\x00\x80\x8a\x09\xff\xff\xff\xff\xff\xff\xff\xff\x00\x65"
	  "\x2e" },
	{ "[1.5,-0.0,1e300,false,null,[],{}]",
	  49, "\x80\x04\x95\x26\x00\x00\x00\x00\x00\x00\x00\x5d\x94\x28\x47\x3f\xf8\x00"
	  "\x00\x00\x00\x00\x00\x47\x80\x00\x00\x00\x00\x00\x00\x00\x47\x7e\x37\xe4"
	  "\x3c\x88\x00\x75\x9c\x89\x4e\x5d\x94\x7d\x94\x65\x2e" },
	{ "{\"k\":[1]}",
	  24, "\x80\x04\x95\x0d\x00\x00\x00\x00\x00\x00\x00\x7d\x94\x8c\x01\x6b\x94\x5d"
	  "\x94\x4b\x01\x61\x73\x2e" },
	{ "\"Zo\\u00eb \\ud83d\\ude00\"",
	  24, "\x80\x04\x95\x0d\x00\x00\x00\x00\x00\x00\x00\x8c\x09\x5a\x6f\xc3\xab\x20"
	  "\xf0\x9f\x98\x80\x94\x2e" },
};

static void
test_python_vectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < NELEM(vectors); i++) {
		struct json_object	*v = json_tokener_parse(vectors[i].json);
		struct buf		 out = BUF_INIT;

		/* json-c reads "null" as the NULL object, which pickle_json takes as None. */
		assert_true(v != NULL || strcmp(vectors[i].json, "null") == 0);
		assert_int_equal(pickle_json(v, &out), 0);
		assert_int_equal(out.len, vectors[i].len);
		assert_memory_equal(out.data, vectors[i].pickle, vectors[i].len);
		json_object_put(v);
		buf_free(&out);
	}
}

/* More than BATCH items: MARK ... APPENDS of 1000, then MARK ... APPENDS of the rest. */
static void
test_batches(void **state)
{
	struct json_object	*v = json_object_new_array();
	struct buf		 out = BUF_INIT;
	size_t			 header = 2 + 9 + 2;	/* PROTO 4, FRAME, EMPTY_LIST MEMOIZE */

	(void)state;
	for (int i = 0; i < 1001; i++)
		json_object_array_add(v, json_object_new_int(7));
	assert_int_equal(pickle_json(v, &out), 0);
	assert_int_equal(out.len, header + 1 + 2 * 1000 + 1 + 1 + 2 + 1 + 1);
	assert_int_equal(out.data[header], '(');
	assert_int_equal(out.data[header + 1 + 2000], 'e');
	assert_int_equal(out.data[header + 1 + 2000 + 1], '(');
	assert_memory_equal(out.data + out.len - 4, "K\x07" "e.", 4);
	json_object_put(v);
	buf_free(&out);
}

/* A string Python's str could not have come from (invalid UTF-8) is refused, not written wrong. */
static void
test_invalid_utf8_refused(void **state)
{
	struct json_object	*v = json_object_new_object();
	struct buf		 out = BUF_INIT;

	(void)state;
	json_object_object_add(v, "k", json_object_new_string_len("\xff\xfe", 2));
	assert_int_equal(pickle_json(v, &out), -1);
	json_object_put(v);
	buf_free(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_python_vectors),
		cmocka_unit_test(test_batches),
		cmocka_unit_test(test_invalid_utf8_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
