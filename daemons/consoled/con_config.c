#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "con_config.h"

#define MAXB	(64 * 1024 * 1024)

static const struct config_field schema[] = {
	CONFIG_STRING("log-dir", false, struct con_config, log_dir),
	CONFIG_BOOL("timestamps", false, struct con_config, timestamps),
	CONFIG_BOOL("pty", false, struct con_config, pty),
	CONFIG_INT("rate", false, struct con_config, rate, 0, 0x7fffffff),
	CONFIG_INT("burst", false, struct con_config, burst, 1, 0x7fffffff),
	CONFIG_INT("buffer", false, struct con_config, buffer, 0, MAXB),
	CONFIG_INT("history", false, struct con_config, history, 0, MAXB),
	CONFIG_INT("pty-buffer", false, struct con_config, pty_buffer, 0,
	    MAXB),
	CONFIG_INT("events", false, struct con_config, events, 1, 1000000),
	CONFIG_INT("tick-ms", false, struct con_config, tick_ms, 1, 10000),
	CONFIG_OBJECT("rpc", false, struct con_config, rpc, rpc_limits_schema),
	CONFIG_END
};

static int
defaults(struct con_config *c)
{
	memset(c, 0, sizeof(*c));
	c->pty = true;
	c->rate = 65536;
	c->burst = 262144;
	c->buffer = 65536;
	c->history = 65536;
	c->pty_buffer = 16384;
	c->events = 1000;
	c->tick_ms = 50;
	return (c->log_dir = strdup(CON_DEFAULT_LOGDIR)) == NULL ? -1 : 0;
}

int
con_config_load(const char *path, struct con_config *c, char *err,
    size_t errlen)
{
	if (defaults(c) == -1) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (path == NULL)
		return 0;
	return config_load_file(path, schema, c, err, errlen);
}

void
con_config_free(struct con_config *c)
{
	config_free(schema, c);
}

int
con_config_set_logdir(struct con_config *c, const char *dir)
{
	char *p;

	if ((p = strdup(dir)) == NULL)
		return -1;
	free(c->log_dir);
	c->log_dir = p;
	return 0;
}
