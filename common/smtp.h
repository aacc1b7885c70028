/* smtp.h: one composed message handed to an SMTP server through libcurl, and what came of it. */
#ifndef SMTP_H
#define SMTP_H

#include <stddef.h>

/* Where and how to send (Django's EMAIL_* settings). Strings are borrowed. */
struct smtp_settings {
	const char	*host;
	int		 port;
	const char	*user;		/* "" or NULL: no AUTH */
	const char	*password;
	int		 use_tls;	/* STARTTLS, required */
	int		 use_ssl;	/* implicit TLS (smtps://) */
	int		 timeout_s;	/* bounds the connect and the whole exchange */
	const char	*ca_file;	/* NULL: the system's CAs verify the server (tests: their own CA) */
};

enum smtp_result {
	SMTP_SENT,		/* the server answered 250 to the end of DATA: it has the message */
	SMTP_TRANSIENT,		/* 4xx, refused login, cut off mid-exchange: try again later */
	SMTP_UNREACHABLE,	/* no answer at all (down, timed out): try again later, and wait */
	SMTP_PERMANENT		/* a 5xx answer to the envelope or the data: do not try again */
};

/*
 * Sends msg (len bytes, CRLF lines, as mime_compose makes it) with envelope sender from and
 * one recipient to (bare addresses), over a new connection. Returns what came of it and writes
 * a one-line reason into why (the server's code and curl's message; "" when sent); the message
 * itself is never logged or copied into why. Each call is independent (no state kept).
 */
enum smtp_result smtp_send(const struct smtp_settings *, const char *from, const char *to,
	    const char *msg, size_t len, char *why, size_t whysz);

#endif
