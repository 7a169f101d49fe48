/*
 * nf_config: netfront's options, the MAC's parse, and the network
 * namespace (nf_config.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "nf_config.h"
#include "nf_wire.h"
#include "tap_dev.h"

void
nf_opts_default(struct nf_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->queues = 1;
	o->sg = o->gso = o->csum = true;
	o->split = true;
}

int
nf_opts_check(const struct nf_opts *o, char *err, size_t errlen)
{
	if (o->queues == 0 || o->queues > TAP_QUEUES_MAX) {
		snprintf(err, errlen, "--queues: 1 to %u", TAP_QUEUES_MAX);
		return -1;
	}
	if (o->mtu != 0 && (o->mtu < NF_MTU_MIN || o->mtu > NF_FRAME_MAX)) {
		snprintf(err, errlen, "--mtu: %u to %u", NF_MTU_MIN,
		    NF_FRAME_MAX);
		return -1;
	}
	if (o->tap != NULL && (o->tap[0] == '\0' ||
	    strlen(o->tap) >= IFNAMSIZ || strchr(o->tap, '/') != NULL)) {
		snprintf(err, errlen, "--tap: a name of 1 to %d characters",
		    IFNAMSIZ - 1);
		return -1;
	}
	if (o->netns != NULL && (o->netns[0] == '\0' ||
	    strchr(o->netns, '/') != NULL || strcmp(o->netns, "..") == 0 ||
	    strcmp(o->netns, ".") == 0)) {
		snprintf(err, errlen, "--netns: a name under /run/netns");
		return -1;
	}
	return 0;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
nf_parse_mac(const char *s, uint8_t mac[6])
{
	int	 i, hi, lo;

	if (strlen(s) != 17)
		return -1;
	for (i = 0; i < 6; i++) {
		if ((hi = hexval(s[i * 3])) < 0 ||
		    (lo = hexval(s[i * 3 + 1])) < 0 ||
		    (i < 5 && s[i * 3 + 2] != ':'))
			return -1;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	/* A group address cannot be an interface's own. */
	return (mac[0] & 1) ? -1 : 0;
}

int
nf_netns_enter(const char *name)
{
	char	 path[64];
	int	 fd, rc, saved;

	if ((size_t)snprintf(path, sizeof(path), "/run/netns/%s", name) >=
	    sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	rc = setns(fd, CLONE_NEWNET);
	saved = errno;
	(void)close(fd);
	errno = saved;
	return rc;
}
