/*
 * ctrl.c: the subset of libxenctrl.so.4.17 that Shoal's daemons use:
 * opening an interface, asking about domains (a xenstore daemon's way
 * of learning which domains died or shut down after VIRQ_DOM_EXC), and
 * shutting a domain down and resuming it (what save/restore and a guest's
 * SCHEDOP_shutdown do).  Answers come from
 * xensimd's domain table; a domain that is gone is simply not listed, as
 * on Xen once the toolstack has destroyed it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <xenctrl.h>

#include "client.h"

#define PUBLIC	__attribute__((visibility("default")))
#define PAGES(kb)	((kb) / (XSIM_PAGE_SIZE / 1024))

struct xc_interface_core {
	int	unused;
};

PUBLIC xc_interface *
xc_interface_open(xentoollog_logger *logger,
    xentoollog_logger *dombuild_logger, unsigned open_flags)
{
	(void)logger;
	(void)dombuild_logger;
	(void)open_flags;
	return calloc(1, sizeof(struct xc_interface_core));
}

PUBLIC int
xc_interface_close(xc_interface *xch)
{
	free(xch);
	return 0;
}

/* Calls fn for each domain from first on, at most max; returns how many. */
static int
each_domain(uint32_t first, unsigned int max,
    void (*fn)(const struct xsim_dominfo *, void *, unsigned int), void *out)
{
	struct xsim_req q = { .op = XSIM_DOM_LIST };
	struct xsim_rsp r;
	const struct xsim_dominfo *di = (const struct xsim_dominfo *)r.data;
	int fds[XSIM_CALL_MAX_FDS], nfds;
	unsigned int n = 0;

	while (n < max) {
		q.a = first;
		if (xsim_call(&q, -1, &r, fds, &nfds) == -1)
			return -1;
		xsim_close_fds(fds, nfds);
		if (r.count == 0)
			break;
		for (uint32_t i = 0; i < r.count && n < max; i++)
			fn(&di[i], out, n++);
		first = di[r.count - 1].domid + 1;
	}
	return (int)n;
}

static void
fill_dominfo(const struct xsim_dominfo *d, void *out, unsigned int i)
{
	xc_dominfo_t *info = (xc_dominfo_t *)out + i;

	memset(info, 0, sizeof(*info));
	info->domid = d->domid;
	info->dying = (d->flags & XSIM_DOMF_DYING) != 0;
	info->running = (d->flags & XSIM_DOMF_RUNNING) != 0 && !d->paused;
	info->paused = d->paused != 0;
	info->shutdown = (d->flags & XSIM_DOMF_SHUTDOWN) != 0;
	info->crashed = info->shutdown && d->shutdown_reason == SHUTDOWN_crash;
	info->shutdown_reason = info->shutdown ? d->shutdown_reason : 0;
	info->max_memkb = d->memory_kb;
	info->nr_pages = PAGES(d->memory_kb);
	info->nr_online_vcpus = 1;
	info->max_vcpu_id = 0;
}

PUBLIC int
xc_domain_getinfo(xc_interface *xch, uint32_t first_domid,
    unsigned int max_doms, xc_dominfo_t *info)
{
	int	 n;

	(void)xch;
	/*
	 * As Xen 4.17's: with no domain at or past first_domid the
	 * hypercall's error comes back (-1, ESRCH), not 0.
	 */
	if ((n = each_domain(first_domid, max_doms, fill_dominfo, info)) == 0 &&
	    max_doms > 0) {
		errno = ESRCH;
		return -1;
	}
	return n;
}

static void
fill_domaininfo(const struct xsim_dominfo *d, void *out, unsigned int i)
{
	xc_domaininfo_t *info = (xc_domaininfo_t *)out + i;

	memset(info, 0, sizeof(*info));
	info->domain = d->domid;
	info->flags = ((d->flags & XSIM_DOMF_DYING) ? XEN_DOMINF_dying : 0) |
	    (d->paused ? XEN_DOMINF_paused : XEN_DOMINF_running);
	if (d->flags & XSIM_DOMF_SHUTDOWN)
		info->flags = (info->flags & ~XEN_DOMINF_running) |
		    XEN_DOMINF_shutdown |
		    (d->shutdown_reason << XEN_DOMINF_shutdownshift);
	info->tot_pages = info->max_pages = PAGES(d->memory_kb);
	info->nr_online_vcpus = 1;
	info->max_vcpu_id = 0;
}

PUBLIC int
xc_domain_getinfolist(xc_interface *xch, uint32_t first_domain,
    unsigned int max_domains, xc_domaininfo_t *info)
{
	(void)xch;
	return each_domain(first_domain, max_domains, fill_domaininfo, info);
}

PUBLIC int
xc_domain_shutdown(xc_interface *xch, uint32_t domid, int reason)
{
	(void)xch;
	if (reason < 0) {
		errno = EINVAL;
		return -1;
	}
	return xsim_call_simple(XSIM_DOM_SHUTDOWN, 0, domid, (uint32_t)reason,
	    0, 0);
}

/* Declared in xenguest.h, which needs more of libxc than we provide. */
int	xc_domain_resume(xc_interface *, uint32_t, int);

/* fast: the guest was told its suspend was cancelled; all one here. */
PUBLIC int
xc_domain_resume(xc_interface *xch, uint32_t domid, int fast)
{
	(void)xch;
	(void)fast;
	return xsim_call_simple(XSIM_DOM_RESUME, 0, domid, 0, 0, 0);
}

/* What the toolstack's pause and unpause come down to (libxl, xl). */
PUBLIC int
xc_domain_pause(xc_interface *xch, uint32_t domid)
{
	(void)xch;
	return xsim_call_simple(XSIM_DOM_PAUSE, 0, domid, 0, 0, 0);
}

PUBLIC int
xc_domain_unpause(xc_interface *xch, uint32_t domid)
{
	(void)xch;
	return xsim_call_simple(XSIM_DOM_UNPAUSE, 0, domid, 0, 0, 0);
}
