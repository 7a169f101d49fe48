#!/usr/bin/env python3
"""Write fuzz_dnsupd's seed corpus: one UPDATE a seed, for the zone fz.

    tests/fuzz/make_dnsupd_seeds.py [DIR]   (default: corpus/dnsupd beside us)

Each seed is the harness's prefix byte (1: the harness signs it with the
zone's key; see fuzz_dnsupd.c) followed by the message, unsigned.
Between them they add, delete a record, an RRset and a name, try each
prerequisite kind, a CNAME, an SOA and an MX with a compressed target.
"""
import os
import struct
import sys

A, NS, CNAME, SOA, MX, TXT, AAAA, ANY = 1, 2, 5, 6, 15, 16, 28, 255
IN, NONE, CLASS_ANY = 1, 254, 255


def name(text):
    return b"".join(bytes([len(l)]) + l.encode()
                    for l in text.rstrip(".").split(".")) + b"\0"


def rr(owner, rtype, rclass, ttl, rdata=b""):
    return name(owner) + struct.pack("!HHIH", rtype, rclass, ttl,
                                     len(rdata)) + rdata


def update(prereqs, updates, signed=True):
    hdr = struct.pack("!HHHHHH", 0x1234, 5 << 11, 1, len(prereqs),
                      len(updates), 0)
    body = name("fz.") + struct.pack("!HH", SOA, IN)
    return bytes([1 if signed else 0]) + hdr + body + \
        b"".join(prereqs) + b"".join(updates)


SEEDS = {
    "add-a": update([], [rr("w1.fz.", A, IN, 30, bytes([10, 0, 0, 1]))]),
    "add-aaaa-txt": update([], [
        rr("w2.fz.", AAAA, IN, 30, bytes(15) + b"\1"),
        rr("w2.fz.", TXT, IN, 30, b"\5hello\5world")]),
    "delete-rrset": update([], [rr("w1.fz.", A, CLASS_ANY, 0)]),
    "delete-name": update([], [rr("w1.fz.", ANY, CLASS_ANY, 0)]),
    "delete-one": update([], [rr("w1.fz.", A, NONE, 0, bytes([10, 0, 0, 1]))]),
    "prereq-kinds": update([
        rr("fz.", ANY, CLASS_ANY, 0), rr("nothere.fz.", ANY, NONE, 0),
        rr("fz.", SOA, CLASS_ANY, 0), rr("fz.", AAAA, NONE, 0)],
        [rr("w3.fz.", A, IN, 30, bytes([10, 0, 0, 3]))]),
    "cname": update([], [rr("alias.fz.", CNAME, IN, 30, name("w1.fz."))]),
    "soa": update([], [rr("fz.", SOA, IN, 60, name("ns.fz.") +
                          name("h.fz.") + struct.pack("!IIIII", 99, 1, 2, 3, 4))]),
    "mx-compressed": update([], [rr("fz.", MX, IN, 30,
                                    b"\0\x0a\2mx\xc0\x0c")]),
    "unsigned": update([], [rr("w9.fz.", A, IN, 30, bytes(4))], False),
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "corpus", "dnsupd")
    os.makedirs(out, exist_ok=True)
    for seed, data in SEEDS.items():
        with open(os.path.join(out, seed), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
