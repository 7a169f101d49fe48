#!/usr/bin/env python3
"""http_diff.py: send raw HTTP requests to several servers and compare.

usage: http_diff.py [--peers] [--subject NAME] [--only REGEX] [--jobs N]
                    REQUESTS NAME=PORT NAME=PORT [NAME=PORT...]

Every request of the REQUESTS file (its format is described at the top
of tests/httpd/requests) is sent on a fresh TCP connection to each
server, on 127.0.0.1:PORT.  What comes back is read until the server
closes or stays silent for 2 s, and split into responses with a parser
of our own: status line, header fields, then a body by Content-Length,
by chunked coding, or up to the close (none for HEAD, 1xx, 204, 304).
Each server's result is the list of its statuses in order, with a last
word when the bytes did not end in a whole response: "cut" (the
connection ended inside a response) or "raw" (bytes that are no status
line, such as an HTTP/0.9 answer); "none" when nothing came back.

The subject (httpd unless --subject says otherwise) is compared with
the other servers, its peers:
  - its number of final (non-1xx) responses must be one of the peers';
    otherwise the servers framed the bytes differently, which is how
    request smuggling starts, and the failure says "smuggling";
  - its list of statuses must equal one of the peers' lists;
  - for each response in order, where all peers agree on Content-Length,
    Content-Range, Allow (as a set of methods) or whether there is an
    ETag, the subject must agree too.  Content-Length is left out of
    4xx and 5xx responses (error pages differ) and of multipart ones
    (boundaries differ);
  - a 405 of its must carry Allow (RFC 9110 15.5.6; nginx's do not).
A line "pin NAME => STATUS[,STATUS...]" in the requests file makes the
request a known difference: the subject's statuses must then be exactly
those, and nothing else is compared.

With --peers there is no subject: every server is shown where they do
not all agree (status lists or the headers above), and the exit status
is 0 unless a server could not be reached.  DIFF_VERBOSE=1 in the
environment prints the head of every response.
"""

import concurrent.futures
import os
import re
import selectors
import socket
import sys
import time

SILENCE = 2.0       # seconds without a byte: the server is done
CAP = 20.0          # seconds in all for one connection, whatever comes

# --------------------------------------------------------------------------
# The requests file.


class FileError(Exception):
    pass


ESCAPES = {"r": b"\r", "n": b"\n", "t": b"\t", "0": b"\0", "\\": b"\\"}


def unescape(text, where):
    """A line of the requests file as bytes: \\r \\n \\t \\0 \\\\ \\xHH."""
    out = bytearray()
    i = 0
    raw = text.encode("latin-1")
    while i < len(raw):
        c = raw[i:i + 1]
        if c != b"\\":
            out += c
            i += 1
            continue
        e = raw[i + 1:i + 2].decode("latin-1")
        if e in ESCAPES:
            out += ESCAPES[e]
            i += 2
        elif e == "x" and re.fullmatch(rb"[0-9a-fA-F]{2}", raw[i + 2:i + 4]):
            out.append(int(raw[i + 2:i + 4], 16))
            i += 4
        else:
            raise FileError(f"{where}: bad escape \\{e}")
    return bytes(out)


class Request:
    def __init__(self, name, line):
        self.name = name
        self.line = line
        self.data = b""
        self.pin = None


def read_requests(path):
    """The requests of PATH, in order, with their pins."""
    reqs, pins, by_name = [], {}, {}
    cur = None
    with open(path, encoding="latin-1") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            where = f"{path}:{n}"
            if line.startswith("#") or line.strip() == "":
                continue
            if line.startswith("==="):
                m = re.fullmatch(r"=== (\S+)\s*", line)
                if not m:
                    raise FileError(f"{where}: want '=== NAME'")
                name = m.group(1)
                if name in by_name:
                    raise FileError(f"{where}: {name} again")
                cur = by_name[name] = Request(name, n)
                reqs.append(cur)
            elif line.startswith("pin "):
                m = re.fullmatch(r"pin (\S+) => (\S+)\s*", line)
                if not m:
                    raise FileError(f"{where}: want 'pin NAME => STATUSES'")
                pins[m.group(1)] = (m.group(2), where)
            elif line.startswith("@"):
                m = re.fullmatch(r"@repeat (\d+) (.+)", line)
                if not m or cur is None:
                    raise FileError(f"{where}: want '@repeat N TEXT' "
                                    "in a request")
                text = unescape(m.group(2), where)
                cur.data += b"".join(text.replace(b"{i}", str(i).encode())
                                     for i in range(int(m.group(1))))
            else:
                if cur is None:
                    raise FileError(f"{where}: text before the first ===")
                cur.data += unescape(line, where)
    for name, (statuses, where) in pins.items():
        if name not in by_name:
            raise FileError(f"{where}: pin for no request {name}")
        by_name[name].pin = statuses
    for r in reqs:
        if not r.data:
            raise FileError(f"{path}:{r.line}: {r.name} is empty")
    return reqs


# --------------------------------------------------------------------------
# Talking to a server.


def exchange(port, data):
    """Send DATA on a new connection; (bytes received, how it ended)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=SILENCE)
    s.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(s, selectors.EVENT_READ | selectors.EVENT_WRITE)
    got = bytearray()
    sent = 0
    start = last = time.monotonic()
    end = "silent"
    try:
        while True:
            now = time.monotonic()
            if now - last >= SILENCE:
                break
            if now - start >= CAP:
                end = "cap"
                break
            events = sel.select(min(SILENCE - (now - last), 0.5))
            for _, mask in events:
                if mask & selectors.EVENT_READ:
                    try:
                        chunk = s.recv(65536)
                    except ConnectionResetError:
                        return bytes(got), "reset"
                    except BlockingIOError:
                        chunk = None
                    if chunk == b"":
                        return bytes(got), "closed"
                    if chunk:
                        got += chunk
                        last = time.monotonic()
                if mask & selectors.EVENT_WRITE:
                    try:
                        sent += s.send(data[sent:sent + 65536])
                    except BlockingIOError:
                        pass
                    except (BrokenPipeError, ConnectionResetError):
                        sent = len(data)   # the server stopped listening
                    if sent >= len(data):
                        sel.modify(s, selectors.EVENT_READ)
                        last = time.monotonic()
        return bytes(got), end
    finally:
        sel.close()
        s.close()


def request_methods(data):
    """The methods of the requests in DATA, as well as a rough split can
    tell; a HEAD's response has no body, so the parser must know."""
    methods = []
    pos = 0
    while pos < len(data):
        while data[pos:pos + 2] == b"\r\n" or data[pos:pos + 1] == b"\n":
            pos += 2 if data[pos:pos + 1] == b"\r" else 1
        m = re.compile(rb"\r?\n\r?\n").search(data, pos)
        if not m:
            break
        head = data[pos:m.start()]
        methods.append(head.split(b" ", 1)[0])
        pos = m.end()
        fields = [ln.split(b":", 1) for ln in re.split(rb"\r?\n", head)[1:]
                  if b":" in ln]
        te = [v.strip().lower() for k, v in fields
              if k.strip().lower() == b"transfer-encoding"]
        cl = [v.strip() for k, v in fields
              if k.strip().lower() == b"content-length"]
        if te and te[-1].endswith(b"chunked"):
            while True:
                m = re.compile(rb"([0-9a-fA-F]+)[^\n]*\n").match(data, pos)
                if not m:
                    return methods
                size = int(m.group(1), 16)
                pos = m.end()
                if size == 0:
                    m = re.compile(rb"(?:[^\r\n][^\n]*\n)*\r?\n").match(
                        data, pos)
                    pos = m.end() if m else len(data)
                    break
                pos += size
                if pos >= len(data):
                    return methods
                pos += 2 if data[pos:pos + 2] == b"\r\n" else 0
        elif len(set(cl)) == 1 and cl[0].isdigit():
            pos += int(cl[0])
    return methods


class Response:
    def __init__(self, status, head, fields):
        self.status = status
        self.head = head
        self.fields = fields          # [(lower-case name, value)]

    def get(self, name):
        vals = [v for k, v in self.fields if k == name]
        return ", ".join(vals) if vals else None


def parse_responses(data, methods):
    """(responses, last word or None) of the bytes a server sent."""
    out = []
    pos = 0
    finals = 0
    while pos < len(data):
        if not data.startswith(b"HTTP/", pos):
            return out, "raw"
        m = re.compile(rb"\r?\n\r?\n").search(data, pos)
        if not m:
            return out, "cut"
        head = data[pos:m.start()]
        pos = m.end()
        lines = re.split(rb"\r?\n", head)
        sm = re.match(rb"HTTP/\d\.\d (\d{3})(?: |$)", lines[0])
        if not sm:
            return out, "raw"
        status = int(sm.group(1))
        fields = []
        for ln in lines[1:]:
            if b":" in ln:
                k, v = ln.split(b":", 1)
                fields.append((k.strip().lower().decode("latin-1"),
                               v.strip().decode("latin-1")))
        r = Response(status, head.decode("latin-1"), fields)
        out.append(r)
        if status < 200:
            continue
        method = methods[finals] if finals < len(methods) else b"GET"
        finals += 1
        if method == b"HEAD" or status in (204, 304):
            continue
        te = (r.get("transfer-encoding") or "").lower()
        cl = r.get("content-length")
        if te.endswith("chunked"):
            while True:
                cm = re.compile(rb"([0-9a-fA-F]+)[^\n]*\n").match(data, pos)
                if not cm:
                    return out, "cut"
                size = int(cm.group(1), 16)
                pos = cm.end()
                if size == 0:
                    tm = re.compile(rb"(?:[^\r\n][^\n]*\n)*\r?\n").match(
                        data, pos)
                    if not tm:
                        return out, "cut"
                    pos = tm.end()
                    break
                if pos + size + 2 > len(data):
                    return out, "cut"
                pos += size + 2
        elif cl is not None:
            if not cl.isdigit():
                return out, "raw"
            if pos + int(cl) > len(data):
                return out, "cut"
            pos += int(cl)
        else:
            pos = len(data)
    return out, None


class Result:
    """One server's answer to one request."""

    def __init__(self, responses, last, end, error=None):
        self.responses = responses
        self.last = last
        self.end = end
        self.error = error

    def statuses(self):
        words = [str(r.status) for r in self.responses]
        if self.last:
            words.append(self.last)
        if self.error:
            words.append("error")
        return ",".join(words) or "none"

    def finals(self):
        return sum(1 for r in self.responses if r.status >= 200)

    def finals_list(self):
        return [r for r in self.responses if r.status >= 200]

    def describe(self):
        parts = [self.statuses()]
        for r in self.responses:
            f = []
            for key, label in (("content-length", "cl"),
                               ("content-range", "cr"), ("allow", "allow")):
                v = r.get(key)
                if v is not None:
                    f.append(f"{label}={v}")
            if r.get("etag") is not None:
                f.append("etag")
            if r.get("location") is not None:
                f.append("loc=" + r.get("location"))
            parts.append(f"{r.status}{{{' '.join(f)}}}")
        if self.error:
            parts.append(f"({self.error})")
        else:
            parts.append(f"({self.end})")
        return " ".join(parts)


def fetch_etag(port, path):
    data = (f"HEAD {path} HTTP/1.1\r\nHost: localhost\r\n"
            "Connection: close\r\n\r\n").encode()
    got, _ = exchange(port, data)
    resps, _ = parse_responses(got, [b"HEAD"])
    tag = resps[0].get("etag") if resps else None
    return tag or '"no-etag"'


ETAG_RE = re.compile(rb"\{ETAG:([^}]*)\}")


def run_one(req, port):
    try:
        data = ETAG_RE.sub(
            lambda m: fetch_etag(port, m.group(1).decode()).encode(),
            req.data)
        got, end = exchange(port, data)
    except OSError as e:
        return Result([], None, "error", f"{type(e).__name__}: {e}")
    resps, last = parse_responses(got, request_methods(data))
    return Result(resps, last, end)


# --------------------------------------------------------------------------
# Comparing.


def allow_set(v):
    return None if v is None else ",".join(
        sorted({m.strip().upper() for m in v.split(",") if m.strip()}))


def header_views(r):
    """(label, value or None for 'not compared') of response R."""
    multipart = "multipart/byteranges" in (r.get("content-type") or "")
    cl = None if (r.status >= 400 or multipart) else \
        ("cl", r.get("content-length"))
    return [cl, ("cr", r.get("content-range")),
            ("allow", allow_set(r.get("allow"))),
            ("etag", r.get("etag") is not None)]


def header_agreement(results):
    """[(index, label, {server: value})] where all servers' views of
    response INDEX are comparable; INDEX counts final responses."""
    lists = {n: r.finals_list() for n, r in results.items()}
    depth = min(len(v) for v in lists.values())
    out = []
    for i in range(depth):
        views = {n: header_views(v[i]) for n, v in lists.items()}
        for k in range(4):
            vals = {n: v[k] for n, v in views.items()}
            if any(x is None for x in vals.values()):
                continue
            label = next(iter(vals.values()))[0]
            out.append((i, label, {n: x[1] for n, x in vals.items()}))
    return out


def fmt(v):
    if isinstance(v, bool):
        return "present" if v else "absent"
    return "-" if v is None else str(v)


def compare(req, results, subject):
    """(failures, notes) for one request."""
    peers = [n for n in results if n != subject]
    sub = results[subject]
    bad, notes = [], []
    if req.pin is not None:
        if sub.statuses() != req.pin:
            bad.append(f"statuses {sub.statuses()}, pinned {req.pin}")
        elif any(results[p].statuses() == req.pin for p in peers):
            notes.append("pinned, but a peer now answers the same")
        return bad, notes
    if sub.finals() not in {results[p].finals() for p in peers}:
        bad.append(f"smuggling: {sub.finals()} responses, peers "
                   + ", ".join(f"{p} {results[p].finals()}" for p in peers))
    if sub.statuses() not in {results[p].statuses() for p in peers}:
        bad.append(f"statuses {sub.statuses()}")
    subs = sub.finals_list()
    for i, label, vals in header_agreement(results):
        # Fields are compared only where every server gave the same
        # status: across different statuses the status check speaks.
        if any(results[p].finals_list()[i].status != subs[i].status
               for p in peers):
            continue
        # RFC 9110 15.5.6: a 405 MUST carry Allow, though nginx's lack it.
        if label == "allow" and subs[i].status == 405:
            continue
        pv = {vals[p] for p in peers}
        if len(pv) == 1 and vals[subject] not in pv:
            bad.append(f"response {i + 1} {label} {fmt(vals[subject])}, "
                       f"peers {fmt(next(iter(pv)))}")
    for i, r in enumerate(sub.finals_list()):
        if r.status == 405 and r.get("allow") is None:
            bad.append(f"response {i + 1}: 405 without Allow")
    return bad, notes


def peer_differences(results):
    diff = []
    if len({r.statuses() for r in results.values()}) > 1:
        diff.append("statuses")
    if len({r.finals() for r in results.values()}) > 1:
        diff.append("response count")
    finals = [r.finals_list() for r in results.values()]
    for i, label, vals in header_agreement(results):
        if len({f[i].status for f in finals}) > 1:
            continue        # the statuses differ already
        if len(set(vals.values())) > 1:
            diff.append(f"response {i + 1} {label}")
    return diff


def main(argv):
    args = list(argv)
    peers_only, subject, only, jobs = False, "httpd", None, 6
    while args and args[0].startswith("--"):
        a = args.pop(0)
        if a == "--peers":
            peers_only = True
        elif a == "--subject" and args:
            subject = args.pop(0)
        elif a == "--only" and args:
            only = re.compile(args.pop(0))
        elif a == "--jobs" and args:
            jobs = max(1, int(args.pop(0)))
        else:
            sys.exit(__doc__.split("\n\n")[1])
    if len(args) < 3:
        sys.exit(__doc__.split("\n\n")[1])
    servers = {}
    for a in args[1:]:
        name, _, port = a.partition("=")
        if not name or not port.isdigit():
            sys.exit(f"http_diff.py: want NAME=PORT, not {a}")
        servers[name] = int(port)
    if not peers_only and subject not in servers:
        sys.exit(f"http_diff.py: no server named {subject}")
    try:
        reqs = read_requests(args[0])
    except (FileError, OSError) as e:
        sys.exit(f"http_diff.py: {e}")
    if only:
        reqs = [r for r in reqs if only.search(r.name)]
    verbose = bool(os.environ.get("DIFF_VERBOSE"))

    def run_all(req):
        with concurrent.futures.ThreadPoolExecutor(len(servers)) as ex:
            futs = {n: ex.submit(run_one, req, p) for n, p in servers.items()}
            return {n: f.result() for n, f in futs.items()}

    failed, differ, unreachable = [], [], []
    with concurrent.futures.ThreadPoolExecutor(jobs) as ex:
        for req, results in zip(reqs, ex.map(run_all, reqs)):
            for n, r in results.items():
                if r.error and "Refused" in r.error:
                    unreachable.append(n)
            pd = peer_differences(
                {n: r for n, r in results.items()
                 if peers_only or n != subject})
            if pd:
                differ.append(req.name)
            show = verbose
            if peers_only:
                if pd:
                    print(f"differ {req.name}: {', '.join(pd)}")
                    show = True
                else:
                    first = next(iter(results.values()))
                    print(f"ok {req.name}: {first.statuses()}")
            else:
                bad, notes = compare(req, results, subject)
                if bad:
                    failed.append(req.name)
                    print(f"FAIL {req.name}: {'; '.join(bad)}")
                    show = True
                else:
                    extra = [f"peers differ: {', '.join(pd)}"] if pd else []
                    extra += notes
                    print(f"ok {req.name}: {results[subject].statuses()}"
                          + (f" ({'; '.join(extra)})" if extra else ""))
            if show:
                for n, r in results.items():
                    print(f"    {n}: {r.describe()}")
                    if verbose:
                        for resp in r.responses:
                            for ln in resp.head.split("\n"):
                                print(f"      | {ln.rstrip()}")
    print(f"{len(reqs)} requests; the peers differ on {len(differ)}"
          + ("" if peers_only else f"; {len(failed)} failed"))
    if unreachable:
        print("FAIL could not connect to: "
              + ", ".join(sorted(set(unreachable))))
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
