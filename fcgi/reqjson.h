/* reqjson.h: JSON values owned by the request arena (the one ownership rule for handlers). */
#ifndef REQJSON_H
#define REQJSON_H

#include <json-c/json.h>

#include "http.h"

/* Hands a json-c reference to the request: released with the arena. Returns o (NULL-safe). */
struct json_object	*req_keep_json(struct req *, struct json_object *o);
/* A new empty object that the request owns. */
struct json_object	*req_object(struct req *);
/* The string member name of o, or NULL when absent or not a string. */
const char		*json_str(struct json_object *o, const char *name);

#endif
