/* emailaddr.h: e-mail addresses checked as Django's EmailValidator does, and normalised. */
#ifndef EMAILADDR_H
#define EMAILADDR_H

#include <stddef.h>

/* Django's EmailValidator refuses longer values (RFC 3696 section 3); forms cap at 254. */
#define EMAILADDR_MAX	320

/*
 * django.core.validators.EmailValidator()(value) on the len bytes at s: a local part that is a
 * dot-atom or a quoted string, '@' (the last one), and a domain that is "localhost", host
 * names of letters, digits and hyphens (labels of at most 63, a top-level label of 2 to 63 not
 * ending in '-'), or an [IPv4] / [IPv6] literal. Returns 1 valid, 0 not.
 * Stricter than Django in one way, by design: any byte outside ASCII is refused (Django
 * accepts an IDN domain by converting it to punycode, and its case-insensitive [A-Z] lets
 * a few non-ASCII letters such as U+017F into the local part; this site sends plain SMTP,
 * without SMTPUTF8, so such an address could not be delivered anyway).
 */
int	 emailaddr_valid(const char *s, size_t len);

/*
 * What a Django form's EmailField and BaseUserManager.normalize_email make of input: surrounding
 * whitespace stripped, then the domain lower-cased. Returns a new NUL-terminated string (caller
 * frees), or NULL when the result is not emailaddr_valid() (also for NUL bytes or CR/LF inside).
 */
char	*emailaddr_normalize(const char *s, size_t len);

#endif
