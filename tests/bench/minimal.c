/* minimal.c: the smallest useful FastCGI responder, the baseline the benchmarks compare with. */
#include <fcgiapp.h>
#include <string.h>

int
main(void)
{
	FCGX_Request	 req;
	static const char body[] = "<!doctype html><title>minimal</title><p>hello</p>\n";

	FCGX_Init();
	FCGX_InitRequest(&req, 0, 0);
	while (FCGX_Accept_r(&req) >= 0) {
		/* libfcgi's formatter has no %zu. */
		FCGX_FPrintF(req.out, "Status: 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
		    "Content-Length: %d\r\n\r\n", (int)strlen(body));
		FCGX_PutStr(body, (int)strlen(body), req.out);
		FCGX_Finish_r(&req);
	}
	return 0;
}
