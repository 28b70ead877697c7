#!/usr/bin/python3
"""Open N idle TCP connections to ADDR:PORT and hold them until killed.

The kernel side of scripts/bench/concurrency.sh: connections come from the
source addresses given (up to ~64,000 each, IP_BIND_ADDRESS_NO_PORT lets
connect() pick the port per 4-tuple), at most BATCH SYNs in flight, and
nothing is ever sent on them. Prints "held N" once N are connected, then
sleeps until SIGTERM.

usage: hold.py N ADDR PORT SRC[,SRC...] [BATCH]
"""
import errno
import resource
import selectors
import signal
import socket
import sys
import time

IP_BIND_ADDRESS_NO_PORT = 24


def main():
    n, addr, port = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    srcs = sys.argv[4].split(",")
    batch = int(sys.argv[5]) if len(sys.argv) > 5 else 2000
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    if hard != resource.RLIM_INFINITY and hard < n + 64:
        sys.exit("open files: hard limit %d < %d" % (hard, n + 64))
    resource.setrlimit(resource.RLIMIT_NOFILE, (n + 64, hard))
    sel = selectors.DefaultSelector()
    held = []
    pending = 0
    started = 0
    t0 = time.monotonic()
    while len(held) < n:
        while started < n and pending < batch:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_IP, IP_BIND_ADDRESS_NO_PORT, 1)
            s.bind((srcs[started % len(srcs)], 0))
            s.setblocking(False)
            rc = s.connect_ex((addr, port))
            if rc not in (0, errno.EINPROGRESS):
                sys.exit("connect: %s" % errno.errorcode.get(rc, rc))
            sel.register(s, selectors.EVENT_WRITE)
            pending += 1
            started += 1
        for key, _ in sel.select(timeout=5):
            s = key.fileobj
            sel.unregister(s)
            pending -= 1
            err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err != 0:
                sys.exit("connect: %s" % errno.errorcode.get(err, err))
            held.append(s)
        if time.monotonic() - t0 > 600:
            sys.exit("timeout: %d of %d connected" % (len(held), n))
    print("held %d in %.2f s" % (len(held), time.monotonic() - t0),
          flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        signal.pause()


if __name__ == "__main__":
    main()
