/* api_body.c: what every JSON API handler shares: request bodies (DRF's parsers) and field errors. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api_body.h"
#include "api_parsers.h"
#include "reqjson.h"
#include "util.h"
#include "view.h"

#define BODY_MAX_DEPTH		16

/* Appends msg to errors[field], DRF's {"field": ["msg", ...]} shape. */
void
api_throttled(struct req *r, struct resp *rs, int retry_after)
{
	resp_header(rs, "Retry-After", "%d", retry_after);
	answer_failf(r, rs, FAIL_THROTTLED, MSG_API_THROTTLED, retry_after, retry_after == 1 ? "" : "s");
}

void
api_field_error(void *ctx, const char *field, const char *msg)
{
	struct json_object *errors = ctx, *list;

	if (!json_object_object_get_ex(errors, field, &list)) {
		list = json_object_new_array();
		json_object_object_add(errors, field, list);
	}
	json_object_array_add(list, json_object_new_string(msg));
}

struct json_object *
api_user_json(const struct user *u)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_int64(u->id));
	json_object_object_add(o, "username", json_object_new_string(u->username));
	json_object_object_add(o, "email", json_object_new_string(u->email));
	return o;
}

/* Python's name for a JSON value's type, for DRF's "Expected a dictionary" message. */
static const char *
python_type(struct json_object *o)
{
	switch (json_object_get_type(o)) {
	case json_type_array:
		return "list";
	case json_type_string:
		return "str";
	case json_type_int:
		return "int";
	case json_type_double:
		return "float";
	case json_type_boolean:
		return "bool";
	case json_type_null:
		return "NoneType";
	default:
		return "dict";
	}
}

/* Does the Content-Type name this media type (parameters ignored)? */
static int
media_type_is(const char *content_type, const char *type)
{
	size_t n = strlen(type);

	while (*content_type == ' ')
		content_type++;
	return strncasecmp(content_type, type, n) == 0 &&
	    (content_type[n] == '\0' || content_type[n] == ';' || content_type[n] == ' ');
}

/*
 * The request's data as a JSON object (request-owned): {} for an empty body, the parsed JSON
 * object, or a urlencoded or multipart form's fields. NULL after answering 400 or 415.
 */
struct json_object *
api_body(struct req *r, struct resp *rs)
{
	struct json_tokener	*tok;
	struct json_object	*o;
	enum json_tokener_error	 err;

	if (r->body == NULL || r->body_len == 0)
		return req_keep_json(r, json_object_new_object());
	/* DRF's FormParser and MultiPartParser (api_parsers.c). */
	if (r->content_type && media_type_is(r->content_type, "application/x-www-form-urlencoded"))
		return api_form_data(r);
	if (r->content_type && media_type_is(r->content_type, "multipart/form-data")) {
		const char *why = NULL;

		if ((o = api_multipart_data(r, &why)) == NULL)
			answer_failf(r, rs, FAIL_INPUT, MSG_API_MULTIPART, why);
		return o;
	}
	if (r->content_type == NULL || !media_type_is(r->content_type, "application/json")) {
		answer_failf(r, rs, FAIL_MEDIA_TYPE, MSG_API_MEDIA_TYPE, r->content_type ? r->content_type : "");
		return NULL;
	}
	if ((tok = json_tokener_new_ex(BODY_MAX_DEPTH)) == NULL)
		die("api: out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, r->body, (int)r->body_len + 1);
	err = json_tokener_get_error(tok);
	/* As Python's json.loads: whitespace may follow the value, nothing else. */
	for (size_t end = json_tokener_get_parse_end(tok); err == json_tokener_success && end < r->body_len; end++)
		if (strchr(" \t\n\r", r->body[end]) == NULL || r->body[end] == '\0')
			err = json_tokener_error_parse_unexpected;
	json_tokener_free(tok);
	req_keep_json(r, o);
	if (err != json_tokener_success) {
		answer_failf(r, rs, FAIL_INPUT, MSG_API_JSON_PARSE, json_tokener_error_desc(err));
		return NULL;
	}
	if (!json_object_is_type(o, json_type_object)) {
		struct json_object *errors = req_object(r);

		api_field_error(errors, "non_field_errors", msg_format(r->arena, MSG_API_NOT_A_DICT, python_type(o)));
		view_json(r, rs, 400, errors);
		return NULL;
	}
	return o;
}
