#!/usr/bin/python3
"""Malformed TCP against synfin's echo server (run with /usr/bin/python3,
the one with scapy, inside the kernel peer's namespace).

  tcp_malformed.py IFACE DUT_MAC DUT_IP SRC_IP PORT CLOSED_PORT PID LOG PMD

Sends each case from SRC_IP, an address of the link that no kernel owns:
the peer kernel drops synfin's answers to it (no socket, no forwarding)
instead of resetting connections it never opened, so no firewall rule is
needed. Segments are written byte by byte (struct), so that a checksum, a
data offset or an option can be made wrong on purpose; scapy sends them
and sniffs what synfin (DUT_MAC) sends. The established cases run inside
one connection this script opens and keeps in step (seq/ack), so each case
is judged against RFC 9293 §3.10.7.4 and RFC 5961 exactly.

Around every case the script sends SIGUSR1 to synfin (PID) and reads the
counter block it prints to LOG: every case names the counters that must
rise and by how much; every other watched counter must stay put. One line
per case:
    case NAME: REACTION; COUNTERS ok|FAIL (why)
and a last line "cases N failed F"; status 1 when F > 0. PMD is the DPDK
driver synfin runs on: net_af_packet's kernel defragments (see
malformed.sh), others count each fragment in ip_drop_frag.

Addresses must be in 198.18.0.0/15: the script refuses any other.
"""

import ipaddress
import os
import queue
import re
import signal
import struct
import sys
import threading
import time

from scapy.all import AsyncSniffer, Ether, Raw, checksum, conf

BENCH_NET = ipaddress.ip_network("198.18.0.0/15")
FIN, SYN, RST, PSH, ACK, URG = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20
WAIT_NONE = 0.3		# s: how long silence must last to count as none
WAIT_REPLY = 2.0	# s: most we wait for an expected reply

# Counters whose every move must be explained by the case's expectation.
WATCH_RE = re.compile(r"^(eth|arp|ip|icmp|tcp)_drop_|^tcp_(challenge_acks|"
                      r"rx_mss_low|tx_rst|rx_rst|passive_opens|conns_closed|"
                      r"estab_resets)$|^(mbuf_alloc_fail|tx_drop_full)$")


def bench_addr(a):
    if ipaddress.ip_address(a) not in BENCH_NET:
        sys.exit("tcp_malformed.py: %s is outside 198.18.0.0/15" % a)
    return a


def aton(a):
    return ipaddress.ip_address(a).packed


def mac_bytes(m):
    return bytes(int(x, 16) for x in m.split(":"))


def seq_add(a, b):
    return (a + b) & 0xFFFFFFFF


# ---- frames, written out --------------------------------------------------

def tcp_hdr(src, dst, sport, dport, seq, ack, flags, win=65535, opts=b"",
            data=b"", doff=None, bad_csum=False):
    """TCP header + data with a correct checksum (unless bad_csum); doff
    (in words) overrides the data offset after the checksum is made."""
    assert len(opts) % 4 == 0
    words = (20 + len(opts)) // 4
    h = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, words << 4, flags,
                    win, 0, 0) + opts
    seg = h + data
    pseudo = aton(src) + aton(dst) + struct.pack("!BBH", 0, 6, len(seg))
    c = checksum(pseudo + seg)
    if bad_csum:
        c ^= 0x1111
    seg = seg[:16] + struct.pack("!H", c) + seg[18:]
    if doff is not None:
        seg = seg[:12] + bytes([doff << 4]) + seg[13:]
    return seg


def ip_hdr(src, dst, payload, ident=0x5346, frag=0, bad_csum=False,
           total=None):
    """IPv4 header (no options) + payload."""
    tot = total if total is not None else 20 + len(payload)
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, tot, ident, frag, 64, 6, 0,
                    aton(src), aton(dst))
    c = checksum(h)
    if bad_csum:
        c ^= 0x5a5a
    return h[:10] + struct.pack("!H", c) + h[12:] + payload


def parse(frame):
    """(src, dst, sport, dport, seq, ack, flags, win, opts, data) of a TCP
    segment from synfin, or None."""
    if len(frame) < 54 or frame[12:14] != b"\x08\x00":
        return None
    ip = frame[14:]
    ihl = (ip[0] & 15) * 4
    tot = struct.unpack("!H", ip[2:4])[0]
    if ip[9] != 6 or tot > len(ip):
        return None
    t = ip[ihl:tot]
    sport, dport, seq, ack, off, flags, win = struct.unpack("!HHIIBBH",
                                                            t[:16])
    hl = (off >> 4) * 4
    return dict(src=str(ipaddress.ip_address(ip[12:16])),
                dst=str(ipaddress.ip_address(ip[16:20])), sport=sport,
                dport=dport, seq=seq, ack=ack, flags=flags, win=win,
                opts=t[20:hl], data=t[hl:])


def mss_of(opts):
    i = 0
    while i < len(opts):
        k = opts[i]
        if k == 0:
            break
        if k == 1:
            i += 1
            continue
        if i + 1 >= len(opts) or opts[i + 1] < 2:
            break
        if k == 2 and opts[i + 1] == 4:
            return struct.unpack("!H", opts[i + 2:i + 4])[0]
        i += opts[i + 1]
    return None


def flag_str(f):
    return "".join(n for b, n in ((SYN, "S"), (FIN, "F"), (RST, "R"),
                                  (PSH, "P"), (ACK, "A"), (URG, "U"))
                   if f & b) or "0"


# ---- the test bench -------------------------------------------------------

class Bench:
    def __init__(self, iface, dut_mac, dut_ip, src_ip, port, closed, pid,
                 log, pmd):
        self.iface = iface
        self.dut_mac = dut_mac.lower()
        self.dut_ip = dut_ip
        self.src_ip = src_ip
        self.port = port
        self.closed = closed
        self.pid = pid
        self.log = log
        self.pmd = pmd
        self.my_mac = open("/sys/class/net/%s/address" %
                           iface).read().strip()
        self.q = queue.Queue()
        self.sock = None
        self.sniffer = None
        self.failed = 0
        self.ncases = 0
        self.next_sport = 41000

    def start(self):
        started = threading.Event()
        dut = self.dut_mac
        self.sniffer = AsyncSniffer(
            iface=self.iface, store=False,
            lfilter=lambda p: p.haslayer(Ether) and
            p[Ether].src.lower() == dut and p[Ether].type == 0x0800,
            prn=lambda p: self.q.put(bytes(p)),
            started_callback=started.set)
        self.sniffer.start()
        if not started.wait(10):
            sys.exit("tcp_malformed.py: sniffer did not start")
        time.sleep(0.2)
        self.sock = conf.L2socket(iface=self.iface)

    def stop(self):
        if self.sock is not None:
            self.sock.close()
        if self.sniffer is not None:
            self.sniffer.stop()

    def sport(self):
        self.next_sport += 1
        return self.next_sport

    def eth(self, ip, pad=b""):
        return (mac_bytes(self.dut_mac) + mac_bytes(self.my_mac) +
                b"\x08\x00" + ip + pad)

    def send(self, frames):
        for f in frames if isinstance(frames, list) else [frames]:
            self.sock.send(Raw(f))

    def drain(self):
        out = []
        while True:
            try:
                out.append(self.q.get_nowait())
            except queue.Empty:
                return out

    def collect(self, want, wait):
        """Frames from synfin: until want(frames) holds (then a short
        settle), or wait seconds."""
        got = []
        end = time.monotonic() + wait
        while time.monotonic() < end:
            try:
                got.append(self.q.get(timeout=0.02))
            except queue.Empty:
                pass
            if want is not None and want(got):
                end = min(end, time.monotonic() + 0.05)
        return got

    # counters through SIGUSR1 and the log
    def counters(self):
        with open(self.log, "rb") as f:
            before = f.read().count(b"\nsynfin: counters\n")
        os.kill(self.pid, signal.SIGUSR1)
        end = time.monotonic() + 5
        while time.monotonic() < end:
            time.sleep(0.02)
            with open(self.log, "rb") as f:
                text = f.read().decode("utf-8", "replace")
            blocks = text.split("\nsynfin: counters\n")
            if len(blocks) - 1 <= before:
                continue
            last = blocks[-1]
            if not re.search(r"^  port\d+_oerrors \d+$", last, re.M):
                continue	# not all written yet
            c = {}
            for line in last.split("\n"):
                m = re.match(r"^  ([A-Za-z0-9_]+) +(\d+)$", line)
                if m is None:
                    if c:
                        break
                    continue
                c[m.group(1)] = int(m.group(2))
            return c
        sys.exit("tcp_malformed.py: no counter block 5 s after SIGUSR1")

    def judge(self, name, reaction, problems, before, want):
        after = self.counters()
        delta = {k: after[k] - before.get(k, 0) for k in after}
        for k, v in want.items():
            if k not in after:
                problems.append("no counter %s" % k)
            elif delta[k] != v:
                problems.append("%s +%d, expected +%d" % (k, delta[k], v))
        for k in sorted(after):
            if WATCH_RE.search(k) and k not in want and delta[k] != 0:
                problems.append("%s +%d, expected +0" % (k, delta[k]))
        ctr = " ".join("%s+%d" % (k, delta.get(k, 0))
                       for k in sorted(want)) or "no counter"
        self.ncases += 1
        if problems:
            self.failed += 1
        print("case %s: %s; %s %s" %
              (name, reaction, ctr,
               "ok" if not problems else "FAIL (%s)" % "; ".join(problems)),
              flush=True)
        return after


def describe(frames):
    segs = [parse(f) for f in frames]
    return ", ".join("%s seq=%d ack=%d len=%d" %
                     (flag_str(s["flags"]), s["seq"], s["ack"],
                      len(s["data"])) if s else "non-TCP frame"
                     for s in segs) or "no reply"


# ---- one connection, driven by hand ---------------------------------------

class Conn:
    def __init__(self, b, sport=None, dport=None):
        self.b = b
        self.sport = sport or b.sport()
        self.dport = dport or b.port
        self.isn = (self.sport * 0x10001 + 0x53460000) & 0xFFFFFFFF
        self.snd_nxt = self.isn
        self.rcv_nxt = None
        self.iss = None
        self.rx = b""

    def mine(self, s):
        return (s is not None and s["sport"] == self.dport and
                s["dport"] == self.sport and s["dst"] == self.b.src_ip)

    def frame(self, flags, seq=None, ack=None, data=b"", opts=b"",
              pad=b"", **kw):
        ack = self.rcv_nxt if ack is None else ack
        seg = tcp_hdr(self.b.src_ip, self.b.dut_ip, self.sport, self.dport,
                      self.snd_nxt if seq is None else seq,
                      0 if ack is None else ack, flags, opts=opts,
                      data=data, **kw)
        return self.b.eth(ip_hdr(self.b.src_ip, self.b.dut_ip, seg), pad)

    def syn(self, opts):
        self.b.send(self.frame(SYN, seq=self.isn, ack=0, opts=opts))
        got = self.b.collect(lambda g: any(self.mine(parse(f)) for f in g),
                             WAIT_REPLY)
        sa = [s for s in map(parse, got) if self.mine(s)]
        if len(sa) != 1 or sa[0]["flags"] != SYN | ACK or \
                sa[0]["ack"] != seq_add(self.isn, 1):
            return None, describe(got)
        self.iss = sa[0]["seq"]
        self.rcv_nxt = seq_add(self.iss, 1)
        self.snd_nxt = seq_add(self.isn, 1)
        return sa[0], describe(got)

    def ack(self):
        self.b.send(self.frame(ACK))

    def open(self, opts=b""):
        sa, what = self.syn(opts)
        if sa is None:
            raise RuntimeError("handshake on port %d: %s" %
                               (self.sport, what))
        self.ack()
        return sa

    def send_data(self, data):
        for i in range(0, len(data), 1000):	# within the link's MTU
            self.b.send(self.frame(ACK | PSH, data=data[i:i + 1000]))
            self.snd_nxt = seq_add(self.snd_nxt, len(data[i:i + 1000]))

    def recv(self, n, wait=WAIT_REPLY):
        """Read n bytes of echo, acking each in-order segment; returns
        (data, payload sizes seen, other segments)."""
        data, sizes, other = b"", [], []
        end = time.monotonic() + wait
        while len(data) < n and time.monotonic() < end:
            try:
                s = parse(self.b.q.get(timeout=0.02))
            except queue.Empty:
                continue
            if not self.mine(s):
                other.append(s)
                continue
            if not s["data"]:
                if s["flags"] != ACK:
                    other.append(s)
                continue
            sizes.append(len(s["data"]))
            if s["seq"] == self.rcv_nxt:
                data += s["data"]
                self.rcv_nxt = seq_add(self.rcv_nxt, len(s["data"]))
            self.ack()
        return data, sizes, other

    def echo(self, data):
        self.send_data(data)
        got, _, other = self.recv(len(data))
        return got == data and not other

    def rst(self):
        self.b.send(self.frame(RST | ACK))

    def close(self):
        """Our FIN; the echo server closes too: FIN+ACK, our last ACK."""
        self.b.send(self.frame(FIN | ACK))
        self.snd_nxt = seq_add(self.snd_nxt, 1)
        got = self.b.collect(
            lambda g: any(self.mine(s) and s["flags"] & FIN
                          for s in map(parse, g)), WAIT_REPLY)
        fins = [s for s in map(parse, got) if self.mine(s) and
                s["flags"] & FIN]
        if not fins or fins[0]["ack"] != self.snd_nxt:
            return "no FIN back: " + describe(got)
        self.rcv_nxt = seq_add(fins[0]["seq"], len(fins[0]["data"]) + 1)
        self.ack()
        return None


# ---- the cases ------------------------------------------------------------

def expect(frames, conn, kind, seq=None, ack=None):
    """Check synfin's reaction: 'none', or one segment to conn's port of
    kind 'ack' (flags A, no data), 'rst' (R, or R+A), with seq/ack if
    given. Returns a list of problems."""
    segs = [parse(f) for f in frames]
    if kind == "none":
        return [] if not segs else ["expected no reply"]
    if len(segs) != 1 or segs[0] is None or not conn.mine(segs[0]):
        return ["expected one %s" % kind.upper()]
    s = segs[0]
    if kind == "ack" and (s["flags"] != ACK or s["data"]):
        return ["expected a bare ACK"]
    if kind == "rst" and not s["flags"] & RST:
        return ["expected an RST"]
    p = []
    if seq is not None and s["seq"] != seq:
        p.append("seq %d, expected %d" % (s["seq"], seq))
    if ack is not None and s["ack"] != ack:
        p.append("ack %d, expected %d" % (s["ack"], ack))
    return p


def run(b):
    ctr = b.counters()
    opts_syn = struct.pack("!BBH", 2, 4, 1460) + b"\x01\x01\x04\x02"

    def case(name, frames, conn, kind, want, seq=None, ack=None):
        nonlocal ctr
        b.drain()
        b.send(frames)
        got = b.collect(None if kind == "none" else lambda g: len(g) >= 1,
                        WAIT_NONE if kind == "none" else WAIT_REPLY)
        ctr = b.judge(name, describe(got), expect(got, conn, kind, seq, ack),
                      ctr, want)

    # -- segments to the listener (SYN variants) and to a closed port --
    def syn_case(name, want, **kw):
        c = Conn(b)
        case(name, c.frame(SYN, seq=c.isn, ack=0, **kw), c, "none", want)

    syn_case("syn_bad_tcp_csum", {"tcp_drop_csum": 1}, opts=opts_syn,
             bad_csum=True)
    c = Conn(b)
    seg = tcp_hdr(b.src_ip, b.dut_ip, c.sport, b.port, c.isn, 0, SYN,
                  opts=opts_syn)
    case("syn_bad_ip_csum", b.eth(ip_hdr(b.src_ip, b.dut_ip, seg,
                                         bad_csum=True)), c, "none",
         {"ip_drop_csum": 1})
    syn_case("syn_doff_4", {"tcp_drop_doff": 1}, doff=4)
    syn_case("syn_doff_past_segment", {"tcp_drop_doff": 1}, doff=15,
             opts=opts_syn)
    # RFC 9293 §3.1 MUST-7: an illegal option length ends the segment
    syn_case("syn_opt_len_0", {"tcp_drop_opts": 1},
             opts=b"\x02\x00\x05\xb4")
    syn_case("syn_opt_len_1", {"tcp_drop_opts": 1},
             opts=b"\x1e\x01\x01\x01")
    syn_case("syn_opt_past_header", {"tcp_drop_opts": 1},
             opts=b"\x01\x01\x02\x04")
    syn_case("syn_opt_past_header_long", {"tcp_drop_opts": 1},
             opts=b"\x01\x01\x04\x02\x1e\x10\x00\x00")
    c = Conn(b)
    case("syn_fin", c.frame(SYN | FIN, seq=c.isn, ack=0, opts=opts_syn), c,
         "none", {"tcp_drop_flags": 1})
    c = Conn(b)
    case("syn_rst", c.frame(SYN | RST, seq=c.isn, ack=0), c, "none",
         {"tcp_drop_flags": 1})
    # RFC 9293 §3.10.7.2: no SYN, no ACK at a listener: drop
    c = Conn(b)
    case("null_to_listener", c.frame(0, seq=c.isn, ack=0), c, "none",
         {"tcp_drop_listen": 1})
    c = Conn(b)
    case("xmas_to_listener", c.frame(FIN | PSH | URG, seq=c.isn, ack=0), c,
         "none", {"tcp_drop_listen": 1})
    # RFC 9293 §3.10.7.2: an ACK at a listener: <SEQ=SEG.ACK><CTL=RST>
    c = Conn(b)
    case("ack_to_listener", c.frame(ACK, seq=c.isn, ack=12345), c, "rst",
         {"tcp_tx_rst": 1}, seq=12345)
    # RFC 9293 §3.10.7.1: no connection: RST, ACK = SEG.SEQ + SEG.LEN
    c = Conn(b, dport=b.closed)
    case("null_to_closed_port", c.frame(0, seq=c.isn, ack=0), c, "rst",
         {"tcp_drop_no_conn": 1, "tcp_tx_rst": 1}, seq=0, ack=c.isn)
    c = Conn(b, dport=b.closed)
    case("xmas_to_closed_port", c.frame(FIN | PSH | URG, seq=c.isn, ack=0),
         c, "rst", {"tcp_drop_no_conn": 1, "tcp_tx_rst": 1}, seq=0,
         ack=seq_add(c.isn, 1))
    # RFC 1122 §3.2.1.3, RFC 1812 §5.3.7: impossible source addresses
    c = Conn(b, sport=b.port)
    land = tcp_hdr(b.dut_ip, b.dut_ip, b.port, b.port, c.isn, 0, SYN,
                   opts=opts_syn)
    case("land", b.eth(ip_hdr(b.dut_ip, b.dut_ip, land)), c, "none",
         {"ip_drop_bad_src": 1})
    for name, src in (("broadcast_src", "198.18.0.255"),
                      ("limited_broadcast_src", "255.255.255.255"),
                      ("multicast_src", "224.0.0.5")):
        c = Conn(b)
        seg = tcp_hdr(src, b.dut_ip, c.sport, b.port, c.isn, 0, SYN,
                      opts=opts_syn)
        case(name, b.eth(ip_hdr(src, b.dut_ip, seg)), c, "none",
             {"ip_drop_bad_src": 1})

    # -- MSS: SYN-ACK, then what synfin sends is cut to the floor --
    for mss, floor, low in ((0, 536, 1), (1, 48, 1), (10, 48, 1),
                            (47, 48, 1), (48, 48, 0), (65535, 1460, 0)):
        b.drain()
        c = Conn(b)
        problems = []
        sa, what = c.syn(struct.pack("!BBH", 2, 4, mss))
        if sa is None:
            problems.append("no SYN-ACK: " + what)
            reaction = what
        else:
            if mss_of(sa["opts"]) != 1460:
                problems.append("SYN-ACK MSS %s" % mss_of(sa["opts"]))
            c.ack()
            data = bytes((i * 7) & 0xFF for i in range(2000))
            c.send_data(data)
            got, sizes, other = c.recv(len(data), 5)
            if got != data:
                problems.append("echo %d of %d bytes" % (len(got),
                                                         len(data)))
            if other:
                problems.append("unexpected %s" %
                                ", ".join(flag_str(s["flags"]) if s else
                                          "frame" for s in other))
            # we send 1000-byte segments: a floor below that shows as the
            # largest echo segment, 1460 as no echo segment above it
            if sizes and (max(sizes) > floor or
                          (floor < 1000 and max(sizes) != floor)):
                problems.append("largest segment %d, expected %s%d" %
                                (max(sizes), "<= " if floor > 1000 else "",
                                 floor))
            reaction = "SYN-ACK, echo in %d segments of at most %d" % (
                len(sizes), max(sizes) if sizes else 0)
            why = c.close()
            if why:
                problems.append(why)
            time.sleep(0.05)
        want = {"tcp_passive_opens": 1, "tcp_rx_mss_low": low,
                "tcp_conns_closed": 1}
        ctr = b.judge("syn_mss_%d" % mss, reaction, problems, ctr, want)

    # -- inside an established connection --
    e = Conn(b)
    b.drain()
    e.open(opts_syn)		# MSS 1460, SACK permitted; no timestamps
    if not e.echo(b"hello"):
        raise RuntimeError("established connection: no echo")
    time.sleep(0.1)
    ctr = b.judge("open_established", "handshake, 5 bytes echoed", [], ctr,
                  {"tcp_passive_opens": 1})

    def est(name, kind, want, flags=ACK | PSH, data=b"XXXX", seq=None,
            ack=None, rseq=None, rack=None, **kw):
        case(name, e.frame(flags, seq=seq, ack=ack, data=data, **kw), e,
             kind, want, seq=rseq, ack=rack)

    una = e.rcv_nxt	# synfin's snd_una = snd_max: all echoed and acked
    est("est_bad_tcp_csum", "none", {"tcp_drop_csum": 1}, bad_csum=True)
    seg = tcp_hdr(b.src_ip, b.dut_ip, e.sport, b.port, e.snd_nxt,
                  e.rcv_nxt, ACK | PSH, data=b"XXXX")
    case("est_bad_ip_csum", b.eth(ip_hdr(b.src_ip, b.dut_ip, seg,
                                         bad_csum=True)), e, "none",
         {"ip_drop_csum": 1})
    est("est_doff_4", "none", {"tcp_drop_doff": 1}, doff=4)
    est("est_doff_past_segment", "none", {"tcp_drop_doff": 1}, doff=10)
    est("est_opt_len_0", "none", {"tcp_drop_opts": 1},
        opts=b"\x1e\x00\x01\x01")
    est("est_opt_len_1", "none", {"tcp_drop_opts": 1},
        opts=b"\x01\x01\x1e\x01")
    est("est_opt_past_header", "none", {"tcp_drop_opts": 1},
        opts=b"\x01\x01\x08\x0a")
    # SYN+FIN in a synchronized state is a SYN (RFC 5961 §4.2): a
    # challenge ACK, its data and FIN not taken
    est("est_syn_fin", "ack", {"tcp_challenge_acks": 1}, flags=SYN | FIN,
        rseq=una, rack=e.snd_nxt)
    est("est_syn_rst", "none", {"tcp_drop_flags": 1}, flags=SYN | RST,
        data=b"")
    # RFC 9293 §3.10.7.4, fifth check: ACK bit off, drop
    est("est_null_flags", "none", {"tcp_drop_noack": 1}, flags=0)
    est("est_xmas", "none", {"tcp_drop_noack": 1}, flags=FIN | PSH | URG)
    # first check: not acceptable, <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>
    est("est_seq_far_ahead", "ack", {"tcp_drop_seq": 1},
        seq=seq_add(e.snd_nxt, 0x40000000), rseq=una, rack=e.snd_nxt)
    est("est_seq_old_duplicate", "ack", {"tcp_drop_seq": 1},
        seq=seq_add(e.snd_nxt, -100), rseq=una, rack=e.snd_nxt)
    # fifth check: SEG.ACK > SND.NXT: send an ACK, drop (no data taken)
    est("est_ack_unsent_data", "ack", {"tcp_drop_ack": 1},
        ack=seq_add(una, 100000), rseq=una, rack=e.snd_nxt)
    # RFC 5961 §5.2: SEG.ACK < SND.UNA - MAX.SND.WND: challenge ACK
    est("est_ack_too_old", "ack", {"tcp_challenge_acks": 1},
        ack=seq_add(una, -0x100000), rseq=una, rack=e.snd_nxt)
    # RFC 5961 §3.2: RST in the window but not at RCV.NXT: challenge ACK
    est("est_rst_in_window", "ack", {"tcp_drop_rst": 1,
                                     "tcp_challenge_acks": 1},
        flags=RST, data=b"", seq=seq_add(e.snd_nxt, 1), ack=0, rseq=una,
        rack=e.snd_nxt)
    # RFC 5961 §4.2: SYN in a synchronized state: challenge ACK
    est("est_syn_in_window", "ack", {"tcp_challenge_acks": 1}, flags=SYN,
        data=b"", ack=0, rseq=una, rack=e.snd_nxt)
    # RFC 2018 §3: SACK blocks outside (SND.UNA, SND.MAX] are ignored
    est("est_sack_beyond_snd_max", "none", {"tcp_drop_sack_block": 2},
        flags=ACK, data=b"",
        opts=b"\x01\x01\x05\x12" +
        struct.pack("!IIII", seq_add(una, 1000), seq_add(una, 2000),
                    seq_add(una, 0x7fff0000), seq_add(una, 0x7fff1000)))
    # RFC 2883: a first block below the cumulative ACK is a D-SACK (kept
    # for undo); below it as a later block it is nonsense, ignored
    est("est_dsack_below_snd_una", "none", {"tcp_drop_sack_block": 0},
        flags=ACK, data=b"",
        opts=b"\x01\x01\x05\x0a" +
        struct.pack("!II", seq_add(una, -2000), seq_add(una, -1000)))
    est("est_sack_below_snd_una", "none", {"tcp_drop_sack_block": 2},
        flags=ACK, data=b"",
        opts=b"\x01\x01\x05\x12" +
        struct.pack("!IIII", seq_add(una, 10), seq_add(una, 5),
                    seq_add(una, -2000), seq_add(una, -1000)))
    est("est_sack_inverted", "none", {"tcp_drop_sack_block": 1},
        flags=ACK, data=b"",
        opts=b"\x01\x01\x05\x0a" +
        struct.pack("!II", seq_add(una, 10), seq_add(una, 5)))

    # Ethernet padding: the IP total length says where the data ends
    b.drain()
    start = e.rcv_nxt
    e.b.send(e.frame(ACK | PSH, data=b"pad!", pad=b"\xaa" * 20))
    e.snd_nxt = seq_add(e.snd_nxt, 4)
    got, sizes, other = e.recv(4)
    extra = e.b.collect(None, WAIT_NONE)
    problems = []
    # a tail loss probe (RFC 8985, after 10 ms) may resend the same 4
    # bytes before our ACK lands: fine; any byte past them is not
    more = [s for s in map(parse, extra) if e.mine(s) and s["data"] and
            (s["seq"] != start or len(s["data"]) != 4)]
    if got != b"pad!" or set(sizes) != {4} or other or more:
        problems.append("echo %r in segments of %s, then %s" %
                        (got, sizes, describe(extra) if more else
                         "%d other segments" % len(other)))
    ctr = b.judge("est_eth_padding", "echo of %d bytes (%r)" %
                  (len(got), got), problems, ctr, {})

    # IP fragments of a data segment
    data = bytes(range(64))
    seg = tcp_hdr(b.src_ip, b.dut_ip, e.sport, b.port, e.snd_nxt,
                  e.rcv_nxt, ACK | PSH, data=data)
    ident = 0x6001
    f1 = ip_hdr(b.src_ip, b.dut_ip, seg[:40], ident=ident, frag=0x2000)
    f2 = ip_hdr(b.src_ip, b.dut_ip, seg[40:], ident=ident, frag=40 // 8)
    b.drain()
    b.send([b.eth(f1), b.eth(f2)])
    defrag = b.pmd == "net_af_packet"
    problems = []
    if defrag:
        e.snd_nxt = seq_add(e.snd_nxt, len(data))
        got, sizes, other = e.recv(len(data))
        if got != data:
            problems.append("echo %d of 64 bytes" % len(got))
        reaction = "reassembled by the kernel (af_packet), %d bytes " \
                   "echoed" % len(got)
    else:
        got = b.collect(None, WAIT_NONE)
        problems = expect(got, e, "none")
        reaction = describe(got)
    ctr = b.judge("est_ip_fragments", reaction, problems, ctr,
                  {"ip_drop_frag": 0 if defrag else 2})
    lone = ip_hdr(b.src_ip, b.dut_ip,
                  tcp_hdr(b.src_ip, b.dut_ip, e.sport, b.port, e.snd_nxt,
                          e.rcv_nxt, ACK | PSH, data=data)[:40],
                  ident=0x6002, frag=0x2000)
    case("est_lone_ip_fragment", b.eth(lone), e, "none",
         {"ip_drop_frag": 0 if defrag else 1})

    # still in step: an echo, then a graceful close
    b.drain()
    ok = e.echo(b"still alive")
    why = e.close() if ok else "no echo"
    time.sleep(0.1)
    ctr = b.judge("est_still_serving", "echo, FIN/FIN" if not why else why,
                  [why] if why else [], ctr, {"tcp_conns_closed": 1})


def main(argv):
    if len(argv) != 9:
        sys.exit(__doc__)
    iface, dut_mac, dut_ip, src_ip, port, closed, pid, log, pmd = argv
    conf.verb = 0
    b = Bench(iface, dut_mac, bench_addr(dut_ip), bench_addr(src_ip),
              int(port), int(closed), int(pid), log, pmd)
    b.start()
    try:
        run(b)
    except RuntimeError as e:
        print("error: %s" % e, flush=True)
        b.failed += 1
    finally:
        b.stop()
    print("cases %d failed %d" % (b.ncases, b.failed), flush=True)
    sys.exit(1 if b.failed else 0)


if __name__ == "__main__":
    main(sys.argv[1:])
