/* token_gate.c: the API refuses tokens issued before the user's last password change. */
#include <json-c/json.h>

#include "app.h"
#include "log.h"
#include "token_gate.h"
#include "token_revocation.h"

int
token_gate_refused(struct req *r, struct resp *rs, int64_t user_id, struct json_object *payload,
    int64_t lifetime)
{
	struct json_object *o;

	switch (token_revocation_check(app.db, user_id, token_issued_at(payload, lifetime))) {
	case TOKEN_CURRENT:
		return 0;
	case TOKEN_REVOKED:
		log_info("api: refused a token issued before the password change");
		o = json_object_new_object();
		json_object_object_add(o, "detail", json_object_new_string(
		    "Token was issued before the password was last changed; log in again"));
		json_object_object_add(o, "code", json_object_new_string("token_not_valid"));
		resp_header(rs, "WWW-Authenticate", "Bearer realm=\"api\"");
		view_json(r, rs, 401, o);
		return 1;
	case TOKEN_UNKNOWN:
	default:
		o = json_object_new_object();
		json_object_object_add(o, "detail", json_object_new_string(
		    "The service is unavailable. Please try again in a minute."));
		view_json(r, rs, 503, o);
		return 1;
	}
}
