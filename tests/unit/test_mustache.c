/* test_mustache.c: runs the official Mustache spec files and this project's extra template cases. */
#include <sys/stat.h>

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "buf.h"
#include "mustache.h"
#include "util.h"

/* Compiles src, renders it against JSON text (NULL: no context) with no partials. */
static char *
render_str(const char *src, const char *json)
{
	struct mustache		*t;
	struct json_object	*ctx = NULL;
	struct buf		 out = BUF_INIT;
	char			 err[256];

	t = mustache_compile(src, strlen(src), err, sizeof(err));
	if (t == NULL)
		fail_msg("compile '%s': %s", src, err);
	if (json != NULL)
		assert_non_null(ctx = json_tokener_parse(json));
	assert_int_equal(mustache_render(t, ctx, NULL, NULL, &out), 0);
	json_object_put(ctx);
	mustache_free(t);
	return buf_detach(&out);
}

static void
expect(const char *src, const char *json, const char *want)
{
	char *got = render_str(src, json);

	if (strcmp(got, want) != 0) {
		print_error("template %s\nwant [%s]\ngot  [%s]\n", src, want, got);
		free(got);
		fail();
	}
	free(got);
}

/* Runs every test of one spec file; returns the number that failed. */
static int
run_spec_file(const char *path, int *total)
{
	struct json_object	*root, *tests, *tc, *o;
	struct mustache_set	*partials;
	struct mustache		*t;
	struct buf		 out = BUF_INIT;
	const char		*name, *tmpl, *want;
	char			 err[256];
	size_t			 i, n;
	int			 failed = 0, passed = 0;

	root = json_object_from_file(path);
	if (root == NULL || !json_object_object_get_ex(root, "tests", &tests))
		fail_msg("%s: cannot load spec file", path);
	n = json_object_array_length(tests);
	for (i = 0; i < n; i++) {
		tc = json_object_array_get_idx(tests, i);
		json_object_object_get_ex(tc, "name", &o);
		name = json_object_get_string(o);
		json_object_object_get_ex(tc, "template", &o);
		tmpl = json_object_get_string(o);
		json_object_object_get_ex(tc, "expected", &o);
		want = json_object_get_string(o);

		partials = mustache_set_new();
		if (json_object_object_get_ex(tc, "partials", &o)) {
			json_object_object_foreach(o, pname, pval) {
				if (mustache_set_add(partials, pname, json_object_get_string(pval),
				    (size_t)json_object_get_string_len(pval), err, sizeof(err)) == -1)
					print_error("%s: %s: partial %s: %s\n", path, name, pname, err);
			}
		}
		json_object_object_get_ex(tc, "data", &o);
		buf_reset(&out);
		t = mustache_compile(tmpl, strlen(tmpl), err, sizeof(err));
		if (t == NULL) {
			print_error("FAIL %s: %s: compile: %s\n", path, name, err);
			failed++;
		} else if (mustache_render(t, o, mustache_set_partial, partials, &out) != 0 ||
		    strcmp(buf_cstr(&out), want) != 0) {
			print_error("FAIL %s: %s\n  template [%s]\n  want     [%s]\n  got      [%s]\n",
			    path, name, tmpl, want, buf_cstr(&out));
			failed++;
		} else
			passed++;
		mustache_free(t);
		mustache_set_free(partials);
	}
	print_message("%s: %d/%zu passed\n", path, passed, n);
	*total += (int)n;
	buf_free(&out);
	json_object_put(root);
	return failed;
}

/* Every *.json in the spec directory (the optional ~lambdas module is not supported). */
static void
test_spec(void **state)
{
	const char	*dir = getenv("MUSTACHE_SPEC_DIR");
	struct dirent	**names;
	struct buf	 path = BUF_INIT;
	int		 i, n, failed = 0, total = 0, files = 0;
	size_t		 len;

	(void)state;
	if (dir == NULL || *dir == '\0')
		dir = "tests/mustache-spec";
	n = scandir(dir, &names, NULL, alphasort);
	if (n < 0)
		fail_msg("cannot read spec dir %s (set MUSTACHE_SPEC_DIR)", dir);
	for (i = 0; i < n; i++) {
		len = strlen(names[i]->d_name);
		if (names[i]->d_name[0] != '~' && len > 5 &&
		    strcmp(names[i]->d_name + len - 5, ".json") == 0) {
			buf_reset(&path);
			buf_printf(&path, "%s/%s", dir, names[i]->d_name);
			failed += run_spec_file(buf_cstr(&path), &total);
			files++;
		}
		free(names[i]);
	}
	free(names);
	buf_free(&path);
	print_message("mustache spec: %d/%d passed in %d files\n", total - failed, total, files);
	assert_true(files >= 6);
	assert_int_equal(failed, 0);
}

static void
test_escaping(void **state)
{
	(void)state;
	expect("{{x}}", "{\"x\": \"a & b < c > d \\\" e ' f\"}",
	    "a &amp; b &lt; c &gt; d &quot; e &#39; f");
	expect("{{{x}}}|{{&x}}", "{\"x\": \"<&'\\\">\"}", "<&'\">|<&'\">");
	expect("{{#l}}{{.}}{{/l}}", "{\"l\": [\"<\", \"'\"]}", "&lt;&#39;");
	expect("<p>{{x}}</p>", "{\"x\": \"plain text\"}", "<p>plain text</p>");
}

static void
test_values(void **state)
{
	(void)state;
	expect("{{i}} {{n}} {{big}} {{d}} {{e}} {{t}} {{f}} {{z}} {{o}} {{a}}",
	    "{\"i\": 42, \"n\": -7, \"big\": 18446744073709551615, \"d\": 1.21, \"e\": 0.1,"
	    " \"t\": true, \"f\": false, \"z\": null, \"o\": {\"k\": 1}, \"a\": [1]}",
	    "42 -7 18446744073709551615 1.21 0.1 true false   ");
	expect("{{d}}", "{\"d\": 2.0}", "2");
	/* Falsey: missing, null, false, "", []; 0 and {} are truthy. */
	expect("{{#s}}S{{/s}}{{^s}}s{{/s}}{{#z}}Z{{/z}}{{#o}}O{{/o}}{{#e}}E{{/e}}{{^e}}e{{/e}}",
	    "{\"s\": \"\", \"z\": 0, \"o\": {}, \"e\": []}", "sZOe");
	expect("{{#u}}{{name}}: {{score}}\n{{/u}}",
	    "{\"u\": [{\"name\": \"a\", \"score\": 1}, {\"name\": \"b\", \"score\": 2.5}]}",
	    "a: 1\nb: 2.5\n");
}

static void
test_missing_names(void **state)
{
	const char *tmpl = "[{{a}}{{a.b.c}}{{{x.y}}}{{&.}}{{#a}}x{{/a}}{{^a.b}}y{{/a.b}}{{>nope}}]";

	(void)state;
	expect(tmpl, NULL, "[y]");
	expect(tmpl, "{}", "[y]");
	expect(tmpl, "{\"a\": 5}", "[5xy]");
	expect("{{a.b}}", "{\"a\": \"string\"}", "");
	expect("{{a.length}}", "{\"a\": [1, 2]}", "");
	expect("{{#a}}{{b}}{{/a}}", "[1, 2]", "");
}

static void
expect_error(const char *src, const char *want)
{
	char err[256];

	assert_null(mustache_compile(src, strlen(src), err, sizeof(err)));
	if (strstr(err, want) == NULL)
		fail_msg("template %s: error [%s] lacks [%s]", src, err, want);
	/* A zero-size error buffer must be safe too. */
	assert_null(mustache_compile(src, strlen(src), NULL, 0));
}

static void
test_compile_errors(void **state)
{
	char	 deep[2 * 7 * (MUSTACHE_MAX_NESTING + 1) + 1];
	size_t	 i;

	(void)state;
	expect_error("a\n{{#sec}}\nb\n", "line 2: unclosed section 'sec'");
	expect_error("{{#a}}\n{{#b}}\n{{/a}}\n{{/b}}", "line 3: closing tag 'a' does not match 'b'");
	expect_error("x\n\n{{/a}}", "line 3: closing tag 'a' without an open section");
	expect_error("{{=<% %>=}}\n<%= x =%>", "line 2: bad delimiters");
	expect_error("{{= a =}}", "line 1: bad delimiters");
	expect_error("ok\n{{name", "line 2: unclosed tag");
	expect_error("{{{name}}", "line 1: unclosed tag");
	expect_error("{{}}", "line 1: empty tag");
	expect_error("{{a..b}}", "line 1: bad name 'a..b'");
	expect_error("{{a b}}", "line 1: bad name 'a b'");
	expect_error("{{>}}", "line 1: empty partial name");
	deep[0] = '\0';
	for (i = 0; i <= MUSTACHE_MAX_NESTING; i++)
		strcat(deep, "{{#a}}");
	expect_error(deep, "nested deeper");
}

static const struct mustache *
self_partial(const void *arg, const char *name)
{
	(void)name;
	return arg;
}

static void
test_recursion_bound(void **state)
{
	struct mustache		*t;
	struct json_object	*ctx, *node, *child;
	struct buf		 out = BUF_INIT;
	int			 i;

	(void)state;
	/* A partial that includes itself unconditionally fails instead of overflowing the stack. */
	t = mustache_compile("x{{>self}}", 10, NULL, 0);
	assert_non_null(t);
	assert_int_equal(mustache_render(t, NULL, self_partial, t, &out), -1);
	mustache_free(t);

	/* Data-driven recursion is fine up to the limit and fails past it. */
	t = mustache_compile("<{{#c}}{{>self}}{{/c}}>", 23, NULL, 0);
	assert_non_null(t);
	ctx = json_object_new_object();
	node = ctx;
	for (i = 0; i < MUSTACHE_MAX_PARTIAL_DEPTH; i++) {
		child = json_object_new_object();
		json_object_object_add(node, "c", child);
		node = child;
	}
	/* Else {{#c}} would find the parent's c further down the context stack. */
	json_object_object_add(node, "c", json_object_new_boolean(0));
	buf_reset(&out);
	assert_int_equal(mustache_render(t, ctx, self_partial, t, &out), 0);
	assert_int_equal(out.len, 2 * (MUSTACHE_MAX_PARTIAL_DEPTH + 1));
	child = json_object_new_object();
	json_object_object_add(child, "c", json_object_new_boolean(0));
	json_object_object_add(node, "c", child);
	buf_reset(&out);
	assert_int_equal(mustache_render(t, ctx, self_partial, t, &out), -1);
	json_object_put(ctx);
	mustache_free(t);
	buf_free(&out);
}

static void
write_file(const char *dir, const char *name, const char *text)
{
	char	 path[512];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void
remove_dir(const char *dir)
{
	char		 path[512];
	struct dirent	*de;
	DIR		*d;

	assert_non_null(d = opendir(dir));
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

static void
test_set_from_dir(void **state)
{
	char			 dir[] = "/tmp/test_mustache.XXXXXX";
	struct mustache_set	*set;
	struct json_object	*ctx;
	struct buf		 out = BUF_INIT;

	(void)state;
	assert_non_null(mkdtemp(dir));
	write_file(dir, "page.mustache",
	    "<html>\n<title>{{title}}</title>\n<ul>\n"
	    "{{#movies}}\n  {{> item}}\n{{/movies}}\n"
	    "{{^movies}}\n  <li>none</li>\n{{/movies}}\n"
	    "</ul>\n{{>footer}}");
	write_file(dir, "item.mustache", "<li>\n  {{title}} ({{year}})\n</li>\n");
	write_file(dir, "footer.mustache", "<footer>{{site.name}}</footer>\n");
	write_file(dir, "notes.txt", "{{#not a template");
	write_file(dir, ".hidden.mustache", "{{#broken");

	set = mustache_set_load_dir(dir);
	assert_non_null(set);
	assert_non_null(mustache_set_get(set, "page"));
	assert_non_null(mustache_set_get(set, "item"));
	assert_null(mustache_set_get(set, "notes"));
	assert_null(mustache_set_get(set, "page.mustache"));

	ctx = json_tokener_parse("{\"title\": \"Films & more\", \"site\": {\"name\": \"M<>vies\"},"
	    " \"movies\": [{\"title\": \"Alien\", \"year\": 1979},"
	    " {\"title\": \"Am\\u00e9lie\", \"year\": 2001}]}");
	assert_non_null(ctx);
	assert_int_equal(mustache_set_render(set, "page", ctx, &out), 0);
	assert_string_equal(buf_cstr(&out),
	    "<html>\n<title>Films &amp; more</title>\n<ul>\n"
	    "  <li>\n    Alien (1979)\n  </li>\n"
	    "  <li>\n    Am\xc3\xa9lie (2001)\n  </li>\n"
	    "</ul>\n<footer>M&lt;&gt;vies</footer>\n");
	json_object_put(ctx);

	buf_reset(&out);
	ctx = json_tokener_parse("{\"movies\": []}");
	assert_int_equal(mustache_set_render(set, "page", ctx, &out), 0);
	assert_string_equal(buf_cstr(&out),
	    "<html>\n<title></title>\n<ul>\n  <li>none</li>\n</ul>\n<footer></footer>\n");
	json_object_put(ctx);

	assert_int_equal(mustache_set_render(set, "nope", NULL, &out), -1);
	mustache_set_free(set);

	/* Unescaped output is refused unless the template's own comment says why. */
	write_file(dir, "raw.mustache", "<p>{{{html}}}</p>");
	assert_null(mustache_set_load_dir(dir));
	write_file(dir, "raw.mustache", "<p>{{& html}}</p>");
	assert_null(mustache_set_load_dir(dir));
	write_file(dir, "raw.mustache", "{{! unescaped: }}<p>{{&html}}</p>");
	assert_null(mustache_set_load_dir(dir));
	write_file(dir, "raw.mustache", "{{! unescaped: the server built this HTML from escaped parts }}<p>{{{html}}}</p>");
	set = mustache_set_load_dir(dir);
	assert_non_null(set);
	mustache_set_free(set);
	write_file(dir, "raw.mustache", "{{! escaped only }}<p>{{html}}</p>");
	set = mustache_set_load_dir(dir);
	assert_non_null(set);
	mustache_set_free(set);

	/* One broken file fails the whole load, naming the file and line. */
	write_file(dir, "bad.mustache", "ok\n{{#open}}\n");
	assert_null(mustache_set_load_dir(dir));
	remove_dir(dir);
	assert_null(mustache_set_load_dir(dir));
	buf_free(&out);
}

/* Fragments are kept under the templates' digest: any change of a name or a source changes it, the order added does not. */
static void
test_set_digest(void **state)
{
	struct mustache_set	*a = mustache_set_new(), *b = mustache_set_new(), *c = mustache_set_new();
	char			 err[64];

	(void)state;
	assert_int_equal(mustache_set_digest(NULL), 0);
	assert_int_equal(mustache_set_add(a, "card", "<li>{{title}}</li>", 18, err, sizeof(err)), 0);
	assert_int_equal(mustache_set_add(a, "page", "{{> card}}", 10, err, sizeof(err)), 0);
	assert_int_equal(mustache_set_add(b, "page", "{{> card}}", 10, err, sizeof(err)), 0);
	assert_int_equal(mustache_set_add(b, "card", "<li>{{title}}</li>", 18, err, sizeof(err)), 0);
	assert_true(mustache_set_digest(a) == mustache_set_digest(b));
	assert_int_equal(mustache_set_add(c, "card", "<li>{{title}} </li>", 19, err, sizeof(err)), 0);
	assert_int_equal(mustache_set_add(c, "page", "{{> card}}", 10, err, sizeof(err)), 0);
	assert_true(mustache_set_digest(a) != mustache_set_digest(c));
	/* The same sources under swapped names are other templates. */
	mustache_set_free(c);
	c = mustache_set_new();
	assert_int_equal(mustache_set_add(c, "page", "<li>{{title}}</li>", 18, err, sizeof(err)), 0);
	assert_int_equal(mustache_set_add(c, "card", "{{> card}}", 10, err, sizeof(err)), 0);
	assert_true(mustache_set_digest(a) != mustache_set_digest(c));
	mustache_set_free(a);
	mustache_set_free(b);
	mustache_set_free(c);
}

static void
test_set_add(void **state)
{
	struct mustache_set	*set;
	struct buf		 out = BUF_INIT;
	char			 err[256];

	(void)state;
	set = mustache_set_new();
	assert_int_equal(mustache_set_add(set, "a", "A{{>b}}", 7, err, sizeof(err)), 0);
	assert_int_equal(mustache_set_add(set, "b", "B{{>c}}", 7, err, sizeof(err)), 0);
	assert_int_equal(mustache_set_add(set, "a", "x", 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "twice"));
	assert_int_equal(mustache_set_add(set, "c", "{{#x}}", 6, err, sizeof(err)), -1);
	assert_string_equal(err, "line 1: unclosed section 'x'");
	assert_int_equal(mustache_set_render(set, "a", NULL, &out), 0);
	assert_string_equal(buf_cstr(&out), "AB");
	buf_free(&out);
	mustache_set_free(set);
	mustache_set_free(NULL);
	mustache_free(NULL);
}

static void
add(struct mustache_set *set, const char *name, const char *src)
{
	char err[256];

	if (mustache_set_add(set, name, src, strlen(src), err, sizeof(err)) == -1)
		fail_msg("%s: %s", name, err);
}

/* Nested standalone partials indent by the sum of their indents; inline ones do not. */
static void
test_partial_indent(void **state)
{
	struct mustache_set	*set;
	struct buf		 out = BUF_INIT;

	(void)state;
	set = mustache_set_new();
	add(set, "outer", "<div>\n  {{>mid}}\n</div>\n");
	add(set, "mid", "<p>\n  {{>leaf}}\n</p>\n{{#no}}\n{{/no}}\n");
	add(set, "leaf", "a\nb {{>inl}}\n");
	add(set, "inl", "i\nj");
	assert_int_equal(mustache_set_render(set, "outer", NULL, &out), 0);
	assert_string_equal(buf_cstr(&out),
	    "<div>\n  <p>\n    a\n    b i\nj\n  </p>\n</div>\n");

	/* A close tag that starts a line but is not alone on it still indents that line. */
	add(set, "sec", "  {{>tail}}\n");
	add(set, "tail", "{{#a}}\nx\n{{/a}} y\n{{! c }}\n");
	buf_reset(&out);
	assert_int_equal(mustache_set_render(set, "sec", NULL, &out), 0);
	assert_string_equal(buf_cstr(&out), "   y\n");
	buf_free(&out);
	mustache_set_free(set);
}

/* Large renders stay linear: many tags, long lists, long escaped strings. */
static void
test_large(void **state)
{
	struct buf		 src = BUF_INIT, out = BUF_INIT;
	struct json_object	*ctx, *list, *item;
	struct mustache		*t;
	char			*big;
	int			 i;
	int64_t			 start;

	(void)state;
	for (i = 0; i < 20000; i++)
		buf_puts(&src, "<td>{{name}}</td>{{! c }}\n");
	buf_puts(&src, "{{#list}}<li>{{n}}{{s}}</li>{{/list}}{{big}}");
	start = now_ms();
	t = mustache_compile(src.data, src.len, NULL, 0);
	assert_non_null(t);
	ctx = json_object_new_object();
	list = json_object_new_array();
	for (i = 0; i < 50000; i++) {
		item = json_object_new_object();
		json_object_object_add(item, "n", json_object_new_int(i));
		json_object_array_add(list, item);
	}
	json_object_object_add(ctx, "list", list);
	json_object_object_add(ctx, "s", json_object_new_string("&"));
	json_object_object_add(ctx, "name", json_object_new_string("<b>"));
	big = xmalloc(1000001);
	memset(big, '\'', 1000000);
	big[1000000] = '\0';
	json_object_object_add(ctx, "big", json_object_new_string(big));
	free(big);
	assert_int_equal(mustache_render(t, ctx, NULL, NULL, &out), 0);
	assert_int_equal(out.len, 20000 * strlen("<td>&lt;b&gt;</td>\n") +
	    50000 * strlen("<li>&amp;</li>") + 238890 + 5 * 1000000);
	/* Generous: a quadratic step would take minutes here, even under valgrind. */
	assert_true(now_ms() - start < 60000);
	json_object_put(ctx);
	mustache_free(t);
	buf_free(&src);
	buf_free(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_missing_names),
		cmocka_unit_test(test_compile_errors),
		cmocka_unit_test(test_recursion_bound),
		cmocka_unit_test(test_set_from_dir),
		cmocka_unit_test(test_set_add),
		cmocka_unit_test(test_set_digest),
		cmocka_unit_test(test_partial_indent),
		cmocka_unit_test(test_large),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
