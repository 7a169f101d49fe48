/*
 * dns_zone_int: what dns_zload.c (reading a file with the scanner) hands
 * dns_zone.c (building the index), and nothing else includes.  Records
 * are collected flat, in file order, then sorted and grouped in one go:
 * simpler than inserting into a sorted structure, and the peak memory is
 * still proportional to the file.
 */
#ifndef DNS_ZONE_INT_H
#define DNS_ZONE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns_name.h"

struct dns_rec {
	uint64_t	 key;		/* dns_name_key of owner below origin */
	uint8_t		*owner;		/* lowercase wire, malloc'd */
	uint8_t		*rdata;		/* malloc'd; NULL when rdlen is 0 */
	uint16_t	 rdlen;
	uint16_t	 type;
	uint32_t	 ttl;
	uint32_t	 line;
	uint32_t	 file;		/* index into files */
};

struct dns_load {
	uint8_t		 origin[DNS_NAME_MAX];	/* lowercase wire */
	int		 olabels;		/* labels in origin */
	struct dns_rec	*recs;
	size_t		 nrecs, caprecs;
	bool		 owners_moved;	/* to the zone, which frees them */
	char		**files;
	size_t		 nfiles;
	size_t		 bytes, maxbytes;
	char		*err;
	size_t		 errlen;
};

/* dns_zload.c */
int	dns_zload_read(struct dns_load *, const char *file, const char *origin);
int	dns_zload_error(struct dns_load *, const struct dns_rec *,
	    const char *fmt, ...) __attribute__((__format__(__printf__, 3, 4)));
int	dns_zload_charge(struct dns_load *, const struct dns_rec *, size_t);
void	dns_zload_free(struct dns_load *);
/* dns_zone.c: index the records read and check them as a zone. */
int	dns_zone_finish(struct dns_load *, struct dns_zone *);

#endif /* DNS_ZONE_INT_H */
