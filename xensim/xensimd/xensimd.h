/*
 * xensimd.h: the simulated hypervisor's state, shared by its modules.
 *
 *   domain.c  domains: ids, names, the process that is the domain, death
 *   evtchn.c  event channels: ports, bindings, raising a port
 *   grant.c   grant tables: memfd arenas, grants, foreign mappings
 *   xenbus.c  the xenbus relay: a guest kernel's xenstore driver
 *   conn.c    client connections: requests, replies, teardown on EOF
 *   main.c    options, the listening socket, the loop
 *
 * Everything runs on one libevent loop, so nothing here locks.  Only the
 * port state words (evtchn_word.h) are touched by other processes too.
 */
#ifndef XENSIMD_H
#define XENSIMD_H

#include <sys/queue.h>
#include <sys/types.h>
#include <stdbool.h>
#include <stdint.h>

#include "../evtchn_word.h"
#include "../proto.h"

struct event_base;
struct event;
struct xsim_conn;
struct xb_relay;

enum port_state {
	PORT_FREE = 0,
	PORT_UNBOUND,		/* waiting for remote_dom to bind to it */
	PORT_INTERDOMAIN,	/* connected to (remote_dom, remote_port) */
	PORT_VIRQ,		/* raised by xensimd itself */
};

/* One event-channel handle: a process's xenevtchn_open(). */
struct evt_handle {
	TAILQ_ENTRY(evt_handle)	 entry;
	uint32_t		 id;
	struct xsim_conn	*conn;
	int			 sock;	/* write end: deliver ports here */
};

struct port {
	uint8_t			 state;
	uint32_t		 remote_dom;
	uint32_t		 remote_port;
	uint32_t		 virq;
	bool			 kernel;	/* the guest kernel's: handles
						   only borrow it */
	struct evt_handle	*h;
};

struct grant {
	bool			 used;
	bool			 unshared;	/* freed once the last map goes */
	bool			 writable;
	bool			 notify;	/* on unshare: clear byte, send */
	uint32_t		 grantee;
	uint32_t		 page;		/* in the domain's arena */
	uint32_t		 maps;		/* foreign mappings alive */
	uint32_t		 notify_off;
	uint32_t		 notify_port;
	struct xsim_conn	*owner;		/* NULL: xensimd's own page */
	uint32_t		 owner_h;
};

/* A domain's memory that can be granted: pages of one memfd. */
struct arena {
	int		 fd;
	uint64_t	 serial;	/* never the same twice in a run */
	uint32_t	 npages;	/* the memfd's size in pages */
	uint32_t	*free;		/* stack of free page numbers */
	uint32_t	 nfree;
	uint32_t	 inuse;
};

struct dom {
	TAILQ_ENTRY(dom)	 entry;
	uint32_t		 domid;
	char			 name[XSIM_NAME_MAX];
	uint32_t		 flags;		/* XSIM_DOMF_* */
	pid_t			 pid;
	int			 pidfd;
	int			 unpause_fd;	/* closing it lets the process run */
	int			 exit_status;
	uint32_t		 shutdown_reason;	/* if DOMF_SHUTDOWN */
	struct event		*ev_death;
	uint64_t		 memory_kb;
	/* event channels */
	int			 states_fd;
	evtchn_word		*states;	/* XSIM_MAX_PORTS words */
	struct port		*ports;
	uint32_t		 nports;	/* allocated entries */
	/* grant table */
	struct arena		 arena;
	struct grant		*grants;
	uint32_t		 ngrants;
	int			 gt_fd;		/* the table's copy for copiers */
	uint8_t			*gt;		/* its mapping (proto.h) */
	/* what a PV guest's kernel would do for it (none if raw xenbus) */
	struct xb_relay		*relay;
	uint32_t		 store_port;
	uint32_t		 console_port;	/* the guest kernel's, always */
};

/* A foreign mapping of one or more grants, made by one handle. */
struct gnt_map {
	TAILQ_ENTRY(gnt_map)	 entry;
	uint32_t		 id;
	uint32_t		 h;
	bool			 writable;
	bool			 notify;
	uint32_t		 notify_off;	/* in the first page */
	uint32_t		 notify_port;
	uint32_t		 count;
	uint32_t		 doms[XSIM_MAX_BATCH];
	uint32_t		 refs[XSIM_MAX_BATCH];
};

struct xsim_conn {
	TAILQ_ENTRY(xsim_conn)		 entry;
	int				 fd;
	struct event			*ev;
	uint32_t			 domid;
	bool				 hello;
	pid_t				 pid;
	uid_t				 uid;		/* another user: device rules (conn.c) */
	TAILQ_HEAD(, evt_handle)	 evts;
	TAILQ_HEAD(, gnt_map)		 maps;
	uint32_t			 next_id;
};

/* main.c */
extern struct event_base	*xsim_base;
extern const char		*xsim_socket_path;
extern const char		*xsim_libdir;
extern char			 xsim_rundir[];
void		 xsim_stop(void);

/* domain.c */
TAILQ_HEAD(domlist, dom);
extern struct domlist	 xsim_doms;
/* The xenstore domain (XSIM_CREATE_XENSTORE), 0 while xenstored is a dom0
 * process: every store ring is granted and its port offered to it. */
extern uint32_t		 xsim_store_domid;
int		 dom_init(void);
void		 dom_fini(void);
struct dom	*dom_find(uint32_t domid);
struct dom	*dom_find_name(const char *);
/* console_domid: who gets the console page and port (0: dom0). */
int		 dom_create(const char *name, char *const argv[], uint32_t flags,
		    uint32_t memory_mb, uint32_t console_domid, uint32_t *);
int		 dom_unpause(struct dom *);
int		 dom_pause(struct dom *);
int		 dom_destroy(struct dom *);
int		 dom_shutdown(struct dom *, uint32_t reason);
int		 dom_resume(struct dom *);
void		 dom_info(const struct dom *, struct xsim_dominfo *);
size_t		 dom_list(uint32_t first, struct xsim_dominfo *, size_t max);
int		 dom_guest_xenbus(struct dom *, struct evt_handle *,
		    uint32_t *port, uint32_t *page);
int		 dom_guest_console(struct dom *, struct evt_handle *,
		    uint32_t *port, uint32_t *page);

/* evtchn.c */
int		 evt_dom_init(struct dom *);
void		 evt_dom_fini(struct dom *);
int		 evt_bind_unbound(struct evt_handle *, uint32_t dom, uint32_t rdom,
		    uint32_t *port);
int		 evt_bind_interdomain(struct evt_handle *, uint32_t dom,
		    uint32_t rdom, uint32_t rport, uint32_t *port);
int		 evt_bind_virq(struct evt_handle *, uint32_t dom, uint32_t virq,
		    uint32_t *port);
int		 evt_unbind(struct evt_handle *, uint32_t dom, uint32_t port);
int		 evt_bind_kernel(uint32_t dom, uint32_t rdom, uint32_t *port);
int		 evt_adopt(struct evt_handle *, uint32_t dom, uint32_t port);
int		 evt_send_from(struct evt_handle *, uint32_t dom, uint32_t port);
void		 evt_handle_close(struct evt_handle *, uint32_t dom);
int		 evt_peer(uint32_t dom, uint32_t port, struct port **peer,
		    struct dom **peerdom);
void		 evt_send(uint32_t dom, uint32_t port);
void		 evt_raise_virq(uint32_t virq);

/* grant.c */
int		 gnt_dom_init(struct dom *);
void		 gnt_dom_fini(struct dom *);
int		 gnt_alloc_page(struct dom *, uint32_t *page);
int		 gnt_grant(struct dom *, uint32_t grantee, bool writable,
		    uint32_t page, struct xsim_conn *, uint32_t h, uint32_t ref);
int		 gnt_share(struct xsim_conn *, uint32_t h, uint32_t grantee,
		    bool writable, uint32_t count, uint32_t *refs,
		    uint32_t *pages);
int		 gnt_unshare(struct xsim_conn *, uint32_t count,
		    const uint32_t *refs);
int		 gnt_map(struct xsim_conn *, uint32_t h, bool writable,
		    uint32_t count, const uint32_t *doms, const uint32_t *refs,
		    uint32_t *pages, uint32_t *id);
int		 gnt_unmap(struct xsim_conn *, uint32_t id);
int		 gnt_set_notify(struct xsim_conn *, uint32_t id_or_ref,
		    bool is_ref, uint32_t off, uint32_t port);
void		 gnt_handle_close(struct xsim_conn *, uint32_t h);
int		 gnt_arena_fd(uint32_t domid);
int		 gnt_table_fd(uint32_t domid);
uint64_t	 gnt_arena_serial(uint32_t domid);
void		 gnt_copy_check(uint32_t copier, uint32_t count,
		    const uint32_t *doms, const uint32_t *refs,
		    const char *writes, uint32_t *status, uint32_t *pages);

/* xenbus.c */
struct xb_relay	*xb_relay_new(struct dom *, const char *rundir);
void		 xb_relay_free(struct xb_relay *);
const char	*xb_relay_path(const struct xb_relay *);
uint32_t	 xb_relay_port(const struct xb_relay *);

/* conn.c */
void		 conn_accept(int listenfd, short, void *);
void		 conn_close_all(void);
void		 conn_kill_domain(uint32_t domid);

#endif /* XENSIMD_H */
