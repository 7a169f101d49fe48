#!/usr/bin/env python3
"""Hostile clients for httpd's integration test (it_httpd.sh), each a
bounded number of connections held for a bounded time, on loopback:

  hostile.py slowloris PORT N SECS   N connections each sending a request
      head one byte a second, never finishing it, for SECS seconds, while
      Prints one JSON line: how many slow connections were opened, how
      many the server closed (it should, at its header
      timeout).  (The test probes with curl meanwhile, from a process of
      its own, so that its timings are not this one's.)
  hostile.py idle PORT N READY       N keep-alive connections, each makes
      one request and reads its answer, then sits idle.  Writes "ready"
      into the file READY once all were served, then holds them until
      SIGTERM; prints how many were served and how many the server still
      had open at the end.
  hostile.py twice PORT PATH READY GATE  two requests for PATH on one
      keep-alive connection, the second only once the file GATE exists
      (the test reloads the server in between); prints each answer's
      status and Cache-Control, one line each.
  hostile.py noread PORT PATH READY  requests PATH on one connection and
      never reads; "ready" once sent; on SIGTERM prints whether the
      server closed it meanwhile.
  hostile.py h2idle PORT N READY     N HTTP/2 connections over TLS (ALPN
      h2, certificate not checked), each sends the preface and its
      SETTINGS and reads the server's SETTINGS, then sits idle; "ready"
      once all are set up, held until SIGTERM; prints how many negotiated
      h2 and how many the server still had open at the end.
"""
import asyncio
import json
import signal
import sys
import time

HOST = "127.0.0.1"


async def slow_one(port, secs, closed):
    try:
        r, w = await asyncio.open_connection(HOST, port)
    except OSError:
        return False
    head = b"GET /1k.bin HTTP/1.1\r\nHost: t\r\nX-Slow: " + b"a" * 64
    end = time.monotonic() + secs
    i = 0
    try:
        while time.monotonic() < end:
            w.write(head[i % len(head):i % len(head) + 1])
            i += 1
            await w.drain()
            try:
                # EOF or an answer (408): the server ended it.
                await asyncio.wait_for(r.read(1), 1.0)
                closed.append(1)
                break
            except asyncio.TimeoutError:
                pass
    except (ConnectionError, OSError):
        closed.append(1)
    w.close()
    return True


async def slowloris(port, n, secs):
    closed = []
    tasks = [asyncio.create_task(slow_one(port, secs, closed))
             for _ in range(n)]
    opened = sum(await asyncio.gather(*tasks))
    print(json.dumps({"opened": opened, "closed_by_server": len(closed)}))


def wait_term():
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    loop.add_signal_handler(signal.SIGTERM, stop.set_result, None)
    return stop


async def idle(port, n, ready):
    stop = wait_term()
    req = b"GET /1k.bin HTTP/1.1\r\nHost: t\r\n\r\n"
    # Each client sends its request as soon as it is connected: a
    # connection left silent while the others open would meet the
    # server's header timeout, which is not what this test is about.
    opening = asyncio.Semaphore(500)

    async def one():
        async with opening:
            try:
                r, w = await asyncio.open_connection(HOST, port)
            except OSError:
                return None
        w.write(req)
        try:
            head = await asyncio.wait_for(r.readuntil(b"\r\n\r\n"), 30)
            await asyncio.wait_for(r.readexactly(1024), 30)
            return r, w, head.startswith(b"HTTP/1.1 200 ")
        except (asyncio.TimeoutError, asyncio.IncompleteReadError,
                ConnectionError, asyncio.LimitOverrunError):
            return r, w, False
    got = [c for c in await asyncio.gather(*[one() for _ in range(n)])
           if c is not None]
    conns = [(r, w) for r, w, _ in got]
    served = sum(1 for _, _, ok in got if ok)
    with open(ready, "w") as f:
        f.write("ready\n")
    await stop
    still = 0
    for r, w in conns:
        # An idle connection the server kept: no EOF waiting to be read.
        try:
            data = await asyncio.wait_for(r.read(1), 0.001)
            still += 0 if data == b"" else 1
        except asyncio.TimeoutError:
            still += 1
        except ConnectionError:
            pass
        w.close()
    print(json.dumps({"opened": len(conns), "served": served,
                      "still_open": still}))


async def noread(port, path, ready):
    stop = wait_term()
    r, w = await asyncio.open_connection(HOST, port, limit=1024)
    sock = w.get_extra_info("socket")
    import socket
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    w.write(f"GET {path} HTTP/1.1\r\nHost: t\r\n\r\n".encode())
    await w.drain()
    # Stop reading: the transport's reader is paused, so the kernel's
    # window closes and the server's sends stall.
    w.transport.pause_reading()
    with open(ready, "w") as f:
        f.write("ready\n")
    await stop
    w.transport.resume_reading()
    got = 0
    closed = False
    try:
        while True:
            data = await asyncio.wait_for(r.read(1 << 20), 2)
            if not data:
                closed = True
                break
            got += len(data)
    except (asyncio.TimeoutError, ConnectionError):
        closed = isinstance(sys.exc_info()[1], ConnectionError)
    w.close()
    print(json.dumps({"received": got, "closed_by_server": closed}))


H2_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
H2_SETTINGS = b"\x00\x00\x00\x04\x00\x00\x00\x00\x00"  # empty, stream 0


async def h2_one(port, ctx):
    try:
        r, w = await asyncio.open_connection(HOST, port, ssl=ctx)
    except OSError:
        return None
    if w.get_extra_info("ssl_object").selected_alpn_protocol() != "h2":
        w.close()
        return None
    w.write(H2_PREFACE + H2_SETTINGS)
    try:
        head = await asyncio.wait_for(r.readexactly(9), 30)
        await asyncio.wait_for(r.readexactly(int.from_bytes(head[:3], "big")), 30)
    except (asyncio.TimeoutError, asyncio.IncompleteReadError, ConnectionError):
        w.close()
        return None
    return (r, w) if head[3] == 4 else None  # the server's SETTINGS first


async def h2idle(port, n, ready):
    import ssl
    stop = wait_term()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.set_alpn_protocols(["h2"])
    conns = []
    for start in range(0, n, 100):
        batch = await asyncio.gather(
            *[h2_one(port, ctx) for _ in range(min(100, n - start))])
        conns += [c for c in batch if c is not None]
    with open(ready, "w") as f:
        f.write("ready\n")
    await stop
    still = 0
    for r, w in conns:
        try:
            # The server's ACK of our SETTINGS may be waiting: not an EOF.
            while await asyncio.wait_for(r.read(4096), 0.01):
                pass
        except asyncio.TimeoutError:
            still += 1
        except ConnectionError:
            pass
        w.close()
    print(json.dumps({"h2": len(conns), "still_open": still}))


async def read_answer(r):
    head = (await r.readuntil(b"\r\n\r\n")).decode("latin-1")
    fields = {}
    for line in head.split("\r\n")[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            fields[k.strip().lower()] = v.strip()
    await r.readexactly(int(fields.get("content-length", "0")))
    return head.split(" ")[1], fields.get("cache-control", "-")


async def twice(port, path, ready, gate):
    import os
    r, w = await asyncio.open_connection(HOST, port)
    req = f"GET {path} HTTP/1.1\r\nHost: t\r\n\r\n".encode()
    w.write(req)
    print(*await read_answer(r), flush=True)
    with open(ready, "w") as f:
        f.write("ready\n")
    for _ in range(200):
        if os.path.exists(gate):
            break
        await asyncio.sleep(0.05)
    w.write(req)
    print(*await read_answer(r), flush=True)
    w.close()


def main():
    mode, port = sys.argv[1], int(sys.argv[2])
    if mode == "h2idle":
        asyncio.run(h2idle(port, int(sys.argv[3]), sys.argv[4]))
    elif mode == "slowloris":
        asyncio.run(slowloris(port, int(sys.argv[3]), float(sys.argv[4])))
    elif mode == "idle":
        asyncio.run(idle(port, int(sys.argv[3]), sys.argv[4]))
    elif mode == "twice":
        asyncio.run(twice(port, sys.argv[3], sys.argv[4], sys.argv[5]))
    elif mode == "noread":
        asyncio.run(noread(port, sys.argv[3], sys.argv[4]))
    else:
        sys.exit(f"hostile.py: unknown mode {mode}")


if __name__ == "__main__":
    main()
