/*
 * tap_dev: opening a TAP with virtio_net_hdr framing, its offloads, and
 * the interface settings (tap_dev.h).
 */
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <linux/if_tun.h>
#include <net/if_arp.h>

#include "tap_dev.h"

static void
close_all(int *fds, unsigned n)
{
	int	 saved = errno;

	while (n-- > 0)
		(void)close(fds[n]);
	errno = saved;
}

int
tap_dev_open(const char *name, unsigned queues, int *fds,
    char ifname[IFNAMSIZ])
{
	struct ifreq	 ifr;
	int		 vnet_len = sizeof(struct virtio_net_hdr);
	unsigned	 i;

	if (queues == 0 || queues > TAP_QUEUES_MAX ||
	    (name != NULL && strlen(name) >= IFNAMSIZ)) {
		errno = EINVAL;
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	if (queues > 1)
		ifr.ifr_flags |= IFF_MULTI_QUEUE;
	if (name != NULL)
		memcpy(ifr.ifr_name, name, strlen(name));
	for (i = 0; i < queues; i++) {
		if ((fds[i] = open("/dev/net/tun", O_RDWR | O_NONBLOCK |
		    O_CLOEXEC)) == -1)
			goto fail;
		/* The second queue's TUNSETIFF names the device the first
		 * made (or found). */
		if (ioctl(fds[i], TUNSETIFF, &ifr) == -1 ||
		    ioctl(fds[i], TUNSETVNETHDRSZ, &vnet_len) == -1) {
			(void)close(fds[i]);
			goto fail;
		}
	}
	memcpy(ifname, ifr.ifr_name, IFNAMSIZ);
	ifname[IFNAMSIZ - 1] = '\0';
	return 0;
fail:
	close_all(fds, i);
	return -1;
}

int
tap_dev_offload(int fd, bool csum, bool tso4, bool tso6)
{
	unsigned	 off = 0;

	if (csum) {
		off |= TUN_F_CSUM;
		if (tso4)
			off |= TUN_F_TSO4;
		if (tso6)
			off |= TUN_F_TSO6;
	}
	return ioctl(fd, TUNSETOFFLOAD, off);
}

/* One interface ioctl through a throwaway datagram socket. */
static int
if_ioctl(unsigned long req, struct ifreq *ifr)
{
	int	 s, rc;

	if ((s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	rc = ioctl(s, req, ifr);
	close_all(&s, 1);
	return rc;
}

static int
ifr_named(struct ifreq *ifr, const char *ifname)
{
	memset(ifr, 0, sizeof(*ifr));
	if (strlen(ifname) >= IFNAMSIZ) {
		errno = EINVAL;
		return -1;
	}
	memcpy(ifr->ifr_name, ifname, strlen(ifname));
	return 0;
}

int
tap_dev_set_mtu(const char *ifname, unsigned mtu)
{
	struct ifreq	 ifr;

	if (ifr_named(&ifr, ifname) == -1)
		return -1;
	ifr.ifr_mtu = (int)mtu;
	return if_ioctl(SIOCSIFMTU, &ifr);
}

int
tap_dev_set_mac(const char *ifname, const uint8_t mac[6])
{
	struct ifreq	 ifr;

	if (ifr_named(&ifr, ifname) == -1)
		return -1;
	ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
	memcpy(ifr.ifr_hwaddr.sa_data, mac, 6);
	return if_ioctl(SIOCSIFHWADDR, &ifr);
}

int
tap_dev_set_up(const char *ifname, bool up)
{
	struct ifreq	 ifr;

	if (ifr_named(&ifr, ifname) == -1 ||
	    if_ioctl(SIOCGIFFLAGS, &ifr) == -1)
		return -1;
	if (up)
		ifr.ifr_flags |= IFF_UP;
	else
		ifr.ifr_flags &= ~IFF_UP;
	return if_ioctl(SIOCSIFFLAGS, &ifr);
}
