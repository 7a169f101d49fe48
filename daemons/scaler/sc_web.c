/*
 * sc_web: one web domain's actor (sc_web.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actor.h"
#include "log.h"
#include "sc_web.h"

struct web_actor {
	struct fleet_state	*f;
	struct web		 w;
};

static int
web_init(struct actor *a, void *arg, void **state)
{
	const struct web_init	*in = arg;
	struct web_actor	*wa;

	(void)a;
	if ((wa = calloc(1, sizeof(*wa))) == NULL)
		return -1;
	wa->f = in->f;
	wa->w.domid = in->domid;
	*state = wa;
	return 0;
}

static void
web_terminate(struct actor *a, void *state, enum actor_exit why)
{
	(void)a;
	(void)why;
	free(state);
}

/*
 * What the domain says of itself is what the loop goes by: a loop
 * started again (its process replaced, the scaler restarted) finds a
 * domain it had drained still draining, and goes on to destroy it, and
 * one it never told to serve still standing by.
 */
static void
adopt_rotation(struct web *w, const char *rotation)
{
	w->standby = rotation != NULL && strcmp(rotation, "standby") == 0;
	if (rotation != NULL && strcmp(rotation, "draining") == 0 &&
	    !w->drain_since) {
		w->drain_since = sc_now_ms();
		log_info("fleet: domain %d found draining", w->domid);
	}
}

/*
 * The address of "ADDR:PORT" or "[ADDR]:PORT" (http.stats' "listen"),
 * or "" for none or a wildcard: a domain on every address of its host
 * has none of its own to put in DNS.
 */
static void
host_of(const char *listen, char out[SC_DNS_ADDRMAX])
{
	const char	*end;
	size_t		 n;

	out[0] = '\0';
	if (listen == NULL)
		return;
	if (listen[0] == '[') {
		listen++;
		end = strchr(listen, ']');
	} else
		end = strrchr(listen, ':');
	n = end != NULL ? (size_t)(end - listen) : 0;
	if (n == 0 || n >= SC_DNS_ADDRMAX)
		return;
	memcpy(out, listen, n);
	out[n] = '\0';
	if (strcmp(out, "0.0.0.0") == 0 || strcmp(out, "::") == 0)
		out[0] = '\0';
}

/*
 * The domain's metric, or -1 while unknown (its first reading of a
 * rate, or no answer).  *open: its connections now.
 */
static double
measure(struct web_actor *wa, int64_t *open)
{
	struct fleet_state	*f = wa->f;
	struct web		*w = &wa->w;
	json_t			*st;
	int64_t			 req, t = sc_now_ms();
	double			 v = -1;

	*open = -1;
	if ((st = sc_call(f, (unsigned)w->domid, f->s->service, "http.stats",
	    NULL)) == NULL)
		return -1;
	req = json_integer_value(json_object_get(st, "requests"));
	*open = json_integer_value(json_object_get(st, "connections_active"));
	adopt_rotation(w, json_string_value(json_object_get(st, "rotation")));
	host_of(json_string_value(json_array_get(json_object_get(st, "listen"),
	    0)), w->addr);
	json_decref(st);
	if (f->s->metric_connections)
		v = (double)*open;
	else if (w->counted && t > w->at_ms && req >= w->requests)
		v = (double)(req - w->requests) * 1000.0 / (double)(t - w->at_ms);
	w->requests = req;
	w->at_ms = t;
	w->counted = true;
	return v;
}

/*
 * The domain joins the fleet: told to listen, if its configuration kept
 * it standing by (a warm domain is not in rotation while paused).
 */
static void
enlist(struct web_actor *wa)
{
	struct fleet_state	*f = wa->f;
	json_t			*res;

	if ((res = sc_call(f, (unsigned)wa->w.domid, f->s->service,
	    "http.serve", NULL)) == NULL)
		return;
	if (json_is_true(json_object_get(res, "serving"))) {
		wa->w.standby = false;
		log_info("fleet: domain %d serving", wa->w.domid);
	} else
		sc_warn_once(f, "http.serve", json_string_value(
		    json_object_get(res, "error")) ?: "refused");
	json_decref(res);
}

/* It stops taking connections. */
static void
drain(struct web_actor *wa)
{
	json_t	*res;

	if (wa->w.drain_since || (res = sc_call(wa->f, (unsigned)wa->w.domid,
	    wa->f->s->service, "http.drain", NULL)) == NULL)
		return;
	json_decref(res);
	wa->w.drain_since = sc_now_ms();
	log_info("fleet: domain %d draining", wa->w.domid);
	wa->f->drains++;
}

/* Draining: it goes once its connections ended, or drain-ms passed. */
static void
reap(struct web_actor *wa)
{
	struct fleet_state	*f = wa->f;
	json_t			*res, *p;
	int64_t			 open = -1;

	if (sc_now_ms() - wa->w.drain_since < f->s->drain_ms) {
		(void)measure(wa, &open);
		if (open != 0)
			return;
	}
	if ((p = json_pack("{s:i}", "domid", wa->w.domid)) == NULL)
		return;
	res = sc_call(f, (unsigned)f->s->agent_domain, "domain",
	    "domain.destroy", p);
	json_decref(p);
	if (res == NULL)
		return;
	json_decref(res);
	log_info("fleet: domain %d destroyed (%s)", wa->w.domid, open == 0 ?
	    "its connections ended" : "drain-ms passed");
	wa->w.destroyed_at = sc_now_ms();
	f->destroyed++;
}

/* One round of the domain's (WEB_STEP): the round's metric, or -1. */
static double
step(struct web_actor *wa, const struct web_step *st)
{
	struct web	*w = &wa->w;
	int64_t		 open;
	double		 v;

	w->running = st->running;
	snprintf(w->token, sizeof(w->token), "%s", st->token);
	if (w->drain_since) {
		reap(wa);
		return -1;
	}
	if (st->leaving || !w->running)
		return -1;
	v = measure(wa, &open);
	if (!w->drain_since && w->standby)
		enlist(wa);
	return v;
}

static void
report(struct web_actor *wa, double metric)
{
	struct web_report	*r;
	struct actor		*fleet = wa->f->fleet;

	if (fleet == NULL || (r = malloc(sizeof(*r))) == NULL)
		return;
	r->w = wa->w;
	r->metric = metric;
	/* A full mailbox: this round goes without it (the fleet actor
	 * decides with the reports it has). */
	if (actor_send(fleet, FLEET_REPORT, r, free) != 0)
		free(r);
}

static int
web_receive(struct actor *a, void *state, const struct actor_msg *m)
{
	struct web_actor	*wa = state;
	double			 v = -1;

	(void)a;
	switch (m->type) {
	case WEB_STEP:
		v = step(wa, m->data);
		break;
	case WEB_DRAIN:
		drain(wa);
		break;
	default:
		return ACTOR_CRASH;	/* no one sends it that */
	}
	report(wa, v);
	/* Destroyed: its domain is gone, and so is it. */
	return wa->w.destroyed_at ? ACTOR_STOP : ACTOR_OK;
}

const struct actor_kind sc_web_kind = {
	.name = "web domain",
	.init = web_init,
	.receive = web_receive,
	.terminate = web_terminate,
};
