/*
 * nb_switch: netback's own Ethernet switch (mode "switch"), so that a
 * driver domain serving several guests needs no Linux bridge.  Its ports
 * are the vifs it serves and at most one uplink, a TAP.  Owns learning
 * (each frame's source address is remembered on the port it came in on;
 * a forwarding table of NB_FDB_SIZE addresses, forgotten after
 * NB_FDB_AGE_S seconds, wiped whole if a guest fills it with made-up
 * addresses), forwarding (a known unicast address to its port, anything
 * else to every other port, a guest's multicast filter honoured), and
 * the uplink's TAP.
 */
#ifndef NB_SWITCH_H
#define NB_SWITCH_H

struct netback;
struct nb_pkt;
struct nb_port;
struct nb_switch;
struct nb_vif;

#define NB_FDB_SIZE	4096
#define NB_FDB_AGE_S	300

/* uplink NULL or "": no uplink.  NULL (logged) on failure. */
struct nb_switch *nb_switch_new(struct netback *, const char *uplink);
void		 nb_switch_free(struct nb_switch *);

struct nb_port	*nb_switch_attach(struct nb_switch *, struct nb_vif *);
void		 nb_switch_detach(struct nb_port *);

/* A frame that came in on from (taken). */
void		 nb_switch_input(struct nb_port *from, struct nb_pkt *);

#endif /* NB_SWITCH_H */
