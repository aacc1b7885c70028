/* token_revocation.h: API tokens issued before the user's last password change are refused. */
#ifndef TOKEN_REVOCATION_H
#define TOKEN_REVOCATION_H

#include <stdint.h>

struct db;
struct json_object;

enum token_revocation { TOKEN_CURRENT, TOKEN_REVOKED, TOKEN_UNKNOWN };

/*
 * When a decoded token (simplejwt's or ours) was issued: its iat claim in whole seconds,
 * or, for a token without one, exp - lifetime (when a token of that type with the usual
 * lifetime would have been issued). -1 when neither is a number.
 */
int64_t	 token_issued_at(struct json_object *payload, int64_t lifetime);

/*
 * Was a token of user_id issued at issued_at (Unix seconds) before the user's last password
 * change (movies_password_change, kept by migration 0003's trigger whoever changes it)?
 * The change time is rounded down to whole seconds as iat is, so a token issued in the same
 * second as the change is still current. A user whose password never changed: current.
 * issued_at -1 (age unknown) counts as issued before any change. TOKEN_UNKNOWN when the
 * database does not answer (the caller answers 503).
 */
enum token_revocation token_revocation_check(struct db *, int64_t user_id, int64_t issued_at);

#endif
