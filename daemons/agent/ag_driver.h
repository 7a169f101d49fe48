/*
 * ag_driver: what the agent asks of a toolstack, asynchronously: build
 * a domain (paused or running), unpause, pause, destroy, list.  Each
 * call returns at once and reports once, from the loop, through its
 * callback: err 0 and a result, or an errno and a message.  One driver
 * per toolstack, behind one table of calls:
 *  - xensim (ag_xensim.c): xensim's own command, the toolstack xensim
 *    ships, and libxenctrl for pause and unpause;
 *  - libxl (ag_libxl.c): Xen's libxl, asynchronous on the agent's loop.
 *    It is a module (agent-libxl.so) loaded only when configured: Xen's
 *    libxenlight needs the real libxenctrl and libxenguest, which a
 *    process on xensim does not have (xensim's drop-ins stand in for
 *    the libraries Shoal's daemons use, not for the domain builder).
 * ag_driver_open() picks one from the configuration and owns loading.
 */
#ifndef AG_DRIVER_H
#define AG_DRIVER_H

#include <stdbool.h>
#include <stdint.h>

struct event_base;
struct ag_config;

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

/* One domain to build: its name (PREFIX-N), N, and for xensim the
 * command it runs ("{n}" already made N). */
struct ag_build {
	const char	 *name;
	unsigned	  number;
	int		  memory_mb;
	char *const	 *argv;
	bool		  paused;
};

struct ag_driver;

struct ag_driver_ops {
	const char	*name;
	int		(*create)(struct ag_driver *, const struct ag_build *,
			    ag_done_fn, void *);
	int		(*unpause)(struct ag_driver *, uint32_t, ag_done_fn,
			    void *);
	int		(*pause)(struct ag_driver *, uint32_t, ag_done_fn,
			    void *);
	int		(*destroy)(struct ag_driver *, uint32_t, ag_done_fn,
			    void *);
	int		(*list)(struct ag_driver *, ag_done_fn, void *);
	unsigned	(*busy)(const struct ag_driver *);
	/* Calls under way are finished or told ECANCELED first. */
	void		(*free)(struct ag_driver *);
};

/* Each driver's own state begins with this. */
struct ag_driver {
	const struct ag_driver_ops	*ops;
};

/* The configured driver; NULL with a reason in err. */
struct ag_driver *ag_driver_open(struct event_base *,
		    const struct ag_config *, char *err, size_t errlen);
struct ag_driver *ag_xensim_new(struct event_base *, const char *xensim);
/* What agent-libxl.so exports (its symbol: AG_LIBXL_SYMBOL). */
typedef struct ag_driver *(*ag_libxl_new_fn)(struct event_base *,
		    const char *domain_config, char *err, size_t errlen);
#define AG_LIBXL_SYMBOL	"ag_libxl_new"

/* 0 if the call is under way (done will be told), -1 if not (errno). */
int	 ag_create(struct ag_driver *, const struct ag_build *, ag_done_fn,
	    void *);
int	 ag_unpause(struct ag_driver *, uint32_t, ag_done_fn, void *);
int	 ag_pause(struct ag_driver *, uint32_t, ag_done_fn, void *);
int	 ag_destroy(struct ag_driver *, uint32_t, ag_done_fn, void *);
int	 ag_list(struct ag_driver *, ag_done_fn, void *);
/* Calls under way (a clean stop waits for them). */
unsigned ag_busy(const struct ag_driver *);
const char *ag_driver_name(const struct ag_driver *);
void	 ag_driver_free(struct ag_driver *);

#endif /* AG_DRIVER_H */
