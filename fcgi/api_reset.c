/* api_reset.c: password reset through the JSON API (dj-rest-auth's shapes): ask by email, confirm with uid and token. */
#include <stdlib.h>
#include <string.h>

#include "api_body.h"
#include "api_fields.h"
#include "emailaddr.h"
#include "handlers.h"
#include "model_reset.h"
#include "registration.h"
#include "reqjson.h"
#include "resettoken.h"
#include "validators.h"
#include "view.h"

/* {"detail": text} with status 200. */
static void
detail(struct req *r, struct resp *rs, const char *text)
{
	struct json_object *o = req_object(r);

	json_object_object_add(o, "detail", json_object_new_string(text));
	view_json(r, rs, 200, o);
}

void
api_reset(struct req *r, struct resp *rs)
{
	struct api_values	*in;
	struct json_object	*errors;
	const char		*raw;
	char			*email = NULL;
	int			 retry_after;

	if ((in = api_fields(r, rs)) == NULL)
		return;
	errors = in->errors;
	raw = api_text(in, "email");
	if (raw && (email = emailaddr_normalize(raw, strlen(raw))) == NULL)
		api_field_error(errors, "email", msg_text(MSG_EMAIL_INVALID));
	if (json_object_object_length(errors) > 0)
		view_json(r, rs, 400, errors);
	else if (reset_throttled(r, email, &retry_after)) {
		api_throttled(r, rs, retry_after);
	} else if (reset_send_mail(r, email) != FAIL_OK)
		answer_fail(r, rs, FAIL_DB, MSG_API_RESET_DOWN);
	else
		detail(r, rs, msg_text(MSG_API_RESET_SENT));
	free(email);
}

/* The fields' own checks, then the link's: the user, or NULL with errors recorded (or FAIL_DB). */
static struct reset_user *
confirm_user(struct req *r, const struct api_values *in, struct json_object *errors, enum fail *f)
{
	const char		*uid = api_text(in, "uid");
	const char		*token = api_text(in, "token");
	struct reset_user	*u = NULL;

	*f = FAIL_OK;
	if (uid == NULL || token == NULL)
		return NULL;
	if ((*f = reset_user_by_uid(r, uid, strlen(uid), &u)) == FAIL_NOT_FOUND)
		api_field_error(errors, "uid", msg_text(MSG_FIELD_INVALID_VALUE));
	else if (*f == FAIL_OK && !reset_token_valid(u, token))
		api_field_error(errors, "token", msg_text(MSG_FIELD_INVALID_VALUE));
	return json_object_object_length(errors) ? NULL : u;
}

void
api_reset_confirm(struct req *r, struct resp *rs)
{
	struct api_values		*in;
	struct json_object		*errors;
	const char			*pw1, *pw2;
	struct reset_user		*u;
	struct validators_error		 errs[VALIDATORS_MAX_ERRORS];
	enum fail			 f;
	int				 n = 0, retry_after = 0;

	if ((in = api_fields(r, rs)) == NULL)
		return;
	errors = in->errors;
	pw1 = api_text(in, "new_password1");
	pw2 = api_text(in, "new_password2");
	u = confirm_user(r, in, errors, &f);
	if (f == FAIL_DB) {
		answer_fail(r, rs, FAIL_DB, MSG_API_RESET_DOWN);
		return;
	}
	if (u && pw1 && pw2 && strcmp(pw1, pw2) != 0)
		api_field_error(errors, "new_password2", msg_text(MSG_PASSWORDS_DIFFER));
	else if (u && pw1 && pw2) {
		struct validators_user who = { u->username, NULL, NULL, u->t.email };

		if ((n = validators_password(pw2, &who, errs)) < 0)
			api_field_error(errors, "new_password2", msg_text(MSG_API_RESET_PASSWORD_UNCHECKED));
		for (int i = 0; i < n; i++)
			api_field_error(errors, "new_password2", errs[i].message);
	}
	if (json_object_object_length(errors) > 0)
		view_json(r, rs, 400, errors);
	else if ((f = reset_set_password(r, u, pw2, &retry_after)) == FAIL_THROTTLED)
		api_throttled(r, rs, retry_after);
	else if (f != FAIL_OK)
		answer_fail(r, rs, FAIL_DB, MSG_API_RESET_DOWN);
	else
		detail(r, rs, msg_text(MSG_API_RESET_DONE));
}
