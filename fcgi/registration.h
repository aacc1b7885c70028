/* registration.h: Django's registration rules and the new user's row: shared by the form and the JSON API. */
#ifndef REGISTRATION_H
#define REGISTRATION_H

#include <stdint.h>

#include "fail.h"
#include "http.h"

#define PASSWORD_MAX	4096	/* longer passwords are refused before hashing: they only burn CPU */
#define EMAIL_MAX	254	/* auth_user.email */

/* A registration's input and where its errors go. */
struct registration {
	const char	*username;	/* as sent, trimmed; NULL when missing (reported by the caller) */
	const char	*email;		/* NULL when missing */
	const char	*password1;
	const char	*password2;
	const char	*password_field;	/* the field password errors belong to */
	const char	*mismatch;		/* the message when the two passwords differ */
	void		(*error)(void *ctx, const char *field, const char *message);
	void		*ctx;
	const char	*clean_username;	/* NFKC username, normalised email (request arena): set by the check */
	const char	*clean_email;
	int		 retry_after;		/* seconds, when registration_create answers FAIL_THROTTLED */
};

/*
 * Django's registration checks on the fields present: username rules and uniqueness
 * (ignoring case), email format, passwords equal, then the password validators (similarity
 * with username and email included). Each error goes to g->error and is counted in
 * *nerrors. FAIL_OK, or FAIL_DB when uniqueness could not be checked.
 */
enum fail	 registration_check(struct req *, struct registration *, int *nerrors);
/*
 * Django's BaseUserManager.normalize_email and EmailValidator (at most EMAIL_MAX bytes; no
 * quoted local parts, address literals or control characters): the address to store
 * (request arena), or NULL when it is not valid.
 */
const char	*registration_clean_email(struct req *, const char *email);
/*
 * Hashes password1 with the policy (within the password-hash budget, auth_hash_admit) and
 * inserts the user (after a check without errors). FAIL_OK and *id; FAIL_THROTTLED (no hash
 * made; g->retry_after set); FAIL_CONFLICT when the name was taken meanwhile; FAIL_DB;
 * FAIL_INTERNAL.
 */
enum fail	 registration_create(struct req *, struct registration *, int64_t *id);

#endif
