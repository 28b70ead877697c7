#!/usr/bin/python3
"""Kernel-side TCP helpers of the tcp_*.sh integration tests (run with
/usr/bin/python3 inside the kernel peer's namespace).

  tcp_peer.py echo-server ADDR PORT
      A threaded echo server: echoes every byte, and on the client's FIN
      shuts down its own side once everything is echoed (so the kernel is
      the passive closer). Prints "listening ADDR PORT", then one line per
      connection: "conn IP:PORT echoed N bytes, eof".
  tcp_peer.py deaf-server ADDR PORT [--timeout S]
      Accepts connections and never reads from them, so their receive
      windows fill and shut; prints "listening ADDR PORT", then "conn
      IP:PORT held" per connection; exits after S seconds (default 60).
  tcp_peer.py client ADDR PORT INFILE OUTFILE [--sndbuf-force N]
                     [--read-after-shutdown [--read-delay S]] [--timeout S]
      Connect, send INFILE, shutdown(SHUT_WR) right after the last byte,
      read until EOF into OUTFILE. The reader runs alongside the sender,
      unless --read-after-shutdown: then nothing is read until the sender
      has handed every byte to the kernel and shut down (give it a send
      buffer large enough with --sndbuf-force, CAP_NET_ADMIN), and then
      S seconds more (the peer's buffers fill meanwhile). Prints
      "client: ..." with the figures; status 0 on a clean EOF.
  tcp_peer.py small ADDR PORT DATA
      Connect, send DATA, read len(DATA) bytes back, shutdown(SHUT_WR),
      read EOF, close (the kernel is the active closer). Prints
      "small: local port P sent N echoed M eof".
  tcp_peer.py hold ADDR PORT GOFILE [--timeout S]
      Connect, send 10 bytes, read them back, print "echoed 10 bytes";
      keep the connection open until GOFILE exists, then shutdown(SHUT_WR),
      read until EOF, close; prints "eof after N more bytes" and "closed".
  tcp_peer.py after-fin PCAP
      Print how many payload bytes the server sent after the client's FIN
      (in capture order), and where each FIN sits in its stream.
  tcp_peer.py capcheck PCAP ACTIVE BYTES_A BYTES_B
      Check the one TCP connection of PCAP (the first SYN names it) and
      print tcpdump's lines annotated: the handshake, the data, and the
      teardown. ACTIVE is "client" or "server": the side that must send
      the first FIN. BYTES_A / BYTES_B: payload bytes the client / server
      must send. Status 0 when every check holds.

Addresses must be in 198.18.0.0/15: the helper refuses any other.
With SF_PEER_CC set (e.g. "cubic"), every socket it opens uses that
congestion control (TCP_CONGESTION; accepted sockets inherit the
listener's), whatever the host's default is.
"""

import argparse
import hashlib
import ipaddress
import os
import socket
import subprocess
import sys
import threading
import time

BENCH_NET = ipaddress.ip_network("198.18.0.0/15")


def bench_addr(addr):
    if ipaddress.ip_address(addr) not in BENCH_NET:
        sys.exit("tcp_peer.py: %s is outside 198.18.0.0/15, refusing" %
                 addr)
    return addr


def say(*a):
    print(*a, flush=True)


def tcp_socket():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    cc = os.environ.get("SF_PEER_CC")
    if cc:
        # TCP_CONGESTION (Linux: 13); one the host does not allow for
        # all needs CAP_NET_ADMIN, which the tests have.
        s.setsockopt(socket.IPPROTO_TCP,
                     getattr(socket, "TCP_CONGESTION", 13), cc.encode())
    return s


# ---- echo server --------------------------------------------------------

def echo_conn(s, peer):
    n = 0
    how = "eof"
    try:
        while True:
            b = s.recv(262144)
            if not b:
                break
            s.sendall(b)
            n += len(b)
        s.shutdown(socket.SHUT_WR)
    except OSError as e:
        how = "error: %s" % e
    finally:
        s.close()
    say("conn %s:%d echoed %d bytes, %s" % (peer[0], peer[1], n, how))


def listener(a):
    ls = tcp_socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((bench_addr(a.addr), a.port))
    ls.listen(64)
    say("listening %s %d" % (a.addr, a.port))
    return ls


def cmd_echo_server(a):
    ls = listener(a)
    while True:
        s, peer = ls.accept()
        threading.Thread(target=echo_conn, args=(s, peer),
                         daemon=True).start()


def cmd_deaf_server(a):
    ls = listener(a)
    held = []
    end = time.monotonic() + a.timeout
    while time.monotonic() < end:
        ls.settimeout(max(0.01, end - time.monotonic()))
        try:
            s, peer = ls.accept()
        except socket.timeout:
            break
        held.append(s)
        say("conn %s:%d held" % peer)
    return 0


# ---- clients ------------------------------------------------------------

def connect(addr, port, timeout, sndbuf_force=0):
    s = tcp_socket()
    if sndbuf_force:
        # SO_SNDBUFFORCE (Linux: 32; not in every Python): past wmem_max
        s.setsockopt(socket.SOL_SOCKET, getattr(socket, "SO_SNDBUFFORCE", 32),
                     sndbuf_force)
    s.settimeout(timeout)
    s.connect((bench_addr(addr), port))
    return s


def cmd_client(a):
    with open(a.infile, "rb") as f:
        data = f.read()
    t0 = time.monotonic()
    s = connect(a.addr, a.port, a.timeout, a.sndbuf_force)
    state = {"err": None, "rcvd_at_shut": None, "t_shut": None}
    nrcvd = [0]
    sent_all = threading.Event()

    def sender():
        try:
            mv = memoryview(data)
            for off in range(0, len(data), 65536):
                s.sendall(mv[off:off + 65536])
            state["rcvd_at_shut"] = nrcvd[0]
            s.shutdown(socket.SHUT_WR)
            state["t_shut"] = time.monotonic() - t0
        except OSError as e:
            state["err"] = "send: %s" % e
        sent_all.set()

    th = threading.Thread(target=sender, daemon=True)
    th.start()
    if a.read_after_shutdown:
        if not sent_all.wait(a.timeout):
            say("client: sender still blocked after %ds" % a.timeout)
            return 1
        time.sleep(a.read_delay)
    eof = False
    h = hashlib.sha256()
    with open(a.outfile, "wb", buffering=0) as f:
        try:
            while True:
                b = s.recv(262144)
                if not b:
                    eof = True
                    break
                f.write(b)  # as it comes: the test watches the size
                h.update(b)
                nrcvd[0] += len(b)
        except OSError as e:
            state["err"] = state["err"] or "recv: %s" % e
    th.join(a.timeout)
    s.close()
    el = time.monotonic() - t0
    say("client: sent %d received %d bytes in %.3f s (%.1f MB/s each way),"
        " shutdown(SHUT_WR) at %s s with %s bytes received, %s%s" % (
            len(data), nrcvd[0], el, nrcvd[0] / el / 1e6,
            "%.3f" % state["t_shut"] if state["t_shut"] is not None
            else "-", state["rcvd_at_shut"],
            "eof" if eof else "no eof",
            ", " + state["err"] if state["err"] else ""))
    say("client: sha256 sent %s" % hashlib.sha256(data).hexdigest())
    say("client: sha256 rcvd %s" % h.hexdigest())
    return 0 if eof and state["err"] is None else 1


def recv_exact(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            break
        b += c
    return b


def recv_to_eof(s):
    n = 0
    while True:
        c = s.recv(65536)
        if not c:
            return n
        n += len(c)


def cmd_small(a):
    data = a.data.encode()
    s = connect(a.addr, a.port, 10)
    s.sendall(data)
    back = recv_exact(s, len(data))
    s.shutdown(socket.SHUT_WR)
    extra = recv_to_eof(s)
    port = s.getsockname()[1]
    s.close()
    say("small: local port %d sent %d echoed %d%s eof after %d more" % (
        port, len(data), len(back),
        " (intact)" if back == data else " (CORRUPT)", extra))
    return 0 if back == data and extra == 0 else 1


def cmd_hold(a):
    data = b"0123456789"
    s = connect(a.addr, a.port, a.timeout)
    s.sendall(data)
    back = recv_exact(s, len(data))
    say("echoed %d bytes%s, local port %d" % (
        len(back), "" if back == data else " (CORRUPT)",
        s.getsockname()[1]))
    if back != data:
        return 1
    t_end = time.monotonic() + a.timeout
    while not os.path.exists(a.gofile):
        if time.monotonic() > t_end:
            say("no %s within %ds" % (a.gofile, a.timeout))
            return 1
        time.sleep(0.05)
    s.shutdown(socket.SHUT_WR)
    say("shutdown(SHUT_WR)")
    extra = recv_to_eof(s)
    say("eof after %d more bytes" % extra)
    s.close()
    say("closed")
    return 0 if extra == 0 else 1


# ---- capture check ------------------------------------------------------

class Seg:
    def __init__(self, i, pkt, line):
        from scapy.all import IP, TCP
        ip, t = pkt[IP], pkt[TCP]
        self.i = i
        self.src = (ip.src, t.sport)
        self.dst = (ip.dst, t.dport)
        self.flags = str(t.flags)
        self.seq = t.seq
        self.ack = t.ack
        self.len = ip.len - ip.ihl * 4 - t.dataofs * 4
        self.line = line
        self.note = ""

    def has(self, f):
        return f in self.flags


def cmd_capcheck(a):
    from scapy.all import TCP, rdpcap
    pkts = [p for p in rdpcap(a.pcap) if TCP in p]
    lines = subprocess.run(["tcpdump", "-nn", "-S", "-r", a.pcap, "tcp"],
                           capture_output=True, text=True,
                           check=True).stdout.splitlines()
    if len(lines) != len(pkts):
        say("capcheck: tcpdump shows %d lines, scapy %d packets" %
            (len(lines), len(pkts)))
        return 1
    segs = [Seg(i, p, lines[i]) for i, p in enumerate(pkts)]
    syns = [s for s in segs if s.flags == "S"]
    if not syns:
        say("capcheck: no SYN in the capture")
        return 1
    cli, srv = syns[0].src, syns[0].dst
    conn = [s for s in segs if {s.src, s.dst} == {cli, srv}]
    other = len(segs) - len(conn)
    errors = []

    def check(cond, what):
        if not cond:
            errors.append(what)
        return cond

    def rel(v, base):
        return (v - base) % 2**32

    # 1. the three-way handshake: exactly the first three segments
    x = conn[0].seq
    check(len(conn) >= 3, "fewer than 3 segments")
    s0, s1, s2 = (conn + [None, None, None])[:3]
    conn[0].note = "handshake 1/3: SYN seq=x"
    y = None
    if check(s1 is not None and s1.src == srv and s1.flags == "SA",
             "2nd segment is not the server's SYN-ACK"):
        y = s1.seq
        check(s1.ack == (x + 1) % 2**32, "SYN-ACK ack != x+1")
        s1.note = "handshake 2/3: SYN-ACK seq=y ack=x+1" + \
            ("" if s1.ack == (x + 1) % 2**32 else " (WRONG ack)")
    if s2 is not None and y is not None and check(
            s2.src == cli and "A" in s2.flags and "S" not in s2.flags and
            "F" not in s2.flags and "R" not in s2.flags,
            "3rd segment is not the client's ACK"):
        check(s2.ack == (y + 1) % 2**32 and s2.seq == (x + 1) % 2**32,
              "handshake ACK is not seq=x+1 ack=y+1")
        s2.note = "handshake 3/3: ACK seq=x+1 ack=y+1" + \
            (" (carries %d bytes)" % s2.len if s2.len else "")
    if errors:
        return report(conn, errors, other)
    check(not any(s.has("S") for s in conn[3:]),
          "SYN after the handshake (retransmitted SYN or SYN-ACK)")
    check(not any(s.has("R") for s in conn), "RST in the connection")
    # 2. data: every byte once, in order, the expected amount each way
    base = {cli: (x + 1) % 2**32, srv: (y + 1) % 2**32}
    nxt = {cli: 0, srv: 0}
    for s in conn[2:]:
        if s.len:
            off = rel(s.seq, base[s.src])
            who = "client" if s.src == cli else "server"
            if off != nxt[s.src]:
                check(False, "%s data at offset %d, expected %d "
                      "(retransmission or gap)" % (who, off, nxt[s.src]))
            nxt[s.src] = max(nxt[s.src], off + s.len)
            s.note = "data %s %d:%d" % (who, off, off + s.len)
    check(nxt[cli] == a.bytes_a, "client sent %d bytes, expected %d" %
          (nxt[cli], a.bytes_a))
    check(nxt[srv] == a.bytes_b, "server sent %d bytes, expected %d" %
          (nxt[srv], a.bytes_b))
    # 3. the teardown
    fins = [s for s in conn if s.has("F")]
    act, pas = (cli, srv) if a.active == "client" else (srv, cli)
    aname, pname = a.active, "server" if a.active == "client" else "client"
    fa = [s for s in fins if s.src == act]
    fp = [s for s in fins if s.src == pas]
    if not check(len(fa) == 1 and len(fp) == 1,
                 "expected one FIN each way, saw %d from the %s and %d "
                 "from the %s" % (len(fa), aname, len(fp), pname)):
        return report(conn, errors, other)
    fa, fp = fa[0], fp[0]
    check(fa.i < fp.i, "the %s's FIN is not the first" % aname)
    u = (fa.seq + fa.len) % 2**32
    w = (fp.seq + fp.len) % 2**32
    fa.note = (fa.note + "; " if fa.note else "") + \
        "teardown: FIN (%s) seq=u%s" % (aname, ", ACK flag" if fa.has("A")
                                        else "")
    u1 = (u + 1) % 2**32
    # the first segment of the passive side that acknowledges the FIN
    ackfin = next((s for s in conn if s.src == pas and s.i > fa.i and
                   s.has("A") and rel(s.ack, u1) == 0), None)
    merged = ackfin is fp
    check(ackfin is not None, "the %s never acknowledged u+1" % pname)
    check(all(rel(s.ack, base[act]) <= rel(u1, base[act])
              for s in conn if s.src == pas and s.has("A")),
          "the %s acknowledged beyond u+1" % pname)
    check(fp.ack == u1, "the %s's FIN does not carry ack=u+1" % pname)
    if ackfin is not None and not merged:
        ackfin.note = (ackfin.note + "; " if ackfin.note else "") + \
            "teardown: ACK of the FIN (%s) ack=u+1" % pname
    fp.note = (fp.note + "; " if fp.note else "") + \
        ("teardown: FIN (%s) seq=w ack=u+1%s" %
         (pname, ", the ACK of the first FIN merged into it" if merged
          else ""))
    after = [s for s in conn if s.i > fp.i]
    check(len(after) == 1, "%d segments after the second FIN, expected "
          "exactly the last ACK" % len(after))
    la = after[0] if after else None
    if la is not None:
        check(la.src == act and la.flags == "A" and la.len == 0 and
              la.seq == u1 and la.ack == (w + 1) % 2**32,
              "last segment is not the %s's ACK seq=u+1 ack=w+1" % aname)
        la.note = "teardown: last ACK (%s) seq=u+1 ack=w+1" % aname
    for s in conn:
        if s.src == act and s.i > fa.i and s is not la:
            check(s.len == 0 and s.seq == u1,
                  "the %s sent seq %d after its FIN" % (aname, s.seq))
            if not s.note:
                s.note = "%s ACK after its FIN" % aname
    say("capcheck: x=%d y=%d, u=%s+%d w=%s+%d; teardown: %s" % (
        x, y, "x+1" if act == cli else "y+1", rel(u, base[act]),
        "y+1" if act == cli else "x+1", rel(w, base[pas]),
        "FIN, ACK+FIN merged, ACK (3 segments)" if merged else
        "FIN, ACK%s, FIN, ACK (4 segments)" % (
            " on a data segment" if ackfin is not None and ackfin.len
            else "")))
    for s in conn:
        if not s.note and s.flags == "A" and s.len == 0:
            who = "client" if s.src == cli else "server"
            s.note = "ACK (%s) ack=%s+%d" % (
                who, "y+1" if s.src == cli else "x+1",
                rel(s.ack, base[srv if s.src == cli else cli]))
    return report(conn, errors, other)


def cmd_after_fin(a):
    """What the server sent after the client's FIN (half-close)."""
    from scapy.all import IP, TCP, rdpcap
    pkts = [p for p in rdpcap(a.pcap) if TCP in p]
    syn = next((p for p in pkts if str(p[TCP].flags) == "S"), None)
    if syn is None:
        say("after-fin: no SYN in the capture")
        return 1
    cli = (syn[IP].src, syn[TCP].sport)
    conn = [p for p in pkts
            if cli in ((p[IP].src, p[TCP].sport), (p[IP].dst, p[TCP].dport))]
    isn = {}
    fin_i = None
    sfin = None
    after = segs = 0
    for i, p in enumerate(conn):
        ip, t = p[IP], p[TCP]
        fromc = (ip.src, t.sport) == cli
        n = ip.len - ip.ihl * 4 - t.dataofs * 4
        if "S" in str(t.flags):
            isn[fromc] = t.seq
        if fromc and "F" in str(t.flags) and fin_i is None:
            fin_i = i
            cfin = (t.seq + n - isn[True] - 1) % 2**32
        if not fromc and fin_i is not None and i > fin_i:
            if n:
                after += n
                segs += 1
            if "F" in str(t.flags) and sfin is None:
                sfin = (t.seq + n - isn[False] - 1) % 2**32
    if fin_i is None:
        say("after-fin: no FIN from the client")
        return 1
    say("after-fin: client FIN at client offset %d (segment %d of %d); "
        "the server then sent %d bytes in %d segments, then its FIN at "
        "server offset %s" % (cfin, fin_i + 1, len(conn), after, segs,
                              sfin if sfin is not None else "(none)"))
    say("after_fin_bytes=%d" % after)
    return 0


def report(conn, errors, other):
    for s in conn:
        say("  %-60s| %s" % (s.note or "", s.line))
    if other:
        say("capcheck: %d segments of other connections ignored" % other)
    for e in errors:
        say("capcheck: FAIL: %s" % e)
    if not errors:
        say("capcheck: all checks hold (%d segments)" % len(conn))
    return 1 if errors else 0


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("echo-server")
    e.add_argument("addr")
    e.add_argument("port", type=int)
    d = sub.add_parser("deaf-server")
    d.add_argument("addr")
    d.add_argument("port", type=int)
    d.add_argument("--timeout", type=float, default=60)
    c = sub.add_parser("client")
    c.add_argument("addr")
    c.add_argument("port", type=int)
    c.add_argument("infile")
    c.add_argument("outfile")
    c.add_argument("--sndbuf-force", type=int, default=0)
    c.add_argument("--read-after-shutdown", action="store_true")
    c.add_argument("--read-delay", type=float, default=0)
    c.add_argument("--timeout", type=float, default=60)
    s = sub.add_parser("small")
    s.add_argument("addr")
    s.add_argument("port", type=int)
    s.add_argument("data")
    h = sub.add_parser("hold")
    h.add_argument("addr")
    h.add_argument("port", type=int)
    h.add_argument("gofile")
    h.add_argument("--timeout", type=float, default=30)
    k = sub.add_parser("capcheck")
    k.add_argument("pcap")
    k.add_argument("active", choices=("client", "server"))
    k.add_argument("bytes_a", type=int)
    k.add_argument("bytes_b", type=int)
    f = sub.add_parser("after-fin")
    f.add_argument("pcap")
    a = p.parse_args()
    return {"echo-server": cmd_echo_server, "client": cmd_client,
            "deaf-server": cmd_deaf_server,
            "small": cmd_small, "hold": cmd_hold,
            "capcheck": cmd_capcheck, "after-fin": cmd_after_fin}[a.cmd](a) \
        or 0


if __name__ == "__main__":
    sys.exit(main())
