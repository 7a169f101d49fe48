/*
 * sitegen: Shoal's website, made at build time from README.md and
 * docs/ (every .md there) with cmark-gfm (CommonMark and GitHub's
 * tables, as the documents are written: Debian's libcmark-gfm; plain
 * libcmark would show the tables as text).
 *
 *	sitegen TEMPLATE OUTDIR FILE.md...
 *
 * Each FILE.md becomes OUTDIR/NAME.html (README.md becomes index.html)
 * through TEMPLATE, where {{title}} is the page's first level-1 heading,
 * {{nav}} a list of links to every page and {{body}} the page itself.
 * Links to other .md files among the pages are rewritten to their .html
 * names, so the documents link to each other on the site as in the
 * repository.  Raw HTML in the Markdown is not passed through (cmark's
 * safe default): the site carries only what the template and cmark
 * write.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>

struct page {
	const char	*src;
	char		 name[256];	/* "index.html", "httpd.html" */
	char		 title[256];
	cmark_node	*doc;
	cmark_parser	*parser;	/* kept: its extensions render tables */
};

static char *
slurp(const char *path, size_t *len)
{
	FILE	*f = fopen(path, "rb");
	char	*buf = NULL;
	long	 n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || (buf = malloc((size_t)n + 1)) == NULL ||
	    fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "sitegen: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	fclose(f);
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

/* "docs/httpd.md" -> "httpd.html"; "README.md" -> "index.html". */
static void
html_name(const char *md, char *out, size_t len)
{
	char		 copy[512];
	const char	*base;
	size_t		 n;

	snprintf(copy, sizeof(copy), "%s", md);
	base = basename(copy);
	if (strcmp(base, "README.md") == 0) {
		snprintf(out, len, "index.html");
		return;
	}
	n = strlen(base);
	if (n > 3 && strcmp(base + n - 3, ".md") == 0)
		n -= 3;
	snprintf(out, len, "%.*s.html", (int)n, base);
}

/* The text of a node's inline children, for the title. */
static void
text_of(cmark_node *n, char *out, size_t len)
{
	cmark_node	*c;
	size_t		 o = strlen(out);
	const char	*lit;

	for (c = cmark_node_first_child(n); c != NULL; c = cmark_node_next(c)) {
		if ((lit = cmark_node_get_literal(c)) != NULL)
			o += (size_t)snprintf(out + o, o < len ? len - o : 0,
			    "%s", lit);
		else
			text_of(c, out, len);
		o = strlen(out);
	}
}

/* Links to "x.md" or "docs/x.md#part" become "x.html#part". */
static void
rewrite_links(cmark_node *doc)
{
	cmark_iter	*it = cmark_iter_new(doc);
	cmark_node	*n;
	const char	*url, *hash;
	char		 md[512], html[600];
	size_t		 k;

	while (cmark_iter_next(it) != CMARK_EVENT_DONE) {
		n = cmark_iter_get_node(it);
		if (cmark_node_get_type(n) != CMARK_NODE_LINK ||
		    (url = cmark_node_get_url(n)) == NULL ||
		    strstr(url, "://") != NULL)
			continue;
		hash = strchr(url, '#');
		k = hash != NULL ? (size_t)(hash - url) : strlen(url);
		if (k < 3 || k >= sizeof(md) || strncmp(url + k - 3, ".md", 3))
			continue;
		snprintf(md, sizeof(md), "%.*s", (int)k, url);
		html_name(md, html, 512);
		strncat(html, hash != NULL ? hash : "", sizeof(html) -
		    strlen(html) - 1);
		cmark_node_set_url(n, html);
	}
	cmark_iter_free(it);
}

static void
load(struct page *p)
{
	cmark_iter	*it;
	cmark_node	*n;
	size_t		 len;
	char		*text = slurp(p->src, &len);

	cmark_syntax_extension	*table = cmark_find_syntax_extension("table");

	if ((p->parser = cmark_parser_new(CMARK_OPT_DEFAULT)) == NULL ||
	    table == NULL ||
	    cmark_parser_attach_syntax_extension(p->parser, table) == 0) {
		fprintf(stderr, "sitegen: no cmark-gfm table extension\n");
		exit(1);
	}
	cmark_parser_feed(p->parser, text, len);
	p->doc = cmark_parser_finish(p->parser);
	free(text);
	html_name(p->src, p->name, sizeof(p->name));
	it = cmark_iter_new(p->doc);
	while (p->title[0] == '\0' && cmark_iter_next(it) != CMARK_EVENT_DONE) {
		n = cmark_iter_get_node(it);
		if (cmark_node_get_type(n) == CMARK_NODE_HEADING &&
		    cmark_node_get_heading_level(n) == 1)
			text_of(n, p->title, sizeof(p->title));
	}
	cmark_iter_free(it);
	if (p->title[0] == '\0')
		snprintf(p->title, sizeof(p->title), "%s", p->name);
	rewrite_links(p->doc);
}

/* Text with &, <, > and " escaped, for the title and the nav. */
static void
put_escaped(FILE *f, const char *s)
{
	for (; *s != '\0'; s++)
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
}

static void
write_page(const char *tmpl, const char *outdir, struct page *pages,
    size_t np, struct page *p)
{
	char		 path[1024], *body;
	const char	*t = tmpl, *m;
	FILE		*f;
	size_t		 i;

	snprintf(path, sizeof(path), "%s/%s", outdir, p->name);
	if ((f = fopen(path, "w")) == NULL) {
		fprintf(stderr, "sitegen: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	body = cmark_render_html(p->doc, CMARK_OPT_DEFAULT,
	    cmark_parser_get_syntax_extensions(p->parser));
	while ((m = strstr(t, "{{")) != NULL) {
		fwrite(t, 1, (size_t)(m - t), f);
		if (strncmp(m, "{{title}}", 9) == 0) {
			put_escaped(f, p->title);
			t = m + 9;
		} else if (strncmp(m, "{{body}}", 8) == 0) {
			fputs(body, f);
			t = m + 8;
		} else if (strncmp(m, "{{nav}}", 7) == 0) {
			for (i = 0; i < np; i++) {
				fprintf(f, "<li%s><a href=\"%s\">", &pages[i] == p ?
				    " class=\"here\"" : "", pages[i].name);
				put_escaped(f, pages[i].title);
				fputs("</a></li>\n", f);
			}
			t = m + 7;
		} else {
			fputs("{{", f);
			t = m + 2;
		}
	}
	fputs(t, f);
	free(body);
	if (fclose(f) != 0) {
		fprintf(stderr, "sitegen: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

int
main(int argc, char **argv)
{
	struct page	*pages;
	char		*tmpl;
	size_t		 len, np, i;

	if (argc < 4) {
		fprintf(stderr, "usage: sitegen TEMPLATE OUTDIR FILE.md...\n");
		return 2;
	}
	cmark_gfm_core_extensions_ensure_registered();
	tmpl = slurp(argv[1], &len);
	np = (size_t)argc - 3;
	if ((pages = calloc(np, sizeof(*pages))) == NULL)
		return 1;
	for (i = 0; i < np; i++) {
		pages[i].src = argv[i + 3];
		load(&pages[i]);
	}
	for (i = 0; i < np; i++)
		write_page(tmpl, argv[2], pages, np, &pages[i]);
	for (i = 0; i < np; i++) {
		cmark_node_free(pages[i].doc);
		cmark_parser_free(pages[i].parser);
	}
	free(pages);
	free(tmpl);
	return 0;
}
