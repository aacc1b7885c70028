/* token_revocation.c: API tokens issued before the user's last password change are refused. */
#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "db.h"
#include "token_revocation.h"
#include "util.h"

/* A whole-second claim: an integer, or a float as PyJWT accepts (rounded down). -1 otherwise. */
static int64_t
seconds_claim(struct json_object *payload, const char *name)
{
	struct json_object *v;

	if (!json_object_object_get_ex(payload, name, &v))
		return -1;
	if (json_object_is_type(v, json_type_int))
		return json_object_get_int64(v);
	if (json_object_is_type(v, json_type_double)) {
		double d = json_object_get_double(v);

		if (d >= 0 && d < 9.2e18)
			return (int64_t)d;
	}
	return -1;
}

int64_t
token_issued_at(struct json_object *payload, int64_t lifetime)
{
	int64_t iat = seconds_claim(payload, "iat"), exp;

	if (iat >= 0)
		return iat;
	if ((exp = seconds_claim(payload, "exp")) < 0 || exp < lifetime)
		return -1;
	return exp - lifetime;
}

enum token_revocation
token_revocation_check(struct db *db, int64_t user_id, int64_t issued_at)
{
	char			 id[24];
	const char		*params[1] = { id };
	PGresult		*res;
	int64_t			 changed;
	enum token_revocation	 verdict = TOKEN_CURRENT;

	if (db == NULL)
		return TOKEN_UNKNOWN;
	/* Of unknown age: current only while the password never changed. */
	if (issued_at < 0)
		issued_at = 0;
	snprintf(id, sizeof(id), "%lld", (long long)user_id);
	if ((res = db_exec(db, DB_USER_PASSWORD_CHANGED_AT, 1, params)) == NULL)
		return TOKEN_UNKNOWN;
	if (PQntuples(res) == 1 &&
	    parse_int64(PQgetvalue(res, 0, 0), (size_t)PQgetlength(res, 0, 0), INT64_MIN, INT64_MAX, &changed) == 0 &&
	    issued_at < changed)
		verdict = TOKEN_REVOKED;
	PQclear(res);
	return verdict;
}
