/* test_api_fields.c: the API's body field validator (api_fields_check): each kind, each of DRF's messages, and the route declarations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "api_fields.h"
#include "router.h"

static const struct api_field fields[] = {
	{ "name",	API_TEXT,	1, 0, 5 },
	{ "secret",	API_TEXT_RAW,	1, 0, 5 },
	{ "movie_id",	API_INT,	1, 1, INT32_MAX },
	{ "note",	API_TEXT,	0, 0, 5 },
};

/*
 * Checks body (JSON) against fields: the number refused, out filled, and errors' JSON text
 * (DRF's shape) in *text (a copy, arena-owned).
 */
static int
check(struct arena *a, const char *body, struct api_value out[API_MAX_FIELDS], const char **text)
{
	struct json_object	*data = json_tokener_parse(body), *errors = json_object_new_object();
	int			 n;

	assert_non_null(data);
	n = api_fields_check(a, data, fields, out, errors);
	*text = arena_strdup(a, json_object_to_json_string_ext(errors, JSON_C_TO_STRING_PLAIN));
	json_object_put(errors);
	json_object_put(data);
	return n;
}

static void
test_valid_values(void **state)
{
	struct arena		 a = ARENA_INIT;
	struct api_value	 out[API_MAX_FIELDS];
	const char		*errors;

	(void)state;
	/* Trimmed (Unicode spaces too), kept as given, a digit string, a number as text; note absent. */
	assert_int_equal(check(&a, "{\"name\": \" \\u00a0ab \", \"secret\": \" x \", \"movie_id\": \" 550 \"}",
	    out, &errors), 0);
	assert_string_equal(errors, "{}");
	assert_true(out[0].set);
	assert_string_equal(out[0].text, "ab");
	assert_string_equal(out[1].text, " x ");
	assert_int_equal(out[2].num, 550);
	assert_false(out[3].set);
	assert_int_equal(check(&a, "{\"name\": 12, \"secret\": 1.5, \"movie_id\": 7.0}", out, &errors), 0);
	assert_string_equal(out[0].text, "12");
	assert_string_equal(out[1].text, "1.5");
	assert_int_equal(out[2].num, 7);
	arena_reset(&a);
}

static void
test_required_and_null(void **state)
{
	struct arena		 a = ARENA_INIT;
	struct api_value	 out[API_MAX_FIELDS];
	const char		*errors;

	(void)state;
	assert_int_equal(check(&a, "{\"note\": null}", out, &errors), 4);
	assert_string_equal(errors, "{\"name\":[\"This field is required.\"],\"secret\":[\"This field is required.\"],"
	    "\"movie_id\":[\"This field is required.\"],\"note\":[\"This field may not be null.\"]}");
	assert_int_equal(check(&a, "{\"name\": null, \"secret\": null, \"movie_id\": null}", out, &errors), 3);
	assert_string_equal(errors, "{\"name\":[\"This field may not be null.\"],\"secret\":[\"This field may not be "
	    "null.\"],\"movie_id\":[\"This field may not be null.\"]}");
	arena_reset(&a);
}

static void
test_text_errors(void **state)
{
	struct arena		 a = ARENA_INIT;
	struct api_value	 out[API_MAX_FIELDS];
	const char		*errors;

	(void)state;
	assert_int_equal(check(&a, "{\"name\": [], \"secret\": true, \"movie_id\": 1, \"note\": {}}", out, &errors), 3);
	assert_string_equal(errors, "{\"name\":[\"Not a valid string.\"],\"secret\":[\"Not a valid string.\"],"
	    "\"note\":[\"Not a valid string.\"]}");
	/* Blank after trimming; the raw kind keeps spaces, so "  " is not blank there. */
	assert_int_equal(check(&a, "{\"name\": \"  \", \"secret\": \"a\\u0000b\", \"movie_id\": 1}", out, &errors), 2);
	assert_string_equal(errors, "{\"name\":[\"This field may not be blank.\"],\"secret\":[\"Null characters are "
	    "not allowed.\"]}");
	assert_int_equal(check(&a, "{\"name\": \"\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\", \"secret\": \"  \", "
	    "\"movie_id\": 1}", out, &errors), 1);
	assert_string_equal(errors, "{\"name\":[\"Ensure this field has no more than 5 characters.\"]}");
	assert_string_equal(out[1].text, "  ");
	arena_reset(&a);
}

static void
test_integer_errors(void **state)
{
	struct arena		 a = ARENA_INIT;
	struct api_value	 out[API_MAX_FIELDS];
	const char		*errors;
	const char		*bad[] = { "\"12a\"", "1.5", "true", "[]", "\"\"", "1e300" };

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *body = arena_printf(&a, "{\"name\": \"a\", \"secret\": \"b\", \"movie_id\": %s}", bad[i]);

		assert_int_equal(check(&a, body, out, &errors), 1);
		assert_string_equal(errors, "{\"movie_id\":[\"A valid integer is required.\"]}");
		assert_false(out[2].set);
	}
	assert_int_equal(check(&a, "{\"name\": \"a\", \"secret\": \"b\", \"movie_id\": 0}", out, &errors), 1);
	assert_string_equal(errors, "{\"movie_id\":[\"Ensure this value is greater than or equal to 1.\"]}");
	assert_int_equal(check(&a, "{\"name\": \"a\", \"secret\": \"b\", \"movie_id\": \"2147483648\"}", out, &errors), 1);
	assert_string_equal(errors, "{\"movie_id\":[\"Ensure this value is less than or equal to 2147483647.\"]}");
	arena_reset(&a);
}

/* Every declared route exists, with POST, and its fields fit (a NULL name or API_MAX_FIELDS ends them). */
static void
test_declarations_name_routes(void **state)
{
	(void)state;
	assert_true(nroute_fields >= 8);
	for (size_t i = 0; i < nroute_fields; i++) {
		int found = 0;

		for (size_t j = 0; j < nroutes; j++)
			found |= (routes[j].methods & route_fields[i].methods) && strcmp(routes[j].pattern,
			    route_fields[i].pattern) == 0 && (routes[j].flags & R_JSON);
		assert_true(found);
		assert_non_null(route_fields[i].field[0].name);
		for (size_t k = 0; k < API_MAX_FIELDS && route_fields[i].field[k].name; k++)
			assert_true(route_fields[i].field[k].max > route_fields[i].field[k].min);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_values),
		cmocka_unit_test(test_required_and_null),
		cmocka_unit_test(test_text_errors),
		cmocka_unit_test(test_integer_errors),
		cmocka_unit_test(test_declarations_name_routes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
