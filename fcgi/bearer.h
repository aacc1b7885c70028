/* bearer.h: simplejwt's JWTAuthentication: the user an API request's Bearer access token names. */
#ifndef BEARER_H
#define BEARER_H

#include <json-c/json.h>

#include "fail.h"
#include "http.h"

/*
 * Sets r->user to the active user the Authorization header's access token names: FAIL_OK; or
 * FAIL_UNAUTHENTICATED / FAIL_DB with *m (and *extra, request-owned or NULL) to answer with.
 */
enum fail	 bearer_authenticate(struct req *, enum msg *m, struct json_object **extra);
/* The user a token's user_id claim names (an int, or digits as Django would accept); 0 when absent, -1 when invalid. */
int64_t		 bearer_claim_user_id(struct json_object *payload);

#endif
