/*
 * http_status: the fleet table, from a snapshot's domains as the status
 * collector gathers them: a scaler's counters and DNS addresses shown,
 * a follower and a failed loop said so, names from other domains
 * escaped, and no table at all without a scaler.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "http_status.h"
#include "http_text.h"
#include "unit.h"

/* The fleet table rendered for domains given as JSON text. */
static char *
fleet_html(const char *doms_json)
{
	struct http_text	 t;
	json_t			*doms = json_loads(doms_json, 0, NULL);
	char			*out;

	ck_assert_ptr_nonnull(doms);
	ck_assert_int_eq(http_text_init(&t, 16384), 0);
	http_status_fleet(&t, doms);
	json_decref(doms);
	ck_assert(!t.full);
	ck_assert_ptr_nonnull(out = strndup(t.p, t.len));
	free(t.p);
	return out;
}

START_TEST(test_fleet_row)
{
	char	*h = fleet_html("[{\"domid\": 0, \"name\": \"Domain-0\", "
	    "\"services\": [{\"service\": \"domain\", \"stats\": {}}]},"
	    "{\"domid\": 7, \"name\": \"scaler\", \"services\": ["
	    "{\"service\": \"scaler\", \"stats\": {\"daemon\": {\"fleet\": "
	    "{\"serving\": 2, \"starting\": 1, \"draining\": 0, "
	    "\"desired\": 3, \"metric\": 41.5, \"dns\": {\"name\": "
	    "\"www.fleet.test.\", \"addresses\": [\"127.0.1.1\", "
	    "\"127.0.1.2\"]}}}}}]}]");

	ck_assert_ptr_nonnull(strstr(h, "<table id=\"fleet\">"));
	ck_assert_ptr_nonnull(strstr(h, "<tr><td>scaler (7)</td>"
	    "<td class=\"serving\">2</td><td>1</td><td>0</td>"
	    "<td class=\"desired\">3</td><td>41.5</td>"
	    "<td>www.fleet.test.: 127.0.1.1 127.0.1.2</td></tr>"));
	free(h);
}
END_TEST

START_TEST(test_fleet_follower_and_error)
{
	char	*h = fleet_html("[{\"domid\": 3, \"name\": \"scaler-b\", "
	    "\"services\": [{\"service\": \"scaler\", \"stats\": {\"daemon\": "
	    "{\"fleet\": {\"leading\": false}}}}]},"
	    "{\"domid\": 4, \"name\": \"scaler-c\", \"services\": ["
	    "{\"service\": \"scaler\", \"stats\": {\"daemon\": {\"fleet\": "
	    "{\"error\": \"the control loop died\"}}}}]}]");

	ck_assert_ptr_nonnull(strstr(h, "<td colspan=\"6\" class=\"down\">"
	    "following: another scaler leads</td>"));
	ck_assert_ptr_nonnull(strstr(h, "<td colspan=\"6\" class=\"down\">"
	    "the control loop died</td>"));
	free(h);
}
END_TEST

/* Every string came from another domain: a name is text, not markup. */
START_TEST(test_fleet_escaped)
{
	char	*h = fleet_html("[{\"domid\": 9, \"name\": \"<b>x</b>\", "
	    "\"services\": [{\"service\": \"scaler\", \"stats\": {\"daemon\": "
	    "{\"fleet\": {\"serving\": 1, \"starting\": 0, \"draining\": 0, "
	    "\"desired\": 1, \"metric\": -1, \"dns\": {\"name\": \"<i>\", "
	    "\"addresses\": [\"<script>\"]}}}}}]}]");

	ck_assert_ptr_null(strstr(h, "<b>"));
	ck_assert_ptr_null(strstr(h, "<i>"));
	ck_assert_ptr_null(strstr(h, "<script>"));
	ck_assert_ptr_nonnull(strstr(h, "&lt;b&gt;x&lt;/b&gt; (9)"));
	ck_assert_ptr_nonnull(strstr(h, "&lt;script&gt;"));
	/* ... and a metric not measured yet says so. */
	ck_assert_ptr_nonnull(strstr(h, "<td>not yet</td>"));
	free(h);
}
END_TEST

START_TEST(test_no_scaler_no_table)
{
	char	*h = fleet_html("[{\"domid\": 2, \"name\": \"web-1\", "
	    "\"services\": [{\"service\": \"http\", \"stats\": {\"daemon\": "
	    "{\"requests\": 5}}}]}, {\"domid\": 3, \"name\": \"mute\", "
	    "\"services\": [{\"service\": \"scaler\", \"error\": \"no "
	    "answer\"}]}]");

	ck_assert_str_eq(h, "");
	free(h);
}
END_TEST

void	http_test_status(Suite *);

void
http_test_status(Suite *s)
{
	TCase	*tc = tcase_create("status");

	tcase_add_test(tc, test_fleet_row);
	tcase_add_test(tc, test_fleet_follower_and_error);
	tcase_add_test(tc, test_fleet_escaped);
	tcase_add_test(tc, test_no_scaler_no_table);
	suite_add_tcase(s, tc);
}
