/* page_account.h: what the account pages' forms share (page_account.c): the form page, the 429 page, asking for the password again. */
#ifndef PAGE_ACCOUNT_H
#define PAGE_ACCOUNT_H

#include <json-c/json.h>

#include "fail.h"
#include "form.h"
#include "http.h"

/*
 * Renders template tpl with the form's values and errors and a CSRF token; ctx NULL starts an
 * empty context. status replaces a successful render's 200 (400 for a form with errors).
 */
void	 page_account_form(struct req *, struct resp *, const char *tpl, const char *title,
	    struct form *, int status, struct json_object *ctx);
/* The 429 page: what was refused (m, formatted with the minutes), also in Retry-After. */
void	 answer_throttled(struct req *, struct resp *, int retry_after, enum msg m);
/*
 * The visitor's current password, asked for again in field: the attempt counts against
 * PASSWORD_CHECK_LIMIT (a hash each), then it is checked. 1 when right; 0 with the field's
 * error on the form (missing or wrong); -1 when the 429 page was answered.
 */
int	 page_account_password_again(struct req *, struct resp *, struct form *, const char *field);

#endif
