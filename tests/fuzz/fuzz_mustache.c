/*
 * fuzz_mustache.c: fuzz target for the Mustache compiler (mustache_compile) and a render of
 * what compiles. Input: the template source. The context has every kind of value, with lists
 * of one element, and the only partial is a fixed small template, so that a render's size is
 * bounded by the template's (nested lists and self-including partials could multiply it, which
 * tells nothing about the compiler: our templates are our own files).
 */
#include <stdlib.h>

#include <json-c/json.h>

#include "buf.h"
#include "fuzz.h"
#include "log.h"
#include "mustache.h"

static struct json_object *ctx;
static struct mustache *partial_tpl;

static const struct mustache *
partial(const void *arg, const char *name)
{
	(void)arg;
	(void)name;
	return partial_tpl;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mustache	*tpl;
	struct buf	 out = BUF_INIT;
	char		 err[128];

	log_threshold = LOG_ERROR;
	if (ctx == NULL) {
		static const char partial_src[] = "<p>{{x}} {{#o}}{{x}}{{/o}}</p>\n";

		ctx = json_tokener_parse("{\"a\":\"<b>&'\\\"\",\"n\":1,\"neg\":-2,\"d\":1.25,"
		    "\"t\":true,\"f\":false,\"z\":null,\"s\":\"\",\"e\":[],\"x\":\"X\","
		    "\"o\":{\"x\":\"inner\",\"o\":{\"x\":\"deep\"}},\"l\":[{\"x\":1,\"y\":[2]}]}");
		partial_tpl = mustache_compile(partial_src, sizeof(partial_src) - 1, NULL, 0);
		if (ctx == NULL || partial_tpl == NULL)
			abort();
	}
	tpl = mustache_compile((const char *)data, size, err, sizeof(err));
	if (tpl != NULL) {
		(void)mustache_render(tpl, ctx, partial, NULL, &out);
		buf_reset(&out);
		(void)mustache_render(tpl, NULL, NULL, NULL, &out);
		mustache_free(tpl);
	}
	buf_free(&out);
	return 0;
}
