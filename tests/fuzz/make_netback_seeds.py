#!/usr/bin/env python3
# tests/fuzz/make_netback_seeds.py: writes corpus/netback/, the seeds of
# fuzz_netback: a count of TX requests, the requests (gref, offset,
# flags, id, size), then a frame.  Run from anywhere; rewrites the seeds.
import os
import struct

CSUM_BLANK, DATA_VALID, MORE, EXTRA = 1, 2, 4, 8
here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus",
                    "netback")


def req(gref, off, flags, rid, size):
    return struct.pack("<IHHHH", gref, off, flags, rid, size)


def gso(size, kind, more=0):
    return struct.pack("<BBHBBH", 1, more, size, kind, 0, 0) + b"\0" * 4


def mcast(op, addr):
    return struct.pack("<BB", op, 0) + bytes(addr) + b"\0" * 4


def tcp4(payload=b"x" * 20):
    eth = b"\x00\x16\x3e\x00\x00\x02\x00\x16\x3e\x00\x00\x01\x08\x00"
    ip = bytes([0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 6, 0, 0,
                10, 0, 0, 1, 10, 0, 0, 2])
    tcp = struct.pack(">HHIIBBHHH", 1234, 80, 1, 0, 0x50, 0x18, 1024, 0, 0)
    return eth + ip + tcp + payload


def udp6():
    eth = b"\x33\x33\x00\x00\x00\x01\x00\x16\x3e\x00\x00\x01\x86\xdd"
    ip = bytes([0x60, 0, 0, 0, 0, 16, 17, 64]) + b"\xfe\x80" + b"\0" * 14 \
        + b"\xff\x02" + b"\0" * 13 + b"\x01"
    return eth + ip + struct.pack(">HHHH", 5353, 5353, 16, 0) + b"q" * 8


def seed(name, reqs, frame=b""):
    with open(os.path.join(here, name), "wb") as f:
        f.write(bytes([len(reqs)]) + b"".join(reqs) + frame)


os.makedirs(here, exist_ok=True)
f = tcp4()
seed("one_slot", [req(8, 0, DATA_VALID, 1, len(f))], f)
seed("csum_blank", [req(8, 100, CSUM_BLANK | DATA_VALID, 2, len(f))], f)
f = tcp4(b"y" * 3000)
seed("gso_three_slots", [req(8, 4000, CSUM_BLANK | MORE | EXTRA, 3, len(f)),
                         gso(1448, 1), req(9, 0, MORE, 4, 2000),
                         req(10, 0, 0, 5, len(f) - 96 - 2000)], f)
seed("udp6_csum", [req(8, 0, CSUM_BLANK, 6, len(udp6()))], udp6())
seed("mcast_add", [req(0, 0, EXTRA, 7, 0),
                   mcast(2, [0x01, 0, 0x5e, 0, 0, 0xfb])])
seed("too_many", [req(i, 0, MORE, i, 1000 if i == 0 else 10)
                  for i in range(20)] + [req(20, 0, 0, 20, 10)])
seed("crossing", [req(8, 4090, 0, 8, 60)], tcp4())
