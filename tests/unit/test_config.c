#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "unit.h"

#include "config.h"

struct listen {
	char	*addr;
	int	 port;
};

struct backend {
	char	*host;
	int	 port;
};

struct backends {
	int		 n;
	struct backend	 v[2];
};

struct conf {
	char			*name;
	int			 workers;
	bool			 debug;
	struct listen		 listen;
	struct config_strlist	 peers;
	struct backends		 backends;
};

static const struct config_field listen_schema[] = {
	CONFIG_STRING("addr", false, struct listen, addr),
	CONFIG_INT("port", true, struct listen, port, 1, 65535),
	CONFIG_END
};

static const struct config_field backend_schema[] = {
	CONFIG_STRING("host", true, struct backend, host),
	CONFIG_INT("port", false, struct backend, port, 1, 65535),
	CONFIG_END
};

/* A raw field, as a daemon would write one for its own structures. */
static int
backends_parse(struct config_ctx *ctx, json_t *v, void *dst)
{
	struct backends	*b = dst;
	json_t		*el;
	size_t		 i;

	if (!json_is_array(v))
		return config_error(ctx, v, "expected array, found %s",
		    config_typename(v));
	if (json_array_size(v) > 2)
		return config_error(ctx, json_array_get(v, 2),
		    "too many backends (max 2)");
	json_array_foreach(v, i, el) {
		b->n = i + 1;
		if (config_apply(ctx, el, backend_schema, &b->v[i]) == -1)
			return -1;
	}
	return 0;
}

static void
backends_free(void *dst)
{
	struct backends	*b = dst;

	config_free(backend_schema, &b->v[0]);
	config_free(backend_schema, &b->v[1]);
	b->n = 0;
}

static const struct config_field schema[] = {
	CONFIG_STRING("name", true, struct conf, name),
	CONFIG_INT("workers", false, struct conf, workers, 1, 64),
	CONFIG_BOOL("debug", false, struct conf, debug),
	CONFIG_OBJECT("listen", true, struct conf, listen, listen_schema),
	CONFIG_STRLIST("peers", false, struct conf, peers),
	CONFIG_RAW("backends", false, struct conf, backends, backends_parse,
	    backends_free),
	CONFIG_END
};

static struct conf	 conf;
static char		 err[CONFIG_ERRMAX];

static void
expect_error(const char *text, const char *msg)
{
	memset(&conf, 0, sizeof(conf));
	ck_assert_int_eq(config_load_string("t.json", text, schema, &conf,
	    err, sizeof(err)), -1);
	ck_assert_str_eq(err, msg);
	ck_assert_ptr_null(conf.name);	/* released on failure */
}

START_TEST(test_good)
{
	const char	*text =
	    "{\n"
	    "  \"name\": \"netd\",\n"
	    "  \"debug\": true,\n"
	    "  \"listen\": { \"addr\": \"10.0.0.1\", \"port\": 8080 },\n"
	    "  \"peers\": [\"a\", \"b\"],\n"
	    "  \"backends\": [{ \"host\": \"h1\", \"port\": 80 },\n"
	    "    { \"host\": \"h2\" }]\n"
	    "}\n";

	memset(&conf, 0, sizeof(conf));
	conf.workers = 4;	/* a default: "workers" is absent */
	ck_assert_int_eq(config_load_string("t.json", text, schema, &conf,
	    err, sizeof(err)), 0);
	ck_assert_str_eq(conf.name, "netd");
	ck_assert_int_eq(conf.workers, 4);
	ck_assert(conf.debug);
	ck_assert_str_eq(conf.listen.addr, "10.0.0.1");
	ck_assert_int_eq(conf.listen.port, 8080);
	ck_assert_uint_eq(conf.peers.n, 2);
	ck_assert_str_eq(conf.peers.v[0], "a");
	ck_assert_str_eq(conf.peers.v[1], "b");
	ck_assert_ptr_null(conf.peers.v[2]);
	ck_assert_int_eq(conf.backends.n, 2);
	ck_assert_str_eq(conf.backends.v[0].host, "h1");
	ck_assert_int_eq(conf.backends.v[0].port, 80);
	ck_assert_str_eq(conf.backends.v[1].host, "h2");
	config_free(schema, &conf);
	ck_assert_ptr_null(conf.name);
	ck_assert_ptr_null(conf.listen.addr);
	ck_assert_ptr_null(conf.peers.v);
	ck_assert_ptr_null(conf.backends.v[1].host);
}
END_TEST

START_TEST(test_syntax)
{
	expect_error("{\"name\": \"a\",\n \"listen\": x}",
	    "t.json:2:12: invalid token near 'x'");
}
END_TEST

START_TEST(test_wrong_type)
{
	expect_error("{\"name\": \"a\", \"listen\": {\"port\": \"80\"}}",
	    "t.json:1:34: listen.port: expected integer, found string");
}
END_TEST

START_TEST(test_not_object)
{
	expect_error("[1]", "t.json:1:1: expected object, found array");
}
END_TEST

START_TEST(test_unknown_key)
{
	expect_error("{\"name\": \"a\", \"bogus\": 1, \"listen\": {\"port\": 1}}",
	    "t.json:1:15: unknown key \"bogus\"");
}
END_TEST

START_TEST(test_unknown_nested_key)
{
	expect_error("{\"name\": \"a\", \"listen\": {\"port\": 1, \"prot\": 2}}",
	    "t.json:1:37: unknown key \"listen.prot\"");
}
END_TEST

START_TEST(test_out_of_range)
{
	expect_error("{\"name\": \"a\", \"listen\": {\"port\": 70000}}",
	    "t.json:1:34: listen.port: 70000 is out of range 1..65535");
}
END_TEST

START_TEST(test_missing_nested)
{
	expect_error("{\"name\": \"a\", \"listen\": {}}",
	    "t.json:1:25: missing required key \"listen.port\"");
}
END_TEST

START_TEST(test_missing_top)
{
	expect_error("\n  {\"listen\": {\"port\": 1}}",
	    "t.json:2:3: missing required key \"name\"");
}
END_TEST

/* The bad value is on line 4, after two tabs: each counts as a column. */
START_TEST(test_multiline)
{
	expect_error("{\n\t\"name\": \"a\",\n\t\"listen\": {\n"
	    "\t\t\"port\": true\n\t}\n}\n",
	    "t.json:4:11: listen.port: expected integer, found boolean");
}
END_TEST

/* Columns count characters: "é" is two bytes but one column. */
START_TEST(test_utf8_column)
{
	expect_error("{\"name\": \"h\xc3\xa9llo\", \"listen\": 5}",
	    "t.json:1:29: listen: expected object, found integer");
}
END_TEST

/* An escaped key is still found in the position index. */
START_TEST(test_escaped_key)
{
	expect_error("{\"n\\u0061me\": 5}",
	    "t.json:1:15: name: expected string, found integer");
}
END_TEST

START_TEST(test_strlist_element)
{
	expect_error("{\"name\": \"a\", \"listen\": {\"port\": 1}, "
	    "\"peers\": [\"x\", 2]}",
	    "t.json:1:53: peers[1]: expected string, found integer");
}
END_TEST

START_TEST(test_raw_apply_error)
{
	expect_error("{\"name\": \"a\", \"listen\": {\"port\": 1},\n"
	    "\"backends\": [{\"host\": \"h\"}, {\"host\": \"i\", \"port\": 0}]}",
	    "t.json:2:51: backends[1].port: 0 is out of range 1..65535");
}
END_TEST

START_TEST(test_raw_error)
{
	expect_error("{\"name\": \"a\", \"listen\": {\"port\": 1},\n"
	    "\"backends\": [{\"host\": \"h\"}, {\"host\": \"i\"}, 7]}",
	    "t.json:2:44: backends[2]: too many backends (max 2)");
}
END_TEST

START_TEST(test_missing_file)
{
	memset(&conf, 0, sizeof(conf));
	ck_assert_int_eq(config_load_file("/nonexistent/shoal.json", schema,
	    &conf, err, sizeof(err)), -1);
	ck_assert_str_eq(err,
	    "/nonexistent/shoal.json: cannot open: No such file or directory");
}
END_TEST

START_TEST(test_file)
{
	char	 path[] = "/tmp/shoal-config-XXXXXX", want[128];
	int	 fd;

	ck_assert_int_ne(fd = mkstemp(path), -1);
	ck_assert_int_eq(write(fd, "{\"name\": 1}", 11), 11);
	close(fd);
	memset(&conf, 0, sizeof(conf));
	ck_assert_int_eq(config_load_file(path, schema, &conf, err,
	    sizeof(err)), -1);
	unlink(path);
	snprintf(want, sizeof(want),
	    "%s:1:10: name: expected string, found integer", path);
	ck_assert_str_eq(err, want);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("config");
	TCase	*tc = tcase_create("config");

	tcase_add_test(tc, test_good);
	tcase_add_test(tc, test_syntax);
	tcase_add_test(tc, test_wrong_type);
	tcase_add_test(tc, test_not_object);
	tcase_add_test(tc, test_unknown_key);
	tcase_add_test(tc, test_unknown_nested_key);
	tcase_add_test(tc, test_out_of_range);
	tcase_add_test(tc, test_missing_nested);
	tcase_add_test(tc, test_missing_top);
	tcase_add_test(tc, test_multiline);
	tcase_add_test(tc, test_utf8_column);
	tcase_add_test(tc, test_escaped_key);
	tcase_add_test(tc, test_strlist_element);
	tcase_add_test(tc, test_raw_apply_error);
	tcase_add_test(tc, test_raw_error);
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_file);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
