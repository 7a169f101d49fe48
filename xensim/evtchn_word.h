/*
 * evtchn_word.h: the state of one event-channel port, shared between the
 * processes that raise it and the one that receives it.
 *
 * Each domain has an array of these words in a memfd (one per port) that
 * xensimd, the domain's own handles and its peers map.  The states copy
 * what Linux's evtchn driver and Xen's mask bit do together: a raised port
 * is delivered once (its number is written to the receiving handle's
 * socket) and stays masked until the receiver unmasks it; raising it
 * meanwhile only records that it must be delivered again at unmask.  So a
 * handle's socket never holds a port twice, and its buffer bounds nothing
 * that matters.  All transitions are single compare-and-swaps, so raisers
 * in different processes never lock.
 *
 * After the XSIM_MAX_PORTS state words come as many generation words:
 * xensimd bumps a port's generation whenever its binding changes, so a
 * client that cached where its port's events go can tell that it must ask
 * again (EVT_PEER) with one load.
 */
#ifndef XENSIM_EVTCHN_WORD_H
#define XENSIM_EVTCHN_WORD_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "proto.h"

#define EVW_IDLE	0u	/* nothing pending, unmasked */
#define EVW_PENDING	1u	/* delivered, masked until unmask */
#define EVW_AGAIN	2u	/* raised again while masked */

typedef _Atomic uint32_t evtchn_word;

#define EVW_PAGE_WORDS	(2 * XSIM_MAX_PORTS)
#define evw_gen(words, port)	(&(words)[XSIM_MAX_PORTS + (port)])

/* True when the caller must deliver the port now. */
static inline bool
evw_raise(evtchn_word *w)
{
	uint32_t old = atomic_load_explicit(w, memory_order_relaxed);

	for (;;) {
		uint32_t want = old == EVW_IDLE ? EVW_PENDING : EVW_AGAIN;

		if (old == EVW_AGAIN)
			return false;
		if (atomic_compare_exchange_weak(w, &old, want))
			return old == EVW_IDLE;
	}
}

/* True when the port was raised while masked and must be delivered again. */
static inline bool
evw_unmask(evtchn_word *w)
{
	uint32_t old = atomic_load_explicit(w, memory_order_relaxed);

	for (;;) {
		uint32_t want = old == EVW_AGAIN ? EVW_PENDING : EVW_IDLE;

		if (old == EVW_IDLE)
			return false;
		if (atomic_compare_exchange_weak(w, &old, want))
			return old == EVW_AGAIN;
	}
}

static inline void
evw_reset(evtchn_word *w)
{
	atomic_store(w, EVW_IDLE);
}

#endif /* XENSIM_EVTCHN_WORD_H */
