/* mime.c: an e-mail message as RFC 5322 and MIME want it: headers, UTF-8 text and HTML parts. */
#include <string.h>
#include <time.h>

#include "b64.h"
#include "emailaddr.h"
#include "mime.h"
#include "util.h"

/* "=_" never occurs in quoted-printable text (after '=' come two hex digits or a line end). */
#define BOUNDARY	"=_movies_alternative"
#define LINE_MAX_QP	76	/* RFC 2045: encoded lines at most 76 characters */
#define WORD_MAX	75	/* RFC 2047: an encoded-word at most 75 characters */
#define HEADER_FOLD	78	/* RFC 5322's recommended line length */

/* 1 if s holds CR, LF (which would start a header of the sender's choosing) or is not UTF-8. */
static int
unsafe_header(const char *s)
{
	return strpbrk(s, "\r\n") != NULL || !utf8_valid(s, strlen(s));
}

static int
plain_ascii(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return 0;
	return 1;
}

void
mime_encode_words(struct buf *out, const char *s, size_t len, size_t first_room)
{
	size_t room = first_room, i = 0;

	while (i < len) {
		/* The bytes one word carries: base64 grows 3 bytes into 4 characters, plus 12. */
		size_t max = room > 12 + 8 ? (room - 12) / 4 * 3 : 6, end = i, next;

		if (max > (WORD_MAX - 12) / 4 * 3)
			max = (WORD_MAX - 12) / 4 * 3;
		/* Whole characters only, so each word decodes on its own (RFC 2047 section 5). */
		for (next = end; next < len && utf8_next(s, len, &next) >= 0 && next - i <= max; )
			end = next;
		if (end == i)
			end = next;	/* cannot happen for valid UTF-8 and max >= 4 */
		if (i > 0)
			buf_puts(out, "\r\n ");
		buf_puts(out, "=?utf-8?b?");
		b64_encode(out, s + i, end - i, B64_STD, 1);
		buf_puts(out, "?=");
		i = end;
		room = HEADER_FOLD - 1;
	}
}

/* name: value, the value as is when short printable ASCII, else as encoded-words. */
static void
put_text_header(struct buf *out, const char *name, const char *value)
{
	size_t len = strlen(value), used = strlen(name) + 2;

	buf_printf(out, "%s: ", name);
	if (plain_ascii(value, len) && used + len <= HEADER_FOLD && strstr(value, "=?") == NULL)
		buf_append(out, value, len);
	else
		mime_encode_words(out, value, len, HEADER_FOLD - used);
	buf_puts(out, "\r\n");
}

int
mime_from_address(const char *from, const char **addr, size_t *len)
{
	const char *lt = strrchr(from, '<');

	if (lt == NULL) {
		*addr = from;
		*len = strlen(from);
	} else {
		size_t n = strlen(lt);

		if (n < 2 || lt[n - 1] != '>')
			return -1;
		*addr = lt + 1;
		*len = n - 2;
	}
	return emailaddr_valid(*addr, *len) ? 0 : -1;
}

/* From: an address alone, or its display name quoted (ASCII) or encoded (UTF-8), then <addr>. */
static void
put_from(struct buf *out, const char *from, const char *addr, size_t alen)
{
	const char	*lt = strrchr(from, '<');
	size_t		 nlen = lt ? (size_t)(lt - from) : 0;

	while (nlen > 0 && from[nlen - 1] == ' ')
		nlen--;
	if (nlen >= 2 && from[0] == '"' && from[nlen - 1] == '"') {
		from++;
		nlen -= 2;
	}
	buf_puts(out, "From: ");
	if (nlen > 0 && plain_ascii(from, nlen)) {
		buf_putc(out, '"');
		for (size_t i = 0; i < nlen; i++) {
			if (from[i] == '"' || from[i] == '\\')
				buf_putc(out, '\\');
			buf_putc(out, from[i]);
		}
		buf_puts(out, "\" ");
	} else if (nlen > 0) {
		mime_encode_words(out, from, nlen, HEADER_FOLD - 6);
		buf_puts(out, "\r\n ");
	}
	buf_putc(out, '<');
	buf_append(out, addr, alen);
	buf_puts(out, ">\r\n");
}

/* RFC 5322 section 3.3, in UTC, with English names whatever the locale. */
static void
put_date(struct buf *out, int64_t when)
{
	static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
	    "Sep", "Oct", "Nov", "Dec" };
	time_t		t = (time_t)when;
	struct tm	tm;

	gmtime_r(&t, &tm);
	buf_printf(out, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n", days[tm.tm_wday],
	    tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* One byte of a line, literal or =XX, with a soft break first when the line would be too long. */
static void
qp_byte(struct buf *out, unsigned char c, int line_end_follows, size_t *col)
{
	static const char hex[] = "0123456789ABCDEF";
	int literal = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !line_end_follows);

	/* A leading '.' or "From " could be mangled by a transport: encode them. */
	if (*col == 0 && (c == '.' || c == 'F'))
		literal = 0;
	if (*col + (literal ? 1 : 3) > LINE_MAX_QP - 1) {
		buf_puts(out, "=\r\n");
		*col = 0;
	}
	if (literal)
		buf_putc(out, (char)c);
	else {
		buf_putc(out, '=');
		buf_putc(out, hex[c >> 4]);
		buf_putc(out, hex[c & 15]);
	}
	*col += literal ? 1 : 3;
}

/* RFC 2045 quoted-printable of s; its line ends (LF, CRLF or CR) become CRLF. */
static void
put_qp(struct buf *out, const char *s)
{
	size_t col = 0;

	for (const char *p = s; *p; p++) {
		if (*p == '\r' || *p == '\n') {
			if (*p == '\r' && p[1] == '\n')
				p++;
			buf_puts(out, "\r\n");
			col = 0;
			continue;
		}
		qp_byte(out, (unsigned char)*p, p[1] == '\0' || p[1] == '\r' || p[1] == '\n', &col);
	}
	buf_puts(out, "\r\n");
}

static void
put_part(struct buf *out, const char *type, const char *body)
{
	buf_printf(out, "Content-Type: text/%s; charset=\"utf-8\"\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n", type);
	put_qp(out, body);
}

int
mime_compose(const struct mime_message *m, struct buf *out)
{
	const char	*from_addr;
	size_t		 from_len;
	int		 alternative = m->html && *m->html;

	if (unsafe_header(m->from) || unsafe_header(m->to) || unsafe_header(m->subject) ||
	    unsafe_header(m->message_id) || !utf8_valid(m->text, strlen(m->text)) ||
	    (alternative && !utf8_valid(m->html, strlen(m->html))) ||
	    mime_from_address(m->from, &from_addr, &from_len) != 0 ||
	    !emailaddr_valid(m->to, strlen(m->to)) || strpbrk(m->message_id, "<> ") != NULL)
		return -1;
	put_from(out, m->from, from_addr, from_len);
	buf_printf(out, "To: %s\r\n", m->to);
	put_text_header(out, "Subject", m->subject);
	put_date(out, m->date);
	buf_printf(out, "Message-ID: <%s>\r\nMIME-Version: 1.0\r\n", m->message_id);
	if (!alternative) {
		put_part(out, "plain", m->text);
		return 0;
	}
	buf_puts(out, "Content-Type: multipart/alternative; boundary=\"" BOUNDARY "\"\r\n\r\n");
	buf_puts(out, "--" BOUNDARY "\r\n");
	put_part(out, "plain", m->text);
	buf_puts(out, "--" BOUNDARY "\r\n");
	put_part(out, "html", m->html);
	buf_puts(out, "--" BOUNDARY "--\r\n");
	return 0;
}
