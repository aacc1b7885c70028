/* token_gate.h: the API refuses tokens issued before the user's last password change. */
#ifndef TOKEN_GATE_H
#define TOKEN_GATE_H

#include <stdint.h>

#include "http.h"

struct json_object;

/*
 * For a verified token (payload) of user_id, lifetime being its type's (for tokens without
 * iat): answers 401 (code token_not_valid) when the token was issued before the user's last
 * password change, or 503 when that cannot be known, and returns 1; returns 0 otherwise.
 */
int	 token_gate_refused(struct req *, struct resp *, int64_t user_id, struct json_object *payload,
	    int64_t lifetime);

#endif
