#!/usr/bin/env python3
"""What a browser rendered, checked (it_site.sh):

  page_check.py status DOM NAME...   DOM is Chromium's --dump-dom of
      /status: its title is "Status · Shoal", and its table of domains
      has a row for each NAME (the name in the row's second cell).
  page_check.py png FILE...          each FILE is a PNG at least 800x600
      whose pixels are not all one colour (a page, not a blank).
"""
import html.parser
import struct
import sys
import zlib


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.title, self.rows = "", []
        self._in_title = self._in_domains = False
        self._row, self._cell = None, None

    def handle_starttag(self, tag, attrs):
        if tag == "title":
            self._in_title = True
        elif tag == "table" and ("id", "domains") in attrs:
            self._in_domains = True
        elif self._in_domains and tag == "tr":
            self._row = []
        elif self._row is not None and tag == "td":
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        elif tag == "table":
            self._in_domains = False
        elif tag == "tr" and self._row is not None:
            if self._row:
                self.rows.append(self._row)
            self._row = None
        elif tag == "td" and self._cell is not None:
            self._row.append(self._cell.strip())
            self._cell = None

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        if self._cell is not None:
            self._cell += data


def check_status(dom, names):
    p = Page()
    with open(dom, encoding="utf-8") as f:
        p.feed(f.read())
    if p.title != "Status · Shoal":
        sys.exit(f"title is {p.title!r}")
    shown = [r[1] for r in p.rows if len(r) > 1]
    missing = [n for n in names if n not in shown]
    if missing:
        sys.exit(f"no row for {missing} in the domains table ({shown})")
    print(f"title {p.title!r}; domains table: {shown}")


def check_png(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit(f"{path}: not a PNG")
    w, h = struct.unpack(">II", data[16:24])
    if w < 800 or h < 600:
        sys.exit(f"{path}: {w}x{h}, too small")
    idat, i = b"", 8
    while i < len(data):
        n, kind = struct.unpack(">I4s", data[i:i + 8])
        if kind == b"IDAT":
            idat += data[i + 8:i + 8 + n]
        i += 12 + n
    colours = len(set(zlib.decompress(idat)))
    if colours < 16:
        sys.exit(f"{path}: {w}x{h} but nearly blank ({colours} byte values)")
    print(f"{path}: {w}x{h}, {colours} distinct byte values")


def main():
    if sys.argv[1] == "status":
        check_status(sys.argv[2], sys.argv[3:])
    elif sys.argv[1] == "png":
        for p in sys.argv[2:]:
            check_png(p)
    else:
        sys.exit(f"page_check.py: unknown check {sys.argv[1]}")


if __name__ == "__main__":
    main()
