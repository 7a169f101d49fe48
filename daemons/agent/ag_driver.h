/*
 * ag_driver: what the agent asks of a toolstack, asynchronously: build
 * a domain (paused or running), unpause, pause, destroy, list.  Each
 * call returns at once and reports once, from the loop, through its
 * callback: err 0 and a result, or an errno and a message.  One driver
 * per toolstack: xensim (ag_xensim.c, through xensim's own command, the
 * toolstack xensim ships); libxl's is to come.
 */
#ifndef AG_DRIVER_H
#define AG_DRIVER_H

#include <stdbool.h>
#include <stdint.h>

struct event_base;

#define AG_NAME_MAX	64

struct ag_dominfo {
	uint32_t	 domid;
	char		 name[AG_NAME_MAX];
	char		 state[32];	/* running, paused, shutdown (...) */
};

/* created: the new domain's id; list: n entries in doms. */
struct ag_result {
	uint32_t		 domid;
	struct ag_dominfo	*doms;
	size_t			 n;
};

typedef void	(*ag_done_fn)(void *arg, int err, const char *msg,
		    const struct ag_result *);

struct ag_driver;

struct ag_driver *ag_xensim_new(struct event_base *, const char *xensim);
void		 ag_driver_free(struct ag_driver *);

/* 0 if the call is under way (done will be told), -1 if not (errno). */
int	 ag_create(struct ag_driver *, const char *name, int memory_mb,
	    char *const *argv, bool paused, ag_done_fn, void *);
int	 ag_unpause(struct ag_driver *, uint32_t, ag_done_fn, void *);
int	 ag_pause(struct ag_driver *, uint32_t, ag_done_fn, void *);
int	 ag_destroy(struct ag_driver *, uint32_t, ag_done_fn, void *);
int	 ag_list(struct ag_driver *, ag_done_fn, void *);
/* Calls under way (a clean stop waits for them). */
unsigned ag_busy(const struct ag_driver *);

#endif /* AG_DRIVER_H */
