#!/usr/bin/env python3
"""A small NBD client for tests/blkfront/it_nbd.sh, speaking the fixed
newstyle handshake and simple replies by hand so that it can also break
the protocol on purpose.

  nbd_client.py SOCKET hostile SIZE
      a bad option magic (dropped), an unknown option (ERR_UNSUP) then
      GO, a READ past max-request and a WRITE past it with its payload
      (EINVAL, the payload skipped), READs past the end and wrapping
      (EINVAL), unaligned (EINVAL), an unknown command (EINVAL), a good
      READ after all of them, and a bad request magic (dropped); then
      20 requests sent by a client that leaves without their answers.  One
      line per check: "ok: ..." or "FAIL: ...".
  nbd_client.py SOCKET flushwrite OFFSET LENGTH SEED
      LENGTH bytes of pattern(SEED) written at OFFSET, then FLUSH; both
      answered 0: "flushed".
  nbd_client.py SOCKET readcheck OFFSET LENGTH SEED
      the same bytes read back: "read ok".
  nbd_client.py SOCKET fuawrite OFFSET LENGTH SEED
      the pattern written with FUA: "fua ok".
  nbd_client.py SOCKET trimcheck OFFSET LENGTH
      the pattern written, TRIM, read back as zeros: "trim ok zeros".
  nbd_client.py SOCKET readlen OFFSET LENGTH
      a READ: "error N" (0 with its bytes read).
  nbd_client.py pattern LENGTH SEED
      the pattern's bytes to stdout.
"""
import os
import socket
import struct
import sys

NBDMAGIC = 0x4E42444D41474943
IHAVEOPT = 0x49484156454F5054
REPLY_MAGIC = 0x3E889045565A9
REQ_MAGIC = 0x25609513
SIMPLE_MAGIC = 0x67446698
OPT_GO = 7
REP_ACK = 1
REP_INFO = 3
REP_ERR_UNSUP = 0x80000001
EINVAL = 22
failures = 0


def say(ok, what):
    global failures
    print(("ok: " if ok else "FAIL: ") + what, flush=True)
    if not ok:
        failures += 1


def pattern(length, seed):
    out = bytearray(length)
    x = seed & 0xFFFFFFFF or 1
    for i in range(0, length, 4):
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        out[i:i + 4] = struct.pack(">I", x)
    return bytes(out[:length])


def recvn(s, n):
    buf = b""
    while len(buf) < n:
        got = s.recv(n - len(buf))
        if not got:
            raise EOFError("closed after %d of %d bytes" % (len(buf), n))
        buf += got
    return buf


def closed(s):
    """Whether the server closed the connection (within 10 s)."""
    s.settimeout(10)
    try:
        while True:
            if not s.recv(65536):
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(30)
    s.connect(path)
    magic, opt, flags = struct.unpack(">QQH", recvn(s, 18))
    if magic != NBDMAGIC or opt != IHAVEOPT or not flags & 1:
        raise RuntimeError("bad greeting")
    s.sendall(struct.pack(">I", 3))     # fixed newstyle, no zeroes
    return s


def option(s, opt, data):
    s.sendall(struct.pack(">QII", IHAVEOPT, opt, len(data)) + data)
    replies = []
    while True:
        magic, o, typ, ln = struct.unpack(">QIII", recvn(s, 20))
        if magic != REPLY_MAGIC or o != opt:
            raise RuntimeError("bad option reply")
        replies.append((typ, recvn(s, ln)))
        if typ == REP_ACK or typ & 0x80000000:
            return replies


def go(s):
    reps = option(s, OPT_GO, struct.pack(">IH", 0, 0))
    size = flags = None
    for typ, data in reps:
        if typ == REP_INFO and struct.unpack(">H", data[:2])[0] == 0:
            size, flags = struct.unpack(">QH", data[2:12])
    if reps[-1][0] != REP_ACK or size is None:
        raise RuntimeError("GO refused: %r" % (reps,))
    return size, flags


def request(s, typ, off, length, data=b"", flags=0, magic=REQ_MAGIC,
            cookie=0x1234):
    s.sendall(struct.pack(">IHHQQI", magic, flags, typ, cookie, off,
                          length) + data)


def reply(s, want_data=0):
    magic, err, cookie = struct.unpack(">IIQ", recvn(s, 16))
    if magic != SIMPLE_MAGIC:
        raise RuntimeError("bad reply magic %x" % magic)
    data = recvn(s, want_data) if err == 0 and want_data else b""
    return err, cookie, data


def hostile(path, size):
    s = connect(path)
    s.sendall(struct.pack(">QII", IHAVEOPT ^ 1, OPT_GO, 0))
    say(closed(s), "a bad option magic: dropped")
    s.close()

    s = connect(path)
    reps = option(s, 42, b"abc")
    say(reps[-1][0] == REP_ERR_UNSUP, "an unknown option: ERR_UNSUP")
    got, _ = go(s)
    say(got == size, "GO after it: size %d" % got)
    request(s, 0, 0, 33 << 20)
    say(reply(s)[0] == EINVAL, "a READ of 33 MiB: EINVAL")
    request(s, 1, 0, 33 << 20, b"\xab" * (33 << 20))
    say(reply(s)[0] == EINVAL, "a WRITE of 33 MiB: EINVAL, payload skipped")
    request(s, 0, size, 512)
    say(reply(s)[0] == EINVAL, "a READ at the end: EINVAL")
    request(s, 0, size - 512, 1024)
    say(reply(s)[0] == EINVAL, "a READ across the end: EINVAL")
    request(s, 0, (1 << 64) - 512, 1024)
    say(reply(s)[0] == EINVAL, "a READ wrapping: EINVAL")
    request(s, 0, 1, 512)
    say(reply(s)[0] == EINVAL, "an unaligned READ: EINVAL")
    request(s, 9, 0, 0)
    say(reply(s)[0] == EINVAL, "an unknown command: EINVAL")
    request(s, 0, 0, 4096, cookie=77)
    err, cookie, data = reply(s, 4096)
    say(err == 0 and cookie == 77 and len(data) == 4096,
        "a good READ after them")
    request(s, 0, 0, 512, magic=0x12345678)
    say(closed(s), "a bad request magic: dropped")
    s.close()

    # Requests left in flight by a client that goes: the checks after
    # this (served still, no sanitizer report) are what it must keep.
    s = connect(path)
    go(s)
    for i in range(16):
        request(s, 0, i << 20, 1 << 20, cookie=i)
    for i in range(4):
        request(s, 1, (64 << 20) + (i << 18), 1 << 18, b"\x5a" * (1 << 18))
    s.close()


def flushwrite(path, off, length, seed):
    s = connect(path)
    go(s)
    request(s, 1, off, length, pattern(length, seed), cookie=1)
    werr = reply(s)[0]
    request(s, 3, 0, 0, cookie=2)
    ferr = reply(s)[0]
    request(s, 2, 0, 0)
    s.close()
    if werr == 0 and ferr == 0:
        print("flushed")
    else:
        print("write %d, flush %d" % (werr, ferr))


def readcheck(path, off, length, seed):
    s = connect(path)
    go(s)
    request(s, 0, off, length)
    err, _, data = reply(s, length)
    request(s, 2, 0, 0)
    s.close()
    print("read ok" if err == 0 and data == pattern(length, seed)
          else "read: error %d or other bytes" % err)


def fuawrite(path, off, length, seed):
    s = connect(path)
    go(s)
    request(s, 1, off, length, pattern(length, seed), flags=1)
    err = reply(s)[0]
    request(s, 2, 0, 0)
    s.close()
    print("fua ok" if err == 0 else "fua: error %d" % err)


def trimcheck(path, off, length):
    s = connect(path)
    go(s)
    request(s, 1, off, length, pattern(length, 5))
    werr = reply(s)[0]
    request(s, 4, off, length)
    terr = reply(s)[0]
    request(s, 0, off, length)
    rerr, _, data = reply(s, length)
    request(s, 2, 0, 0)
    s.close()
    if werr or terr or rerr:
        print("trim: errors %d %d %d" % (werr, terr, rerr))
    else:
        print("trim ok zeros" if data == bytes(length) else "trim: not zeros")


def readlen(path, off, length):
    s = connect(path)
    go(s)
    request(s, 0, off, length)
    err = reply(s, length)[0]
    request(s, 2, 0, 0)
    s.close()
    print("error %d" % err)


def main():
    a = sys.argv[1:]
    if a[0] == "pattern":
        sys.stdout.buffer.write(pattern(int(a[1]), int(a[2])))
        return 0
    if a[1] == "hostile":
        hostile(a[0], int(a[2]))
    elif a[1] == "flushwrite":
        flushwrite(a[0], int(a[2]), int(a[3]), int(a[4]))
    elif a[1] == "readcheck":
        readcheck(a[0], int(a[2]), int(a[3]), int(a[4]))
    elif a[1] == "fuawrite":
        fuawrite(a[0], int(a[2]), int(a[3]), int(a[4]))
    elif a[1] == "trimcheck":
        trimcheck(a[0], int(a[2]), int(a[3]))
    elif a[1] == "readlen":
        readlen(a[0], int(a[2]), int(a[3]))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
