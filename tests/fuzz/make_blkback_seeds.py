#!/usr/bin/env python3
# tests/fuzz/make_blkback_seeds.py: writes corpus/blkback/, the seeds of
# fuzz_blkback: a 6-byte disk (flags, max-indirect-segments, sectors),
# then blkif requests of 112 bytes, each indirect one followed by its
# segments.  Run from anywhere; rewrites the seeds.
import os
import struct

READ, WRITE, BARRIER, FLUSH, DISCARD, INDIRECT = 0, 1, 2, 3, 5, 6
RO, HAS_FLUSH, HAS_DISCARD, SECT4K = 1, 2, 4, 8
here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus",
                    "blkback")


def disk(flags=HAS_FLUSH | HAS_DISCARD, indirect=32, sectors=2048):
    return struct.pack("<BBI", flags, indirect, sectors)


def seg(gref, first=0, last=7):
    return struct.pack("<IBBxx", gref, first, last)


def rw(op, sector, segs, rid=1):
    segs = list(segs)[:11]
    body = b"".join(segs) + b"\0" * (8 * (11 - len(segs)))
    return struct.pack("<BBHxxxxQQ", op, len(segs), 0, rid, sector) + body


def raw_count(op, sector, count, segs, rid=1):
    body = b"".join(segs) + b"\0" * (8 * (11 - len(segs)))
    return struct.pack("<BBHxxxxQQ", op, count, 0, rid, sector) + body


def discard(sector, n, rid=2):
    r = struct.pack("<BBHxxxxQQQ", DISCARD, 0, 0, rid, sector, n)
    return r + b"\0" * (112 - len(r))


def indirect(op, sector, nseg, grefs=(500,), rid=3):
    g = list(grefs) + [0] * (8 - len(grefs))
    r = struct.pack("<BBH4xQQH2x8I", INDIRECT, op, nseg, rid, sector, 0, *g)
    return r + b"\0" * (112 - len(r))


def seed(name, data):
    with open(os.path.join(here, name), "wb") as f:
        f.write(data)


os.makedirs(here, exist_ok=True)
seed("read_three", disk() + rw(READ, 16, [seg(1), seg(2, 2, 4), seg(3)]))
seed("write_eleven", disk() + rw(WRITE, 0, [seg(i) for i in range(11)]))
seed("twelve_segments", disk() + raw_count(WRITE, 0, 12,
                                           [seg(i) for i in range(11)]))
seed("flush_pure_and_fua", disk() + rw(FLUSH, 0, []) +
     rw(FLUSH, 8, [seg(4), seg(5)]))
seed("barrier", disk() + rw(BARRIER, 0, [seg(1)]))
seed("discard", disk() + discard(8, 16) + discard(2040, 9) +
     discard(1, 2 ** 64 - 1))
seed("past_end", disk() + rw(READ, 2047, [seg(1, 0, 1)]) +
     rw(READ, 2 ** 64 - 4, [seg(1)]))
seed("bad_sects", disk() + rw(READ, 0, [seg(1, 5, 4)]) +
     rw(READ, 0, [seg(1, 0, 8)]))
seed("read_only", disk(RO | HAS_FLUSH | HAS_DISCARD) +
     rw(WRITE, 0, [seg(1)]) + discard(0, 8) + rw(READ, 0, [seg(1)]))
seed("sect4k", disk(HAS_FLUSH | SECT4K) + rw(WRITE, 8, [seg(1), seg(2)]) +
     rw(WRITE, 4, [seg(1)]) + rw(WRITE, 8, [seg(1, 0, 6)]))
seed("indirect_write", disk() + indirect(WRITE, 64, 20) +
     b"".join(seg(1000 + i) for i in range(20)))
seed("indirect_bad_seg", disk() + indirect(READ, 0, 4) +
     seg(1) + seg(2, 8, 9) + seg(3) + seg(4))
seed("indirect_short", disk(HAS_FLUSH, 255) + indirect(READ, 0, 255) +
     seg(7))
seed("indirect_flush_op", disk() + indirect(FLUSH, 0, 4))
seed("unknown_op", disk() + rw(9, 0, [seg(1)]) + rw(4, 0, [seg(1)]))
