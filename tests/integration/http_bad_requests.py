#!/usr/bin/python3
"""Malformed and refused HTTP requests against synfin's HTTP server, each
on its own connection, run in the kernel peer's namespace:

  http_bad_requests.py ADDR PORT

For every case: send the raw bytes, read until the server closes (or 5 s),
and check the status line and that the server closed the connection. A
valid GET on a fresh connection after each case must still get 200.
Prints one line per case and "bad-requests: N cases OK" (status 0), or
the failures (status 1). Addresses must be in 198.18.0.0/15.
"""

import ipaddress
import socket
import sys

CASES = [
    # (label, raw request, expected status)
    ("garbage line", b"HELLO\r\n\r\n", 400),
    ("no version", b"GET /\r\n\r\n", 400),
    ("bare LF", b"GET / HTTP/1.1\nHost: x\n\n", 400),
    ("missing Host on 1.1", b"GET / HTTP/1.1\r\n\r\n", 400),
    ("space before colon", b"GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400),
    ("obs-fold", b"GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n", 400),
    ("NUL in a field", b"GET / HTTP/1.1\r\nHost: x\r\nX: a\x00b\r\n\r\n", 400),
    ("two Content-Lengths",
     b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n"
     b"Content-Length: 2\r\n\r\nab", 400),
    ("Content-Length overflow",
     b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: "
     b"99999999999999999999999\r\n\r\n", 400),
    ("truncated head then FIN", b"GET / HTTP/1.1\r\nHost: x\r\n", 400),
    ("POST", b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", 405),
    ("DELETE", b"DELETE / HTTP/1.1\r\nHost: x\r\n\r\n", 405),
    ("HTTP/2.0", b"GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505),
    ("HTTP/0.9 style", b"GET / HTTP/0.9\r\nHost: x\r\n\r\n", 505),
    ("chunked body", b"GET / HTTP/1.1\r\nHost: x\r\n"
     b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 501),
    ("9000-byte target",
     b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
    ("oversized header", b"GET / HTTP/1.1\r\nHost: x\r\nX: " + b"b" * 9000 +
     b"\r\n\r\n", 431),
    ("101 header fields", b"GET / HTTP/1.1\r\nHost: x\r\n" +
     b"".join(b"X%d: y\r\n" % i for i in range(101)) + b"\r\n", 431),
]


def exchange(addr, port, data, shut=False, timeout=5.0):
    """Send data, read until EOF; returns (bytes, closed_by_server)."""
    s = socket.create_connection((addr, port), timeout=timeout)
    try:
        s.sendall(data)
        if shut:
            s.shutdown(socket.SHUT_WR)
        got = b""
        while True:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                return got, False
            except ConnectionResetError:
                return got, True
            if not chunk:
                return got, True
            got += chunk
    finally:
        s.close()


def status_of(resp):
    line = resp.split(b"\r\n", 1)[0]
    parts = line.split(b" ")
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/1.1"):
        return None
    try:
        return int(parts[1])
    except ValueError:
        return None


def main():
    addr, port = sys.argv[1], int(sys.argv[2])
    if ipaddress.ip_address(addr) not in ipaddress.ip_network("198.18.0.0/15"):
        sys.exit("refusing %s: not in 198.18.0.0/15" % addr)
    bad = 0
    for label, raw, want in CASES:
        shut = label.startswith("truncated")
        resp, closed = exchange(addr, port, raw, shut=shut)
        got = status_of(resp)
        ok = got == want and closed
        # the server still serves a well-formed request afterwards
        good, _ = exchange(addr, port,
                           b"GET / HTTP/1.1\r\nHost: x\r\n"
                           b"Connection: close\r\n\r\n")
        after = status_of(good)
        ok = ok and after == 200
        print("%-26s want %d got %s, %s; next GET %s: %s" %
              (label, want, got, "closed" if closed else "NOT closed",
               after, "ok" if ok else "FAIL"))
        bad += 0 if ok else 1
    if bad:
        print("bad-requests: %d of %d cases FAILED" % (bad, len(CASES)))
        sys.exit(1)
    print("bad-requests: %d cases OK" % len(CASES))


if __name__ == "__main__":
    main()
