/* resettoken.c: Django's PasswordResetTokenGenerator tokens and the uidb64 of reset links. */
#include <stdio.h>
#include <string.h>

#include "b64.h"
#include "buf.h"
#include "resettoken.h"
#include "util.h"

#define KEY_SALT	"django.contrib.auth.tokens.PasswordResetTokenGenerator"
#define TS_MAX_DIGITS	13	/* Django's base36_to_int refuses longer input */

/* django.utils.http.int_to_base36 (non-negative values only, as timestamps are). */
static void
base36(int64_t v, char *out)
{
	char	tmp[16];
	size_t	n = 0;

	do {
		tmp[n++] = "0123456789abcdefghijklmnopqrstuvwxyz"[v % 36];
		v /= 36;
	} while (v > 0 && n < sizeof(tmp));
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\0';
}

void
resettoken_make(const char *secret, const struct resettoken_user *u, int64_t ts, char out[RESETTOKEN_MAX])
{
	struct buf	 v = BUF_INIT;
	unsigned char	 mac[SIGNING_MAX_DIGEST];
	char		 hex[2 * SIGNING_MAX_DIGEST + 1];
	size_t		 n, len;

	buf_printf(&v, "%lld%s%s%lld%s", (long long)u->id, u->password ? u->password : "",
	    u->last_login ? u->last_login : "", (long long)ts, u->email ? u->email : "");
	n = signing_salted_hmac(SIGNING_SHA256, KEY_SALT, secret, v.data, v.len, mac);
	buf_free(&v);
	hex_encode(mac, n, hex);
	base36(ts, out);
	len = strlen(out);
	out[len++] = '-';
	/* hexdigest()[::2]: every second digit, "to shorten the URL". */
	for (size_t i = 0; i < 2 * n; i += 2)
		out[len++] = hex[i];
	out[len] = '\0';
}

int
resettoken_parse(const char *token, size_t len, int64_t *ts)
{
	const char	*dash = memchr(token, '-', len);
	size_t		 nts;
	int64_t		 v = 0;

	if (dash == NULL || (nts = (size_t)(dash - token)) == 0 || nts > TS_MAX_DIGITS ||
	    len - nts - 1 == 0 || len - nts - 1 > 2 * SIGNING_MAX_DIGEST)
		return -1;
	for (size_t i = 0; i < nts; i++) {
		char c = token[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'z' ? c - 'a' + 10 : -1;

		/* 13 digits can pass int64: such a token is expired anyway, refuse it. */
		if (d < 0 || v > (INT64_MAX - d) / 36)
			return -1;
		v = v * 36 + d;
	}
	for (size_t i = nts + 1; i < len; i++)
		if (!((token[i] >= '0' && token[i] <= '9') || (token[i] >= 'a' && token[i] <= 'f')))
			return -1;
	*ts = v;
	return 0;
}

int
resettoken_check(const struct signing_key *k, const struct resettoken_user *u, const char *token,
    int64_t now_ts, int timeout_s)
{
	char	 want[RESETTOKEN_MAX];
	size_t	 len = strlen(token);
	int64_t	 ts;
	int	 ok;

	if (u == NULL || resettoken_parse(token, len, &ts) != 0)
		return 0;
	resettoken_make(k->secret, u, ts, want);
	ok = ct_equal(want, strlen(want), token, len);
	for (size_t i = 0; !ok && k->fallbacks && k->fallbacks[i]; i++) {
		resettoken_make(k->fallbacks[i], u, ts, want);
		ok = ct_equal(want, strlen(want), token, len);
	}
	return ok && now_ts - ts <= timeout_s;
}

int64_t
resettoken_now(int64_t unix_seconds)
{
	return unix_seconds - RESETTOKEN_EPOCH;
}

void
resettoken_uid_encode(int64_t id, char out[RESETTOKEN_UID_MAX])
{
	char		digits[24];
	struct buf	b = BUF_INIT;

	snprintf(digits, sizeof(digits), "%lld", (long long)id);
	b64_encode(&b, digits, strlen(digits), B64_URL, 0);
	snprintf(out, RESETTOKEN_UID_MAX, "%s", buf_cstr(&b));
	buf_free(&b);
}

int
resettoken_uid_decode(const char *s, size_t len, int64_t *id)
{
	struct buf	b = BUF_INIT;
	int		rc = -1;

	if (len > 0 && len < RESETTOKEN_UID_MAX && b64_decode(&b, s, len, B64_URL) == 0 &&
	    b.len > 0 && b.len <= 18 && strspn(buf_cstr(&b), "0123456789") == b.len)
		rc = parse_int64(b.data, b.len, 0, INT64_MAX, id);
	buf_free(&b);
	return rc == 0 ? 0 : -1;
}

const char *
resettoken_log_path(const char *path, char *out, size_t outsz)
{
	const char *uid, *slash;

	if (strncmp(path, "/reset/", 7) != 0)
		return path;
	uid = path + 7;
	if ((slash = strchr(uid, '/')) == NULL || strncmp(slash + 1, "set-password/", 13) == 0)
		return path;
	snprintf(out, outsz, "/reset/%.*s/<token>/", (int)(slash - uid), uid);
	return out;
}
