#!/usr/bin/env python3
"""Load that finds the fleet through DNS, as a client should.

Before every request it asks dnsd for NAME's A records (UDP, no cache:
the fleet's TTL is seconds, and re-resolving each time is the worst case
for a fleet that changes), picks one address at random and sends one
HTTP/1.0 GET to it on PORT.  Bounded in time (--seconds) and in count
(--max); --rate caps requests a second (0: as fast as THREADS go).

Prints one JSON object: requests, ok (200 with the body), errors (any
other outcome), resolve_failures (no answer or no address), and the
requests each address got.  Written for tests/scaler/it_fleet_dns.sh.
"""
import argparse
import json
import random
import socket
import struct
import threading
import time


def query(name, qid):
    """A DNS query for NAME's A records, no recursion asked."""
    wire = b"".join(bytes([len(label)]) + label.encode()
                    for label in name.rstrip(".").split(".")) + b"\0"
    return struct.pack("!HHHHHH", qid, 0, 1, 0, 0, 0) + wire + \
        struct.pack("!HH", 1, 1)


def skip_name(msg, off):
    """The offset after the (maybe compressed) name at off."""
    while True:
        n = msg[off]
        if n & 0xC0 == 0xC0:
            return off + 2
        if n == 0:
            return off + 1
        off += 1 + n


def addresses(msg, qid):
    """The A records of a response to query qid."""
    rid, flags, qd, an = struct.unpack("!HHHH", msg[:8])
    if rid != qid or flags & 0xF != 0:
        return []
    off = 12
    for _ in range(qd):
        off = skip_name(msg, off) + 4
    found = []
    for _ in range(an):
        off = skip_name(msg, off)
        rtype, _, _, rdlen = struct.unpack("!HHIH", msg[off:off + 10])
        off += 10
        if rtype == 1 and rdlen == 4:
            found.append(socket.inet_ntoa(msg[off:off + 4]))
        off += rdlen
    return found


def resolve(dns, name):
    qid = random.randrange(65536)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(1.0)
        s.sendto(query(name, qid), dns)
        try:
            return addresses(s.recv(4096), qid)
        except (socket.timeout, OSError, struct.error, IndexError):
            return []


def get(addr, port):
    """One GET; True for a 200 whose body came whole."""
    try:
        with socket.create_connection((addr, port), timeout=2) as s:
            s.sendall(b"GET / HTTP/1.0\r\nHost: fleet\r\n\r\n")
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        return data.startswith(b"HTTP/1.1 200") or \
            data.startswith(b"HTTP/1.0 200")
    except OSError:
        return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dns", required=True, help="ADDR:PORT of dnsd")
    ap.add_argument("--name", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--seconds", type=float, required=True)
    ap.add_argument("--max", type=int, default=100000)
    ap.add_argument("--rate", type=float, default=0)
    ap.add_argument("--threads", type=int, default=4)
    a = ap.parse_args()
    host, port = a.dns.rsplit(":", 1)
    dns = (host, int(port))
    lock = threading.Lock()
    out = {"requests": 0, "ok": 0, "errors": 0, "resolve_failures": 0,
           "by_address": {}}
    end = time.monotonic() + a.seconds
    gap = a.threads / a.rate if a.rate > 0 else 0

    def worker():
        while time.monotonic() < end:
            with lock:
                if out["requests"] >= a.max:
                    return
                out["requests"] += 1
            addrs = resolve(dns, a.name)
            if not addrs:
                with lock:
                    out["resolve_failures"] += 1
                time.sleep(0.01)
                continue
            addr = random.choice(addrs)
            good = get(addr, a.port)
            with lock:
                out["ok" if good else "errors"] += 1
                if good:
                    out["by_address"][addr] = \
                        out["by_address"].get(addr, 0) + 1
            if gap:
                time.sleep(gap)

    threads = [threading.Thread(target=worker) for _ in range(a.threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
