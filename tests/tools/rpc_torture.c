/*
 * rpc-torture: a caller that breaks the RPC rules, one way per run, and
 * says what the service did about it.
 *
 *	rpc-torture MODE DOMID
 *
 * MODE: garbage, oversize, badjson, nohello, silent (the service must drop
 * us; silent says nothing at all, so it is dropped at the hello deadline),
 * version (it must answer "version" and close), flood (200 sleeps sent
 * without reading: the ones past the in-flight limit answer "busy"),
 * slowstream (a stream we do not read: it must end with "overflow" and
 * the connection still work), whoami.  Prints "OK ..." or "BAD ...",
 * exits 0 only on OK.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rpc_client.h"
#include "rpc_wire.h"

static char	 err[256];

static int
verdict(int ok, const char *what)
{
	printf("%s %s%s%s\n", ok ? "OK" : "BAD", what, ok ? "" : ": ",
	    ok ? "" : err);
	return ok ? 0 : 1;
}

/*
 * The service closes on us (what it sends first is read).  Its hello
 * deadline is 30 s: waiting up to 60 s is a bound, not a race.
 */
static int
dropped(struct rpc_client *c)
{
	json_t	*m;

	for (int i = 0; i < 12; i++) {
		if (rpc_client_recv(c, &m, 5000, err, sizeof(err)) == 0) {
			json_decref(m);
			continue;
		}
		if (strstr(err, "closed") != NULL)
			return 1;
		if (strstr(err, "timed out") == NULL)
			return 0;
	}
	return 0;
}

static int
raw(unsigned domid, const char *mode)
{
	struct rpc_client	*c;
	unsigned char		 buf[4096];
	size_t			 len = sizeof(buf);

	if ((c = rpc_client_vchan(domid, "test", json_false(), 5000, err,
	    sizeof(err))) == NULL)
		return verdict(0, "connect");
	if (strcmp(mode, "garbage") == 0)
		for (size_t i = 0; i < len; i++)
			buf[i] = (unsigned char)random();
	else if (strcmp(mode, "oversize") == 0) {
		memcpy(buf, "\x00\x10\x00\x01", 4);	/* 1 MiB + 1 */
		len = 4;
	} else if (strcmp(mode, "badjson") == 0) {
		memcpy(buf, "\x00\x00\x00\x05{nope", 9);
		len = 9;
	} else if (strcmp(mode, "silent") == 0)
		len = 0;
	else {						/* nohello */
		json_t *m = rpc_msg_call(1, "test.echo", NULL);
		int r = rpc_client_send(c, m, err, sizeof(err));

		json_decref(m);
		len = 0;
		if (r != 0)
			return verdict(0, mode);
	}
	if (len > 0 && rpc_client_send_bytes(c, buf, len, err,
	    sizeof(err)) != 0) {
		rpc_client_close(c);
		return verdict(1, mode);	/* dropped while we wrote */
	}
	len = (size_t)dropped(c);
	rpc_client_close(c);
	return verdict((int)len, mode);
}

static int
version(unsigned domid)
{
	json_t			*vs = json_pack("[i]", 99);
	struct rpc_client	*c;

	c = rpc_client_vchan(domid, "test", vs, 5000, err, sizeof(err));
	json_decref(vs);
	if (c != NULL) {
		rpc_client_close(c);
		snprintf(err, sizeof(err), "accepted version 99");
		return verdict(0, "version");
	}
	return verdict(strstr(err, "version") != NULL, "version");
}

static int
flood(unsigned domid)
{
	struct rpc_client	*c;
	json_t			*m, *p = json_pack("{s:i}", "ms", 1000);
	int			 busy = 0, ok = 0, i;
	const char		*code;

	if ((c = rpc_client_vchan(domid, "test", NULL, 5000, err,
	    sizeof(err))) == NULL)
		return verdict(0, "connect");
	for (i = 1; i <= 200; i++) {
		m = rpc_msg_call((uint64_t)i, "test.sleep", p);
		if (rpc_client_send(c, m, err, sizeof(err)) != 0)
			return verdict(0, "flood send");
		json_decref(m);
	}
	for (i = 0; i < 200; i++) {
		if (rpc_client_recv(c, &m, 10000, err, sizeof(err)) != 0)
			return verdict(0, "flood replies");
		code = json_string_value(json_object_get(m, "code"));
		busy += code != NULL && strcmp(code, RPC_E_BUSY) == 0;
		ok += strcmp(rpc_wire_type(m), "result") == 0;
		json_decref(m);
	}
	json_decref(p);
	rpc_client_close(c);
	snprintf(err, sizeof(err), "%d answered, %d busy", ok, busy);
	printf("flood: %s\n", err);
	return verdict(ok == 64 && busy == 136, "flood");
}

static int
slowstream(unsigned domid)
{
	struct rpc_client	*c;
	json_t			*m, *p = json_pack("{s:i, s:i}", "n", 1000000,
				    "ms", 0), *res, *e;
	char			 code[32] = "";
	int			 events = 0, rc;

	if ((c = rpc_client_vchan(domid, "test", NULL, 5000, err,
	    sizeof(err))) == NULL)
		return verdict(0, "connect");
	m = rpc_msg_call(1, "test.count", p);
	rpc_client_send(c, m, err, sizeof(err));
	json_decref(m);
	json_decref(p);
	sleep(2);			/* not reading: it piles up */
	while (code[0] == '\0' && rpc_client_recv(c, &m, 5000, err,
	    sizeof(err)) == 0) {
		if (strcmp(rpc_wire_type(m), "event") == 0)
			events++;
		else
			snprintf(code, sizeof(code), "%s", json_string_value(
			    json_object_get(m, "code")));
		json_decref(m);
	}
	if (strcmp(code, RPC_E_OVERFLOW) != 0) {
		rpc_client_close(c);
		return verdict(0, "slowstream: no overflow");
	}
	printf("slowstream: overflow after %d events\n", events);
	p = json_pack("{s:s}", "text", "still here");
	rc = rpc_client_call(c, "test.echo", p, &res, &e, 5000, err,
	    sizeof(err));
	json_decref(p);
	json_decref(e);
	rc = rc == 0 && strcmp(json_string_value(json_object_get(res,
	    "text")), "still here") == 0;
	json_decref(res);
	rpc_client_close(c);
	return verdict(rc, "slowstream");
}

static int
whoami(unsigned domid)
{
	struct rpc_client	*c;
	json_t			*res, *e;

	if ((c = rpc_client_vchan(domid, "test", NULL, 5000, err,
	    sizeof(err))) == NULL ||
	    rpc_client_call(c, "test.whoami", NULL, &res, &e, 5000, err,
	    sizeof(err)) != 0)
		return verdict(0, "whoami");
	printf("whoami %lld\n", (long long)json_integer_value(
	    json_object_get(res, "domid")));
	json_decref(res);
	rpc_client_close(c);
	return 0;
}

int
main(int argc, char **argv)
{
	unsigned	 domid;

	if (argc != 3) {
		fprintf(stderr, "usage: rpc-torture MODE DOMID\n");
		return 2;
	}
	domid = (unsigned)strtoul(argv[2], NULL, 10);
	setvbuf(stdout, NULL, _IOLBF, 0);
	srandom(7);
	if (strcmp(argv[1], "version") == 0)
		return version(domid);
	if (strcmp(argv[1], "flood") == 0)
		return flood(domid);
	if (strcmp(argv[1], "slowstream") == 0)
		return slowstream(domid);
	if (strcmp(argv[1], "whoami") == 0)
		return whoami(domid);
	return raw(domid, argv[1]);
}
