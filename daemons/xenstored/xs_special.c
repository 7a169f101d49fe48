#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xs_special.h"

static const char *const names[XS_NSPECIAL] = {
	[XS_SPECIAL_INTRODUCE] = "@introduceDomain",
	[XS_SPECIAL_RELEASE] = "@releaseDomain",
};

int
xs_specials_init(struct xs_specials *s)
{
	static const struct xs_perm	 dom0_only = { 0, XS_PERM_NONE };
	int				 i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < XS_NSPECIAL; i++) {
		s->v[i].name = names[i];
		if (xs_special_set(&s->v[i], &dom0_only, 1) != 0) {
			xs_specials_fini(s);
			return ENOMEM;
		}
	}
	return 0;
}

void
xs_specials_fini(struct xs_specials *s)
{
	int	 i;

	for (i = 0; i < XS_NSPECIAL; i++) {
		free(s->v[i].perms);
		s->v[i].perms = NULL;
		s->v[i].nperms = 0;
	}
}

struct xs_special *
xs_special_find(struct xs_specials *s, const char *name)
{
	int	 i;

	for (i = 0; i < XS_NSPECIAL; i++)
		if (strcmp(name, names[i]) == 0)
			return &s->v[i];
	return NULL;
}

int
xs_special_set(struct xs_special *sp, const struct xs_perm *p, uint32_t n)
{
	struct xs_perm	*copy;

	if (n == 0 || (copy = reallocarray(NULL, n, sizeof(*p))) == NULL)
		return ENOMEM;
	memcpy(copy, p, n * sizeof(*p));
	free(sp->perms);
	sp->perms = copy;
	sp->nperms = n;
	return 0;
}
