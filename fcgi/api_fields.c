/* api_fields.c: the JSON API's body fields as each route declares them (routes.c), checked by one validator as DRF's serializer fields. */
#include <ctype.h>
#include <math.h>
#include <string.h>

#include "api_body.h"
#include "api_fields.h"
#include "fail.h"
#include "reqjson.h"
#include "router.h"
#include "util.h"
#include "validators.h"

/* DRF's CharField: the value (a copy in a), or NULL after recording the error. */
static const char *
text_field(struct arena *a, struct json_object *v, struct json_object *errors, const struct api_field *f)
{
	const char	*s;
	size_t		 len;

	switch (json_object_get_type(v)) {
	case json_type_string:
	case json_type_int:
	case json_type_double:
		break;
	default:
		api_field_error(errors, f->name, msg_text(MSG_FIELD_NOT_STRING));
		return NULL;
	}
	s = json_object_get_string(v);
	len = json_object_is_type(v, json_type_string) ? (size_t)json_object_get_string_len(v) : strlen(s);
	if (memchr(s, '\0', len)) {
		api_field_error(errors, f->name, msg_text(MSG_FIELD_NUL));
		return NULL;
	}
	/* str.strip(), as DRF's CharField: Unicode spaces too (JSON strings are valid UTF-8). */
	if (f->kind == API_TEXT)
		s = validators_strip(s, &len);
	if (len == 0) {
		api_field_error(errors, f->name, msg_text(MSG_FIELD_BLANK));
		return NULL;
	}
	if (utf8_length(s, len) > (size_t)f->max) {
		api_field_error(errors, f->name, msg_format(a, MSG_FIELD_MAX_CHARS, (size_t)f->max));
		return NULL;
	}
	return arena_strndup(a, s, len);
}

/* int(), as DRF's IntegerField reads a value: 0, or -1 when it is no integer. */
static int
integer_of(struct json_object *v, int64_t *n)
{
	const char	*s;
	size_t		 len;
	double		 d;

	switch (json_object_get_type(v)) {
	case json_type_int:
		*n = json_object_get_int64(v);
		return 0;
	case json_type_double:
		d = json_object_get_double(v);
		if (!(d >= -1e12 && d <= 1e12) || d != trunc(d))
			return -1;
		*n = (int64_t)d;
		return 0;
	case json_type_string:
		s = json_object_get_string(v);
		len = (size_t)json_object_get_string_len(v);
		while (len && isspace((unsigned char)*s))
			s++, len--;
		while (len && isspace((unsigned char)s[len - 1]))
			len--;
		return parse_int64(s, len, INT64_MIN, INT64_MAX, n);
	default:
		return -1;
	}
}

/* DRF's IntegerField with min_value and max_value: 0, or -1 after recording the error. */
static int
int_field(struct arena *a, struct json_object *v, struct json_object *errors, const struct api_field *f,
    int64_t *n)
{
	if (integer_of(v, n) != 0) {
		api_field_error(errors, f->name, msg_text(MSG_FIELD_NOT_INTEGER));
		return -1;
	}
	if (*n < f->min) {
		api_field_error(errors, f->name, msg_format(a, MSG_FIELD_MIN_VALUE, f->min));
		return -1;
	}
	if (*n > f->max) {
		api_field_error(errors, f->name, msg_format(a, MSG_FIELD_MAX_VALUE, f->max));
		return -1;
	}
	return 0;
}

int
api_fields_check(struct arena *a, struct json_object *data, const struct api_field *field,
    struct api_value out[API_MAX_FIELDS], struct json_object *errors)
{
	int refused = 0;

	for (size_t i = 0; i < API_MAX_FIELDS && field[i].name; i++) {
		const struct api_field	*f = &field[i];
		struct json_object	*v;

		memset(&out[i], 0, sizeof(out[i]));
		if (!json_object_object_get_ex(data, f->name, &v)) {
			if (f->required) {
				api_field_error(errors, f->name, msg_text(MSG_FIELD_REQUIRED));
				refused++;
			}
			continue;
		}
		if (v == NULL)
			api_field_error(errors, f->name, msg_text(MSG_FIELD_NULL));
		else if (f->kind == API_INT)
			out[i].set = int_field(a, v, errors, f, &out[i].num) == 0;
		else
			out[i].set = (out[i].text = text_field(a, v, errors, f)) != NULL;
		refused += !out[i].set;
	}
	return refused;
}

/* The route's declaration, or an empty one. */
static const struct api_field *
declared(const struct req *r)
{
	static const struct api_field none[1];

	for (size_t i = 0; r->route && i < nroute_fields; i++)
		if ((route_fields[i].methods & r->method) && strcmp(route_fields[i].pattern, r->route->pattern) == 0)
			return route_fields[i].field;
	return none;
}

struct api_values *
api_fields(struct req *r, struct resp *rs)
{
	struct json_object	*data;
	struct api_values	*vs;

	if ((data = api_body(r, rs)) == NULL)
		return NULL;
	vs = arena_alloc(r->arena, sizeof(*vs));
	memset(vs, 0, sizeof(*vs));
	vs->field = declared(r);
	vs->errors = req_object(r);
	api_fields_check(r->arena, data, vs->field, vs->v, vs->errors);
	return vs;
}

/* The value of a declared field, or NULL. */
static const struct api_value *
value(const struct api_values *vs, const char *name)
{
	for (size_t i = 0; i < API_MAX_FIELDS && vs->field[i].name; i++)
		if (strcmp(vs->field[i].name, name) == 0)
			return vs->v[i].set ? &vs->v[i] : NULL;
	return NULL;
}

const char *
api_text(const struct api_values *vs, const char *name)
{
	const struct api_value *v = value(vs, name);

	return v ? v->text : NULL;
}

int64_t
api_int(const struct api_values *vs, const char *name)
{
	const struct api_value *v = value(vs, name);

	return v ? v->num : -1;
}
