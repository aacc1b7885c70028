/* bearer.c: simplejwt's JWTAuthentication: the user an API request's Bearer access token names. */
#include <ctype.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "bearer.h"
#include "jwt.h"
#include "model_user.h"
#include "reqjson.h"
#include "token_gate.h"
#include "util.h"

int64_t
bearer_claim_user_id(struct json_object *payload)
{
	struct json_object	*v;
	int64_t			 id;

	if (!json_object_object_get_ex(payload, "user_id", &v))
		return 0;
	if (json_object_is_type(v, json_type_int)) {
		id = json_object_get_int64(v);
		return id >= 1 && id <= INT32_MAX ? id : -1;
	}
	if (json_object_is_type(v, json_type_string) &&
	    parse_int64(json_object_get_string(v), (size_t)json_object_get_string_len(v), 1, INT32_MAX, &id) == 0)
		return id;
	return -1;
}

/* simplejwt's "messages" list for a token that failed to decode. */
static struct json_object *
token_messages(struct req *r, enum jwt_status st)
{
	struct json_object *extra = req_object(r), *msgs = json_object_new_array(), *m = json_object_new_object();

	json_object_object_add(m, "token_class", json_object_new_string("AccessToken"));
	json_object_object_add(m, "token_type", json_object_new_string(JWT_ACCESS));
	json_object_object_add(m, "message", json_object_new_string(jwt_status_message(st)));
	json_object_array_add(msgs, m);
	json_object_object_add(extra, "messages", msgs);
	return extra;
}

/* Splits on whitespace as Python's bytes.split(); only the first three words matter. */
static size_t
split_words(const char *h, const char *word[3], size_t wlen[3])
{
	size_t nwords = 0;

	while (h && *h && nwords < 3) {
		while (isspace((unsigned char)*h))
			h++;
		if (*h == '\0')
			break;
		word[nwords] = h;
		while (*h && !isspace((unsigned char)*h))
			h++;
		wlen[nwords] = (size_t)(h - word[nwords]);
		nwords++;
	}
	return nwords;
}

enum fail
bearer_authenticate(struct req *r, enum msg *m, struct json_object **extra)
{
	const char		*word[3];
	size_t			 wlen[3], nwords = split_words(r->authorization, word, wlen);
	struct json_object	*payload = NULL;
	enum jwt_status		 st;
	struct user		*u = NULL;
	int64_t			 id;
	enum fail		 f;

	*extra = NULL;
	/* No header, or another scheme: simply not authenticated. */
	if (nwords == 0 || wlen[0] != 6 || strncmp(word[0], "Bearer", 6) != 0)
		return *m = MSG_NO_CREDENTIALS, FAIL_UNAUTHENTICATED;
	if (nwords != 2)
		return *m = MSG_API_BAD_HEADER, FAIL_UNAUTHENTICATED;
	st = jwt_decode(app.signing.secret, word[1], wlen[1], JWT_ACCESS, (int64_t)time(NULL), &payload);
	if (st != JWT_OK) {
		*extra = token_messages(r, st);
		return *m = MSG_API_TOKEN_INVALID, FAIL_UNAUTHENTICATED;
	}
	id = bearer_claim_user_id(req_keep_json(r, payload));
	if (id == 0)
		return *m = MSG_API_NO_USER_CLAIM, FAIL_UNAUTHENTICATED;
	f = id > 0 ? user_by_id(r, id, &u) : FAIL_NOT_FOUND;
	if (f == FAIL_DB)
		return *m = MSG_API_SERVICE_DOWN, FAIL_DB;
	if (u == NULL)
		return *m = MSG_API_USER_NOT_FOUND, FAIL_UNAUTHENTICATED;
	if (!u->is_active)
		return *m = MSG_API_USER_INACTIVE, FAIL_UNAUTHENTICATED;
	if ((f = token_gate_check(u->id, payload, JWT_ACCESS_LIFETIME, m)) != FAIL_OK)
		return f;
	r->user = u;
	return FAIL_OK;
}
