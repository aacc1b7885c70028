/* token_gate.h: the API refuses tokens issued before the user's last password change. */
#ifndef TOKEN_GATE_H
#define TOKEN_GATE_H

#include <stdint.h>

#include "fail.h"

struct json_object;

/*
 * For a verified token (payload) of user_id, lifetime being its type's (for tokens without
 * iat): FAIL_OK when it is current; FAIL_UNAUTHENTICATED (*m MSG_API_TOKEN_REVOKED) when it
 * was issued before the user's last password change; FAIL_DB (*m MSG_API_SERVICE_DOWN) when
 * that cannot be known.
 */
enum fail	 token_gate_check(int64_t user_id, struct json_object *payload, int64_t lifetime, enum msg *m);

#endif
