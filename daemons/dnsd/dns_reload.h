/*
 * dns_reload: rereading the configuration and the zones while serving.
 *
 * Owns the reload's life.  The configuration file is read on the main
 * thread (it is small, and a broken one ends the reload there); the zone
 * files are loaded on a worker thread, because a large zone takes
 * seconds and the server must keep answering from the zones it has
 * meanwhile: UDP queries that wait in a socket buffer for seconds are
 * lost ones.  When the worker is done it says so over a pipe, and the
 * main thread publishes the new set, installs the new configuration and
 * tells whoever asked (SIGHUP, dns.reload).  The worker touches neither
 * the event loop nor anything the main thread writes; a zone it keeps
 * from the old set is shared by reference count.
 *
 * One reload runs at a time; one asked for meanwhile runs after it, so
 * the last request always sees the files as they are when it was made.
 */
#ifndef DNS_RELOAD_H
#define DNS_RELOAD_H

#include <jansson.h>

struct event_base;
struct dns_config;
struct dns_reload;
struct dns_zones;

/*
 * The outcome: how many zones are configured, how many failed (kept
 * their old version or are not served), -1 for a configuration that did
 * not load; errors holds the messages (borrowed).
 */
typedef void	(*dns_reload_fn)(void *arg, int nzones, int failed,
		    json_t *errors);
/* A new configuration is about to be installed: the old one goes. */
typedef void	(*dns_reload_install_fn)(void *arg, struct dns_config *);

struct dns_reload *dns_reload_new(struct event_base *, struct dns_zones *,
		    const char *config_path, dns_reload_install_fn, void *);
void		 dns_reload_free(struct dns_reload *);
/*
 * Start (or queue) a reload; done is called on the main thread when the
 * reload this request is part of ends, never before this returns (the
 * run starts from the event loop).  done may be NULL.  Returns a
 * handle for dns_reload_forget, or NULL if out of memory.
 */
void		*dns_reload_request(struct dns_reload *, dns_reload_fn done,
		    void *arg);
/* The asker went away: done will not be called for this request. */
void		 dns_reload_forget(struct dns_reload *, void *handle);
/* Load synchronously at startup: the failed count, -1 on no set at all. */
int		 dns_reload_initial(struct dns_zones *, const struct dns_config *);

#endif /* DNS_RELOAD_H */
