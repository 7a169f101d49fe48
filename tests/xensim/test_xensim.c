/*
 * xensim's primitives through the real Xen API: event delivery and
 * masking, grant map and unmap, rights refused, an unmap notification
 * fired by a domain killed while its page is mapped, VIRQ_DOM_EXC, a
 * dead domain's resources gone, and a raw-xenbus domain's program owning
 * its xenstore ring and store event channel as a guest kernel does, and
 * any domain's program driving its console ring the same way.  One
 * xensimd serves the whole run; each test runs in its own forked process,
 * which is also how the client library's reconnect-after-fork gets
 * exercised.
 */
#include <sys/mman.h>
#include <sys/wait.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* xenctrl.h first: it defines __XEN_TOOLS__ for the headers after it. */
#include <xenctrl.h>
#include <xenevtchn.h>
#include <xengnttab.h>
#include <xen/xen.h>
#include <xen/io/console.h>

#include "lib/client.h"
#include "lib/guest.h"
#include "unit.h"

static char sockpath[64];

/* Another process writes the page: read it afresh every time. */
static int
byte_at(const char *p)
{
	return *(const volatile char *)p;
}

/* The next pending port within ms milliseconds, or -1. */
static int
wait_port(xenevtchn_handle *xce, int ms)
{
	struct pollfd pfd = { .fd = xenevtchn_fd(xce), .events = POLLIN };

	if (poll(&pfd, 1, ms) != 1)
		return -1;
	return xenevtchn_pending(xce);
}

static int
dom_call(uint32_t op, uint32_t a, const char *name, char *const argv[],
    struct xsim_rsp *r)
{
	struct xsim_req q = { .op = op, .a = a };
	int fds[XSIM_CALL_MAX_FDS], nfds;
	size_t off = 0;

	if (name != NULL)
		snprintf(q.name, sizeof(q.name), "%s", name);
	for (; argv != NULL && *argv != NULL; argv++) {
		strcpy(q.data + off, *argv);
		off += strlen(*argv) + 1;
	}
	q.datalen = off;
	if (xsim_call(&q, -1, r, fds, &nfds) == -1)
		return -1;
	xsim_close_fds(fds, nfds);
	return 0;
}

START_TEST(test_event_delivery_and_masking)
{
	xenevtchn_handle *a = xenevtchn_open(NULL, 0);
	xenevtchn_handle *b = xenevtchn_open(NULL, 0);
	int pa, pb;

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	pa = xenevtchn_bind_unbound_port(a, 0);
	ck_assert_int_gt(pa, 0);
	pb = xenevtchn_bind_interdomain(b, 0, pa);
	ck_assert_int_gt(pb, 0);
	/* Binding twice to the same unbound port is refused, as on Xen. */
	ck_assert_int_eq(xenevtchn_bind_interdomain(b, 0, pa), -1);

	ck_assert_int_eq(xenevtchn_notify(b, pb), 0);
	ck_assert_int_eq(wait_port(a, 2000), pa);
	/* Masked until unmask: two more sends make one more delivery. */
	ck_assert_int_eq(xenevtchn_notify(b, pb), 0);
	ck_assert_int_eq(xenevtchn_notify(b, pb), 0);
	ck_assert_int_eq(wait_port(a, 100), -1);
	ck_assert_int_eq(xenevtchn_unmask(a, pa), 0);
	ck_assert_int_eq(wait_port(a, 2000), pa);
	ck_assert_int_eq(xenevtchn_unmask(a, pa), 0);
	ck_assert_int_eq(wait_port(a, 100), -1);
	/* And the other way. */
	ck_assert_int_eq(xenevtchn_notify(a, pa), 0);
	ck_assert_int_eq(wait_port(b, 2000), pb);
	ck_assert_int_eq(xenevtchn_unmask(b, pb), 0);

	/* Once b unbinds, sending on pa reaches nobody and is no error. */
	ck_assert_int_eq(xenevtchn_unbind(b, pb), 0);
	ck_assert_int_eq(xenevtchn_notify(a, pa), 0);
	ck_assert_int_eq(wait_port(b, 100), -1);
	xenevtchn_close(a);
	xenevtchn_close(b);
}
END_TEST

START_TEST(test_grant_map_unmap)
{
	xengntshr_handle *shr = xengntshr_open(NULL, 0);
	xengnttab_handle *tab = xengnttab_open(NULL, 0);
	uint32_t refs[70], doms[70];
	uint8_t *mine, *theirs;
	int i;

	ck_assert_ptr_nonnull(shr);
	ck_assert_ptr_nonnull(tab);
	/* More than one request's worth of pages, mapped contiguously. */
	mine = xengntshr_share_pages(shr, 0, 70, refs, 1);
	ck_assert_ptr_nonnull(mine);
	for (i = 0; i < 70; i++) {
		mine[i * 4096] = (uint8_t)i;
		doms[i] = 0;
	}
	theirs = xengnttab_map_grant_refs(tab, 70, doms, refs,
	    PROT_READ | PROT_WRITE);
	ck_assert_ptr_nonnull(theirs);
	for (i = 0; i < 70; i++)
		ck_assert_int_eq(theirs[i * 4096], i);
	theirs[5] = 0x77;		/* shared, not copied */
	ck_assert_int_eq(mine[5], 0x77);
	ck_assert_int_eq(xengnttab_unmap(tab, theirs, 70), 0);
	ck_assert_int_eq(xengnttab_unmap(tab, theirs, 70), -1);
	ck_assert_int_eq(xengntshr_unshare(shr, mine, 70), 0);
	/* An ended grant cannot be mapped any more. */
	ck_assert_ptr_null(xengnttab_map_grant_ref(tab, 0, refs[0], PROT_READ));
	xengnttab_close(tab);
	xengntshr_close(shr);
}
END_TEST

/* A notify port above 64 (a domain with many channels: a vchan server). */
START_TEST(test_share_notify_high_port)
{
	xengntshr_handle *shr = xengntshr_open(NULL, 0);
	xenevtchn_handle *e = xenevtchn_open(NULL, 0);
	int ports[80], i;
	uint32_t ref;
	void *p;

	ck_assert_ptr_nonnull(shr);
	ck_assert_ptr_nonnull(e);
	for (i = 0; i < 80; i++)
		ck_assert_int_gt(ports[i] = xenevtchn_bind_unbound_port(e, 0), 0);
	ck_assert_int_gt(ports[79], 64);
	p = xengntshr_share_page_notify(shr, 0, &ref, 1, 0, ports[79]);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(xengntshr_unshare(shr, p, 1), 0);
	xenevtchn_close(e);
	xengntshr_close(shr);
}
END_TEST

START_TEST(test_grant_rights_refused)
{
	xengntshr_handle *shr = xengntshr_open(NULL, 0);
	xengnttab_handle *tab = xengnttab_open(NULL, 0);
	uint32_t ro, other;
	void *p;

	p = xengntshr_share_pages(shr, 0, 1, &ro, 0);	/* read-only */
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_null(xengnttab_map_grant_ref(tab, 0, ro,
	    PROT_READ | PROT_WRITE));
	ck_assert_int_eq(errno, EPERM);
	p = xengnttab_map_grant_ref(tab, 0, ro, PROT_READ);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(xengnttab_unmap(tab, p, 1), 0);

	/* Granted to domain 77: dom0 may not map it. */
	ck_assert_ptr_nonnull(xengntshr_share_pages(shr, 77, 1, &other, 1));
	ck_assert_ptr_null(xengnttab_map_grant_ref(tab, 0, other, PROT_READ));
	ck_assert_int_eq(errno, EPERM);
	/* A ref nobody granted, a domain that does not exist. */
	ck_assert_ptr_null(xengnttab_map_grant_ref(tab, 0, 4000, PROT_READ));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_null(xengnttab_map_grant_ref(tab, 999, 8, PROT_READ));
	ck_assert_int_eq(errno, ESRCH);
	xengnttab_close(tab);
	xengntshr_close(shr);
}
END_TEST

/* Start xensim-peer as a domain; returns its domid, fills ref and port. */
static uint32_t
start_peer(const char *name, uint32_t *ref, uint32_t *port)
{
	char out[128];
	char *argv[] = { XENSIM_PEER, out, NULL };
	struct xsim_rsp r;
	FILE *f = NULL;
	int i;

	snprintf(out, sizeof(out), "/tmp/xensim-peer.%d", (int)getpid());
	unlink(out);
	ck_assert_int_eq(dom_call(XSIM_DOM_CREATE, 0, name, argv, &r), 0);
	for (i = 0; i < 500 && (f = fopen(out, "r")) == NULL; i++)
		usleep(10000);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%u %u", ref, port), 2);
	fclose(f);
	unlink(out);
	return r.a;
}

START_TEST(test_notify_fires_when_domain_killed)
{
	xenevtchn_handle *xce = xenevtchn_open(NULL, 0);
	xengnttab_handle *tab = xengnttab_open(NULL, 0);
	uint32_t domid, ref, rport;
	struct xsim_rsp r;
	struct xsim_dominfo info;
	int port, virq;
	char *page;

	virq = xenevtchn_bind_virq(xce, VIRQ_DOM_EXC);
	ck_assert_int_gt(virq, 0);
	domid = start_peer("peer-kill", &ref, &rport);
	ck_assert_int_gt(domid, 0);
	port = xenevtchn_bind_interdomain(xce, domid, rport);
	ck_assert_int_gt(port, 0);
	page = xengnttab_map_grant_ref(tab, domid, ref, PROT_READ | PROT_WRITE);
	ck_assert_ptr_nonnull(page);
	ck_assert_str_eq(page + 8, "hello from a simulated domain");
	ck_assert_int_eq(byte_at(page), 1);

	/* SIGKILL: the domain runs no code of its own to clean up. */
	ck_assert_int_eq(dom_call(XSIM_DOM_INFO, domid, NULL, NULL, &r), 0);
	memcpy(&info, r.data, sizeof(info));
	ck_assert_int_eq(kill(info.pid, SIGKILL), 0);

	/* The unmap notification: byte 0 cleared, event on its channel. */
	for (int seen = 0, p; seen != 3;) {
		ck_assert_int_ne(p = wait_port(xce, 5000), -1);
		seen |= p == port ? 1 : p == virq ? 2 : 0;
		xenevtchn_unmask(xce, p);
	}
	ck_assert_int_eq(byte_at(page), 0);
	/* The page stays mapped and readable until we unmap it, as on Xen. */
	ck_assert_str_eq(page + 8, "hello from a simulated domain");

	/* The domain and its resources are gone. */
	ck_assert_int_eq(dom_call(XSIM_DOM_INFO, domid, NULL, NULL, &r), -1);
	ck_assert_int_eq(errno, ESRCH);
	ck_assert_ptr_null(xengnttab_map_grant_ref(tab, domid, ref, PROT_READ));
	ck_assert_int_eq(xengnttab_unmap(tab, page, 1), 0);
	xengnttab_close(tab);
	xenevtchn_close(xce);
}
END_TEST

START_TEST(test_dom0_only_toolstack_and_reserved_pages)
{
	xengnttab_handle *tab = xengnttab_open(NULL, 0);
	uint32_t domid, ref, rport;
	struct xsim_rsp r;
	char *store;

	domid = start_peer("peer-pages", &ref, &rport);
	/* Every domain is born with its xenstore page granted to dom0. */
	store = xengnttab_map_grant_ref(tab, domid, 1, PROT_READ | PROT_WRITE);
	ck_assert_ptr_nonnull(store);
	ck_assert_int_eq(byte_at(store), 0);
	ck_assert_int_eq(xengnttab_unmap(tab, store, 1), 0);
	ck_assert_int_eq(dom_call(XSIM_DOM_DESTROY, domid, NULL, NULL, &r), 0);
	ck_assert_int_eq(dom_call(XSIM_DOM_DESTROY, domid, NULL, NULL, &r), -1);
	ck_assert_int_eq(errno, ESRCH);
	ck_assert_int_eq(dom_call(XSIM_DOM_DESTROY, 0, NULL, NULL, &r), -1);
	ck_assert_int_eq(errno, EPERM);
	xengnttab_close(tab);
}
END_TEST

/* More domains than one reply holds: the library must page. */
START_TEST(test_xenctrl_domain_info)
{
	xc_interface *xch = xc_interface_open(NULL, NULL, 0);
	xc_domaininfo_t list[64];
	xc_dominfo_t one;
	char *argv[] = { "sleep", "30", NULL }, name[32];
	struct xsim_rsp r;
	uint32_t ids[40];
	int i, n;

	ck_assert_ptr_nonnull(xch);
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "info%d", i);
		ck_assert_int_eq(dom_call(XSIM_DOM_CREATE, 0, name, argv, &r), 0);
		ids[i] = r.a;
	}
	n = xc_domain_getinfolist(xch, 0, 64, list);
	ck_assert_int_eq(n, 41);
	ck_assert_int_eq(list[0].domain, 0);
	for (i = 1; i < n; i++)
		ck_assert_int_gt(list[i].domain, list[i - 1].domain);
	ck_assert_int_eq(xc_domain_getinfo(xch, ids[7], 1, &one), 1);
	ck_assert_int_eq(one.domid, ids[7]);
	ck_assert_int_eq(one.running, 1);
	ck_assert_int_eq(one.dying, 0);

	/* Gone means not listed: getinfo returns the next domain instead. */
	ck_assert_int_eq(dom_call(XSIM_DOM_DESTROY, ids[7], NULL, NULL, &r), 0);
	ck_assert_int_eq(xc_domain_getinfo(xch, ids[7], 1, &one), 1);
	ck_assert_uint_ne(one.domid, ids[7]);
	ck_assert_int_eq(xc_domain_getinfolist(xch, 0, 64, list), 40);
	for (i = 0; i < 40; i++)
		if (i != 7)
			dom_call(XSIM_DOM_DESTROY, ids[i], NULL, NULL, &r);
	ck_assert_int_eq(xc_domain_getinfolist(xch, 0, 64, list), 1);
	/* None at or past the id: Xen's -1 and ESRCH, not 0. */
	errno = 0;
	ck_assert_int_eq(xc_domain_getinfo(xch, 1, 8, &one), -1);
	ck_assert_int_eq(errno, ESRCH);
	xc_interface_close(xch);
}
END_TEST

/* A domain running `sleep 30`, created with XSIM_CREATE_* flags. */
static uint32_t
create_sleeper(const char *name, uint32_t flags)
{
	struct xsim_req q = { .op = XSIM_DOM_CREATE, .b = flags };
	struct xsim_rsp r;
	int fds[XSIM_CALL_MAX_FDS], nfds;

	snprintf(q.name, sizeof(q.name), "%s", name);
	memcpy(q.data, "sleep\0" "30\0", 9);
	q.datalen = 9;
	ck_assert_int_eq(xsim_call(&q, -1, &r, fds, &nfds), 0);
	xsim_close_fds(fds, nfds);
	return r.a;
}

/* Fork a process acting for domid (XENSIM_DOMID is what HELLO sends). */
static pid_t
fork_as(uint32_t domid)
{
	char id[16];
	pid_t pid = fork();

	ck_assert_int_ne(pid, -1);
	if (pid == 0) {
		snprintf(id, sizeof(id), "%u", domid);
		setenv(XSIM_DOMID_ENV, id, 1);
	}
	return pid;
}

static int
exit_code(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 128;
	return WEXITSTATUS(status);
}

/* The guest's side: "ping" in the request ring, wait for "pong". */
static int
guest_ping(void)
{
	struct xsim_xenbus xb;
	char *page;

	if (xsim_xenbus_open(&xb) == -1)
		return 1;
	page = xb.page;
	strcpy(page, "ping");
	if (xsim_xenbus_notify(&xb) == -1)
		return 2;
	if (xsim_xenbus_wait(&xb, 5000) != 1)
		return 3;
	if (strcmp(page + 1024, "pong") != 0)
		return 4;
	xsim_xenbus_close(&xb);
	return 0;
}

/* Opened again by a later process; one process at a time plays the kernel. */
static int
guest_reopen(void)
{
	struct xsim_xenbus a, b;

	if (xsim_xenbus_open(&a) == -1)
		return 1;
	if (xsim_xenbus_open(&b) != -1 || errno != EBUSY)
		return 2;
	if (strcmp((char *)a.page + 1024, "pong") != 0)
		return 3;	/* the same page as before */
	xsim_xenbus_close(&a);
	if (xsim_xenbus_open(&b) == -1)
		return 4;
	xsim_xenbus_close(&b);
	return 0;
}

static int
guest_refused(void)
{
	struct xsim_xenbus xb;

	return xsim_xenbus_open(&xb) == -1 && errno == EPERM ? 0 : 1;
}

START_TEST(test_raw_xenbus)
{
	xenevtchn_handle *xce = xenevtchn_open(NULL, 0);
	xengnttab_handle *tab = xengnttab_open(NULL, 0);
	uint32_t raw, relayed;
	struct xsim_rsp r;
	struct xsim_dominfo info;
	int port;
	char *page;
	pid_t pid;

	raw = create_sleeper("raw", XSIM_CREATE_RAW_XENBUS);
	relayed = create_sleeper("relayed", 0);
	ck_assert_int_eq(dom_call(XSIM_DOM_INFO, raw, NULL, NULL, &r), 0);
	memcpy(&info, r.data, sizeof(info));
	ck_assert_uint_ne(info.flags & XSIM_DOMF_RAW_XENBUS, 0);
	ck_assert_uint_gt(info.store_port, 0);

	/* dom0 plays xenstored: bind the store port, map ref 1. */
	port = xenevtchn_bind_interdomain(xce, raw, info.store_port);
	ck_assert_int_gt(port, 0);
	page = xengnttab_map_grant_ref(tab, raw, 1, PROT_READ | PROT_WRITE);
	ck_assert_ptr_nonnull(page);
	if ((pid = fork_as(raw)) == 0)
		_exit(guest_ping());
	ck_assert_int_eq(wait_port(xce, 5000), port);
	ck_assert_str_eq(page, "ping");
	strcpy(page + 1024, "pong");
	ck_assert_int_eq(xenevtchn_unmask(xce, port), 0);
	ck_assert_int_eq(xenevtchn_notify(xce, port), 0);
	ck_assert_int_eq(exit_code(pid), 0);

	/* The port outlived that process: the next one takes it. */
	if ((pid = fork_as(raw)) == 0)
		_exit(guest_reopen());
	ck_assert_int_eq(exit_code(pid), 0);
	/* A relayed domain's ring is the relay's; dom0 has none. */
	if ((pid = fork_as(relayed)) == 0)
		_exit(guest_refused());
	ck_assert_int_eq(exit_code(pid), 0);
	ck_assert_int_eq(guest_refused(), 0);

	ck_assert_int_eq(xengnttab_unmap(tab, page, 1), 0);
	ck_assert_int_eq(dom_call(XSIM_DOM_DESTROY, raw, NULL, NULL, &r), 0);
	ck_assert_int_eq(dom_call(XSIM_DOM_DESTROY, relayed, NULL, NULL, &r),
	    0);
	xengnttab_close(tab);
	xenevtchn_close(xce);
}
END_TEST

/*
 * A guest console driver's round: "hello" out, then wait for dom0's
 * reply in `in` and consume it.
 */
static int
guest_console(void)
{
	struct xsim_console con;
	struct xencons_interface *c;
	char got[8] = "";
	int i;

	if (xsim_console_open(&con) == -1)
		return 1;
	c = con.page;
	memcpy(c->out, "hello", 5);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	c->out_prod = 5;
	if (xsim_console_notify(&con) == -1)
		return 2;
	if (xsim_console_wait(&con, 5000) != 1)
		return 3;
	if (c->out_cons != 5 || c->in_prod - c->in_cons != 3)
		return 4;
	for (i = 0; i < 3; i++)
		got[i] = c->in[MASK_XENCONS_IDX(c->in_cons + i, c->in)];
	c->in_cons += 3;
	xsim_console_close(&con);
	return strcmp(got, "bye") == 0 ? 0 : 5;
}

static int
console_refused(int want)
{
	struct xsim_console con;

	return xsim_console_open(&con) == -1 && errno == want ? 0 : 1;
}

/* Any domain's program may drive its console ring, relay or not. */
START_TEST(test_guest_console)
{
	xenevtchn_handle *xce = xenevtchn_open(NULL, 0);
	xengnttab_handle *tab = xengnttab_open(NULL, 0);
	struct xencons_interface *c;
	struct xsim_dominfo info;
	struct xsim_rsp r;
	uint32_t dom;
	int port;
	pid_t pid, other;

	dom = create_sleeper("con", 0);
	ck_assert_int_eq(dom_call(XSIM_DOM_INFO, dom, NULL, NULL, &r), 0);
	memcpy(&info, r.data, sizeof(info));
	ck_assert_uint_gt(info.console_port, 0);
	ck_assert_uint_ne(info.console_port, info.store_port);

	/* dom0 plays the console daemon: bind the port, map ref 0. */
	port = xenevtchn_bind_interdomain(xce, dom, info.console_port);
	ck_assert_int_gt(port, 0);
	c = xengnttab_map_grant_ref(tab, dom, 0, PROT_READ | PROT_WRITE);
	ck_assert_ptr_nonnull(c);
	if ((pid = fork_as(dom)) == 0)
		_exit(guest_console());
	ck_assert_int_eq(wait_port(xce, 5000), port);
	ck_assert_uint_eq(c->out_prod, 5);
	ck_assert_int_eq(memcmp(c->out, "hello", 5), 0);
	/* The driver took it before it wrote: a second process is refused. */
	if ((other = fork_as(dom)) == 0)
		_exit(console_refused(EBUSY));
	ck_assert_int_eq(exit_code(other), 0);
	c->out_cons = 5;
	memcpy(c->in, "bye", 3);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	c->in_prod = 3;
	ck_assert_int_eq(xenevtchn_unmask(xce, port), 0);
	ck_assert_int_eq(xenevtchn_notify(xce, port), 0);
	ck_assert_int_eq(exit_code(pid), 0);
	ck_assert_uint_eq(c->in_cons, 3);
	/* dom0 has no console ring of its own. */
	ck_assert_int_eq(console_refused(EPERM), 0);

	ck_assert_int_eq(xengnttab_unmap(tab, c, 1), 0);
	ck_assert_int_eq(dom_call(XSIM_DOM_DESTROY, dom, NULL, NULL, &r), 0);
	xengnttab_close(tab);
	xenevtchn_close(xce);
}
END_TEST

static pid_t
start_xensimd(void)
{
	pid_t pid;
	int i;

	snprintf(sockpath, sizeof(sockpath), "/tmp/xensimd-test.%d.sock",
	    (int)getpid());
	setenv(XSIM_SOCKET_ENV, sockpath, 1);
	unsetenv(XSIM_DOMID_ENV);
	if ((pid = fork()) == 0) {
		execl(XENSIMD, "xensimd", "-q", "--socket", sockpath, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 500 && access(sockpath, F_OK) != 0; i++)
		usleep(10000);
	return pid;
}

int
main(void)
{
	Suite *s = suite_create("xensim");
	TCase *tc = tcase_create("xensim");
	pid_t pid = start_xensimd();
	int rc, status;

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_event_delivery_and_masking);
	tcase_add_test(tc, test_grant_map_unmap);
	tcase_add_test(tc, test_share_notify_high_port);
	tcase_add_test(tc, test_grant_rights_refused);
	tcase_add_test(tc, test_notify_fires_when_domain_killed);
	tcase_add_test(tc, test_dom0_only_toolstack_and_reserved_pages);
	tcase_add_test(tc, test_xenctrl_domain_info);
	tcase_add_test(tc, test_raw_xenbus);
	tcase_add_test(tc, test_guest_console);
	suite_add_tcase(s, tc);
	rc = unit_run(s);
	/* xensimd must stop cleanly (and leak-free under ASan) on SIGTERM. */
	kill(pid, SIGTERM);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		fprintf(stderr, "xensimd did not exit cleanly: status %d\n",
		    status);
		rc = EXIT_FAILURE;
	}
	return rc;
}
