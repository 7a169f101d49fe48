/*
 * rpc_directory: where Shoal's services are, read from xenstore.
 *
 * Owns the layout of the registry every service writes when it starts
 * (/local/domain/ID/data/shoal/SERVICE/daemon, public to read) and
 * walking it: one domain's services, or every domain's when the caller
 * may list /local/domain (dom0).  shoalctl finds what to call with it;
 * httpd's status collector finds what to ask for counters.
 */
#ifndef RPC_DIRECTORY_H
#define RPC_DIRECTORY_H

struct xs_handle;

/* name: the domain's toolstack name ("?" when unreadable); daemon the
 * service's ("?" likewise).  Both are borrowed for the call. */
typedef void	(*rpc_directory_fn)(unsigned domid, const char *name,
		    const char *svc, const char *daemon, void *arg);

/* Each service domid registers; none if it registers none. */
void	 rpc_directory_services(struct xs_handle *, unsigned domid,
	    rpc_directory_fn, void *arg);
/* Each service of each domain: -1 if /local/domain cannot be listed. */
int	 rpc_directory_all(struct xs_handle *, rpc_directory_fn, void *arg);

#endif /* RPC_DIRECTORY_H */
