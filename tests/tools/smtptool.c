/* smtptool.c: one message composed by mime_compose and sent by smtp_send, for tests of STARTTLS, SMTPS and AUTH against a real server. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "mime.h"
#include "smtp.h"

/*
 * Usage: smtptool HOST PORT tls|ssl|plain USER PASSWORD CAFILE TO
 * (USER "" for no AUTH). Prints sent, transient, unreachable or permanent, then the reason.
 * Exit 0 when sent.
 */
int
main(int argc, char *argv[])
{
	static const char *names[] = { "sent", "transient", "unreachable", "permanent" };
	struct smtp_settings	 s;
	struct mime_message	 m = { "Tool <tool@example.com>", NULL, "smtptool", "Hello\n", "<p>Hello</p>",
	    "smtptool.1@example.com", 0 };
	struct buf		 msg = BUF_INIT;
	char			 why[400];
	enum smtp_result	 res;

	if (argc != 8) {
		fputs("usage: smtptool HOST PORT tls|ssl|plain USER PASSWORD CAFILE TO\n", stderr);
		return 2;
	}
	s = (struct smtp_settings){ argv[1], atoi(argv[2]), argv[4], argv[5], strcmp(argv[3], "tls") == 0,
	    strcmp(argv[3], "ssl") == 0, 10, argv[6] };
	m.to = argv[7];
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (mime_compose(&m, &msg) != 0)
		return 2;
	res = smtp_send(&s, "tool@example.com", m.to, msg.data, msg.len, why, sizeof(why));
	printf("%s %s\n", names[res], why);
	buf_free(&msg);
	curl_global_cleanup();
	return res == SMTP_SENT ? 0 : 1;
}
