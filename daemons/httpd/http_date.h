/*
 * http_date: HTTP's dates (RFC 9110 5.6.7).  Sent as IMF-fixdate; read
 * in all three forms a recipient must accept (IMF-fixdate, RFC 850's
 * and asctime's), always as UTC.
 */
#ifndef HTTP_DATE_H
#define HTTP_DATE_H

#include <stddef.h>
#include <time.h>

#define HTTP_DATE_LEN	29	/* "Sun, 06 Nov 1994 08:49:37 GMT" */

/* Writes HTTP_DATE_LEN bytes and a NUL. */
void	 http_date_format(time_t, char out[HTTP_DATE_LEN + 1]);
/* The time, or -1 if it is not a date in one of the three forms. */
time_t	 http_date_parse(const char *, size_t);

#endif /* HTTP_DATE_H */
