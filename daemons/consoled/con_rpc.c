#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "con_api.h"
#include "con_rpc.h"
#include "rpc_server.h"
#include "rpc_wire.h"

/* Length of a valid UTF-8 sequence at p (at most left bytes), or 0. */
static size_t
utf8_seq(const unsigned char *p, size_t left)
{
	size_t	 n, i;

	if (p[0] < 0x80)
		return 1;
	n = p[0] >= 0xf0 && p[0] <= 0xf4 ? 4 : p[0] >= 0xe0 ? 3 :
	    p[0] >= 0xc2 && p[0] < 0xe0 ? 2 : 0;
	if (n == 0 || n > left)
		return 0;
	for (i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* A JSON string of the bytes, invalid UTF-8 as '?'. */
static json_t *
text(const char *buf, size_t len)
{
	const unsigned char	*p = (const unsigned char *)buf;
	char			*clean;
	size_t			 i = 0, o = 0, n;
	json_t			*s;

	if ((clean = malloc(len + 1)) == NULL)
		return NULL;
	while (i < len) {
		if ((n = utf8_seq(p + i, len - i)) == 0) {
			clean[o++] = '?';
			i++;
			continue;
		}
		memcpy(clean + o, p + i, n);
		o += n;
		i += n;
	}
	s = json_stringn(clean, o);
	free(clean);
	return s;
}

static void
fail_errno(struct rpc_call *c, const char *dom)
{
	rpc_fail(c, RPC_E_FAILED, "%s: %s", dom, errno == ENOENT ?
	    "no such domain" : errno == EIO ? "its console ring is broken" :
	    strerror(errno));
}

static void
m_list(struct rpc_call *c, json_t *params, void *arg)
{
	struct con_dominfo	*v;
	size_t			 n, i;
	json_t			*a;

	(void)params;
	if (con_api_list(arg, &v, &n) != 0 || (a = json_array()) == NULL) {
		rpc_fail(c, RPC_E_INTERNAL, "out of memory");
		return;
	}
	for (i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:i, s:s, s:b, s:I, s:I, "
		    "s:b, s:s, s:s}", "domid", (int)v[i].domid, "name",
		    v[i].name, "attached", v[i].attached, "bytes",
		    (json_int_t)v[i].seen, "dropped", (json_int_t)v[i].dropped,
		    "bad", v[i].bad, "tty", v[i].tty, "log", v[i].log));
	free(v);
	rpc_reply(c, json_pack("{s:o}", "domains", a));
}

static void
m_tail(struct rpc_call *c, json_t *params, void *arg)
{
	const char	*dom = json_string_value(json_object_get(params,
			    "domain"));
	size_t		 n = (size_t)json_integer_value(json_object_get(params,
			    "n")), len, at, i;
	char		*buf;
	json_t		*lines;

	if (con_api_tail(arg, dom, CON_LINES, n, &buf, &len) != 0) {
		fail_errno(c, dom);
		return;
	}
	lines = json_array();
	for (at = 0, i = 0; i <= len && lines != NULL; i++)
		if (i == len || buf[i] == '\n') {
			if (i > at || i < len)
				json_array_append_new(lines, text(buf + at,
				    i - at));
			at = i + 1;
		}
	free(buf);
	rpc_reply(c, json_pack("{s:o}", "lines", lines != NULL ? lines :
	    json_array()));
}

struct follow {
	struct rpc_call		*call;
	struct con_follow	*h;
};

static void
follow_cancel(struct rpc_call *c, void *arg)
{
	struct follow	*f = arg;

	(void)c;
	con_api_unfollow(f->h);
	free(f);
}

static void
follow_data(const char *buf, size_t len, void *arg)
{
	struct follow	*f = arg;

	if (buf == NULL) {		/* the domain went: the stream ends */
		rpc_call_on_cancel(f->call, NULL, NULL);
		rpc_stream_end(f->call);
		free(f);
		return;
	}
	/* On overflow the call ends and follow_cancel frees f. */
	rpc_stream_event(f->call, json_pack("{s:o}", "data", text(buf, len)));
}

static void
m_follow(struct rpc_call *c, json_t *params, void *arg)
{
	const char	*dom = json_string_value(json_object_get(params,
			    "domain"));
	struct follow	*f;

	if ((f = calloc(1, sizeof(*f))) == NULL) {
		rpc_fail(c, RPC_E_INTERNAL, "out of memory");
		return;
	}
	f->call = c;
	if ((f->h = con_api_follow(arg, dom, follow_data, f)) == NULL) {
		free(f);
		fail_errno(c, dom);
		return;
	}
	rpc_call_on_cancel(c, follow_cancel, f);
}

static void
m_write(struct rpc_call *c, json_t *params, void *arg)
{
	const char	*dom = json_string_value(json_object_get(params,
			    "domain"));
	json_t		*d = json_object_get(params, "data");
	ssize_t		 n;

	if ((n = con_api_write(arg, dom, json_string_value(d),
	    json_string_length(d))) < 0) {
		fail_errno(c, dom);
		return;
	}
	rpc_reply(c, json_pack("{s:I}", "written", (json_int_t)n));
}

json_t *
con_rpc_stats(void *arg)
{
	struct con_dominfo	*v;
	size_t			 n, i;
	json_int_t		 seen = 0, dropped = 0, bad = 0, attached = 0;
	json_int_t		 waiting = 0;

	if (con_api_list(arg, &v, &n) != 0)
		return NULL;
	for (i = 0; i < n; i++) {
		seen += (json_int_t)v[i].seen;
		dropped += (json_int_t)v[i].dropped;
		bad += v[i].bad;
		attached += v[i].attached;
		waiting += !v[i].attached && !v[i].bad;	/* not given up */
	}
	free(v);
	/*
	 * "domains" counts consoles served; "waiting" the domains known but
	 * without a console to attach (yet: a xenstore domain never has one);
	 * a ring given up as bad counts in "bad_rings" only.
	 */
	return json_pack("{s:I, s:I, s:I, s:I, s:I}", "domains", attached,
	    "waiting", waiting, "bytes", seen, "dropped", dropped, "bad_rings",
	    bad);
}

const struct rpc_method con_rpc_methods[] = {
	{ "list", m_list },
	{ "tail", m_tail },
	{ "follow", m_follow },
	{ "write", m_write },
	{ NULL, NULL }
};
