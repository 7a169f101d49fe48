/*
 * tap_dev: a Linux TAP device as both network ends use it, netback (a
 * vif's packets into dom0's or a driver domain's stack) and netfront (a
 * guest's network behind a TAP in its namespace).  Owns opening it with
 * IFF_VNET_HDR, so that each frame read or written carries a
 * virtio_net_hdr (linux/virtio_net.h) saying whether its checksum is
 * still to be made (csum_start, csum_offset) and whether it is a TCP
 * segment larger than the MTU to be cut (gso_type, gso_size): the
 * offloads a Xen ring describes with its own flags pass through instead
 * of being done in software.  TUNSETOFFLOAD tells the kernel which of
 * them our peer takes; the rest the kernel does before the frame
 * reaches us.  Also the interface's MTU, address and up/down, set
 * through an ordinary socket's ioctls.
 */
#ifndef SHOAL_TAP_DEV_H
#define SHOAL_TAP_DEV_H

#include <stdbool.h>
#include <stdint.h>

#include <net/if.h>
#include <linux/virtio_net.h>

#define TAP_QUEUES_MAX	8

/*
 * Opens (or makes) TAP name ("" or NULL: the kernel picks tapN) with one
 * descriptor a queue (IFF_MULTI_QUEUE when queues > 1), non-blocking,
 * each with a struct virtio_net_hdr before every frame.  The name it
 * got goes to ifname.  0, or -1 (errno).
 */
int	 tap_dev_open(const char *name, unsigned queues, int *fds,
	    char ifname[IFNAMSIZ]);

/* The offloads the kernel may hand us on fd: partial checksums, and TCP
 * segmentation over IPv4 and IPv6 (which need csum).  0, or -1. */
int	 tap_dev_offload(int fd, bool csum, bool tso4, bool tso6);

int	 tap_dev_set_mtu(const char *ifname, unsigned mtu);
int	 tap_dev_set_mac(const char *ifname, const uint8_t mac[6]);
int	 tap_dev_set_up(const char *ifname, bool up);

#endif /* SHOAL_TAP_DEV_H */
