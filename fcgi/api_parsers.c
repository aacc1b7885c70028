/* api_parsers.c: DRF's form parsers for the JSON API: urlencoded and multipart bodies as a JSON object of fields. */
#include "fail.h"
#include "api_parsers.h"
#include "multipart.h"
#include "reqjson.h"
#include "util.h"

struct json_object *
api_multipart_data(struct req *r, const char **why)
{
	const char		*boundary = multipart_boundary(r->arena, r->content_type);
	struct multipart	*mp = arena_alloc(r->arena, sizeof(*mp));
	struct json_object	*o;

	if (boundary == NULL) {
		*why = msg_text(MSG_API_MULTIPART_BOUNDARY);
		return NULL;
	}
	if (multipart_parse(mp, r->arena, boundary, r->body ? r->body : "", r->body_len, why) != 0)
		return NULL;
	o = req_keep_json(r, json_object_new_object());
	for (size_t i = 0; i < mp->n; i++) {
		const struct multipart_part *pt = &mp->part[i];

		if (pt->filename != NULL) {
			json_object_object_add(o, pt->name, json_object_new_object());
			continue;
		}
		if (!utf8_valid(pt->data, pt->len)) {
			*why = msg_text(MSG_API_MULTIPART_UTF8);
			return NULL;
		}
		json_object_object_add(o, pt->name, json_object_new_string_len(pt->data, (int)pt->len));
	}
	return o;
}

struct json_object *
api_form_data(struct req *r)
{
	struct json_object *o = req_keep_json(r, json_object_new_object());

	for (size_t i = 0; i < r->form.n; i++)
		json_object_object_add(o, r->form.v[i].name,
		    json_object_new_string_len(r->form.v[i].value, (int)r->form.v[i].len));
	return o;
}
