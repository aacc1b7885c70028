/* token_revocation.h: API tokens issued before the user's last password change are refused. */
#ifndef TOKEN_REVOCATION_H
#define TOKEN_REVOCATION_H

#include <stdint.h>

struct db;
struct json_object;

enum token_revocation { TOKEN_CURRENT, TOKEN_REVOKED, TOKEN_UNKNOWN };

/*
 * The claim our tokens carry: the user's last password change, in microseconds since the
 * epoch (0: never), as it stood when the password that earned the token was checked. An
 * access token inherits it from its refresh token.
 */
#define TOKEN_PASSWORD_CLAIM	"pw_changed"

/*
 * When a decoded token (simplejwt's or ours) was issued: its iat claim in whole seconds,
 * or, for a token without one, exp - lifetime (when a token of that type with the usual
 * lifetime would have been issued). -1 when neither is a number.
 */
int64_t	 token_issued_at(struct json_object *payload, int64_t lifetime);

/*
 * For a token about to be issued to user_id, whose password was just checked against
 * verified_hash: *changed_us, the value of TOKEN_PASSWORD_CLAIM. Read after the check, and
 * only accepted while the stored hash is still verified_hash (compared in constant time),
 * so a password changed during the login never yields a token that outlives the change.
 * 0; 1 when the hash changed meanwhile or the user is gone (refuse the login); -1 when the
 * database does not answer.
 */
int	 token_password_changed(struct db *, int64_t user_id, const char *verified_hash, int64_t *changed_us);

/*
 * Was a token (payload, verified) of user_id issued before the user's last password change
 * (movies_password_change, kept by migration 0003's trigger whoever changes it)? The rule
 * is exact:
 * - our tokens carry TOKEN_PASSWORD_CLAIM: current only while it equals the stored change
 *   time, to the microsecond (no clock is compared, so no skew between hosts matters);
 * - tokens without it (simplejwt's made by Django beside us, ours from before the claim)
 *   only carry a whole-second iat: current when issued in a later second than the change.
 *   One issued within the change's own second cannot be told apart from one issued just
 *   before it, so it is refused (the safe side: such a client logs in again).
 * A user whose password never changed: every token is current. An age that cannot be told
 * (token_issued_at -1) counts as issued before any change. TOKEN_UNKNOWN when the database
 * does not answer (the caller answers 503); TOKEN_REVOKED when the user is gone.
 */
enum token_revocation token_revocation_check(struct db *, int64_t user_id, struct json_object *payload,
	    int64_t lifetime);

#endif
