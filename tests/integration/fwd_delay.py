#!/usr/bin/python3
"""A userspace IPv4 router that delays and reorders, for the middle
namespace of the fault tests (sf_topo_mid_up in lib.sh).

  fwd_delay.py IF_A IF_B --net-a NET --mac-a MAC --net-b NET --mac-b MAC
               [--delay-ms D] [--jitter-ms J] [--reorder-pct P]
               [--reorder-gap N] [--reorder-hold-ms H] [--seed S]
               [--timeout S] [--json FILE]

It reads the frames that arrive on IF_A and IF_B through AF_PACKET sockets
(IPv4 only: ARP is left to the kernel of the namespace, which answers for
the interfaces' addresses as usual) and routes them itself: a frame sent to
IF_A's MAC whose IPv4 destination is in NET_B goes out of IF_B to MAC_B (and
the other way round), TTL decremented, header checksum redone. The kernel of
the namespace must not forward them too: run it with ip_forward=0 (the
frames then die in its input path, silently).

Every routed frame waits D ms (plus a uniform 0..J ms when J > 0, which
reorders by itself). With probability P % a frame is also held back once its
delay is over, until N later frames of the same direction have gone out
past it (it is "overtaken"), or H ms more, whichever comes first (at the end
of a burst nothing overtakes it).

SIGTERM or SIGINT: stop, print the counts ("fwd_delay: ..." lines), write
the JSON file, exit 0. SIGUSR1: print the counts and go on. It stops by
itself after --timeout seconds (default 300; status 0, "timeout" said).
Every address must be in 198.18.0.0/15.
"""

import argparse
import errno
import fcntl
import heapq
import ipaddress
import json
import os
import random
import select
import signal
import socket
import struct
import sys
import time

BENCH_NET = ipaddress.ip_network("198.18.0.0/15")
ETH_P_IP = 0x0800
PACKET_HOST = 0
PACKET_STATISTICS = 6
SOL_PACKET = 263
SIOCGIFHWADDR = 0x8927
SO_RCVBUFFORCE = 33
SO_SNDBUFFORCE = 32


def say(*a):
    print("fwd_delay:", *a, flush=True)


def bench_net(s):
    n = ipaddress.ip_network(s, strict=False)
    if not n.subnet_of(BENCH_NET):
        sys.exit("fwd_delay.py: %s is outside 198.18.0.0/15, refusing" % s)
    return n


def mac_bytes(s):
    b = bytes(int(x, 16) for x in s.split(":"))
    if len(b) != 6:
        raise argparse.ArgumentTypeError("bad MAC address %r" % s)
    return b


def if_mac(sock, ifname):
    r = fcntl.ioctl(sock.fileno(), SIOCGIFHWADDR,
                    struct.pack("256s", ifname.encode()[:15]))
    return r[18:24]


def ip_csum(hdr):
    if len(hdr) % 2:
        hdr += b"\0"
    s = sum(struct.unpack("!%dH" % (len(hdr) // 2), hdr))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


class Side:
    """One interface: its socket, and the routing toward the other side."""

    def __init__(self, ifname, net, peer_mac):
        self.ifname = ifname
        self.net = net                  # the network behind this side
        self.peer_mac = peer_mac        # next hop on this side
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                                  socket.htons(ETH_P_IP))
        self.sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 16 << 20)
        self.sock.setsockopt(socket.SOL_SOCKET, SO_SNDBUFFORCE, 16 << 20)
        self.sock.bind((ifname, ETH_P_IP))
        self.sock.setblocking(False)
        self.mac = if_mac(self.sock, ifname)
        self.net_lo = int(net.network_address)
        self.net_mask = int(net.netmask)
        self.sock_drops = 0
        self.sock_seen = 0

    def stats(self):
        b = self.sock.getsockopt(SOL_PACKET, PACKET_STATISTICS, 8)
        pk, dr = struct.unpack("II", b)   # read-and-reset: accumulate
        self.sock_seen += pk
        self.sock_drops += dr


class Dir:
    """Counters and the held-back frames of one direction."""

    def __init__(self, name, src, dst):
        self.name = name
        self.src = src
        self.dst = dst
        self.held = []          # [frames still to overtake, deadline, frame]
        self.routed = 0
        self.sent = 0
        self.bytes = 0
        self.reordered = 0
        self.overtaken = 0
        self.hold_timeouts = 0
        self.send_errors = 0

    def send(self, frame):
        try:
            self.dst.sock.send(frame)
        except OSError as e:
            if e.errno not in (errno.ENOBUFS, errno.EAGAIN):
                raise
            # veth full for a moment: the frame is lost, as on a wire
            self.send_errors += 1
            return
        self.sent += 1
        self.bytes += len(frame)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("if_a")
    p.add_argument("if_b")
    p.add_argument("--net-a", type=bench_net, required=True,
                   help="the network behind IF_A")
    p.add_argument("--mac-a", type=mac_bytes, required=True,
                   help="next hop's MAC on IF_A")
    p.add_argument("--net-b", type=bench_net, required=True)
    p.add_argument("--mac-b", type=mac_bytes, required=True)
    p.add_argument("--delay-ms", type=float, default=10.0)
    p.add_argument("--jitter-ms", type=float, default=0.0)
    p.add_argument("--reorder-pct", type=float, default=0.0)
    p.add_argument("--reorder-gap", type=int, default=3)
    p.add_argument("--reorder-hold-ms", type=float, default=50.0)
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--timeout", type=float, default=300.0)
    p.add_argument("--json", default=None)
    a = p.parse_args()
    if a.reorder_gap < 1:
        p.error("--reorder-gap must be >= 1")

    rnd = random.Random(a.seed)
    side_a = Side(a.if_a, a.net_a, a.mac_a)
    side_b = Side(a.if_b, a.net_b, a.mac_b)
    dirs = {side_a.sock.fileno(): Dir("%s->%s" % (a.if_a, a.if_b),
                                      side_a, side_b),
            side_b.sock.fileno(): Dir("%s->%s" % (a.if_b, a.if_a),
                                      side_b, side_a)}
    ep = select.epoll()
    for fd in dirs:
        ep.register(fd, select.EPOLLIN)

    stop = {"why": None}

    def on_stop(sig, _f):
        stop["why"] = signal.Signals(sig).name

    dump = {"now": False}

    def on_usr1(_s, _f):
        dump["now"] = True

    signal.signal(signal.SIGTERM, on_stop)
    signal.signal(signal.SIGINT, on_stop)
    signal.signal(signal.SIGUSR1, on_usr1)

    delay = a.delay_ms / 1e3
    jitter = a.jitter_ms / 1e3
    hold = a.reorder_hold_ms / 1e3
    pr = a.reorder_pct / 100.0
    gap = a.reorder_gap
    heap = []                   # (due, seq, dir, frame, reorder)
    seq = 0
    not_routed = ttl_drops = 0
    t_start = time.monotonic()
    t_end = t_start + a.timeout

    def counts():
        for s in (side_a, side_b):
            s.stats()
        d = list(dirs.values())
        return {
            "seconds": round(time.monotonic() - t_start, 3),
            "delay_ms": a.delay_ms, "jitter_ms": a.jitter_ms,
            "reorder_pct": a.reorder_pct, "reorder_gap": gap,
            "routed": sum(x.routed for x in d),
            "forwarded": sum(x.sent for x in d),
            "delayed": sum(x.routed for x in d) if delay or jitter else 0,
            "reordered": sum(x.reordered for x in d),
            "overtaken": sum(x.overtaken for x in d),
            "hold_timeouts": sum(x.hold_timeouts for x in d),
            "send_errors": sum(x.send_errors for x in d),
            "socket_drops": side_a.sock_drops + side_b.sock_drops,
            "not_routed": not_routed, "ttl_drops": ttl_drops,
            "pending": len(heap) + sum(len(x.held) for x in d),
            "dirs": {x.name: {"forwarded": x.sent, "bytes": x.bytes,
                              "reordered": x.reordered,
                              "overtaken": x.overtaken} for x in d},
        }

    def report(c, final):
        say("%s after %.1f s: routed %d, forwarded %d, delayed %d "
            "(%.1f ms%s), reordered %d (held behind %d frames: overtaken "
            "%d, released after %.0f ms instead %d), socket drops %d, "
            "send errors %d, not routed %d, ttl drops %d, pending %d" % (
                "final" if final else "counts", c["seconds"], c["routed"],
                c["forwarded"], c["delayed"], a.delay_ms,
                " + 0..%.1f ms" % a.jitter_ms if jitter else "",
                c["reordered"], gap, c["overtaken"], a.reorder_hold_ms,
                c["hold_timeouts"], c["socket_drops"], c["send_errors"],
                c["not_routed"], c["ttl_drops"], c["pending"]))
        for n, v in c["dirs"].items():
            say("  %s: forwarded %d frames, %d bytes, reordered %d" % (
                n, v["forwarded"], v["bytes"], v["reordered"]))

    def sent_one(d):
        """A frame of direction d went out: the held ones move on."""
        if not d.held:
            return
        keep = []
        for h in d.held:
            h[0] -= 1
            if h[0] <= 0:
                d.overtaken += 1
                d.send(h[2])
            else:
                keep.append(h)
        d.held = keep

    say("ready: %s (%s, behind it %s) <-> %s (%s, behind it %s), delay "
        "%.1f ms, jitter %.1f ms, reorder %.2f %% behind %d frames (at "
        "most %.0f ms), timeout %.0f s" % (
            a.if_a, ":".join("%02x" % x for x in side_a.mac), a.net_a,
            a.if_b, ":".join("%02x" % x for x in side_b.mac), a.net_b,
            a.delay_ms, a.jitter_ms, a.reorder_pct, gap,
            a.reorder_hold_ms, a.timeout))
    while stop["why"] is None:
        now = time.monotonic()
        if now >= t_end:
            stop["why"] = "timeout"
            break
        if dump["now"]:
            dump["now"] = False
            report(counts(), False)
        # 1. what is due
        while heap and heap[0][0] <= now:
            _, _, d, frame, ro = heapq.heappop(heap)
            if ro:
                d.reordered += 1
                d.held.append([gap, now + hold, frame])
                continue
            d.send(frame)
            sent_one(d)
        nxt = heap[0][0] if heap else now + 0.1
        for d in dirs.values():
            if d.held:
                keep = []
                for h in d.held:
                    if h[1] <= now:
                        d.hold_timeouts += 1
                        d.send(h[2])
                    else:
                        keep.append(h)
                        nxt = min(nxt, h[1])
                d.held = keep
        # 2. wait for frames or the next due time
        wait = max(0.0, min(nxt, t_end) - time.monotonic())
        try:
            ev = ep.poll(wait)
        except InterruptedError:
            continue
        now = time.monotonic()
        for fd, _ in ev:
            d = dirs[fd]
            for _ in range(256):
                try:
                    frame, addr = d.src.sock.recvfrom(65535)
                except BlockingIOError:
                    break
                if addr[2] != PACKET_HOST or len(frame) < 34 or \
                        frame[12:14] != b"\x08\x00" or \
                        frame[0:6] != d.src.mac or frame[14] >> 4 != 4:
                    continue
                dst = struct.unpack_from("!I", frame, 30)[0]
                if dst & d.dst.net_mask != d.dst.net_lo:
                    not_routed += 1     # for the kernel (its own address)
                    continue
                if frame[22] <= 1:
                    ttl_drops += 1
                    continue
                ihl = (frame[14] & 15) * 4
                hdr = bytearray(frame[14:14 + ihl])
                hdr[8] -= 1
                hdr[10:12] = b"\0\0"
                hdr[10:12] = struct.pack("!H", ip_csum(bytes(hdr)))
                out = d.dst.peer_mac + d.dst.mac + frame[12:14] + \
                    bytes(hdr) + frame[14 + ihl:]
                d.routed += 1
                due = now + delay + (rnd.random() * jitter if jitter else 0)
                seq += 1
                heapq.heappush(heap, (due, seq, d, out,
                                      pr > 0 and rnd.random() < pr))
    c = counts()
    say("stopping: %s" % stop["why"])
    report(c, True)
    if a.json:
        tmp = a.json + ".tmp"
        with open(tmp, "w") as f:
            json.dump(c, f)
            f.write("\n")
        os.replace(tmp, a.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
