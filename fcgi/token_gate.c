/* token_gate.c: the API refuses tokens issued before the user's last password change. */
#include <json-c/json.h>

#include "app.h"
#include "log.h"
#include "token_gate.h"
#include "token_revocation.h"

enum fail
token_gate_check(int64_t user_id, struct json_object *payload, int64_t lifetime, enum msg *m)
{
	switch (token_revocation_check(app.db, user_id, payload, lifetime)) {
	case TOKEN_CURRENT:
		return FAIL_OK;
	case TOKEN_REVOKED:
		log_info("api: refused a token issued before the password change");
		*m = MSG_API_TOKEN_REVOKED;
		return FAIL_UNAUTHENTICATED;
	case TOKEN_UNKNOWN:
	default:
		*m = MSG_API_SERVICE_DOWN;
		return FAIL_DB;
	}
}
