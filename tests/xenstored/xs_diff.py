#!/usr/bin/env python3
"""Differential test: Shoal's xenstored against Xen 4.17's C xenstored.

Both daemons run side by side, each under its own xensim with the same
guest domains, and this script sends both the same requests in lock
step over the raw wire protocol (struct xsd_sockmsg): as dom0 over each
daemon's socket, and as guest domains over each xensim's per-domain
xenbus relay socket (RUNDIR/xenbus.N), which makes the daemon see that
domain's id.  Replies and watch events are normalised where the
protocol leaves a choice (transaction ids, DIRECTORY order, the
DIRECTORY_PART generation) and compared; C is the oracle.

A difference is tolerated only if KNOWN below lists it, with the section
of docs/xenstored.md that explains it; a tolerated difference ends its
sequence (the stores may have diverged).  Any other difference is
reported with the seed, the sequence, a shrunk list of requests that
still shows it, and both replies, and the exit status is 1.

  xs_diff.py --shoal RUNDIR --c RUNDIR [--guests 1,2] [--seed N]
             [--sequences N] [--length N] [--time SECONDS]
"""
import argparse
import os
import random
import socket
import struct
import sys
import time

# enum xsd_sockmsg_type, xen/io/xs_wire.h
CONTROL, DIRECTORY, READ, GET_PERMS, WATCH, UNWATCH, TXN_START, TXN_END, \
    INTRODUCE, RELEASE, GET_DOMAIN_PATH, WRITE, MKDIR, RM, SET_PERMS, \
    WATCH_EVENT, ERROR, IS_DOMAIN_INTRODUCED, RESUME, SET_TARGET = range(20)
RESET_WATCHES, DIRECTORY_PART = 21, 22
NAMES = {v: k for k, v in dict(
    CONTROL=0, DIRECTORY=1, READ=2, GET_PERMS=3, WATCH=4, UNWATCH=5,
    TXN_START=6, TXN_END=7, INTRODUCE=8, RELEASE=9, GET_DOMAIN_PATH=10,
    WRITE=11, MKDIR=12, RM=13, SET_PERMS=14, WATCH_EVENT=15, ERROR=16,
    IS_DOMAIN_INTRODUCED=17, RESUME=18, SET_TARGET=19, RESET_WATCHES=21,
    DIRECTORY_PART=22).items()}
HDR = struct.Struct("<IIII")
SIDES = ("shoal", "c")


def tname(t):
    return NAMES.get(t, "TYPE%d" % t)


class Mismatch(Exception):
    """A difference between the daemons; known names a KNOWN entry."""

    def __init__(self, what, shoal, c, known=None):
        super().__init__(what)
        self.what, self.shoal, self.c, self.known = what, shoal, c, known


class Conn:
    """One client connection to one daemon (a socket or a guest relay)."""
    last = []	# the last requests sent, for a daemon that died

    def __init__(self, path, timeout):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.buf = b""
        self.events = []
        self.req_id = 0

    def _recv(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("%s closed" % self.path)
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def request(self, typ, tx, payload):
        """Send one request; return (type, tx_id, payload) of its reply,
        keeping the watch events that came before it."""
        try:
            return self._request(typ, tx, payload)
        except OSError as e:
            raise ConnectionError("%s: %s after %s %r" % (
                self.path, e, tname(typ), payload[:60])) from e

    def _request(self, typ, tx, payload):
        self.req_id += 1
        Conn.last.append((self.path, typ, tx, payload[:80]))
        del Conn.last[:-8]
        self.sock.sendall(HDR.pack(typ, self.req_id, tx, len(payload)) +
                          payload)
        while True:
            rtype, rid, rtx, rlen = HDR.unpack(self._recv(HDR.size))
            body = self._recv(rlen)
            if rtype == WATCH_EVENT:
                self.events.append(body)
                continue
            if rid != self.req_id:
                raise ConnectionError("%s: reply to request %d, expected %d"
                                      % (self.path, rid, self.req_id))
            return rtype, rtx, body

    def close(self):
        self.sock.close()


# ---------------------------------------------------------------- requests

# Paths: a small alphabet so that sequences collide, plus odd ones.
NAMES_A = ["h", "h/a", "h/b", "h/a/b", "h/a/c", "h/b/a", "h/a/b/c"]
ODD = [b"", b"/", b"/h/a/", b"//h", b"/h//a", b"h/", b"/h/a b", b"/h/./a",
       b"/h/..", b"/h/" + b"x" * 2100, b"/h/" + b"y/" * 1600 + b"z",
       b"h/" + b"q" * 2060, b"@introduceDomain", b"@releaseDomain",
       b"@other", b"/h/@a", b"/h/a-_B9", b"/h/a\xff", b"/local",
       b"/local/domain", b"/tool", b"/tool/xenstored", b"data",
       b"/local/domain/1", b"/local/domain/2/data"]
VALUES = [b"", b"v", b"w", b"init", b"a\0b", b"x" * 2040, b"y" * 2100,
          b"z" * 4000]
PERM_LISTS = [[b"n0"], [b"r0"], [b"n1"], [b"r1"], [b"w2"], [b"b1"],
              [b"n0", b"r1"], [b"n0", b"r1", b"w2"], [b"n1", b"r2"],
              [b"n2", b"b1"], [b"r1", b"n2"], [b"n0", b"r5"],
              [b"n0", b"r99"], [b"x1"], [b"n"], [b"r-1"], [b"n1", b"n1"],
              [], [b"n0"] + [b"r1"] * 6, [b"n1", b"w1x"]]
GUEST_DIRS = {1: b"/local/domain/1", 2: b"/local/domain/2"}


def gen_path(rnd):
    r = rnd.random()
    if r < 0.45:
        return b"/" + rnd.choice(NAMES_A).encode()
    if r < 0.6:
        return rnd.choice(NAMES_A).encode()		# relative
    if r < 0.8:
        d = rnd.choice([1, 2])
        tail = rnd.choice(["data", "data/a", "data/b", "data/a/b"])
        return GUEST_DIRS[d] + b"/" + tail.encode()
    if r < 0.88:
        return rnd.choice([b"data/a", b"data/b", b"data/a/b"])
    return rnd.choice(ODD)


def gen_step(rnd, conns):
    """One request as data: (conn, type, txref, payload).  txref is
    resolved when run: None (no transaction), ("open", k), ("stale",),
    ("bogus",) or ("foreign",)."""
    conn = rnd.choice(conns)
    r = rnd.random()
    txref = None
    if r < 0.45:
        txref = ("open", rnd.randrange(4))
    elif r < 0.48:
        # Another connection's id is no test: C numbers transactions
        # per connection, so it may be live here too.
        txref = rnd.choice([("stale",), ("bogus",)])
    p = gen_path(rnd)
    ops = [(READ, 14), (WRITE, 18), (MKDIR, 5), (RM, 9), (DIRECTORY, 6),
           (DIRECTORY_PART, 3), (GET_PERMS, 5), (SET_PERMS, 7), (WATCH, 4),
           (UNWATCH, 2), (TXN_START, 6), (TXN_END, 8), (GET_DOMAIN_PATH, 1),
           (IS_DOMAIN_INTRODUCED, 1), (RESET_WATCHES, 0.3), (RELEASE, 0.3),
           (RESUME, 0.3), (SET_TARGET, 0.3), (CONTROL, 0.2), (99, 0.2),
           (WATCH_EVENT, 0.1), (ERROR, 0.1), (20, 0.1), (INTRODUCE, 0.2)]
    typ = rnd.choices([o for o, _ in ops], [w for _, w in ops])[0]
    if typ == SET_PERMS and p.startswith(b"@"):
        p = b"/h/a"	# C 4.17 aborts on SET_PERMS of @ names
    if typ == WRITE:
        payload = p + b"\0" + rnd.choice(VALUES)
    elif typ == SET_PERMS:
        payload = p + b"\0" + b"".join(x + b"\0"
                                       for x in rnd.choice(PERM_LISTS))
    elif typ in (WATCH, UNWATCH):
        payload = p + b"\0" + rnd.choice([b"t1", b"t2"]) + b"\0"
    elif typ == TXN_START:
        payload = b"\0"
        if txref is not None and txref[0] == "open":
            txref = None	# mostly a real start
    elif typ == TXN_END:
        payload = rnd.choices([b"T\0", b"F\0", b"X\0", b"T"], [8, 4, 1, 1])[0]
        if txref is None:
            txref = ("open", rnd.randrange(4))
    elif typ == DIRECTORY_PART:
        payload = p + b"\0" + rnd.choice([b"0", b"0", b"999", b"x"]) + b"\0"
    elif typ in (GET_DOMAIN_PATH, IS_DOMAIN_INTRODUCED, RESUME):
        payload = rnd.choice([b"0", b"1", b"2", b"99", b"x", b""]) + b"\0"
    elif typ == RELEASE:	# not the guests: that would end their rings
        payload = rnd.choice([b"99", b"x", b""]) + b"\0"
    elif typ == SET_TARGET:
        payload = rnd.choice([b"99\0001\0", b"1\0", b"x\0y\0", b"1\00099\0"])
    elif typ == INTRODUCE:
        payload = rnd.choice([b"99\0", b"x\0y\0z\0", b"1\0"])
    elif typ == CONTROL:
        payload = rnd.choice([b"nonsense\0", b""])
    elif typ == RESET_WATCHES:
        payload = b""
    else:
        payload = p + b"\0"
    if len(payload) > 4096:	# longer drops the connection
        payload = payload[:4096]
    # No payload without its terminating NUL: C 4.17 aborts on most
    # (an assertion in consider_message), so there is nothing to compare.
    return (conn, typ, txref, payload)


# ------------------------------------------------------------ known diffs

# Each entry: name, the docs/xenstored.md section that explains it, and
# a test on (step, shoal reply, c reply).  Replies are normalised tuples
# (kind, payload) with kind "ok" or "err".
def _is(step, typ):
    return step[1] == typ


def _guest(step):
    return not step[0].startswith("d0")


def _err(reply):
    return reply[1] if reply[0] == "err" else None


def _dirpart_offset(step, shoal, c):
    """An offset that is no name boundary of our (sorted) listing."""
    return (step[1] == DIRECTORY_PART and _err(shoal) == b"EINVAL\0" and
            _err(c) is None)


def _special_watch(step, shoal, c):
    """A guest's watch on an @ name, or anyone's on an @ name that is
    not one of Xen's two specials: refused here, accepted by C."""
    specials = (b"@introduceDomain\0", b"@releaseDomain\0")
    return (step[1] == WATCH and step[3].startswith(b"@") and
            (_guest(step) or not step[3].startswith(specials)) and
            _err(shoal) is not None and c == ("ok", b"OK\0"))


def _special_perms(step, shoal, c):
    """GET_PERMS of @introduceDomain or @releaseDomain: C 4.17 refuses
    the name (EINVAL); Shoal gives the special's permissions to whoever
    may read them (dom0: this test never grants them to guests) and
    EACCES to the rest."""
    specials = (b"@introduceDomain\0", b"@releaseDomain\0")
    if (step[1] != GET_PERMS or step[3] not in specials or
            _err(c) != b"EINVAL\0"):
        return False
    return (_err(shoal) == b"EACCES\0" if _guest(step)
            else shoal == ("ok", b"n0\0"))


def _node_size(step, shoal, c):
    """C counts the whole record (value, header, permissions, child
    names) against node-size and refuses at equality: a guest's value
    near the limit, or a new child of a node whose value dom0 made
    bigger than a guest may, is ENOSPC there."""
    if step[1] not in (WRITE, MKDIR, SET_PERMS) or not _guest(step):
        return False
    if shoal != ("ok", b"OK\0") or _err(c) != b"ENOSPC\0":
        return False
    value = step[3].split(b"\0", 1)[1] if step[1] == WRITE else b""
    # SET_PERMS: a bigger permission list for a record near the limit.
    return 2048 - 200 < len(value) <= 2048 or len(value) < 2048 - 200


def _long_path(step, shoal, c):
    """C refuses paths over about 2069 bytes (its path-length quota,
    counted without a /local/domain/N/ prefix); the protocol's limit,
    which Shoal keeps, is 3072."""
    path = step[3].split(b"\0")[0]
    return (len(path) > 2048 and (_err(c) == b"EINVAL\0" or
                                  _err(shoal) == b"EINVAL\0"))


def _domid_syntax(step, shoal, c):
    """C reads a domid with atoi: "" and "x" are domain 0 to it."""
    arg = step[3].split(b"\0")[0]
    return (step[1] in (GET_DOMAIN_PATH, IS_DOMAIN_INTRODUCED, RELEASE,
                        RESUME, SET_TARGET, INTRODUCE) and
            _err(shoal) == b"EINVAL\0" and not arg.isdigit())


def _perm_syntax(step, shoal, c):
    """C reads a permission's domid with strtol: "n" is n0, "r-1" is
    r4294967295, "w1x" is w1; Shoal refuses them."""
    if step[1] != SET_PERMS or _err(shoal) != b"EINVAL\0":
        return False
    perms = step[3].split(b"\0")[1:-1]
    return any(len(x) < 2 or x[:1] not in b"nrwb" or not x[1:].isdigit()
               for x in perms)


# name, the section of docs/xenstored.md that explains it, the test.
SECTION = "Differences from C xenstored"
KNOWN = [
    ("directory-part-offset", SECTION, _dirpart_offset),
    ("special-watch-by-guest", SECTION, _special_watch),
    ("special-get-perms", SECTION, _special_perms),
    ("node-size-counts-value", SECTION, _node_size),
    ("path-length", SECTION, _long_path),
    ("domid-syntax", SECTION, _domid_syntax),
    ("permission-syntax", SECTION, _perm_syntax),
]
# Not a reply test: a transaction that saw something else than C's did
# is tolerated when both daemons then fail its commit (see step()).
TXN_VIEW = "transaction-view"
# Nor this: a transaction that removed a node commits here though others
# changed nodes below it that it never read; C fails it (its removal
# reads every node below).  Tolerated only for transactions with an RM.
TXN_RM_SUBTREE = "transaction-removes-subtree"
# And this: a transaction in which a request failed (EACCES, a quota)
# commits what succeeded here, or fails with EAGAIN for a conflict; C may
# fail the commit (EAGAIN after a refused access, ENOMEM after a refused
# write, whatever else happened).
TXN_FAILED_REQUEST = "transaction-after-failed-request"


def normalise(step, rtype, body, txmap):
    """What may be compared of a reply."""
    typ = step[1]
    if rtype == ERROR:
        return ("err", body)
    if rtype != typ:
        return ("type", rtype, body)
    if typ == TXN_START:
        return ("ok", b"<tx>" if body.rstrip(b"\0").isdigit() else body)
    if typ == DIRECTORY:
        return ("ok", b"\0".join(sorted(body.split(b"\0")[:-1])))
    if typ == DIRECTORY_PART:
        parts = body.split(b"\0")
        gen = parts[0]
        names = [x for x in parts[1:] if x]
        done = body.endswith(b"\0\0")
        return ("ok", (gen.isdigit(), tuple(sorted(names)), done))
    return ("ok", body)


# --------------------------------------------------------------- the run

class Side:
    """One daemon with its connections, by logical connection name."""

    def __init__(self, name, rundir, guests, timeout):
        self.name = name
        self.conns = {}
        for k in ("d0a", "d0b"):
            self.conns[k] = Conn(os.path.join(rundir, "xenstored.sock"),
                                 timeout)
        for g in guests:
            for k in ("a", "b"):
                self.conns["g%d%s" % (g, k)] = Conn(
                    os.path.join(rundir, "xenbus.%d" % g), timeout)

    def close(self):
        for c in self.conns.values():
            c.close()


def domain_of(conn):
    return 0 if conn.startswith("d0") else int(conn[1:-1])


class Runner:
    def __init__(self, sides, conns, guests):
        self.sides = sides
        self.conn_names = conns
        self.guests = guests
        self.requests = 0
        self.tolerated = {}
        self.removers = set()     # transactions (id pairs) that removed
        self.failed = set()       # ... in which a request failed

    # State the steps refer to, identical for both sides by construction.
    def begin(self):
        self.open = {c: [] for c in self.conn_names}	# [(s_id, c_id)]
        self.stale = {c: None for c in self.conn_names}
        self.watches = {c: set() for c in self.conn_names}

    def resolve(self, step):
        conn, _, txref, _ = step
        if txref is None:
            return (0, 0), None
        kind = txref[0]
        if kind == "open":
            if not self.open[conn]:
                return (0, 0), None
            i = txref[1] % len(self.open[conn])
            return self.open[conn][i], i
        if kind == "stale" and self.stale[conn] is not None:
            return self.stale[conn], None
        if kind == "foreign":	# another domain's: never ours
            for c in self.conn_names:
                if domain_of(c) != domain_of(conn) and self.open[c]:
                    return self.open[c][0], None
        return (0x7ead0001, 0x7ead0001), None

    def send(self, step):
        """Run one step on both daemons; return the two normalised
        replies and the raw ones."""
        conn, typ, _, payload = step
        (tx_s, tx_c), idx = self.resolve(step)
        raw = {}
        for side, tx in zip(SIDES, (tx_s, tx_c)):
            raw[side] = self.sides[side].conns[conn].request(typ, tx, payload)
        self.requests += 2
        norm = {s: normalise(step, raw[s][0], raw[s][2], None) for s in SIDES}
        self.track(step, raw, idx, (tx_s, tx_c))
        return norm, raw, idx

    def track(self, step, raw, idx, txs):
        conn, typ, _, payload = step
        ok = {s: raw[s][0] != ERROR for s in SIDES}
        err = {s: raw[s][2] if raw[s][0] == ERROR else None for s in SIDES}
        if typ == TXN_START and all(ok.values()) and txs == (0, 0):
            ids = tuple(int(raw[s][2].rstrip(b"\0")) for s in SIDES)
            self.open[conn].append(ids)
        elif typ == TXN_END and idx is not None:
            done = [ok[s] or err[s] in (b"EAGAIN\0", b"ENOENT\0")
                    for s in SIDES]
            if any(done):
                self.stale[conn] = self.open[conn].pop(idx)
        elif typ == WATCH and any(ok.values()):
            self.watches[conn].add(payload)
        elif typ == UNWATCH and any(ok.values()):
            self.watches[conn].discard(payload)
        elif typ == RESET_WATCHES and any(ok.values()):
            dom = domain_of(conn)
            # A guest's relay clients share one ring: one connection.
            for c in self.conn_names:
                if c == conn or (dom != 0 and domain_of(c) == dom):
                    self.watches[c].clear()
                    if self.open[c]:
                        self.stale[c] = self.open[c][-1]
                    self.open[c] = []

    def txn_view(self, step, idx, raw):
        """Inside a transaction the daemons answered differently: each
        keeps its own view of nodes others changed meanwhile.  Fine if
        both then refuse to commit it (C is the oracle: its commit must
        fail); anything else is a difference."""
        conn = step[0]
        ids = self.open[conn].pop(idx)
        self.stale[conn] = ids
        end = {}
        for side, tx in zip(SIDES, ids):
            end[side] = self.sides[side].conns[conn].request(TXN_END, tx,
                                                             b"T\0")
        self.requests += 2
        if all(end[s][0] == ERROR and end[s][2] == b"EAGAIN\0"
               for s in SIDES):
            self.tolerated[TXN_VIEW] = self.tolerated.get(TXN_VIEW, 0) + 1
            return
        raise Mismatch("reply in a transaction, then its commit",
                       (raw["shoal"], end["shoal"]), (raw["c"], end["c"]))

    def sync_events(self, conns):
        """Bring in every event sent so far to conns; return them."""
        out = {}
        for c in conns:
            for s in SIDES:
                conn = self.sides[s].conns[c]
                conn.request(GET_DOMAIN_PATH, 0, b"0\0")
                self.requests += 1
            out[c] = {s: self.sides[s].conns[c].events for s in SIDES}
            for s in SIDES:
                self.sides[s].conns[c].events = []
        return out

    def step(self, step):
        """Run a step and compare; raise Mismatch on a difference."""
        txs, _ = self.resolve(step)
        norm, raw, idx = self.send(step)
        if step[1] == RM and txs != (0, 0) and norm["shoal"][0] == "ok":
            self.removers.add(txs)
        if txs != (0, 0) and step[1] != TXN_END and "err" in (
                norm["shoal"][0], norm["c"][0]):
            self.failed.add(txs)
        if norm["shoal"] != norm["c"]:
            known = None
            for name, _, test in KNOWN:
                if test(step, norm["shoal"], norm["c"]):
                    known = name
                    break
            if (step[1] == TXN_END and txs in self.removers and
                    norm["shoal"] == ("ok", b"OK\0") and
                    _err(norm["c"]) == b"EAGAIN\0"):
                known = TXN_RM_SUBTREE
            elif (step[1] == TXN_END and txs in self.failed and
                    (norm["shoal"] == ("ok", b"OK\0") or
                     _err(norm["shoal"]) == b"EAGAIN\0") and
                    _err(norm["c"]) in (b"EAGAIN\0", b"ENOMEM\0")):
                known = TXN_FAILED_REQUEST
            if known is None and idx is not None and step[1] != TXN_END:
                self.txn_view(step, idx, raw)
                return
            raise Mismatch("reply", raw["shoal"], raw["c"], known)
        watching = [c for c in self.conn_names if self.watches[c]
                    or any(self.sides[s].conns[c].events for s in SIDES)]
        for c, ev in self.sync_events(watching).items():
            if ev["shoal"] != ev["c"]:
                raise Mismatch("events on " + c, ev["shoal"], ev["c"])

    # Known starting point for every sequence.
    def reset(self):
        steps = []
        for c in self.conn_names:
            # Watches one daemon refused may be there on the other.
            for w in sorted(self.watches[c]):
                for side in SIDES:
                    self.sides[side].conns[c].request(UNWATCH, 0, w)
            for i in range(len(self.open[c])):
                steps.append((c, TXN_END, ("open", 0), b"F\0"))
        for p in (b"/h", b"/local/domain/0/h", b"/local/domain/0/data"):
            steps.append(("d0a", RM, None, p + b"\0"))
        # The nodes above the guests' homes may have been written (and
        # differ after a tolerated difference): back to how they began.
        for p in (b"/", b"/local", b"/local/domain", b"/tool",
                  b"/tool/xenstored"):
            steps += [("d0a", WRITE, None, p + b"\0"),
                      ("d0a", SET_PERMS, None, p + b"\0n0\0")]
        for g in self.guests:
            # A guest's home as xensim (as xl) made it: empty, dom0's,
            # readable by the guest (dom0 may have rewritten it).
            steps += [("d0a", WRITE, None, GUEST_DIRS[g] + b"\0"),
                      ("d0a", SET_PERMS, None, GUEST_DIRS[g] +
                       b"\0n0\0r%d\0" % g)]
            d = GUEST_DIRS[g] + b"/data"
            steps += [("d0a", RM, None, GUEST_DIRS[g] + b"/h\0"),
                      ("d0a", RM, None, d + b"\0"),
                      ("d0a", WRITE, None, d + b"\0"),
                      ("d0a", SET_PERMS, None, d + b"\0n%d\0" % g)]
        # Events the reset causes are not compared: a tolerated
        # difference may have left a watch on one side only.
        for s in steps:
            self.send(s)
        for side in SIDES:
            for c in self.sides[side].conns.values():
                c.request(GET_DOMAIN_PATH, 0, b"0\0")
                c.events = []
        self.begin()

    def snapshot(self, side, path=b"/"):
        """The tree under path as dom0 sees it: {path: (value, perms)}."""
        conn = self.sides[side].conns["d0a"]
        out = {}
        todo = [path]
        while todo:
            p = todo.pop()
            vals = []
            for t in (READ, GET_PERMS, DIRECTORY):
                rt, _, body = conn.request(t, 0, p + b"\0")
                self.requests += 1
                vals.append((rt == ERROR, body))
            out[p] = (vals[0], vals[1])
            if not vals[2][0]:
                for child in vals[2][1].split(b"\0")[:-1]:
                    todo.append((p.rstrip(b"/") + b"/" + child))
        return out

    def compare_trees(self, path=b"/"):
        t = {s: self.snapshot(s, path) for s in SIDES}
        if t["shoal"] != t["c"]:
            diff = []
            for p in sorted(set(t["shoal"]) | set(t["c"])):
                a, b = t["shoal"].get(p), t["c"].get(p)
                if a != b:
                    diff.append((p, a, b))
            raise Mismatch("tree under %r" % path, diff[:10], len(diff))
        for s in SIDES:
            for c in self.sides[s].conns.values():
                c.events = []

    def run(self, steps):
        """Reset, run steps; None, or (index, Mismatch)."""
        self.reset()
        for i, s in enumerate(steps):
            try:
                self.step(s)
            except Mismatch as m:
                return i, m
        try:
            for p in (b"/h", b"/local/domain"):
                self.compare_trees(p)
        except Mismatch as m:
            return len(steps), m
        return None


def fmt_step(s):
    conn, typ, txref, payload = s
    p = payload if len(payload) < 60 else payload[:40] + b"...(%d)" % len(
        payload)
    tx = "" if txref is None else " tx=%s" % (txref,)
    return "%s %s%s %r" % (conn, tname(typ), tx, p)


def shrink(runner, steps, want_known):
    """Greedily drop steps while an unknown difference remains."""
    def fails(seq):
        r = runner.run(seq)
        return r is not None and r[1].known == want_known
    i = 0
    while i < len(steps):
        cand = steps[:i] + steps[i + 1:]
        if fails(cand):
            steps = cand
        else:
            i += 1
    return steps


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shoal", required=True, help="Shoal's xensim rundir")
    ap.add_argument("--c", required=True, help="C xenstored's xensim rundir")
    ap.add_argument("--guests", default="1,2")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--sequences", type=int, default=400)
    ap.add_argument("--length", type=int, default=40)
    ap.add_argument("--time", type=float, default=60.0)
    ap.add_argument("--max-failures", type=int, default=3)
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else int(time.time())
    guests = [int(g) for g in args.guests.split(",") if g]
    sides = {"shoal": Side("shoal", args.shoal, guests, 10),
             "c": Side("c", args.c, guests, 10)}
    conns = list(sides["shoal"].conns)
    runner = Runner(sides, conns, guests)
    runner.begin()
    print("xs_diff: seed %d, %d sequences of %d requests, %.0f s at most"
          % (seed, args.sequences, args.length, args.time))
    start = time.monotonic()
    failures = 0
    try:
        runner.compare_trees()
        for n in range(args.sequences):
            if time.monotonic() - start > args.time:
                print("xs_diff: time limit after %d sequences" % n)
                break
            rnd = random.Random("%d/%d" % (seed, n))
            steps = [gen_step(rnd, conns) for _ in range(args.length)]
            r = runner.run(steps)
            if r is None:
                continue
            i, m = r
            if m.known is not None:
                runner.tolerated[m.known] = runner.tolerated.get(m.known,
                                                                 0) + 1
                continue
            failures += 1
            small = shrink(runner, steps[:i + 1], None)
            r2 = runner.run(small)
            if r2 is not None:
                i, m = r2
                small = small[:i + 1]
            print("DIFFERENCE (seed %d, sequence %d, step %d): %s"
                  % (seed, n, r[0], m.what))
            print("  shrunk to %d request(s), after a reset:" % len(small))
            for s in small:
                print("    " + fmt_step(s))
            print("  shoal: %r" % (m.shoal,))
            print("  c:     %r" % (m.c,))
            if failures >= args.max_failures:
                break
        runner.reset()
        runner.compare_trees()
    except Mismatch as m:
        failures += 1
        print("DIFFERENCE outside a sequence: %s\n  shoal: %r\n  c:     %r"
              % (m.what, m.shoal, m.c))
    except (OSError, ConnectionError) as e:
        failures += 1
        print("xs_diff: connection failed: %s; the last requests:" % e)
        for path, typ, tx, payload in Conn.last:
            print("    %s %s tx=%d %r" % (path, tname(typ), tx, payload))
    took = time.monotonic() - start
    print("xs_diff: %d requests in %.1f s; tolerated: %s; %d difference(s)"
          % (runner.requests, took,
             ", ".join("%s x%d" % kv
                       for kv in sorted(runner.tolerated.items()))
             or "none", failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
