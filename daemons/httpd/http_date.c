#include <string.h>

#include "http_date.h"

static const char	 days[7][4] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
};
static const char	 months[12][4] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};
static const char	*longdays[7] = {
	"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
	"Saturday"
};

static char *
two(char *o, int v)
{
	*o++ = (char)('0' + v / 10 % 10);
	*o++ = (char)('0' + v % 10);
	return o;
}

void
http_date_format(time_t t, char out[HTTP_DATE_LEN + 1])
{
	struct tm	 tm;
	char		*o = out;
	int		 y;

	gmtime_r(&t, &tm);
	y = tm.tm_year + 1900;
	memcpy(o, days[tm.tm_wday % 7], 3);
	o += 3;
	*o++ = ',';
	*o++ = ' ';
	o = two(o, tm.tm_mday);
	*o++ = ' ';
	memcpy(o, months[tm.tm_mon % 12], 3);
	o += 3;
	*o++ = ' ';
	o = two(o, y / 100);
	o = two(o, y);
	*o++ = ' ';
	o = two(o, tm.tm_hour);
	*o++ = ':';
	o = two(o, tm.tm_min);
	*o++ = ':';
	o = two(o, tm.tm_sec);
	memcpy(o, " GMT", 5);
}

/* n digits exactly; -1 if any is not one. */
static int
digits(const char *p, int n)
{
	int	 v = 0, i;

	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

static int
month(const char *p)
{
	int	 i;

	for (i = 0; i < 12; i++)
		if (memcmp(p, months[i], 3) == 0)
			return i;
	return -1;
}

/* "HH:MM:SS" */
static int
clock_of(const char *p, struct tm *tm)
{
	if (p[2] != ':' || p[5] != ':')
		return -1;
	tm->tm_hour = digits(p, 2);
	tm->tm_min = digits(p + 3, 2);
	tm->tm_sec = digits(p + 6, 2);
	return tm->tm_hour < 0 || tm->tm_min < 0 || tm->tm_sec < 0 ? -1 : 0;
}

/* "Sun, 06 Nov 1994 08:49:37 GMT" */
static int
imf(const char *p, size_t n, struct tm *tm)
{
	if (n != 29 || p[3] != ',' || p[4] != ' ' || p[7] != ' ' ||
	    p[11] != ' ' || p[16] != ' ' || memcmp(p + 25, " GMT", 4) != 0)
		return -1;
	tm->tm_mday = digits(p + 5, 2);
	tm->tm_mon = month(p + 8);
	tm->tm_year = digits(p + 12, 4) - 1900;
	return tm->tm_mday < 0 || tm->tm_mon < 0 || tm->tm_year < -1900 ?
	    -1 : clock_of(p + 17, tm);
}

/* "Sunday, 06-Nov-94 08:49:37 GMT": a two-digit year is taken as the
 * nearest one not more than 50 years ahead (RFC 9110 5.6.7). */
static int
rfc850(const char *p, size_t n, struct tm *tm)
{
	const char	*c = memchr(p, ',', n);
	struct tm	 now;
	time_t		 t = time(NULL);
	int		 y;

	if (c == NULL || (size_t)(c - p) + 24 != n)
		return -1;
	for (y = 0; y < 7; y++)
		if (strlen(longdays[y]) == (size_t)(c - p) &&
		    memcmp(p, longdays[y], (size_t)(c - p)) == 0)
			break;
	if (y == 7 || c[1] != ' ' || c[4] != '-' || c[8] != '-' ||
	    c[11] != ' ' || memcmp(c + 20, " GMT", 4) != 0)
		return -1;
	tm->tm_mday = digits(c + 2, 2);
	tm->tm_mon = month(c + 5);
	if ((y = digits(c + 9, 2)) < 0 || tm->tm_mday < 0 || tm->tm_mon < 0)
		return -1;
	gmtime_r(&t, &now);
	y += (now.tm_year + 1900) / 100 * 100;
	if (y > now.tm_year + 1900 + 50)
		y -= 100;
	tm->tm_year = y - 1900;
	return clock_of(c + 12, tm);
}

/* "Sun Nov  6 08:49:37 1994" */
static int
asctime_form(const char *p, size_t n, struct tm *tm)
{
	if (n != 24 || p[3] != ' ' || p[7] != ' ' || p[10] != ' ' ||
	    p[19] != ' ')
		return -1;
	tm->tm_mon = month(p + 4);
	tm->tm_mday = p[8] == ' ' ? digits(p + 9, 1) : digits(p + 8, 2);
	tm->tm_year = digits(p + 20, 4) - 1900;
	return tm->tm_mday < 0 || tm->tm_mon < 0 || tm->tm_year < -1900 ?
	    -1 : clock_of(p + 11, tm);
}

time_t
http_date_parse(const char *p, size_t n)
{
	struct tm	 tm;

	memset(&tm, 0, sizeof(tm));
	if (imf(p, n, &tm) != 0 && rfc850(p, n, &tm) != 0 &&
	    asctime_form(p, n, &tm) != 0)
		return -1;
	if (tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
	    tm.tm_min > 59 || tm.tm_sec > 60)
		return -1;
	return timegm(&tm);
}
