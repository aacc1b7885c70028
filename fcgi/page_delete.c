/* page_delete.c: closing the account: the form that asks for the password again, the deletion, the closed page. */
#include "auth.h"
#include "handlers.h"
#include "log.h"
#include "mailview.h"
#include "page_account.h"
#include "reqjson.h"
#include "view.h"

void
page_delete(struct req *r, struct resp *rs)
{
	struct form f;

	form_init(&f, r);
	page_account_form(r, rs, "delete", "Close your account", &f, 200, NULL);
}

/* Deletes the visitor's account with its goodbye mail: FAIL_OK, FAIL_CONFLICT or a failure. */
static enum fail
delete_visitor(struct req *r)
{
	struct json_object	*ctx = req_object(r);
	struct mail		 goodbye;
	enum fail		 f;

	json_object_object_add(ctx, "username", json_object_new_string(r->user->username));
	f = mailview_compose(r, "account_closed", ctx, r->user->email, "Your account is closed", &goodbye);
	return f == FAIL_OK ? user_delete(r, r->user, &goodbye) : f;
}

void
page_delete_post(struct req *r, struct resp *rs)
{
	struct form	f;
	int		ok;
	enum fail	res;

	form_init(&f, r);
	if ((ok = page_account_password_again(r, rs, &f, "password")) < 0)
		return;
	if (!ok) {
		page_account_form(r, rs, "delete", "Close your account", &f, 400, NULL);
		return;
	}
	if ((res = delete_visitor(r)) == FAIL_CONFLICT) {
		/* The password changed (here or in Django) between the check and the deletion. */
		form_error(&f, "password", msg_text(MSG_PASSWORD_WRONG));
		page_account_form(r, rs, "delete", "Close your account", &f, 400, NULL);
		return;
	}
	if (res != FAIL_OK) {
		answer_fail(r, rs, FAIL_DB, MSG_DELETE_DOWN);
		return;
	}
	log_info("account: an account was closed");
	/* The account is gone either way: a session row left behind names nobody. */
	if (auth_logout(r) != FAIL_OK)
		log_warn("account: the closed account's session row could not be deleted");
	resp_redirect(rs, 303, "/account/closed");
}

void
page_closed(struct req *r, struct resp *rs)
{
	view_page(r, rs, "closed", "Account closed", req_object(r));
}
