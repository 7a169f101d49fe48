#!/usr/bin/env python3
"""Write fuzz_xenstored's seed corpus: small request sequences covering
every request type, plus a few hostile ones.

    tests/fuzz/make_seeds.py [DIR]     (default: corpus/xenstored beside us)

Each seed is the harness's 4-byte prefix (see fuzz_xenstored.c) followed
by xsd_sockmsg requests.  A request goes to connection req_id % n, so
req() takes the connection index and makes a req_id that routes there.
Type numbers are /usr/include/xen/io/xs_wire.h's.
"""
import os
import struct
import sys

(CONTROL, DIRECTORY, READ, GET_PERMS, WATCH, UNWATCH, TRANSACTION_START,
 TRANSACTION_END, INTRODUCE, RELEASE, GET_DOMAIN_PATH, WRITE, MKDIR, RM,
 SET_PERMS, WATCH_EVENT, ERROR, IS_DOMAIN_INTRODUCED, RESUME,
 SET_TARGET) = range(20)
RESET_WATCHES, DIRECTORY_PART = 21, 22
TYPE_COUNT = 23
PAYLOAD_MAX = 4096
CLOSE_TAG = 0xC1

DOM = {0: 0, 5: 1, 6: 2, 7: 3}      # domid -> its 2-bit code in p[1]


def prefix(doms=(0,), homes=False, target=False, seed=1, max_events=None):
    """The 4 bytes choosing connections, their domains and the setup."""
    p0 = (len(doms) - 1) | (4 if homes else 0) | (8 if target else 0)
    p1 = 0
    for i, d in enumerate(doms):
        p1 |= DOM[d] << (2 * i)
    p3 = 0x80 | max_events if max_events is not None else 0
    return bytes([p0, p1, seed & 0xFF, p3])


class Seq:
    def __init__(self, nconn=1):
        self.nconn = nconn
        self.n = 0
        self.out = b""

    def req(self, type_, *args, conn=0, tx=0, raw=None, close=False):
        """args are NUL-terminated; raw is a payload as it stands."""
        payload = raw if raw is not None else b"".join(
            a.encode() + b"\0" if isinstance(a, str) else a for a in args)
        self.n += 1
        rid = self.n * self.nconn + conn
        if close:
            rid |= CLOSE_TAG << 24
        self.out += struct.pack("<IIII", type_, rid, tx, len(payload))
        self.out += payload
        return self

    def bytes(self, b):
        self.out += b
        return self


def seeds():
    s = {}

    def seq(name, doms=(0,), **kw):
        q = Seq(len(doms))
        s[name] = (prefix(doms, **kw), q)
        return q

    seq("read_write").req(WRITE, "/a", b"hello").req(READ, "/a") \
        .req(WRITE, "/a/b/c", b"x\0y").req(READ, "/a/b/c").req(READ, "/nope")
    seq("mkdir_rm_dir").req(MKDIR, "/d/e/f").req(MKDIR, "/d/g") \
        .req(DIRECTORY, "/d").req(RM, "/d/e").req(RM, "/d/e") \
        .req(RM, "/x/y").req(DIRECTORY, "/").req(RM, "/")
    q = seq("directory_part")
    for i in range(12):
        q.req(MKDIR, "/big/child-%02d" % i)
    q.req(DIRECTORY_PART, "/big", "0").req(DIRECTORY_PART, "/big", "9") \
        .req(DIRECTORY_PART, "/big", "3").req(DIRECTORY_PART, "/big", "x")
    q = seq("directory_part_full")
    for i in range(40):
        q.req(MKDIR, "/w/" + ("n%02d" % i) * 40)
    q.req(DIRECTORY, "/w").req(DIRECTORY_PART, "/w", "0")
    seq("perms", doms=(0, 5)).req(WRITE, "/p", b"v") \
        .req(SET_PERMS, "/p", "n0", "r5", "w6") \
        .req(GET_PERMS, "/p").req(READ, "/p", conn=1) \
        .req(WRITE, "/p", b"w", conn=1).req(SET_PERMS, "/p", "bad") \
        .req(SET_PERMS, "/p", "n0", "r5", "w6", "b7", "r8", "r9", conn=1)
    seq("watch", doms=(0, 0)).req(WATCH, "/w", "tok") \
        .req(WRITE, "/w/x", b"1", conn=1).req(RM, "/w", conn=1) \
        .req(UNWATCH, "/w", "tok").req(UNWATCH, "/w", "tok") \
        .req(WATCH, "/w", "t2").req(WATCH, "/w", "t2") \
        .req(RESET_WATCHES).req(WRITE, "/w", b"2", conn=1)
    seq("watch_special").req(WATCH, "@introduceDomain", "i") \
        .req(WATCH, "@releaseDomain", "r").req(WATCH, "@bogus", "b") \
        .req(UNWATCH, "@releaseDomain", "r")
    seq("txn_commit").req(TRANSACTION_START, "") \
        .req(WRITE, "/t/a", b"1", tx=1).req(READ, "/t/a", tx=1) \
        .req(DIRECTORY, "/t", tx=1).req(RM, "/t/a", tx=1) \
        .req(MKDIR, "/t/b", tx=1).req(SET_PERMS, "/t/b", "n0", "r5", tx=1) \
        .req(GET_PERMS, "/t/b", tx=1).req(TRANSACTION_END, "T", tx=1) \
        .req(READ, "/t/b")
    seq("txn_abort").req(TRANSACTION_START, "") \
        .req(WRITE, "/t", b"1", tx=1).req(TRANSACTION_END, "F", tx=1) \
        .req(READ, "/t").req(TRANSACTION_END, "F", tx=1) \
        .req(TRANSACTION_START, "", tx=7).req(READ, "/t", tx=9) \
        .req(TRANSACTION_START, "").req(TRANSACTION_END, "X", tx=2)
    seq("txn_conflict", doms=(0, 0)).req(WRITE, "/c", b"0") \
        .req(TRANSACTION_START, "").req(TRANSACTION_START, "", conn=1) \
        .req(WRITE, "/c", b"1", tx=1).req(WRITE, "/c", b"2", tx=2, conn=1) \
        .req(TRANSACTION_END, "T", tx=1) \
        .req(TRANSACTION_END, "T", tx=2, conn=1)
    seq("txn_watch", doms=(0, 0)).req(WATCH, "/tw", "k", conn=1) \
        .req(TRANSACTION_START, "").req(WRITE, "/tw/x", b"1", tx=1) \
        .req(RM, "/tw/x", tx=1).req(MKDIR, "/tw/y", tx=1) \
        .req(TRANSACTION_END, "T", tx=1)
    seq("txn_unpriv_quota", doms=(5,), homes=True).req(
        TRANSACTION_START, "").req(WRITE, "x", b"1", tx=1)
    q = s["txn_unpriv_quota"][1]
    for _ in range(11):
        q.req(TRANSACTION_START, "")
    q = seq("txn_large", doms=(0, 5), homes=True) \
        .req(CONTROL, "quota", "transaction-nodes", "6") \
        .req(TRANSACTION_START, "")
    for i in range(24):
        q.req(WRITE, "/big/t%02d" % i, b"v", tx=1)
    q.req(TRANSACTION_END, "T", tx=1).req(TRANSACTION_START, "", conn=1)
    for i in range(8):
        q.req(WRITE, "x%d" % i, b"v", tx=2, conn=1)
    q.req(TRANSACTION_END, "T", tx=2, conn=1)
    seq("domain_paths").req(GET_DOMAIN_PATH, "5").req(GET_DOMAIN_PATH, "x") \
        .req(IS_DOMAIN_INTRODUCED, "0").req(IS_DOMAIN_INTRODUCED, "5") \
        .req(IS_DOMAIN_INTRODUCED, "") \
        .req(GET_DOMAIN_PATH, "32767")
    seq("set_target", doms=(0, 6, 5), homes=True) \
        .req(SET_TARGET, "6", "5").req(WRITE, "/local/domain/5/dm", b"1",
                                       conn=1) \
        .req(READ, "/local/domain/5/dm", conn=2).req(SET_TARGET, "0", "5") \
        .req(SET_TARGET, "5", "5").req(SET_TARGET, "7", "5", conn=1)
    seq("target_setup", doms=(6,), homes=True, target=True) \
        .req(WRITE, "/local/domain/5/x", b"y").req(SET_PERMS,
                                                   "/local/domain/5/x", "n5")
    seq("introduce_release", doms=(0, 5)) \
        .req(INTRODUCE, "5", "12345", "7").req(INTRODUCE, "0", "1", "2") \
        .req(RELEASE, "5").req(RESUME, "5").req(RELEASE, "0") \
        .req(INTRODUCE, "5", "1", "2", conn=1).req(RELEASE, "5", conn=1)
    seq("control").req(CONTROL, "check").req(CONTROL, "quota") \
        .req(CONTROL, "quota", "0").req(CONTROL, "quota", "5") \
        .req(CONTROL, "quota", "nodes", "3") \
        .req(CONTROL, "quota-soft").req(CONTROL, "quota-soft", "memory", "9") \
        .req(CONTROL, "memreport").req(CONTROL, "help") \
        .req(CONTROL, "log", "on").req(CONTROL, "log", "off") \
        .req(CONTROL, "print", "hi").req(CONTROL, "live-update") \
        .req(CONTROL, "nope").req(CONTROL)
    q = seq("quota_nodes", doms=(0, 5), homes=True) \
        .req(CONTROL, "quota", "nodes", "4")
    for i in range(6):
        q.req(WRITE, "n%d" % i, b"v", conn=1)
    q.req(CONTROL, "quota", "5").req(CONTROL, "check")
    seq("quota_memory", doms=(0, 5), homes=True) \
        .req(CONTROL, "quota", "memory", "300") \
        .req(CONTROL, "quota", "node-size", "100") \
        .req(WRITE, "a", b"x" * 99, conn=1).req(WRITE, "b", b"x" * 101, conn=1) \
        .req(WRITE, "a", b"x" * 250, conn=1).req(CONTROL, "check")
    seq("unpriv_denied", doms=(5,), homes=True) \
        .req(CONTROL, "check").req(SET_TARGET, "5", "6") \
        .req(WRITE, "/local/domain/6/x", b"1").req(READ, "/local/domain/6") \
        .req(MKDIR, "/tool/x").req(WATCH, "@releaseDomain", "t") \
        .req(DIRECTORY, "/local/domain").req(WRITE, "rel/a", b"ok") \
        .req(WATCH, "rel", "w").req(RM, "rel/a")
    q = seq("stalled_replies", doms=(5,), homes=True, seed=3)
    for i in range(40):
        q.req(READ, "nothing%d" % i)
    q = seq("event_storm", doms=(0, 0), max_events=2)
    q.req(WATCH, "/", "all", conn=1)
    for i in range(8):
        q.req(WRITE, "/e%d" % i, b"v")
    seq("close_midstream", doms=(0, 0)).req(WATCH, "/cm", "t", conn=1) \
        .req(TRANSACTION_START, "", conn=1) \
        .req(WRITE, "/cm/a", b"1", tx=1, conn=1, close=True) \
        .req(WRITE, "/cm/b", b"2").req(READ, "/cm/b", conn=1)
    seq("long_paths").req(WRITE, "/" + "a" * 3000, b"v") \
        .req(WRITE, "/" + "/".join(["b"] * 1000), b"v") \
        .req(MKDIR, "/bad//path").req(MKDIR, "/bad/").req(READ, "") \
        .req(WRITE, "/x\x01y", b"v").req(READ, "relative")
    # Hostile framing and payloads.
    seq("hostile_unknown_types") \
        .req(TYPE_COUNT, "x").req(0xFFFF, "x").req(WATCH_EVENT, "/a", "t") \
        .req(ERROR, "EINVAL").req(20, "x").req(READ, raw=b"/a") \
        .req(READ, raw=b"/a\0/b\0").req(WRITE, raw=b"").req(DIRECTORY, raw=b"")
    s["hostile_len_over_max"] = (prefix((0, 0)), Seq().bytes(
        struct.pack("<IIII", READ, 0, 0, PAYLOAD_MAX + 1) + b"/a\0"
        + struct.pack("<IIII", READ, 1, 0, 3) + b"/a\0"))
    s["hostile_len_huge"] = (prefix(), Seq().bytes(
        struct.pack("<IIII", WRITE, 0, 0, 0xFFFFFFFF) + b"/a\0v"))
    s["hostile_truncated_payload"] = (prefix(), Seq().req(WRITE, "/a", b"v")
        .bytes(struct.pack("<IIII", WRITE, 2, 0, 100) + b"/a\0partial"))
    s["hostile_truncated_header"] = (prefix(), Seq().req(READ, "/")
        .bytes(struct.pack("<IIII", READ, 2, 0, 2)[:9]))
    s["hostile_payload_max"] = (prefix(), Seq().req(
        WRITE, "/m", b"z" * (PAYLOAD_MAX - 3)).req(READ, "/m"))
    return s


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        here, "corpus", "xenstored")
    os.makedirs(out, exist_ok=True)
    for f in os.listdir(out):
        os.unlink(os.path.join(out, f))
    for name, (pre, q) in sorted(seeds().items()):
        with open(os.path.join(out, name), "wb") as f:
            f.write(pre + q.out)
    print("%d seeds in %s" % (len(os.listdir(out)), out))


if __name__ == "__main__":
    main()
