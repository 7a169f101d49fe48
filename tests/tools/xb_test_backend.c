/*
 * xb-test-backend TYPE: a backend of device type TYPE through
 * common/xb_backend.h, for tests/xenbus/it_backend.sh.  It says on
 * stdout what the library asked of it, one line each:
 *
 *	probe FE DEV            (and writes "feature-test" = 1)
 *	connect FE DEV RING EVTCHN
 *	refuse FE DEV WHY       (connect's -1: its "error" says why)
 *	disconnect FE DEV
 *	remove FE DEV
 *
 * connect reads the frontend's "ring-ref" (a grant ref, below 2^32) and
 * "event-channel" (below 2^16) and refuses a frontend without them.
 * SIGTERM stops it (every device disconnected and removed first).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include <event2/event.h>

#include "log.h"
#include "xb_backend.h"

static int
probe(struct xb_dev *d)
{
	printf("probe %u %u\n", xb_dev_frontend_id(d), xb_dev_id(d));
	return xb_dev_write(d, "feature-test", "%d", 1);
}

static int
connect_fe(struct xb_dev *d)
{
	unsigned long	 ring, evtchn;

	if (xb_dev_read_ulong(d, "ring-ref", 0xffffffffUL, &ring) != 0 ||
	    xb_dev_read_ulong(d, "event-channel", 0xffff, &evtchn) != 0) {
		printf("refuse %u %u no ring-ref or event-channel\n",
		    xb_dev_frontend_id(d), xb_dev_id(d));
		(void)xb_dev_write(d, "error", "no ring-ref or event-channel");
		return -1;
	}
	printf("connect %u %u %lu %lu\n", xb_dev_frontend_id(d),
	    xb_dev_id(d), ring, evtchn);
	return 0;
}

static void
disconnect(struct xb_dev *d)
{
	printf("disconnect %u %u\n", xb_dev_frontend_id(d), xb_dev_id(d));
}

static void
remove_dev(struct xb_dev *d)
{
	printf("remove %u %u\n", xb_dev_frontend_id(d), xb_dev_id(d));
}

static const struct xb_backend_ops ops = {
	.probe = probe,
	.connect = connect_fe,
	.disconnect = disconnect,
	.remove = remove_dev,
};

static void
on_term(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	event_base_loopbreak(arg);
}

int
main(int argc, char **argv)
{
	struct event_base	*base;
	struct event		*term;
	struct xb_backend	*b;
	char			 err[256];

	if (argc != 2) {
		fprintf(stderr, "usage: xb-test-backend TYPE\n");
		return 2;
	}
	log_init("xb-test-backend", 0, 1);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if ((base = event_base_new()) == NULL ||
	    (term = evsignal_new(base, SIGTERM, on_term, base)) == NULL ||
	    event_add(term, NULL) == -1)
		return 1;
	if ((b = xb_backend_start(base, argv[1], &ops, NULL, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "xb-test-backend: %s\n", err);
		return 1;
	}
	printf("ready\n");
	event_base_dispatch(base);
	xb_backend_stop(b);
	event_free(term);
	event_base_free(base);
	printf("stopped\n");
	return 0;
}
