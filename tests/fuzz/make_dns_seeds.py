#!/usr/bin/env python3
"""Write fuzz_dnsd's seed corpus: one query a seed, covering each way
the answer engine can go, and some malformed ones.

    tests/fuzz/make_dns_seeds.py [DIR]   (default: corpus/dnsd beside us)

Each seed is the harness's 3-byte prefix (see fuzz_dnsd.c) followed by a
DNS message.  The names asked are those of the zones fuzz_dnsd loads:
tests/dnsd/zones/answer.zone (example.com), child.example.com.zone and
tests/fuzz/fuzz.zone (fz).
"""
import os
import struct
import sys

A, NS, CNAME, SOA, PTR, MX, TXT, AAAA, SRV = 1, 2, 5, 6, 12, 15, 16, 28, 33
DNAME, OPT, DS, AXFR, ANY = 39, 41, 43, 252, 255
IN, CH = 1, 3
RD, CD, QR = 0x0100, 0x0010, 0x8000
TCP, CFG, CFG_LONG = 1, 2, 4


def prefix(tcp=False, cfg=False, long_cfg=False, ours=0, small=500):
    """ours: 0..3, our EDNS size (default, 512, 4096, 65535); small: the
    second round's buffer, 12..600."""
    p0 = (TCP if tcp else 0) | (CFG if cfg else 0) | \
        (CFG_LONG if long_cfg else 0) | (ours << 3)
    return bytes([p0]) + struct.pack(">H", small - 12)


def name(text):
    if text in ("", "."):
        return b"\0"
    out = b""
    for label in text.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def opt(size=1232, version=0, do=False, owner=b"\0", rdata=b""):
    return owner + struct.pack(">HHBBHH", OPT, size, 0, version,
                               0x8000 if do else 0, len(rdata)) + rdata


def rr(owner, type_, rdata, class_=IN, ttl=60):
    return owner + struct.pack(">HHIH", type_, class_, ttl,
                               len(rdata)) + rdata


def msg(qname, qtype=A, qclass=IN, id_=0x1234, flags=RD, an=(), ns=(),
        ar=(), qd=None, raw_q=None):
    """A query; qd overrides the question count, raw_q the question."""
    q = raw_q if raw_q is not None else name(qname) + struct.pack(
        ">HH", qtype, qclass)
    n = (1 if q else 0) if qd is None else qd
    return struct.pack(">HHHHHH", id_, flags, n, len(an), len(ns),
                       len(ar)) + q + b"".join(an) + b"".join(ns) + \
        b"".join(ar)


def seeds():
    s = {}

    def seed(n, m, **kw):
        s[n] = prefix(**kw) + m

    # Plain answers from example.com.
    seed("a_www", msg("www.example.com"))
    seed("aaaa_ns1", msg("ns1.example.com", AAAA))
    seed("mx_apex", msg("example.com", MX))
    seed("ns_apex", msg("example.com", NS))
    seed("soa_apex", msg("example.com", SOA))
    seed("txt_new", msg("new.example.com", TXT))
    seed("srv", msg("_sip._tcp.example.com", SRV))
    seed("any_apex", msg("example.com", ANY))
    seed("mixed_case", msg("WwW.ExAmPlE.cOm", A, flags=RD | CD))
    # Negative answers and names not ours.
    seed("nxdomain", msg("nope.example.com"))
    seed("nodata", msg("web.example.com", MX))
    seed("refused", msg("www.example.org"))
    seed("refused_edns", msg("www.example.org", ar=[opt()]))
    # CNAME and DNAME.
    seed("cname_chain", msg("chain.example.com"))
    seed("cname_loop", msg("loop1.example.com"))
    seed("cname_out", msg("out.example.com"))
    seed("cname_asked", msg("www.example.com", CNAME))
    seed("dname", msg("a.old.example.com"))
    seed("dname_yxdomain", msg(".".join(["x" * 60] * 2) +
                               ".long.example.com"))
    # Wildcards.
    seed("wildcard", msg("foo.w.example.com", TXT))
    seed("wildcard_ent", msg("x.ent.w.example.com"))
    seed("wildcard_cname", msg("foo.cn.example.com"))
    # Delegations, glue, DS.
    seed("referral", msg("www.sub.example.com"))
    seed("referral_glue_tc", msg("x.many.example.com"))
    seed("ds_cut", msg("sub.example.com", DS))
    seed("ds_child_apex", msg("child.example.com", DS))
    seed("child_apex", msg("child.example.com"))
    # EDNS.
    seed("edns_4096", msg("big.example.com", TXT, ar=[opt(4096)]))
    seed("edns_do", msg("example.com", SOA, ar=[opt(1232, do=True)]))
    seed("edns_small", msg("big.example.com", TXT, ar=[opt(100)]),
         ours=1, small=300)
    seed("edns_v1", msg("example.com", ar=[opt(1232, version=1)]))
    seed("edns_option", msg("example.com", ar=[opt(
        4096, rdata=struct.pack(">HH", 10, 8) + b"cookie!!")]), ours=2)
    seed("edns_two", msg("example.com", ar=[opt(), opt()]))
    # CHAOS.
    seed("chaos_version", msg("version.bind", TXT, CH), cfg=True)
    seed("chaos_id", msg("id.server", TXT, CH), cfg=True, long_cfg=True)
    seed("chaos_unset", msg("version.server", ANY, CH))
    # Not QUERY, not one question, zone transfer.
    seed("opcode_notify", msg("example.com", SOA, flags=4 << 11))
    seed("qdcount_0", msg("", raw_q=b""))
    seed("qdcount_2", msg("example.com", qd=2, raw_q=name("example.com") +
                          struct.pack(">HH", A, IN) + name("fz") +
                          struct.pack(">HH", A, IN)))
    seed("axfr_tcp", msg("example.com", AXFR), tcp=True)
    seed("response_dropped", msg("example.com", flags=QR | RD))
    # Compression in the query: records in the answer and authority
    # sections owned by a pointer to the question, an OPT owned by a
    # pointer to the root label that ends the question's name.
    seed("compressed", msg("example.com", SOA,
                           an=[rr(b"\xc0\x0c", A, b"\x01\x02\x03\x04")],
                           ns=[rr(b"\x03www\xc0\x0c", NS, b"\xc0\x0c")],
                           ar=[opt(owner=b"\xc0\x18")]))
    seed("forward_pointer", msg("", raw_q=b"\xc0\x20" + struct.pack(
        ">HH", A, IN)))
    # fuzz.zone: DNAME chains, wildcard NS, big answers over TCP.
    seed("fz_dname_grow", msg("a.g.fz"))
    seed("fz_dname_loop", msg("a.l1.fz"))
    seed("fz_dname_chain", msg("x.e.fz", TXT))
    seed("fz_cname_long", msg("c1.fz"))
    seed("fz_wild_ns", msg("a.n.fz"))
    seed("fz_wide_tcp", msg("x.wide.fz"), tcp=True, ours=3)
    seed("fz_mx_tcp", msg("mx.fz", MX), tcp=True)
    seed("fz_big_tcp", msg("big.fz", TXT), tcp=True, small=600)
    return s


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        here, "corpus", "dnsd")
    os.makedirs(out, exist_ok=True)
    for f in os.listdir(out):
        os.unlink(os.path.join(out, f))
    for n, data in sorted(seeds().items()):
        with open(os.path.join(out, n), "wb") as f:
            f.write(data)
    print("%d seeds in %s" % (len(os.listdir(out)), out))


if __name__ == "__main__":
    main()
