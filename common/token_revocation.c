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

/* The user's row of DB_USER_PASSWORD_CHANGED_AT: 0, 1 when there is none, -1 when the database does not answer. */
static int
password_state(struct db *db, int64_t user_id, int64_t *changed_us, PGresult **res)
{
	char		 id[24];
	const char	*params[1] = { id };

	*res = NULL;
	if (db == NULL)
		return -1;
	snprintf(id, sizeof(id), "%lld", (long long)user_id);
	if ((*res = db_exec(db, DB_USER_PASSWORD_CHANGED_AT, 1, params)) == NULL)
		return -1;
	if (PQntuples(*res) != 1 || parse_int64(PQgetvalue(*res, 0, 0), (size_t)PQgetlength(*res, 0, 0), 0,
	    INT64_MAX, changed_us) != 0)
		return 1;
	return 0;
}

int
token_password_changed(struct db *db, int64_t user_id, const char *verified_hash, int64_t *changed_us)
{
	PGresult	*res;
	int		 rc = password_state(db, user_id, changed_us, &res);

	if (rc == 0 && !ct_equal(PQgetvalue(res, 0, 1), (size_t)PQgetlength(res, 0, 1), verified_hash,
	    strlen(verified_hash)))
		rc = 1;
	PQclear(res);
	return rc;
}

/* The exact rule of the header, once the stored change time is known. */
static int
issued_before(struct json_object *payload, int64_t lifetime, int64_t changed_us)
{
	struct json_object	*claim;
	int64_t			 issued;

	if (json_object_object_get_ex(payload, TOKEN_PASSWORD_CLAIM, &claim))
		return !json_object_is_type(claim, json_type_int) || json_object_get_int64(claim) != changed_us;
	if (changed_us == 0)
		return 0;
	issued = token_issued_at(payload, lifetime);
	/* Same second as the change: which came first is unknowable; refuse. */
	return issued < 0 || issued <= changed_us / 1000000;
}

enum token_revocation
token_revocation_check(struct db *db, int64_t user_id, struct json_object *payload, int64_t lifetime)
{
	PGresult		*res;
	int64_t			 changed_us = 0;
	enum token_revocation	 verdict;

	switch (password_state(db, user_id, &changed_us, &res)) {
	case -1:
		verdict = TOKEN_UNKNOWN;
		break;
	case 1:
		verdict = TOKEN_REVOKED;
		break;
	default:
		verdict = issued_before(payload, lifetime, changed_us) ? TOKEN_REVOKED : TOKEN_CURRENT;
	}
	PQclear(res);
	return verdict;
}
