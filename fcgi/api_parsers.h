/* api_parsers.h: DRF's form parsers for the JSON API: urlencoded and multipart bodies as a JSON object of fields. */
#ifndef API_PARSERS_H
#define API_PARSERS_H

#include <json-c/json.h>

#include "http.h"

/*
 * A multipart/form-data body's fields as a JSON object (request-owned), as DRF's request.data
 * sees them: text fields as strings, uploaded files as {} (so a text field holding a file is
 * "Not a valid string." as in DRF), the last value of a repeated name winning (QueryDict).
 * NULL with *why (static text) when the body is malformed or a text field is not UTF-8.
 */
struct json_object *api_multipart_data(struct req *, const char **why);
/* A urlencoded body's fields (already parsed into r->form) the same way. Never fails. */
struct json_object *api_form_data(struct req *);

#endif
