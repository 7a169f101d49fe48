#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpc_policy.h"

#define POL_WORD	64
#define POL_TAGMAX	32

struct pol_rule {
	char		 method[POL_WORD];
	char		 caller[POL_WORD];
	bool		 allow;
	int		 line;
};

struct pol_tag {
	char		 name[POL_WORD];
	char		*members;	/* " a b 7 " */
};

struct rpc_policy {
	struct pol_rule	*rules;
	size_t		 nrules;
	struct pol_tag	 tags[POL_TAGMAX];
	size_t		 ntags;
	bool		 broken;
};

void
rpc_policy_free(struct rpc_policy *p)
{
	size_t	 i;

	if (p == NULL)
		return;
	for (i = 0; i < p->ntags; i++)
		free(p->tags[i].members);
	free(p->rules);
	free(p);
}

bool
rpc_policy_broken(const struct rpc_policy *p)
{
	return p->broken;
}

static int
add_tag(struct rpc_policy *p, char *name, char *rest)
{
	struct pol_tag	*t;
	char		*w, *save = NULL;
	size_t		 len = 2;

	if (p->ntags == POL_TAGMAX || strlen(name) >= POL_WORD)
		return -1;
	t = &p->tags[p->ntags];
	if ((t->members = calloc(1, strlen(rest) + 3)) == NULL)
		return -1;
	strcpy(t->name, name);
	t->members[0] = ' ';
	for (w = strtok_r(rest, " \t", &save); w != NULL;
	    w = strtok_r(NULL, " \t", &save)) {
		len += (size_t)sprintf(t->members + len - 1, "%s ", w);
	}
	p->ntags++;
	return 0;
}

static bool
valid_caller(const char *c)
{
	return strcmp(c, "@any") == 0 || strncmp(c, "@tag:", 5) == 0 ||
	    c[0] != '@';
}

/* One line: 0, or -1 with why. */
static int
parse_line(struct rpc_policy *p, char *s, int line, const char **why)
{
	char		*w[4], *save = NULL;
	struct pol_rule	*r;
	int		 n = 0;

	if ((w[0] = strtok_r(s, " \t", &save)) == NULL || w[0][0] == '#')
		return 0;
	if (strcmp(w[0], "tag") == 0) {
		if ((w[1] = strtok_r(NULL, " \t", &save)) == NULL) {
			*why = "tag without a name";
			return -1;
		}
		return add_tag(p, w[1], save != NULL ? save : (char *)"") ?
		    (*why = "too many tags or a long name", -1) : 0;
	}
	for (n = 1; n < 4 && (w[n] = strtok_r(NULL, " \t", &save)) != NULL;
	    n++)
		;
	if (n != 3 || (w[3] = strtok_r(NULL, " \t", &save)) != NULL) {
		*why = "want: METHOD CALLER allow|deny";
		return -1;
	}
	if (strcmp(w[2], "allow") != 0 && strcmp(w[2], "deny") != 0) {
		*why = "the action is allow or deny";
		return -1;
	}
	if (strlen(w[0]) >= POL_WORD || strlen(w[1]) >= POL_WORD ||
	    !valid_caller(w[1])) {
		*why = "bad method or caller";
		return -1;
	}
	if ((r = reallocarray(p->rules, p->nrules + 1, sizeof(*r))) == NULL) {
		*why = strerror(ENOMEM);
		return -1;
	}
	p->rules = r;
	r = &p->rules[p->nrules++];
	strcpy(r->method, w[0]);
	strcpy(r->caller, w[1]);
	r->allow = w[2][0] == 'a';
	r->line = line;
	return 0;
}

struct rpc_policy *
rpc_policy_parse(const char *text, const char *name, char *err,
    size_t errlen)
{
	struct rpc_policy	*p;
	const char		*why = NULL;
	char			*copy, *l, *save = NULL;
	int			 line = 0;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	if ((copy = strdup(text)) == NULL) {
		free(p);
		return NULL;
	}
	err[0] = '\0';
	/* strtok_r would skip empty lines and lose the count: split here. */
	for (l = copy; l != NULL && why == NULL; l = save) {
		line++;
		if ((save = strchr(l, '\n')) != NULL)
			*save++ = '\0';
		if (parse_line(p, l, line, &why) != 0)
			snprintf(err, errlen, "%s:%d: %s", name, line, why);
	}
	free(copy);
	p->broken = why != NULL;
	return p;
}

struct rpc_policy *
rpc_policy_load(const char *path, char *err, size_t errlen)
{
	struct rpc_policy	*p;
	FILE			*f;
	char			*text = NULL;
	size_t			 len = 0;

	if ((f = fopen(path, "re")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if ((p = calloc(1, sizeof(*p))) != NULL)
			p->broken = true;
		return p;
	}
	if (getdelim(&text, &len, '\0', f) == -1) {
		free(text);
		text = strdup("");
	}
	fclose(f);
	p = text != NULL ? rpc_policy_parse(text, path, err, errlen) : NULL;
	free(text);
	return p;
}

static bool
method_matches(const char *pat, const char *method)
{
	size_t	 n = strlen(pat);

	if (strcmp(pat, "*") == 0)
		return true;
	if (n >= 2 && strcmp(pat + n - 2, ".*") == 0)
		return strncmp(pat, method, n - 1) == 0;
	return strcmp(pat, method) == 0;
}

static bool
is_member(const char *members, const char *word)
{
	char	 w[POL_WORD + 2];

	snprintf(w, sizeof(w), " %s ", word);
	return strstr(members, w) != NULL;
}

static bool
caller_matches(const struct rpc_policy *p, const char *pat, unsigned domid,
    const char *name)
{
	char	 id[16];
	size_t	 i;

	snprintf(id, sizeof(id), "%u", domid);
	if (strcmp(pat, "@any") == 0)
		return true;
	if (strcmp(pat, "dom0") == 0)
		return domid == 0;
	if (strncmp(pat, "@tag:", 5) == 0) {
		for (i = 0; i < p->ntags; i++)
			if (strcmp(p->tags[i].name, pat + 5) == 0)
				return is_member(p->tags[i].members, id) ||
				    (name != NULL &&
				    is_member(p->tags[i].members, name));
		return false;
	}
	return strcmp(pat, id) == 0 || (name != NULL && strcmp(pat, name) == 0);
}

bool
rpc_policy_allows(const struct rpc_policy *p, const char *method,
    unsigned domid, const char *name, int *line)
{
	size_t	 i;

	*line = 0;
	if (p == NULL || p->broken)
		return false;
	for (i = 0; i < p->nrules; i++)
		if (method_matches(p->rules[i].method, method) &&
		    caller_matches(p, p->rules[i].caller, domid, name)) {
			*line = p->rules[i].line;
			return p->rules[i].allow;
		}
	return false;
}
