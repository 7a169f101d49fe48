#!/usr/bin/env python3
"""bench/run scale-demo's driver: load steps against the web fleet, and a
sample every half second of what happened, for gnuplot.

    scale_demo.py XENSIM SHOALCTL PORT OUT.dat

Load is wrk, closed loop, a new connection per request (the kernel spreads
connections over the web domains' shared port), in steps of clients:
PHASES below.  Each sample: seconds since start, clients, requests
answered per second by all web domains, the p99 latency in ms of 20
timed requests made by this script (a client's view), web domains
serving (the scaler's count) and desired (its decision).  Every wait is bounded.
"""
import json
import socket
import subprocess
import sys
import time

PHASES = [(0, 5), (2, 15), (8, 20), (2, 15), (0, 20)]   # (clients, seconds)
SAMPLE_S = 0.5
PROBES = 20         # timed requests a sample


def run(*argv):
    r = subprocess.run(argv, capture_output=True, text=True, timeout=10)
    return r.stdout if r.returncode == 0 else ""


def web_domains(xensim):
    out = run(xensim, "list")
    return [line.split()[1] for line in out.splitlines()
            if line.startswith("web-") and line.split()[-1] == "running"]


def http_stats(ctl, domid):
    out = run(ctl, "--domain", domid, "--json", "http.stats")
    try:
        return json.loads(out)
    except ValueError:
        return None


def fleet(ctl):
    out = run(ctl, "--json", "--service", "scaler", "sys.stats")
    try:
        return json.loads(out)["daemon"]["fleet"]
    except (ValueError, KeyError):
        return {}


def probe_p99_ms(port, n=PROBES):
    """A client's view: n requests, each on a new connection, timed from
    connect to the whole answer; the p99 of them (ms), None if none
    answered.  (httpd's own histogram starts at 100 us, where all of
    these requests fall: it would draw a flat line.)"""
    times = []
    req = b"GET / HTTP/1.1\r\nHost: demo\r\nConnection: close\r\n\r\n"
    for _ in range(n):
        t = time.monotonic()
        try:
            with socket.create_connection(("127.0.0.1", int(port)),
                                          timeout=2) as c:
                c.sendall(req)
                while c.recv(65536):
                    pass
        except OSError:
            continue
        times.append((time.monotonic() - t) * 1000.0)
    if not times:
        return None
    times.sort()
    return times[min(len(times) - 1, int(0.99 * len(times)))]


def main():
    xensim, ctl, port, out = sys.argv[1:5]
    url = "http://127.0.0.1:%s/" % port
    prev = {}           # domid -> requests answered
    wrk = None
    t0 = time.monotonic()
    ends = []
    t = 0
    for clients, secs in PHASES:
        t += secs
        ends.append((t, clients))
    with open(out, "w") as f:
        f.write("# t clients served_rps p99_ms serving desired\n")
        phase = -1
        last = time.monotonic()
        while True:
            now = time.monotonic() - t0
            i = next((k for k, (end, _) in enumerate(ends) if now < end),
                     None)
            if i is None:
                break
            if i != phase:
                phase = i
                if wrk is not None:
                    wrk.terminate()
                    wrk.wait(timeout=10)
                    wrk = None
                clients = ends[i][1]
                if clients > 0:
                    wrk = subprocess.Popen(
                        ["wrk", "-t1", "-c%d" % clients,
                         "-d%ds" % (PHASES[i][1] + 5),
                         "-H", "Connection: close", url],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(SAMPLE_S)
            tick = time.monotonic()
            dt, last = tick - last, tick
            served = 0
            for d in web_domains(xensim):
                s = http_stats(ctl, d)
                if s is None:
                    continue
                req = s.get("requests", 0)
                if d in prev:
                    served += req - prev[d]
                prev[d] = req
            fl = fleet(ctl)
            p99 = probe_p99_ms(port)
            f.write("%.1f %d %.0f %s %s %s\n" % (
                tick - t0, ends[phase][1], served / dt,
                "%.3f" % p99 if p99 is not None else "NaN",
                fl.get("serving", "NaN"), fl.get("desired", "NaN")))
            f.flush()
    if wrk is not None:
        wrk.terminate()
        wrk.wait(timeout=10)


if __name__ == "__main__":
    main()
