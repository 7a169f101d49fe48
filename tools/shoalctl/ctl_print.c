#include <stdlib.h>
#include <string.h>

#include "ctl.h"

static void
scalar(FILE *f, const json_t *v)
{
	char	*s;

	if (json_is_string(v))
		fputs(json_string_value(v), f);
	else if ((s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY)) != NULL) {
		fputs(s, f);
		free(s);
	}
}

/* An object on one line: "k=v k=v", nested values as compact JSON. */
static void
row(FILE *f, const json_t *o)
{
	const char	*key;
	const json_t	*v;
	int		 first = 1;

	json_object_foreach((json_t *)o, key, v) {
		fprintf(f, "%s%s=", first ? "" : " ", key);
		scalar(f, v);
		first = 0;
	}
	fputc('\n', f);
}

/*
 * For people: an array of strings is printed a line each (console.tail),
 * an array of objects an object a line (console.list), other keys as
 * "key: value", nested values as compact JSON.
 */
void
ctl_print_result(FILE *f, const json_t *r, int json)
{
	const char	*key;
	const json_t	*v, *x;
	size_t		 i;

	if (json) {
		json_dumpf(r, f, JSON_INDENT(2) | JSON_ENCODE_ANY);
		fputc('\n', f);
		return;
	}
	json_object_foreach((json_t *)r, key, v) {
		if (json_is_array(v) && (json_array_size(v) == 0 ||
		    json_is_string(json_array_get(v, 0)))) {
			json_array_foreach(v, i, x) {
				scalar(f, x);
				fputc('\n', f);
			}
			continue;
		}
		if (json_is_array(v) && json_is_object(json_array_get(v, 0))) {
			json_array_foreach(v, i, x)
				row(f, x);
			continue;
		}
		fprintf(f, "%s: ", key);
		scalar(f, v);
		fputc('\n', f);
	}
}

/* Stream events: raw text as it comes, or one JSON object a line. */
void
ctl_print_event(FILE *f, const json_t *d, int json)
{
	const json_t	*text = json_object_get(d, "data");

	if (!json && json_is_string(text) && json_object_size(d) == 1)
		fputs(json_string_value(text), f);
	else {
		json_dumpf(d, f, JSON_COMPACT | JSON_ENCODE_ANY);
		fputc('\n', f);
	}
	fflush(f);
}
