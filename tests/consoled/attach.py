#!/usr/bin/env python3
"""Drive `shoalctl console attach` through a pty, as a person would.

  attach.py LINE CMD...   runs CMD on a pty; once it says it is attached,
      types LINE and a carriage return until the guest's echo of LINE
      comes back (10 s at most: the follow stream may start a moment
      after the banner), then ^] and expects CMD to exit 0 within 5 s.
      Exit 0 if all of that happened; prints what it saw otherwise.
"""
import os
import pty
import select
import sys
import time


def read_until(fd, want, secs, seen):
    end = time.monotonic() + secs
    while want not in seen[0]:
        left = end - time.monotonic()
        if left <= 0:
            return False
        r, _, _ = select.select([fd], [], [], min(left, 0.5))
        if r:
            try:
                data = os.read(fd, 4096)
            except OSError:
                return want in seen[0]
            if not data:
                return want in seen[0]
            seen[0] += data
    return True


def main():
    line = sys.argv[1].encode()
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(sys.argv[2], sys.argv[2:])
    seen = [b""]
    ok = read_until(fd, b"attached to", 10, seen)
    if ok:
        ok = False
        for _ in range(20):
            os.write(fd, line + b"\r")
            if read_until(fd, line, 0.5, seen):
                ok = True
                break
    if ok:
        os.write(fd, b"\x1d")
        read_until(fd, b"detached", 5, seen)
    end = time.monotonic() + 5
    status = None
    while time.monotonic() < end:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        read_until(fd, b"\0never", 0.1, seen)
    else:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        print("attach: still running after ^]")
        ok = False
    if status is not None and os.waitstatus_to_exitcode(status) != 0:
        print(f"attach: exit {os.waitstatus_to_exitcode(status)}")
        ok = False
    if not ok:
        print("attach: saw", seen[0][-400:])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
