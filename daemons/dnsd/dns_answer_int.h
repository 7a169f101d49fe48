/*
 * dns_answer_int: what dns_answer.c (the message around an answer:
 * header, question, EDNS, CHAOS, truncation) shares with dns_resolve.c
 * (the zone rules that fill the sections), and nothing else includes.
 */
#ifndef DNS_ANSWER_INT_H
#define DNS_ANSWER_INT_H

#include <stdbool.h>

#include "dns_msg.h"
#include "dns_zones.h"

struct dns_ans {
	const struct dns_zoneset	*set;
	struct dns_query		 q;
	struct dns_wr			 w;
	uint16_t			 flags;	/* AA, TC */
	int				 rcode;
	int				 ede;	/* RFC 8914 code, -1: none */
	bool				 full;	/* truncated: add nothing more */
};

/* dns_resolve.c: answer q from the zones, setting rcode and AA. */
void	dns_resolve(struct dns_ans *);

/*
 * dns_answer.c: add one record.  When the answer or authority section
 * overflows, the message is cut back to its question with TC set (RFC
 * 2181 9) and -1 comes back, as it does for every record after that.
 * An additional record that does not fit is left out and 1 comes back:
 * the caller knows whether it was optional.
 */
int	dns_ans_rr(struct dns_ans *, enum dns_section, const uint8_t *owner,
	    uint16_t type, uint16_t class, uint32_t ttl, const uint8_t *rdata,
	    uint16_t rdlen);

#endif /* DNS_ANSWER_INT_H */
