/*
 * A stand-in for libxenevtchn, linked into unit_evloop in place of the
 * real library: a handle is a pipe, firing a port writes it into the pipe
 * and xenevtchn_pending() reads it back.  Unmasks are recorded so a test
 * can check that evloop re-enabled the port.
 */
#ifndef SHOAL_FAKE_XENEVTCHN_H
#define SHOAL_FAKE_XENEVTCHN_H

#include <xenevtchn.h>

/* Fired as a port, makes the next xenevtchn_pending() fail with EIO. */
#define FAKE_EVTCHN_FAIL	0xffffffffU
#define FAKE_EVTCHN_MAXLOG	16

void	fake_evtchn_fire(xenevtchn_handle *, evtchn_port_t);

extern evtchn_port_t	fake_evtchn_unmasked[FAKE_EVTCHN_MAXLOG];
extern int		fake_evtchn_nunmasked;

#endif /* SHOAL_FAKE_XENEVTCHN_H */
