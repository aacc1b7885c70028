/* mime.h: an e-mail message as RFC 5322 and MIME want it: headers, UTF-8 text and HTML parts. */
#ifndef MIME_H
#define MIME_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* One message. Every string is borrowed, NUL-terminated UTF-8. */
struct mime_message {
	const char	*from;		/* "addr" or "Display Name <addr>" (DEFAULT_FROM_EMAIL) */
	const char	*to;		/* one address */
	const char	*subject;
	const char	*text;		/* the text/plain part */
	const char	*html;		/* the text/html part; NULL or "": a text/plain message only */
	const char	*message_id;	/* without the angle brackets: "local@domain" */
	int64_t		 date;		/* Unix seconds, written in UTC */
};

/*
 * Appends the message, CRLF line ends throughout, to out: From, To, Subject (RFC 2047
 * encoded-words, folded, when it is not short printable ASCII), Date (RFC 5322), Message-ID,
 * MIME-Version, then multipart/alternative with the text part first and the HTML part, each
 * UTF-8 in quoted-printable. The boundary cannot occur in quoted-printable text.
 * Returns 0, or -1 (out unchanged) when a header field holds CR, LF or NUL (header injection),
 * a body or the subject is not valid UTF-8, or from/to is not an address emailaddr_valid() takes.
 */
int	 mime_compose(const struct mime_message *, struct buf *out);

/*
 * The address of a From value ("Name <addr>" or "addr"): sets *addr and *len to the part
 * between the angle brackets, or to the whole value. Returns 0, or -1 when it is not valid.
 */
int	 mime_from_address(const char *from, const char **addr, size_t *len);

/* Appends the RFC 2047 encoded-words of s (UTF-8, "B" encoding), each at most 75 characters,
 * folded with CRLF SP; first_room is what is left on the first line (e.g. 78 - "Subject: "). */
void	 mime_encode_words(struct buf *out, const char *s, size_t len, size_t first_room);

#endif
