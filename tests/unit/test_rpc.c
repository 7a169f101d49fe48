/*
 * The RPC layer's pure parts: frames, the service descriptions and the
 * checks made against them, shoalctl's words, and the policy.
 */
#include <string.h>

#include <check.h>
#include <event2/buffer.h>

#include "rpc_policy.h"
#include "rpc_schema.h"
#include "rpc_wire.h"
#include "unit.h"

static const char	*why;

START_TEST(test_frames_round_trip)
{
	struct evbuffer	*b = evbuffer_new();
	json_t		*m = rpc_msg_call(3, "sys.ping", NULL), *got;

	ck_assert_int_eq(rpc_wire_put(b, m, RPC_FRAME_MAX), 0);
	ck_assert_int_eq(rpc_wire_put(b, m, RPC_FRAME_MAX), 0);
	ck_assert_int_eq(rpc_wire_take(b, RPC_FRAME_MAX, &got, &why), 1);
	ck_assert(json_equal(got, m));
	ck_assert_uint_eq(rpc_wire_id(got), 3);
	ck_assert_str_eq(rpc_wire_type(got), "call");
	json_decref(got);
	ck_assert_int_eq(rpc_wire_take(b, RPC_FRAME_MAX, &got, &why), 1);
	json_decref(got);
	ck_assert_int_eq(rpc_wire_take(b, RPC_FRAME_MAX, &got, &why), 0);
	/* Too big to send is refused whole. */
	ck_assert_int_eq(rpc_wire_put(b, m, 10), -1);
	json_decref(m);
	evbuffer_free(b);
}
END_TEST

START_TEST(test_frames_partial_and_bad)
{
	struct evbuffer	*b = evbuffer_new();
	json_t		*got;

	evbuffer_add(b, "\0\0\0\2{", 5);		/* half a frame */
	ck_assert_int_eq(rpc_wire_take(b, RPC_FRAME_MAX, &got, &why), 0);
	evbuffer_add(b, "}", 1);
	ck_assert_int_eq(rpc_wire_take(b, RPC_FRAME_MAX, &got, &why), 1);
	json_decref(got);
	evbuffer_add(b, "\0\0\0\0", 4);			/* empty */
	ck_assert_int_eq(rpc_wire_take(b, RPC_FRAME_MAX, &got, &why), -1);
	evbuffer_drain(b, evbuffer_get_length(b));
	evbuffer_add(b, "\0\1\0\1", 4);			/* 65537 */
	ck_assert_int_eq(rpc_wire_take(b, RPC_FRAME_MAX, &got, &why), -1);
	evbuffer_drain(b, evbuffer_get_length(b));
	evbuffer_add(b, "\0\0\0\2[]", 6);		/* not an object */
	ck_assert_int_eq(rpc_wire_take(b, RPC_FRAME_MAX, &got, &why), -1);
	evbuffer_drain(b, evbuffer_get_length(b));
	evbuffer_add(b, "\0\0\0\x0d{\"a\":1,\"a\":2}", 17); /* duplicate key */
	ck_assert_int_eq(rpc_wire_take(b, RPC_FRAME_MAX, &got, &why), -1);
	evbuffer_free(b);
}
END_TEST

START_TEST(test_versions_and_ids)
{
	json_t	*h = json_pack("{s:s, s:[i,i]}", "type", "hello", "versions",
		    7, 1), *m;

	ck_assert_int_eq(rpc_wire_pick_version(h), 1);
	json_object_set_new(h, "versions", json_pack("[i]", 2));
	ck_assert_int_eq(rpc_wire_pick_version(h), 0);
	json_decref(h);
	m = json_pack("{s:I}", "id", (json_int_t)0);
	ck_assert_uint_eq(rpc_wire_id(m), 0);
	json_object_set_new(m, "id", json_integer((json_int_t)1 << 54));
	ck_assert_uint_eq(rpc_wire_id(m), 0);
	json_object_set_new(m, "id", json_string("5"));
	ck_assert_uint_eq(rpc_wire_id(m), 0);
	json_decref(m);
}
END_TEST

START_TEST(test_schema_checks)
{
	struct rpc_schema	*s = rpc_schema_load();
	const json_t		*tail, *lvl;
	json_t			*p;
	char			 err[128];

	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_nonnull(tail = rpc_schema_method(s, "console", "tail"));
	ck_assert_ptr_nonnull(rpc_schema_method(s, "sys", "ping"));
	ck_assert_ptr_null(rpc_schema_method(s, "console", "nope"));
	ck_assert(rpc_schema_is_stream(rpc_schema_method(s, "console",
	    "follow")));
	p = json_pack("{s:s}", "domain", "web1");
	ck_assert_int_eq(rpc_schema_check(tail, p, err, sizeof(err)), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(p, "n")), 20);
	json_object_set_new(p, "n", json_integer(0));	/* below min */
	ck_assert_int_eq(rpc_schema_check(tail, p, err, sizeof(err)), -1);
	json_object_set_new(p, "n", json_string("5"));	/* wrong type */
	ck_assert_int_eq(rpc_schema_check(tail, p, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "integer"));
	json_object_del(p, "n");
	json_object_set_new(p, "extra", json_true());
	ck_assert_int_eq(rpc_schema_check(tail, p, err, sizeof(err)), -1);
	json_decref(p);
	p = json_object();				/* domain required */
	ck_assert_int_eq(rpc_schema_check(tail, p, err, sizeof(err)), -1);
	json_decref(p);
	lvl = rpc_schema_method(s, "sys", "loglevel");
	p = json_pack("{s:s}", "level", "loud");	/* not in the enum */
	ck_assert_int_eq(rpc_schema_check(lvl, p, err, sizeof(err)), -1);
	json_decref(p);
	rpc_schema_free(s);
}
END_TEST

START_TEST(test_schema_words)
{
	struct rpc_schema	*s = rpc_schema_load();
	const json_t		*tail = rpc_schema_method(s, "console", "tail");
	char *const		 pos[] = { "web1", "50" };
	char *const		 kv[] = { "n=7", "domain=3" };
	char *const		 bad[] = { "web1", "many" };
	char *const		 extra[] = { "a", "1", "b" };
	char			 err[128];
	json_t			*p;

	ck_assert_int_eq(rpc_schema_from_words(tail, 2, pos, &p, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(json_string_value(json_object_get(p, "domain")),
	    "web1");
	ck_assert_int_eq(json_integer_value(json_object_get(p, "n")), 50);
	json_decref(p);
	ck_assert_int_eq(rpc_schema_from_words(tail, 2, kv, &p, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(json_string_value(json_object_get(p, "domain")), "3");
	json_decref(p);
	ck_assert_int_eq(rpc_schema_from_words(tail, 2, bad, &p, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(rpc_schema_from_words(tail, 3, extra, &p, err,
	    sizeof(err)), -1);
	rpc_schema_free(s);
}
END_TEST

static const char policy_text[] =
    "# method  caller  action\n"
    "\n"
    "tag ops 7 web1\n"
    "sys.*        @any     allow\n"
    "console.tail @tag:ops allow\n"
    "console.*    dom0     allow\n"
    "console.*    9        deny\n"
    "test.echo    9        allow\n";

START_TEST(test_policy_first_match)
{
	char			 err[128];
	struct rpc_policy	*p = rpc_policy_parse(policy_text, "pol", err,
				    sizeof(err));
	int			 line;

	ck_assert(!rpc_policy_broken(p));
	ck_assert(rpc_policy_allows(p, "sys.ping", 9, NULL, &line));
	ck_assert_int_eq(line, 4);
	ck_assert(rpc_policy_allows(p, "console.tail", 7, NULL, &line));
	ck_assert(rpc_policy_allows(p, "console.tail", 12, "web1", &line));
	ck_assert(!rpc_policy_allows(p, "console.tail", 12, "web2", &line));
	ck_assert_int_eq(line, 0);			/* no rule: denied */
	ck_assert(rpc_policy_allows(p, "console.write", 0, NULL, &line));
	ck_assert(!rpc_policy_allows(p, "console.write", 9, NULL, &line));
	ck_assert_int_eq(line, 7);
	ck_assert(rpc_policy_allows(p, "test.echo", 9, NULL, &line));
	/* "console.*" is not "consoles.x" nor a prefix of other services. */
	ck_assert(!rpc_policy_allows(p, "consoles.x", 0, NULL, &line));
	rpc_policy_free(p);
}
END_TEST

START_TEST(test_policy_broken_denies_all)
{
	char			 err[128];
	struct rpc_policy	*p;
	int			 line;

	p = rpc_policy_parse("sys.* @any allow\nconsole.* dom0 maybe\n",
	    "pol", err, sizeof(err));
	ck_assert(rpc_policy_broken(p));
	ck_assert_str_eq(err, "pol:2: the action is allow or deny");
	ck_assert(!rpc_policy_allows(p, "sys.ping", 0, NULL, &line));
	rpc_policy_free(p);
	p = rpc_policy_load("/nonexistent/policy", err, sizeof(err));
	ck_assert(rpc_policy_broken(p));
	rpc_policy_free(p);
	p = rpc_policy_parse("x @nobody allow\n", "pol", err, sizeof(err));
	ck_assert(rpc_policy_broken(p));
	rpc_policy_free(p);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("rpc");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_frames_round_trip);
	tcase_add_test(tc, test_frames_partial_and_bad);
	tcase_add_test(tc, test_versions_and_ids);
	tcase_add_test(tc, test_schema_checks);
	tcase_add_test(tc, test_schema_words);
	tcase_add_test(tc, test_policy_first_match);
	tcase_add_test(tc, test_policy_broken_denies_all);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
