/* reqjson.c: JSON values owned by the request arena (the one ownership rule for handlers). */
#include "reqjson.h"

static void
put_json(void *o)
{
	json_object_put(o);
}

struct json_object *
req_keep_json(struct req *r, struct json_object *o)
{
	if (o)
		arena_defer(r->arena, put_json, o);
	return o;
}

struct json_object *
req_object(struct req *r)
{
	return req_keep_json(r, json_object_new_object());
}

const char *
json_str(struct json_object *o, const char *name)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, name, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}
