/* smtp.c: one composed message handed to an SMTP server through libcurl, and what came of it. */
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "buf.h"
#include "smtp.h"

struct upload {
	const char	*p;
	size_t		 left;
};

static size_t
read_message(char *dst, size_t size, size_t nmemb, void *arg)
{
	struct upload	*u = arg;
	size_t		 n = size * nmemb < u->left ? size * nmemb : u->left;

	memcpy(dst, u->p, n);
	u->p += n;
	u->left -= n;
	return n;
}

/* smtp://host:port or smtps://, an IPv6 literal in brackets. */
static void
server_url(const struct smtp_settings *s, struct buf *url)
{
	int v6 = strchr(s->host, ':') != NULL;

	buf_printf(url, "%s://%s%s%s:%d", s->use_ssl ? "smtps" : "smtp", v6 ? "[" : "", s->host,
	    v6 ? "]" : "", s->port);
}

/* The options of one exchange on a fresh handle; the caller owns rcpt and frees it after. */
static void
set_options(CURL *c, const struct smtp_settings *s, const char *url, const char *from,
    struct curl_slist *rcpt, struct upload *u, char *errbuf)
{
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)s->timeout_s);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)s->timeout_s);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	if (s->use_tls)
		curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	if (s->ca_file)
		curl_easy_setopt(c, CURLOPT_CAINFO, s->ca_file);
	if (s->user && *s->user) {
		curl_easy_setopt(c, CURLOPT_USERNAME, s->user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, s->password ? s->password : "");
	}
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_message);
	curl_easy_setopt(c, CURLOPT_READDATA, u);
}

enum smtp_result
smtp_send(const struct smtp_settings *s, const char *from, const char *to, const char *msg,
    size_t len, char *why, size_t whysz)
{
	CURL			*c = curl_easy_init();
	struct curl_slist	*rcpt = NULL;
	struct buf		 url = BUF_INIT, env_from = BUF_INIT, env_to = BUF_INIT;
	struct upload		 u = { msg, len };
	char			 errbuf[CURL_ERROR_SIZE] = "";
	long			 code = 0;
	CURLcode		 rc;

	if (c == NULL) {
		snprintf(why, whysz, "libcurl: cannot make a handle");
		return SMTP_TRANSIENT;
	}
	server_url(s, &url);
	buf_printf(&env_from, "<%s>", from);
	buf_printf(&env_to, "<%s>", to);
	rcpt = curl_slist_append(NULL, buf_cstr(&env_to));
	set_options(c, s, buf_cstr(&url), buf_cstr(&env_from), rcpt, &u, errbuf);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(c);
	curl_slist_free_all(rcpt);
	buf_free(&url);
	buf_free(&env_from);
	buf_free(&env_to);
	if (rc == CURLE_OK) {
		why[0] = '\0';
		return SMTP_SENT;
	}
	snprintf(why, whysz, "SMTP %ld: %s", code, errbuf[0] ? errbuf : curl_easy_strerror(rc));
	if (code == 0)
		return SMTP_UNREACHABLE;
	/* A refused login is the configuration's fault, not the message's: keep it for later. */
	return code >= 500 && code < 600 && rc != CURLE_LOGIN_DENIED ? SMTP_PERMANENT : SMTP_TRANSIENT;
}
