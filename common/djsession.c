/* djsession.c: Django's session_data encoding, session keys and the session auth hash. */
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "b64.h"
#include "djsession.h"
#include "log.h"
#include "rand.h"
#include "util.h"

int
djsession_encode_at(const struct signing_key *key, struct json_object *data, int64_t timestamp,
    struct buf *out)
{
	return signing_dumps(key, DJSESSION_KEY_SALT, data, 1, timestamp, out);
}

int
djsession_encode(const struct signing_key *key, struct json_object *data, struct buf *out)
{
	return djsession_encode_at(key, data, (int64_t)time(NULL), out);
}

/*
 * The pre-3.1 format that 3.2 still reads: base64(hex(HMAC-SHA1) ':' json), keyed by
 * salted_hmac("django.contrib.sessions" "SessionStore", json) under SECRET_KEY only.
 */
static struct json_object *
legacy_decode(const struct signing_key *key, const char *session_data, size_t len)
{
	struct json_object	*obj = NULL;
	struct buf		 raw = BUF_INIT;
	unsigned char		 mac[SIGNING_MAX_DIGEST];
	char			 want[2 * SIGNING_MAX_DIGEST + 1];
	const char		*colon;
	size_t			 n;

	if (b64_decode(&raw, session_data, len, B64_STD) != 0 || raw.data == NULL ||
	    (colon = memchr(raw.data, ':', raw.len)) == NULL)
		goto done;
	n = signing_salted_hmac(SIGNING_SHA1, DJSESSION_LEGACY_SALT, key->secret, colon + 1,
	    raw.len - (size_t)(colon + 1 - raw.data), mac);
	hex_encode(mac, n, want);
	if (!ct_equal(raw.data, (size_t)(colon - raw.data), want, strlen(want)))
		goto done;
	(void)signing_json_loads(colon + 1, raw.len - (size_t)(colon + 1 - raw.data), &obj);
done:
	buf_free(&raw);
	return obj;
}

struct json_object *
djsession_decode(const struct signing_key *key, const char *session_data, size_t len)
{
	struct json_object	*obj;
	int			 rc;

	/* No max_age: the row's expire_date decides whether the session is alive. */
	rc = signing_loads(key, DJSESSION_KEY_SALT, session_data, len, -1, 0, &obj);
	if (rc != 0 && key->accept_sha1 &&
	    (obj = legacy_decode(key, session_data, len)) != NULL)
		rc = 0;
	if (rc != 0) {
		log_warn("djsession: session data corrupted or signed with another key");
		return NULL;
	}
	if (!json_object_is_type(obj, json_type_object)) {
		log_warn("djsession: session data is not a JSON object");
		json_object_put(obj);
		return NULL;
	}
	return obj;
}

void
djsession_new_key(char out[DJSESSION_KEY_LEN + 1])
{
	rand_string(out, DJSESSION_KEY_LEN, RAND_LOWER_DIGITS);
}

int
djsession_key_valid(const char *key, size_t len)
{
	if (key == NULL || len < DJSESSION_KEY_MIN || len > DJSESSION_KEY_MAX)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (key[i] <= ' ' || key[i] > '~')
			return 0;
	return 1;
}

static void
auth_hash(enum signing_digest digest, const char *secret, const char *password, char *out)
{
	unsigned char	 mac[SIGNING_MAX_DIGEST];
	size_t		 n;

	n = signing_salted_hmac(digest, DJSESSION_AUTH_HASH_SALT, secret, password,
	    strlen(password), mac);
	hex_encode(mac, n, out);
}

void
djsession_auth_hash(const char *secret, const char *password, char out[DJSESSION_HASH_HEX + 1])
{
	auth_hash(SIGNING_SHA256, secret, password, out);
}

void
djsession_auth_hash_legacy(const char *secret, const char *password,
    char out[DJSESSION_LEGACY_HASH_HEX + 1])
{
	auth_hash(SIGNING_SHA1, secret, password, out);
}

static int
hash_matches(enum signing_digest digest, const char *secret, const char *password,
    const char *stored, size_t stored_len)
{
	char want[DJSESSION_HASH_HEX + 1];

	auth_hash(digest, secret, password, want);
	return ct_equal(stored, stored_len, want, strlen(want));
}

enum djsession_hash_result
djsession_auth_hash_check(const struct signing_key *key, const char *password,
    const char *stored_hash)
{
	size_t n;

	if (stored_hash == NULL || stored_hash[0] == '\0' || password == NULL)
		return DJSESSION_HASH_MISMATCH;
	n = strlen(stored_hash);
	if (hash_matches(SIGNING_SHA256, key->secret, password, stored_hash, n))
		return DJSESSION_HASH_OK;
	for (size_t i = 0; key->fallbacks != NULL && key->fallbacks[i] != NULL; i++)
		if (hash_matches(SIGNING_SHA256, key->fallbacks[i], password, stored_hash, n))
			return DJSESSION_HASH_FALLBACK;
	if (key->accept_sha1 &&
	    hash_matches(SIGNING_SHA1, key->secret, password, stored_hash, n))
		return DJSESSION_HASH_FALLBACK;
	return DJSESSION_HASH_MISMATCH;
}
