/* validators.h: Django's username rules, normalize_email and the four default password validators. */
#ifndef VALIDATORS_H
#define VALIDATORS_H

#include <stddef.h>

#define VALIDATORS_USERNAME_MAX	150	/* auth_user.username max_length, in code points */
#define VALIDATORS_MIN_PASSWORD	8	/* MinimumLengthValidator default */
#define VALIDATORS_MAX_ERRORS	4	/* each validator raises at most one error */
#define VALIDATORS_COMMON_FILE	"django-common-passwords.txt.gz"

/* One ValidationError: Django's code (static string) and its English message. */
struct validators_error {
	const char	*code;
	char		 message[128];
};

/* The user attributes UserAttributeSimilarityValidator compares; NULL or "" are skipped. */
struct validators_user {
	const char	*username;
	const char	*first_name;
	const char	*last_name;
	const char	*email;
};

/*
 * normalize_username: NFKC of UTF-8 text. Returns a malloc'd NUL-terminated string (caller
 * frees), or NULL on invalid UTF-8 or an embedded NUL. Note that the login form
 * (UsernameField.to_python, 3.2.23+) skips NFKC when the raw text exceeds 150 code points.
 */
char	*validators_normalize_username(const char *, size_t);
/*
 * AbstractUser.username's checks after normalize_username: "required" when empty; otherwise
 * "invalid" unless every character matches [\w.@+-] (\w as Python's str.isalnum() or '_';
 * combining marks do not match), then "max_length" above 150 code points. Writes up to two
 * errors in that order and returns their number (0 = valid). Invalid UTF-8 or a NUL gives
 * "invalid". If normalized is not NULL, *normalized receives the NFKC text (caller frees; NULL
 * when the input was not valid UTF-8).
 */
/*
 * Python's str.strip() on valid UTF-8 of *len bytes: skips leading and drops trailing
 * str.isspace() characters (ASCII blanks and Unicode spaces). Returns the start; *len shrinks.
 */
const char *validators_strip(const char *, size_t *len);

int	 validators_username(const char *, size_t, char **normalized,
	    struct validators_error errs[2]);

/*
 * BaseUserManager.normalize_email: when there is an '@', strips surrounding whitespace and
 * lower-cases the part after the last '@'; otherwise returns the text unchanged. Returns a
 * malloc'd string (caller frees), or NULL on invalid UTF-8.
 */
char	*validators_normalize_email(const char *);

/*
 * Loads the CommonPasswordValidator list once per process (gzip or plain, one password per
 * line, stripped as Django does) into a hash set: from common_path if not NULL, otherwise
 * from data_dir/VALIDATORS_COMMON_FILE. Call before fork so workers share it.
 * Returns 0 (also when already loaded), or -1 if the file cannot be read (logged).
 */
int	 validators_init(const char *data_dir, const char *common_path);
/* Number of distinct entries loaded (0 before validators_init). */
size_t	 validators_common_count(void);
/* Frees the list (for leak checkers); validators_init may be called again. */
void	 validators_cleanup(void);

/*
 * validate_password with the startproject validators, in Django's order:
 * UserAttributeSimilarity (only when user is not NULL), MinimumLength(8),
 * CommonPassword, Numeric. password is NUL-terminated UTF-8.
 * Writes the errors to errs and returns their number (0 = acceptable), or -1 if the password
 * is not valid UTF-8 or validators_init has not succeeded (logged).
 */
int	 validators_password(const char *password, const struct validators_user *user,
	    struct validators_error errs[VALIDATORS_MAX_ERRORS]);

#endif
