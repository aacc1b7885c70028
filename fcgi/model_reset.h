/* model_reset.h: password resets, Django's way: the users an address names, their mail, the link's user, the new password. */
#ifndef MODEL_RESET_H
#define MODEL_RESET_H

#include "fail.h"
#include "http.h"
#include "resettoken.h"

/* A user as a reset reads them; strings live in the request arena. */
struct reset_user {
	struct resettoken_user	 t;		/* what the token hashes */
	const char		*username;
	int			 is_active;
};

/*
 * The limits of a reset request, in one place (the hash budget of the site may take it over):
 * per client address (THROTTLE_EXEMPT_ADDRS spared) and per email address (normalised).
 * 1 refused (*retry_after seconds), 0 go on. Fails open when Redis is down.
 */
int		 reset_throttled(struct req *, const char *email, int *retry_after);
/*
 * PasswordResetForm.save: for every active user with a usable password whose email equals
 * email ignoring case, a mail with a link /reset/<uidb64>/<token>/ on this site (scheme and
 * host of the request, which ALLOWED_HOSTS vetted) is put into the outbox. The same statements
 * run whether or not anybody matched, and no password is hashed, so the answer and its time
 * say nothing of the address. FAIL_OK (also for nobody) or FAIL_DB.
 */
enum fail	 reset_send_mail(struct req *, const char *email);
/* The user a link's uidb64 names: FAIL_OK with *out, FAIL_NOT_FOUND (also for a malformed
 * uidb64), or FAIL_DB. */
enum fail	 reset_user_by_uid(struct req *, const char *uidb64, size_t len, struct reset_user **out);
/* check_token at this moment with SECRET_KEY, its fallbacks and PASSWORD_RESET_TIMEOUT: 1 or 0. */
int		 reset_token_valid(const struct reset_user *, const char *token);
/*
 * SetPasswordForm.save: hashes and stores the new password. Every session of the user and
 * every API token issued before now stop working (the session auth hash and 0003's trigger,
 * as for a password change); the token dies with the old password. The new hash draws from
 * the password-hash budgets (auth_hash_admit): FAIL_THROTTLED with *retry_after when they are
 * spent. FAIL_OK, FAIL_THROTTLED, FAIL_INTERNAL or FAIL_DB.
 */
enum fail	 reset_set_password(struct req *, struct reset_user *, const char *password,
		    int *retry_after);

#endif
