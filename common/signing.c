/* signing.c: Django's salted_hmac, base62, Signer/TimestampSigner and signing.dumps/loads. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <zlib.h>

#include "b64.h"
#include "log.h"
#include "signing.h"
#include "util.h"

static const char b62_digits[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

size_t
signing_salted_hmac(enum signing_digest digest, const char *key_salt, const char *secret,
    const void *value, size_t len, unsigned char out[SIGNING_MAX_DIGEST])
{
	const EVP_MD	*md = digest == SIGNING_SHA1 ? EVP_sha1() : EVP_sha256();
	unsigned char	 key[EVP_MAX_MD_SIZE];
	unsigned int	 keylen = 0, outlen = 0;
	EVP_MD_CTX	*ctx;

	/* The derived key is the hash of the plain concatenation, no separator. */
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(ctx, md, NULL) != 1 ||
	    EVP_DigestUpdate(ctx, key_salt, strlen(key_salt)) != 1 ||
	    EVP_DigestUpdate(ctx, secret, strlen(secret)) != 1 ||
	    EVP_DigestFinal_ex(ctx, key, &keylen) != 1)
		die("signing: digest failed");
	EVP_MD_CTX_free(ctx);
	/* HMAC() wants a non-NULL data pointer even for an empty message. */
	if (HMAC(md, key, (int)keylen, len ? value : (const void *)"", len, out, &outlen) == NULL)
		die("signing: HMAC failed");
	OPENSSL_cleanse(key, sizeof(key));
	return outlen;
}

void
signing_b62_encode(int64_t v, char out[SIGNING_B62_MAX])
{
	char		 tmp[SIGNING_B62_MAX];
	size_t		 n = 0, o = 0;
	/* Work on the magnitude as unsigned so INT64_MIN does not overflow. */
	uint64_t	 u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	do {
		tmp[n++] = b62_digits[u % 62];
		u /= 62;
	} while (u > 0);
	if (v < 0)
		out[o++] = '-';
	while (n > 0)
		out[o++] = tmp[--n];
	out[o] = '\0';
}

int
signing_b62_decode(const char *s, size_t len, int64_t *out)
{
	uint64_t	 u = 0;
	int		 neg = 0;
	size_t		 i = 0;

	if (len > 0 && s[0] == '-') {
		neg = 1;
		i = 1;
	}
	for (; i < len; i++) {
		const char *p = s[i] ? memchr(b62_digits, s[i], 62) : NULL;

		if (p == NULL)
			return -1;
		if (u > (UINT64_MAX - 61) / 62)
			return -1;
		u = u * 62 + (uint64_t)(p - b62_digits);
	}
	if (u > (uint64_t)INT64_MAX + (uint64_t)neg)
		return -1;
	*out = neg ? (int64_t)(0 - u) : (int64_t)u;
	return 0;
}

/* Signer.signature: base64url (no padding) of salted_hmac(salt + "signer", value, key). */
static void
signature(enum signing_digest digest, const char *secret, const char *salt, const char *value,
    size_t len, struct buf *out)
{
	unsigned char	 mac[SIGNING_MAX_DIGEST];
	struct buf	 key_salt = BUF_INIT;
	size_t		 n;

	buf_puts(&key_salt, salt);
	buf_puts(&key_salt, "signer");
	n = signing_salted_hmac(digest, buf_cstr(&key_salt), secret, value, len, mac);
	buf_free(&key_salt);
	b64_encode(out, mac, n, B64_URL, 0);
}

void
signing_sign(const struct signing_key *key, const char *salt, const char *value, size_t len,
    struct buf *out)
{
	buf_append(out, value, len);
	buf_putc(out, ':');
	signature(SIGNING_SHA256, key->secret, salt, value, len, out);
}

/* 1 if sig is the signature of value under this secret (SHA-256, or SHA-1 when allowed). */
static int
signature_matches(const struct signing_key *key, const char *secret, const char *salt,
    const char *value, size_t len, const char *sig, size_t siglen)
{
	struct buf	 want = BUF_INIT;
	int		 ok;

	signature(SIGNING_SHA256, secret, salt, value, len, &want);
	ok = ct_equal(sig, siglen, want.data, want.len);
	if (!ok && key->accept_sha1) {
		buf_reset(&want);
		signature(SIGNING_SHA1, secret, salt, value, len, &want);
		ok = ct_equal(sig, siglen, want.data, want.len);
	}
	buf_free(&want);
	return ok;
}

/* Index of the last occurrence of c in s[0..len), or -1. */
static ssize_t
last_index(const char *s, size_t len, char c)
{
	while (len > 0)
		if (s[--len] == c)
			return (ssize_t)len;
	return -1;
}

int
signing_unsign(const struct signing_key *key, const char *salt, const char *signed_value,
    size_t len, struct buf *out)
{
	ssize_t		 sep = last_index(signed_value, len, ':');
	const char	*sig;
	size_t		 vlen, siglen;
	int		 ok;

	if (sep < 0)
		return -1;
	vlen = (size_t)sep;
	sig = signed_value + vlen + 1;
	siglen = len - vlen - 1;
	ok = signature_matches(key, key->secret, salt, signed_value, vlen, sig, siglen);
	for (size_t i = 0; !ok && key->fallbacks != NULL && key->fallbacks[i] != NULL; i++)
		ok = signature_matches(key, key->fallbacks[i], salt, signed_value, vlen, sig,
		    siglen);
	if (!ok)
		return -1;
	buf_append(out, signed_value, vlen);
	return 0;
}

void
signing_timestamp_sign(const struct signing_key *key, const char *salt, const char *value,
    size_t len, int64_t timestamp, struct buf *out)
{
	struct buf	 stamped = BUF_INIT;
	char		 ts[SIGNING_B62_MAX];

	signing_b62_encode(timestamp, ts);
	buf_append(&stamped, value, len);
	buf_putc(&stamped, ':');
	buf_puts(&stamped, ts);
	signing_sign(key, salt, stamped.data, stamped.len, out);
	buf_free(&stamped);
}

int
signing_timestamp_unsign(const struct signing_key *key, const char *salt,
    const char *signed_value, size_t len, int64_t max_age, int64_t now, struct buf *out,
    int64_t *timestamp)
{
	struct buf	 stamped = BUF_INIT;
	ssize_t		 sep;
	int64_t		 ts;
	int		 rc = -1;

	if (signing_unsign(key, salt, signed_value, len, &stamped) != 0)
		goto done;
	if ((sep = last_index(stamped.data, stamped.len, ':')) < 0)
		goto done;
	if (signing_b62_decode(stamped.data + sep + 1, stamped.len - (size_t)sep - 1, &ts) != 0)
		goto done;
	/* Compared in floating point like Django, which also avoids overflow on odd stamps. */
	if (max_age >= 0 && (double)now - (double)ts > (double)max_age)
		goto done;
	buf_append(out, stamped.data, (size_t)sep);
	if (timestamp != NULL)
		*timestamp = ts;
	rc = 0;
done:
	buf_free(&stamped);
	return rc;
}

/* ---- JSON as Python's json module writes and reads it ---- */

/* Python's float repr: shortest round-trip digits, exponent form outside 1e-4 <= |d| < 1e16. */
static void
put_py_float(struct buf *out, double d)
{
	char	 tmp[40], digits[20];
	int	 prec, exp10, nd = 0, decpt;
	char	*e;

	if (isnan(d)) {
		buf_puts(out, "NaN");
		return;
	}
	if (isinf(d)) {
		buf_puts(out, d < 0 ? "-Infinity" : "Infinity");
		return;
	}
	if (d == 0) {
		buf_puts(out, signbit(d) ? "-0.0" : "0.0");
		return;
	}
	for (prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	if (d < 0)
		buf_putc(out, '-');
	for (const char *p = tmp; *p != 'e'; p++)
		if (*p >= '0' && *p <= '9')
			digits[nd++] = *p;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	e = strchr(tmp, 'e');
	exp10 = (int)strtol(e + 1, NULL, 10);
	decpt = exp10 + 1;
	if (decpt > -4 && decpt <= 16) {
		if (decpt <= 0) {
			buf_puts(out, "0.");
			for (int i = decpt; i < 0; i++)
				buf_putc(out, '0');
			buf_append(out, digits, (size_t)nd);
		} else if (decpt >= nd) {
			buf_append(out, digits, (size_t)nd);
			for (int i = nd; i < decpt; i++)
				buf_putc(out, '0');
			buf_puts(out, ".0");
		} else {
			buf_append(out, digits, (size_t)decpt);
			buf_putc(out, '.');
			buf_append(out, digits + decpt, (size_t)(nd - decpt));
		}
	} else {
		buf_putc(out, digits[0]);
		if (nd > 1) {
			buf_putc(out, '.');
			buf_append(out, digits + 1, (size_t)(nd - 1));
		}
		buf_printf(out, "e%c%02d", exp10 < 0 ? '-' : '+', abs(exp10));
	}
}

/* A JSON string literal with json.dumps' ensure_ascii escaping. */
static int
put_py_string(struct buf *out, const char *str, size_t len)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 i = 0;

	buf_putc(out, '"');
	while (i < len) {
		long cp = utf8_next((const char *)s, len, &i);

		if (cp < 0)
			return -1;
		switch (cp) {
		case '"':  buf_puts(out, "\\\""); continue;
		case '\\': buf_puts(out, "\\\\"); continue;
		case '\n': buf_puts(out, "\\n"); continue;
		case '\r': buf_puts(out, "\\r"); continue;
		case '\t': buf_puts(out, "\\t"); continue;
		case '\b': buf_puts(out, "\\b"); continue;
		case '\f': buf_puts(out, "\\f"); continue;
		default:   break;
		}
		if (cp >= 0x20 && cp <= 0x7E)
			buf_putc(out, (char)cp);
		else if (cp < 0x10000)
			buf_printf(out, "\\u%04lx", cp);
		else {
			cp -= 0x10000;
			buf_printf(out, "\\u%04lx\\u%04lx", 0xD800 | (cp >> 10), 0xDC00 | (cp & 0x3FF));
		}
	}
	buf_putc(out, '"');
	return 0;
}

static int put_py_json(struct buf *, struct json_object *, int);

/* A JSON array (at nesting depth) as json.dumps(separators=(",", ":")) writes it. 0 or -1. */
static int
put_py_array(struct buf *out, struct json_object *obj, int depth)
{
	size_t n = json_object_array_length(obj);

	buf_putc(out, '[');
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			buf_putc(out, ',');
		if (put_py_json(out, json_object_array_get_idx(obj, i), depth + 1) != 0)
			return -1;
	}
	buf_putc(out, ']');
	return 0;
}

/* A JSON object (at nesting depth) as json.dumps(separators=(",", ":")) writes it. 0 or -1. */
static int
put_py_object(struct buf *out, struct json_object *obj, int depth)
{
	int first = 1;

	buf_putc(out, '{');
	/* json-c iterates in insertion order, which is the order Python keeps. */
	json_object_object_foreach(obj, k, v) {
		if (!first)
			buf_putc(out, ',');
		first = 0;
		if (put_py_string(out, k, strlen(k)) != 0)
			return -1;
		buf_putc(out, ':');
		if (put_py_json(out, v, depth + 1) != 0)
			return -1;
	}
	buf_putc(out, '}');
	return 0;
}

/* obj as Python's json.dumps(obj, separators=(",", ":")) writes it (ensure_ascii, insertion
 * order). 0, or -1 when nested past 1000 levels (logged) or a string is not UTF-8. */
static int
put_py_json(struct buf *out, struct json_object *obj, int depth)
{
	if (depth > 1000) {
		log_warn("signing: JSON nested too deeply to serialize");
		return -1;
	}
	switch (json_object_get_type(obj)) {
	case json_type_null:
		buf_puts(out, "null");
		return 0;
	case json_type_boolean:
		buf_puts(out, json_object_get_boolean(obj) ? "true" : "false");
		return 0;
	case json_type_double:
		put_py_float(out, json_object_get_double(obj));
		return 0;
	case json_type_int: {
		int64_t v = json_object_get_int64(obj);

		/* json-c keeps values above INT64_MAX as uint64; get_int64 saturates them. */
		if (v == INT64_MAX)
			buf_printf(out, "%llu", (unsigned long long)json_object_get_uint64(obj));
		else
			buf_printf(out, "%lld", (long long)v);
		return 0;
	}
	case json_type_string:
		return put_py_string(out, json_object_get_string(obj),
		    (size_t)json_object_get_string_len(obj));
	case json_type_array:
		return put_py_array(out, obj, depth);
	case json_type_object:
		return put_py_object(out, obj, depth);
	}
	return -1;
}

int
signing_json_dumps(struct json_object *obj, struct buf *out)
{
	if (put_py_json(out, obj, 0) != 0) {
		log_warn("signing: value cannot be serialized as JSON (invalid UTF-8?)");
		return -1;
	}
	return 0;
}

int
signing_json_loads(const char *data, size_t len, struct json_object **out)
{
	struct buf		 utf8 = BUF_INIT;
	struct json_tokener	*tok;
	struct json_object	*obj;
	size_t			 end;
	int			 rc = -1;

	*out = NULL;
	/* latin-1 to UTF-8: bytes 0x80-0xFF become two-byte sequences. */
	buf_reserve(&utf8, len * 2);
	utf8.data[0] = '\0';	/* buf_reserve does not terminate, and len may be 0 */
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)data[i];

		if (c < 0x80)
			buf_putc(&utf8, (char)c);
		else {
			buf_putc(&utf8, (char)(0xC0 | c >> 6));
			buf_putc(&utf8, (char)(0x80 | (c & 0x3F)));
		}
	}
	if (utf8.len >= INT32_MAX || (tok = json_tokener_new_ex(1000)) == NULL)
		goto done;
	/* The NUL is part of the input so that a top-level number is known to have ended. */
	obj = json_tokener_parse_ex(tok, buf_cstr(&utf8), (int)utf8.len + 1);
	if (json_tokener_get_error(tok) == json_tokener_success) {
		rc = 0;
		/* Python refuses anything but whitespace after the value. */
		for (end = json_tokener_get_parse_end(tok); end < utf8.len; end++)
			if (strchr(" \t\n\r", utf8.data[end]) == NULL || utf8.data[end] == '\0') {
				rc = -1;
				break;
			}
	}
	if (rc == 0)
		*out = obj;
	else
		json_object_put(obj);	/* NULL-safe */
	json_tokener_free(tok);
done:
	buf_free(&utf8);
	return rc;
}

/* ---- signing.dumps / loads ---- */

int
signing_dumps(const struct signing_key *key, const char *salt, struct json_object *obj,
    int compress, int64_t timestamp, struct buf *out)
{
	struct buf	 json = BUF_INIT, payload = BUF_INIT;
	unsigned char	*z = NULL;
	uLongf		 zlen;
	int		 rc = -1;

	if (signing_json_dumps(obj, &json) != 0)
		goto done;
	if (compress) {
		zlen = compressBound(json.len);
		z = xmalloc(zlen);
		/* compress2 = deflateInit(level): wbits 15, memLevel 8, as Python's zlib.compress. */
		if (compress2(z, &zlen, (const Bytef *)json.data, json.len,
		    Z_DEFAULT_COMPRESSION) != Z_OK)
			die("signing: zlib compress failed");
		if (zlen + 1 < json.len) {
			buf_putc(&payload, '.');
			b64_encode(&payload, z, zlen, B64_URL, 0);
		} else
			compress = 0;
	}
	if (!compress)
		b64_encode(&payload, json.data, json.len, B64_URL, 0);
	signing_timestamp_sign(key, salt, payload.data, payload.len, timestamp, out);
	rc = 0;
done:
	free(z);
	buf_free(&json);
	buf_free(&payload);
	return rc;
}

/* zlib.decompress with a cap on the output size. */
static int
inflate_all(const unsigned char *in, size_t len, struct buf *out)
{
	z_stream	 zs;
	int		 zrc;

	if (len > UINT_MAX)
		return -1;
	memset(&zs, 0, sizeof(zs));
	if (inflateInit(&zs) != Z_OK)
		return -1;
	zs.next_in = (Bytef *)(uintptr_t)in;
	zs.avail_in = (uInt)len;
	do {
		if (out->len >= SIGNING_MAX_INFLATE) {
			zrc = Z_MEM_ERROR;
			break;
		}
		buf_reserve(out, 16384);
		zs.next_out = (Bytef *)out->data + out->len;
		zs.avail_out = 16384;
		zrc = inflate(&zs, Z_NO_FLUSH);
		out->len += 16384 - zs.avail_out;
		out->data[out->len] = '\0';
	} while (zrc == Z_OK);
	inflateEnd(&zs);
	return zrc == Z_STREAM_END ? 0 : -1;
}

int
signing_loads(const struct signing_key *key, const char *salt, const char *s, size_t len,
    int64_t max_age, int64_t now, struct json_object **out)
{
	struct buf	 payload = BUF_INIT, raw = BUF_INIT, data = BUF_INIT;
	const char	*b64;
	size_t		 b64len;
	int		 compressed, rc = -1;

	*out = NULL;
	if (signing_timestamp_unsign(key, salt, s, len, max_age, now, &payload, NULL) != 0)
		goto done;
	b64 = buf_cstr(&payload);
	b64len = payload.len;
	compressed = b64len > 0 && b64[0] == '.';
	if (compressed) {
		b64++;
		b64len--;
	}
	if (b64_decode(&raw, b64, b64len, B64_URL) != 0)
		goto done;
	if (compressed) {
		if (inflate_all((const unsigned char *)raw.data, raw.len, &data) != 0)
			goto done;
		rc = signing_json_loads(buf_cstr(&data), data.len, out);
	} else
		rc = signing_json_loads(buf_cstr(&raw), raw.len, out);
done:
	buf_free(&payload);
	buf_free(&raw);
	buf_free(&data);
	return rc;
}
