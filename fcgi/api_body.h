/* api_body.h: what every JSON API handler shares: request bodies (DRF's parsers), and field errors (api_fields.h reads the fields). */
#ifndef API_BODY_H
#define API_BODY_H

#include <json-c/json.h>

#include "http.h"
#include "model_user.h"

/*
 * The request's data as a JSON object (request-owned): {} for an empty body, the parsed JSON
 * object, or a urlencoded form's fields as strings. NULL after answering 400 or 415.
 */
struct json_object	*api_body(struct req *, struct resp *);
/* Appends msg to errors[field], DRF's {"field": ["msg", ...]} shape (ctx is the errors object). */
void			 api_field_error(void *ctx, const char *field, const char *msg);
/* DRF's throttled answer: 429, Retry-After: retry_after and its message. */
void			 api_throttled(struct req *, struct resp *, int retry_after);
/* {"id", "username", "email"}: the origin's UserSerializer. Returns a new object. */
struct json_object	*api_user_json(const struct user *);

#endif
