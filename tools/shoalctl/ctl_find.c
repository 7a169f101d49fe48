#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <xenstore.h>

#include "ctl.h"
#include "rpc_directory.h"

/*
 * Every domain's services, or only domain's when it is a number: an
 * unprivileged domain cannot list /local/domain, but can ask one.
 */
static int
each_service(struct xs_handle *xs, const char *domain, rpc_directory_fn fn,
    void *arg)
{
	if (domain != NULL && *domain != '\0' &&
	    strspn(domain, "0123456789") == strlen(domain)) {
		rpc_directory_services(xs, (unsigned)strtoul(domain, NULL, 10),
		    fn, arg);
		return 0;
	}
	return rpc_directory_all(xs, fn, arg);
}

static void
list_one(unsigned domid, const char *name, const char *svc,
    const char *daemon, void *arg)
{
	void	**a = arg;
	FILE	 *f = a[0];
	json_t	 *j = a[1];

	if (j != NULL)
		json_array_append_new(j, json_pack("{s:s, s:i, s:s, s:s}",
		    "service", svc, "domid", (int)domid, "domain", name,
		    "daemon", daemon));
	else
		fprintf(f, "%-12s %-6u %-20s %s\n", svc, domid, name, daemon);
}

int
ctl_list(FILE *f, int json)
{
	struct xs_handle	*xs;
	json_t			*j = json ? json_array() : NULL;
	void			*a[2] = { f, j };

	if ((xs = xs_open(0)) == NULL) {
		fprintf(stderr, "shoalctl: xenstore: %s\n", strerror(errno));
		return CTL_UNREACHABLE;
	}
	if (!json)
		fprintf(f, "%-12s %-6s %-20s %s\n", "SERVICE", "DOMID",
		    "DOMAIN", "DAEMON");
	each_service(xs, NULL, list_one, a);
	xs_close(xs);
	if (j != NULL) {
		json_dumpf(j, f, JSON_INDENT(2));
		fputc('\n', f);
		json_decref(j);
	}
	return CTL_OK;
}

struct want {
	const char	*svc, *domain;
	unsigned	 found, domid;
	char		 svcname[64];
};

static void
match_one(unsigned domid, const char *name, const char *svc,
    const char *daemon, void *arg)
{
	struct want	*w = arg;
	char		 id[16];

	(void)daemon;
	snprintf(id, sizeof(id), "%u", domid);
	if ((w->svc != NULL && strcmp(svc, w->svc) != 0) ||
	    (w->domain != NULL &&
	    strcmp(w->domain, id) != 0 && strcmp(w->domain, name) != 0))
		return;
	w->found++;
	w->domid = domid;
	snprintf(w->svcname, sizeof(w->svcname), "%s", svc);
}

int
ctl_find(const char *svc, const char *domain, unsigned *domid, char *svcbuf,
    size_t svclen)
{
	struct xs_handle	*xs;
	struct want		 w = { .svc = svc, .domain = domain };
	const char		*what = svc != NULL ? svc : "service";

	if ((xs = xs_open(0)) == NULL) {
		fprintf(stderr, "shoalctl: xenstore: %s\n", strerror(errno));
		return CTL_UNREACHABLE;
	}
	each_service(xs, domain, match_one, &w);
	xs_close(xs);
	if (w.found == 0) {
		fprintf(stderr, "shoalctl: no %s is registered%s%s\n", what,
		    domain != NULL ? " in domain " : "",
		    domain != NULL ? domain : "");
		return CTL_UNREACHABLE;
	}
	if (w.found > 1) {
		fprintf(stderr, "shoalctl: %u matches for %s: say which with "
		    "%s\n", w.found, what, svc != NULL ? "--domain" :
		    "--service (and --domain)");
		return CTL_USAGE;
	}
	*domid = w.domid;
	snprintf(svcbuf, svclen, "%s", w.svcname);
	return 0;
}
