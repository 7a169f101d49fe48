/*
 * shoalctl's modules: ctl_find (where services run, from xenstore),
 * ctl_print (results for people) and ctl_attach (an interactive console).
 */
#ifndef CTL_H
#define CTL_H

#include <stdio.h>

#include <jansson.h>

/* Exit codes scripts can rely on (shoalctl --help lists them). */
#define CTL_OK		0	/* the call succeeded */
#define CTL_FAILED	1	/* the service answered with an error */
#define CTL_USAGE	2	/* bad command line, unknown method, bad params */
#define CTL_UNREACHABLE	3	/* no such service, timeout, connection lost */
#define CTL_DENIED	4	/* the service's policy refused us */

/* Every (service, domain) registered in xenstore; prints a table. */
int	 ctl_list(FILE *, int json);
/*
 * Where svc runs: domain given as id or name (NULL: the only domain that
 * serves it); svc NULL: the only service in that domain (for sys.*).
 * 0 with *domid and the service in svcbuf, or a CTL_ code after printing
 * why.
 */
int	 ctl_find(const char *svc, const char *domain, unsigned *domid,
	    char *svcbuf, size_t svclen);

/*
 * `console attach`: guest's console, interactive, through the console
 * service in domain (NULL: the only one) until ^]; a CTL_ code.
 */
int	 ctl_attach(const char *domain, const char *guest, int timeout_ms);

void	 ctl_print_result(FILE *, const json_t *, int json);
void	 ctl_print_event(FILE *, const json_t *, int json);

#endif /* CTL_H */
