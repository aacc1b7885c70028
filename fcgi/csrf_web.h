/* csrf_web.h: the csrftoken cookie, the masked token of this page's forms, and the POST check. */
#ifndef CSRF_WEB_H
#define CSRF_WEB_H

#include "fail.h"
#include "http.h"

/* The masked CSRF token for this page's forms (sets the csrftoken cookie when missing). */
const char	*csrf_form_token(struct req *, struct resp *);
/* Django's rotate_token at login: a new secret, so a token planted before login is useless. */
void		 csrf_rotate_cookie(struct req *, struct resp *);
/* Django's Origin/Referer and token checks of a POST (logged when refused): FAIL_OK or FAIL_FORBIDDEN. */
enum fail	 csrf_verify_post(struct req *);

#endif
