/*
 * proto.h: the messages between xensimd and its clients (the drop-in
 * libxenevtchn and libxengnttab, and the xensim command).
 *
 * Each process has one SOCK_SEQPACKET connection to xensimd, shared by all
 * its library handles (libxensimclient), and speaks strictly request then
 * response on it: one struct xsim_req, one struct xsim_rsp, with file
 * descriptors riding along as SCM_RIGHTS (memfds to map, sockets to signal
 * on).  One connection per process is what makes death clean: when the
 * process dies xensimd sees a single EOF and tears down in Xen's order,
 * grant unmap notifications first, event channels last.  A connection says
 * which domain it acts for in its HELLO (from XENSIM_DOMID; absent means
 * dom0).  That is
 * trusted: xensim simulates Xen's interfaces for testing, it is not a
 * security boundary between the processes of one user.  What it does check
 * are the rules Xen checks, so code that breaks them fails here as it
 * would on Xen.
 *
 * The data path does not go through xensimd: grant pages are memfd pages
 * mapped by both sides, and an event is a datagram sent straight to the
 * receiving handle's socket, gated by that port's state word (evtchn_word.h).
 */
#ifndef XENSIM_PROTO_H
#define XENSIM_PROTO_H

#include <stdint.h>

#define XSIM_SOCKET_ENV		"XENSIM_SOCKET"
#define XSIM_DOMID_ENV		"XENSIM_DOMID"
#define XSIM_SOCKET_DEFAULT	"/run/xensim/xensimd.sock"
#define XSIM_PROTO_VERSION	1
/* Xen's devices' group for dom0 daemons run as users (docs/privilege.md) */
#define XSIM_DEVICE_GROUP	"shoal-xen"

#define XSIM_PAGE_SIZE		4096
#define XSIM_MAX_PORTS		4096	/* per domain: one state page set */
#define XSIM_MAX_BATCH		64	/* grant refs in one request */
#define XSIM_NAME_MAX		64

/* Grant refs 0 and 1 are the console and xenstore pages, as on Xen. */
#define XSIM_GREF_CONSOLE	0
#define XSIM_GREF_XENSTORE	1
#define XSIM_GREF_FIRST_FREE	8	/* GNTTAB_NR_RESERVED_ENTRIES */

enum xsim_op {
	XSIM_HELLO = 1,		/* a: version, b: domid (trusted, see above) */
	/* event channels; h names the handle */
	XSIM_EVT_OPEN,		/* fd: the handle's socket -> h; fd: states */
	XSIM_EVT_CLOSE,
	XSIM_EVT_BIND_UNBOUND,	/* a: remote domid -> a: port */
	XSIM_EVT_BIND_INTERDOMAIN, /* a: remote domid, b: remote port -> a */
	XSIM_EVT_BIND_VIRQ,	/* a: virq -> a: port */
	XSIM_EVT_UNBIND,	/* a: port */
	XSIM_EVT_PEER,		/* a: port -> a: peer domid, b: peer port,
				   c: 1 if connected; fds: peer states, peer
				   handle's socket */
	/* grant tables */
	XSIM_GNT_OPEN,		/* -> h (one kind for xengnttab and xengntshr) */
	XSIM_GNT_CLOSE,
	XSIM_GNT_SHARE,		/* a: grantee, c: writable, count -> refs[],
				   pages[]; fd: own arena */
	XSIM_GNT_UNSHARE,	/* count, refs[] */
	XSIM_GNT_MAP,		/* c: writable, count, doms[], refs[] ->
				   a: map id, pages[]; fds: one arena per entry */
	XSIM_GNT_UNMAP,		/* a: map id */
	XSIM_GNT_SET_NOTIFY,	/* a: map id (b=0) or ref (b=1), c: offset,
				   count: port */
	/* domains (the xensim command and toolstack-like callers) */
	XSIM_DOM_CREATE,	/* name; a: the console's backend domain
				   (0: dom0); b: XSIM_CREATE_*; c: memory in
				   MiB; data: NUL-separated argv -> a: domid */
	XSIM_DOM_UNPAUSE,	/* a: domid: let a paused domain's process run */
	XSIM_DOM_DESTROY,	/* a: domid */
	XSIM_DOM_LIST,		/* a: first domid -> count, data: struct
				   xsim_dominfo[] in domid order (page on by
				   asking again from the last id + 1) */
	XSIM_DOM_INFO,		/* a: domid -> data: struct xsim_dominfo */
	XSIM_SHUTDOWN,		/* stop xensimd */
	/* a guest kernel's own (lib/guest.h) */
	XSIM_EVT_SEND,		/* h, a: port bound to h: EVTCHNOP_send */
	XSIM_GUEST_XENBUS,	/* h: bind the store port to h -> a: port,
				   b: page; fd: own arena (raw xenbus only) */
	XSIM_GUEST_CONSOLE,	/* h: bind the console port to h -> a: port,
				   b: page; fd: own arena (any domU) */
	/* domains again: kept last so older numbers stay put */
	XSIM_DOM_SHUTDOWN,	/* a: domid, b: SHUTDOWN_* reason: stop it
				   without destroying it (SCHEDOP_shutdown;
				   dom0, or the domain itself) */
	XSIM_DOM_RESUME,	/* a: domid: run a shut-down domain again
				   (XEN_DOMCTL_resumedomain) */
	XSIM_DOM_PAUSE,		/* a: domid: stop a running domain's
				   processes until XSIM_DOM_UNPAUSE
				   (XEN_DOMCTL_pausedomain) */
	/* grant copies, checked a batch at a time (GNTTABOP_copy) */
	XSIM_GNT_COPY,		/* count, doms[], refs[], data[i]: 1 if the
				   copy writes entry i -> refs[i]: its GNTST_
				   status, pages[i] (refs the grant table's
				   copy does not hold) */
	XSIM_GNT_ARENA,		/* a: domid -> a, b: its arena's serial (low,
				   high); fds: the arena, its grant table */
};

/*
 * A domain's grant table as grant copies check it without a call
 * (XSIM_GNT_ARENA's second fd, read-only): a header page, then one entry
 * per ref below XSIM_GT_REFS.  xensimd writes an entry whole before it
 * sets XSIM_GT_VALID (release), and marks the header dead before the
 * domain goes, so a view of a dead domain is let go.
 */
#define XSIM_GT_REFS		(1u << 20)
#define XSIM_GT_VALID		0x1	/* granted and not ended */
#define XSIM_GT_WRITABLE	0x2

struct xsim_gt_header {
	uint64_t	serial;		/* the arena's */
	uint32_t	domid;
	uint32_t	dead;
};

struct xsim_gt_entry {
	uint32_t	flags;		/* XSIM_GT_* */
	uint32_t	grantee;
	uint32_t	page;		/* in the arena */
	uint32_t	pad;
};

#define XSIM_GT_BYTES	(XSIM_PAGE_SIZE + \
	(size_t)XSIM_GT_REFS * sizeof(struct xsim_gt_entry))

/* XSIM_DOM_CREATE flags */
#define XSIM_CREATE_PAUSED	0x1	/* until XSIM_DOM_UNPAUSE */
#define XSIM_CREATE_XENSTORE	0x4	/* the xenstore domain: raw, and
					   dom0's store ring goes to it (its
					   port in XSIM_DOM0_STORE_PORT) */
#define XSIM_DOM0_STORE_PORT_ENV "XSIM_DOM0_STORE_PORT"
#define XSIM_CREATE_RAW_XENBUS	0x2	/* no relay: the domain's program
					   owns its xenstore ring */

struct xsim_req {
	uint32_t	op;
	uint32_t	h;		/* handle id, for EVT_ and GNT_ ops */
	uint32_t	a, b, c;
	uint32_t	count;		/* entries used in doms[] and refs[] */
	uint32_t	doms[XSIM_MAX_BATCH];
	uint32_t	refs[XSIM_MAX_BATCH];
	char		name[XSIM_NAME_MAX];
	uint32_t	datalen;	/* bytes of data[] used */
	char		data[2048] __attribute__((aligned(8)));
};

struct xsim_rsp {
	int32_t		err;		/* 0 or a positive errno */
	uint32_t	h;
	uint32_t	a, b, c;
	uint32_t	count;
	uint32_t	refs[XSIM_MAX_BATCH];
	uint32_t	pages[XSIM_MAX_BATCH];	/* page index in its memfd */
	uint32_t	datalen;
	char		data[2048] __attribute__((aligned(8)));	/* structs */
};

/* What DOM_INFO and DOM_LIST return per domain. */
struct xsim_dominfo {
	uint32_t	domid;
	uint32_t	flags;		/* XSIM_DOMF_* */
	int32_t		pid;		/* its first process, 0 for dom0 */
	int32_t		exit_status;	/* wait status, once dying */
	uint32_t	paused;
	uint32_t	shutdown_reason;	/* SHUTDOWN_*, if DOMF_SHUTDOWN */
	uint32_t	store_port;	/* dom0's view: ports to bind to */
	uint32_t	console_port;	/* the console ring's (ref 0) */
	uint64_t	memory_kb;
	char		name[XSIM_NAME_MAX];
};

#define XSIM_DOMF_RUNNING	0x1
#define XSIM_DOMF_DYING		0x2	/* process gone, not yet released */
#define XSIM_DOMF_PRIVILEGED	0x4
#define XSIM_DOMF_RAW_XENBUS	0x8	/* its program owns its xenstore ring */
#define XSIM_DOMF_SHUTDOWN	0x10	/* shut down, not dying: its processes
					   are stopped, its state kept */
#define XSIM_DOMF_PAUSED	0x20	/* paused after it ran (SIGSTOP) */

#endif /* XENSIM_PROTO_H */
