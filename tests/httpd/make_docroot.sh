#!/usr/bin/env bash
# tests/httpd/make_docroot.sh DIR: lay out the document root that httpd's
# differential test serves from nginx, lighttpd and httpd alike.  The
# content is the same on every run (no randomness, no clock), and every
# file and folder gets one fixed mtime, so Last-Modified (and the dates
# in the requests file) match on every server:
#   index.html  text.txt  style.css  empty.txt (0 bytes)  "a b.txt"
#   1k.bin (1024 bytes)  100k.bin (102400 bytes)
#   sub/index.html  sub/page.html  noindex/x.txt (no index in noindex/)
#   escape -> /etc  passwd-link -> /etc/passwd  (links out of the root:
#   httpd must refuse them; nginx and lighttpd follow them)
# DIR is created if missing; files already in it are overwritten.
set -euo pipefail

dir=${1:?usage: make_docroot.sh DIR}
mtime='2026-01-01 00:00:00 UTC'

mkdir -p "$dir/sub" "$dir/noindex"

# pattern N: N bytes of a fixed 64-character cycle, a newline every 64.
pattern() {
	awk -v n="$1" 'BEGIN {
		s = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-"
		for (i = 0; i < n; i++)
			printf "%s", (i % 64 == 63) ? "\n" : substr(s, i % 63 + 1, 1)
	}'
}

cat >"$dir/index.html" <<'EOF'
<!DOCTYPE html>
<html><head><title>shoal test root</title></head>
<body><p>The index of the differential test's document root.</p></body>
</html>
EOF
cat >"$dir/sub/index.html" <<'EOF'
<!DOCTYPE html>
<html><head><title>sub</title></head><body><p>sub/ index</p></body></html>
EOF
cat >"$dir/sub/page.html" <<'EOF'
<!DOCTYPE html>
<html><head><title>page</title></head><body><p>a page in sub/</p></body></html>
EOF
printf 'plain text, two lines\nsecond line\n' >"$dir/text.txt"
printf 'body { color: black; background: white; }\n' >"$dir/style.css"
printf 'a file whose name has a space\n' >"$dir/a b.txt"
printf 'a file in a folder without an index\n' >"$dir/noindex/x.txt"
: >"$dir/empty.txt"
pattern 1024 >"$dir/1k.bin"
pattern 102400 >"$dir/100k.bin"
ln -sfn /etc "$dir/escape"
ln -sfn /etc/passwd "$dir/passwd-link"

# -h: the links themselves, never what they point to (/etc).
find "$dir" -exec touch -h -d "$mtime" {} +

if [ "$(wc -c <"$dir/1k.bin")" -ne 1024 ] ||
    [ "$(wc -c <"$dir/100k.bin")" -ne 102400 ]; then
	echo "make_docroot.sh: wrong file sizes" >&2
	exit 1
fi
