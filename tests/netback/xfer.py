#!/usr/bin/env python3
# tests/netback/xfer.py: a TCP transfer checked byte for byte, for the
# network tests.
#   xfer.py recv PORT            accept one connection, print "BYTES SHA256"
#   xfer.py send HOST PORT FILE  send FILE and close
# Both give up after 120 s.
import hashlib
import socket
import sys

socket.setdefaulttimeout(120)
if sys.argv[1] == "recv":
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", int(sys.argv[2])))
    s.listen(1)
    c, _ = s.accept()
    h, n = hashlib.sha256(), 0
    while True:
        d = c.recv(1 << 16)
        if not d:
            break
        h.update(d)
        n += len(d)
    print(n, h.hexdigest(), flush=True)
else:
    c = socket.create_connection((sys.argv[2], int(sys.argv[3])))
    with open(sys.argv[4], "rb") as f:
        while True:
            d = f.read(1 << 16)
            if not d:
                break
            c.sendall(d)
    c.close()
