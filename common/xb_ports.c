/*
 * xb_ports: event-channel ports to their owners (xb_ports.h).
 */
#include <stdlib.h>
#include <string.h>

#include "xb_ports.h"

int
xb_ports_set(struct xb_ports *t, evtchn_port_t port, void *owner)
{
	void		**grown;
	unsigned	  n;

	if (port >= XB_PORTS_MAX)
		return -1;
	if (port >= t->n) {
		if (owner == NULL)
			return 0;
		n = port < 64 ? 128 : port * 2;
		if (n > XB_PORTS_MAX)
			n = XB_PORTS_MAX;
		if ((grown = reallocarray(t->owner, n, sizeof(*grown))) ==
		    NULL)
			return -1;
		memset(grown + t->n, 0, (n - t->n) * sizeof(*grown));
		t->owner = grown;
		t->n = n;
	}
	t->owner[port] = owner;
	return 0;
}

void *
xb_ports_get(const struct xb_ports *t, evtchn_port_t port)
{
	return port < t->n ? t->owner[port] : NULL;
}

void
xb_ports_free(struct xb_ports *t)
{
	free(t->owner);
	t->owner = NULL;
	t->n = 0;
}
