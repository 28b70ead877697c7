#!/usr/bin/python3
"""Packet helpers of the integration tests (scapy; run with /usr/bin/python3
inside the kernel peer's namespace).

  pkt.py malformed IFACE DUT_MAC DUT_IP PEER_IP [COUNT]
      Send each malformed case COUNT times to synfin, one case at a time,
      sniffing on IFACE; print one line per case:
          case NAME sent N replies M good G
      where replies are IPv4 frames from synfin during the case, and good
      those that are a correct echo reply to the case's own requests.
  pkt.py garp PCAP MAC IP
      Print how many gratuitous ARPs (sender IP = target IP = IP, sender
      MAC = MAC) the capture holds.

Addresses must be in 198.18.0.0/15: the helper refuses any other.
"""

import ipaddress
import sys
import threading
import time

from scapy.all import (ARP, ICMP, IP, UDP, AsyncSniffer, Ether, Raw,
                       checksum, conf, rdpcap)

BENCH_NET = ipaddress.ip_network("198.18.0.0/15")
ETH_IPV4 = 0x0800
PAYLOAD = b"synfin-malformed-test-0123456789"	# 32 bytes


def in_bench_net(addr):
    if ipaddress.ip_address(addr) not in BENCH_NET:
        sys.exit("pkt.py: %s is outside 198.18.0.0/15, refusing" % addr)
    return addr


def fix_ip_csum(hdr):
    """Return the IPv4 header bytes with a correct checksum."""
    hdr = bytearray(hdr)
    hdr[10:12] = b"\0\0"
    c = checksum(bytes(hdr))
    hdr[10:12] = c.to_bytes(2, "big")
    return bytes(hdr)


class Cases:
    def __init__(self, dut_mac, src_mac, dut_ip, peer_ip):
        self.dut_mac = dut_mac
        self.src_mac = src_mac
        self.dut_ip = dut_ip
        self.peer_ip = peer_ip

    def eth(self, dst=None, etype=ETH_IPV4):
        return bytes(Ether(dst=dst or self.dut_mac, src=self.src_mac,
                           type=etype))

    def echo(self, ident, seq, **ipkw):
        """A correct echo request as IP bytes (scapy fills checksums)."""
        return bytes(IP(src=self.peer_ip, dst=self.dut_ip, **ipkw) /
                     ICMP(type=8, id=ident, seq=seq) / Raw(PAYLOAD))

    # Each case: (name, builder(ident, seq) -> frame bytes or a list of
    # frames). What synfin should do with each is the calling test's call.
    def all(self):
        def bad_ip_csum(i, s):
            ip = bytearray(self.echo(i, s))
            ip[10] ^= 0x5a		# wrong header checksum, rest valid
            return self.eth() + bytes(ip)

        def truncated(i, s):
            return self.eth() + self.echo(i, s)[:10]	# 14 + 10 bytes

        def ihl3(i, s):
            ip = bytearray(self.echo(i, s))
            ip[0] = 0x43		# version 4, IHL 3 (12 bytes)
            return self.eth() + fix_ip_csum(ip[:20]) + bytes(ip[20:])

        def version6(i, s):
            ip = bytearray(self.echo(i, s))
            ip[0] = 0x65		# version 6 in an IPv4 frame
            return self.eth() + fix_ip_csum(ip[:20]) + bytes(ip[20:])

        def len_gt_frame(i, s):
            ip = self.echo(i, s)
            ip = bytearray(ip)
            ip[2:4] = (len(ip) + 100).to_bytes(2, "big")
            return self.eth() + fix_ip_csum(ip[:20]) + bytes(ip[20:])

        def fragment_mf(i, s):
            # a lone first fragment; its own IP id, so no two complete
            return self.eth() + self.echo(i, s, flags="MF",
                                          id=(i << 4 | s) & 0xFFFF)

        def fragment_pair(i, s):
            # a whole echo request in two fragments (24 + 16 bytes); two
            # frames, sent back to back
            ip = self.echo(i, s, id=(i << 4 | s) & 0xFFFF)
            hdr, data = bytearray(ip[:20]), ip[20:]
            first, second = bytearray(hdr), bytearray(hdr)
            first[2:4] = (20 + 24).to_bytes(2, "big")
            first[6:8] = (0x2000).to_bytes(2, "big")	# MF, offset 0
            second[2:4] = (20 + len(data) - 24).to_bytes(2, "big")
            second[6:8] = (24 // 8).to_bytes(2, "big")	# offset 24
            return [self.eth() + fix_ip_csum(first) + data[:24],
                    self.eth() + fix_ip_csum(second) + data[24:]]

        def ttl0(i, s):
            return self.eth() + self.echo(i, s, ttl=0)

        def other_mac(i, s):
            return self.eth(dst="02:53:46:00:00:99") + self.echo(i, s)

        def padded_valid(i, s):
            # IP total length governs, not the frame length
            return self.eth() + self.echo(i, s) + b"\0" * 20

        # beyond the brief: other drop counters with one clear meaning
        def ip_not_us(i, s):
            ip = bytes(IP(src=self.peer_ip, dst="198.18.0.99") /
                       ICMP(type=8, id=i, seq=s) / Raw(PAYLOAD))
            return self.eth() + ip

        def bad_src(i, s):
            # from the /24's broadcast address
            return self.eth() + bytes(IP(src="198.18.0.255", dst=self.dut_ip) /
                                      ICMP(type=8, id=i, seq=s) /
                                      Raw(PAYLOAD))

        def udp_proto(i, s):
            return self.eth() + bytes(IP(src=self.peer_ip, dst=self.dut_ip) /
                                      UDP(sport=40000 + s, dport=9) /
                                      Raw(PAYLOAD))

        def icmp_bad_csum(i, s):
            ip = bytearray(self.echo(i, s))
            ip[22] ^= 0x5a		# ICMP checksum
            return self.eth() + bytes(ip)

        def icmp_type13(i, s):
            return self.eth() + bytes(IP(src=self.peer_ip, dst=self.dut_ip) /
                                      ICMP(type=13, id=i, seq=s) /
                                      Raw(b"\0" * 12))

        def icmp_short(i, s):
            ip = bytes(IP(src=self.peer_ip, dst=self.dut_ip, proto=1) /
                       Raw(b"\x08\0\xf7\xff"))	# 4 bytes of ICMP
            return self.eth() + ip

        def eth_type_ipv6(i, s):
            return (self.eth(etype=0x86DD) +
                    b"\x60" + b"\0" * 39 + PAYLOAD)

        return [
            ("bad_ip_csum", bad_ip_csum),
            ("truncated", truncated),
            ("ihl3", ihl3),
            ("version6", version6),
            ("len_gt_frame", len_gt_frame),
            ("fragment_mf", fragment_mf),
            ("fragment_pair", fragment_pair),
            ("ttl0", ttl0),
            ("other_mac", other_mac),
            ("ip_not_us", ip_not_us),
            ("bad_src", bad_src),
            ("udp_proto", udp_proto),
            ("icmp_bad_csum", icmp_bad_csum),
            ("icmp_type13", icmp_type13),
            ("icmp_short", icmp_short),
            ("eth_type_ipv6", eth_type_ipv6),
            ("padded_valid", padded_valid),
        ]


def good_reply(frame, dut_ip, peer_ip, ident, seqs):
    """True if frame is a correct echo reply to one of (ident, seqs)."""
    if len(frame) < 14 + 20 or int.from_bytes(frame[12:14], "big") != ETH_IPV4:
        return False
    ip = frame[14:]
    ihl = (ip[0] & 0x0F) * 4
    tot = int.from_bytes(ip[2:4], "big")
    if ip[0] >> 4 != 4 or ihl < 20 or tot > len(ip) or checksum(ip[:ihl]):
        return False
    if (ip[9] != 1 or str(ipaddress.ip_address(ip[12:16])) != dut_ip or
            str(ipaddress.ip_address(ip[16:20])) != peer_ip):
        return False
    icmp = ip[ihl:tot]
    if len(icmp) < 8 or checksum(icmp) or icmp[0] != 0:
        return False
    rid = int.from_bytes(icmp[4:6], "big")
    rseq = int.from_bytes(icmp[6:8], "big")
    return rid == ident and rseq in seqs and icmp[8:] == PAYLOAD


def malformed(iface, dut_mac, dut_ip, peer_ip, count):
    conf.verb = 0
    dut_mac = dut_mac.lower()
    src_mac = open("/sys/class/net/%s/address" % iface).read().strip()
    cases = Cases(dut_mac, src_mac, in_bench_net(dut_ip), in_bench_net(peer_ip))

    seen = []			# frames from synfin, in order
    started = threading.Event()
    sniffer = AsyncSniffer(
        iface=iface, store=False,
        lfilter=lambda p: p.haslayer(Ether) and p[Ether].src.lower() == dut_mac,
        prn=lambda p: seen.append(bytes(p)),
        started_callback=started.set)
    sniffer.start()
    if not started.wait(10):
        sys.exit("pkt.py: sniffer did not start")
    time.sleep(0.2)

    sock = conf.L2socket(iface=iface)
    try:
        for n, (name, build) in enumerate(cases.all()):
            ident = 0x5300 + n
            first = len(seen)
            for s in range(count):
                frames = build(ident, s)
                for f in frames if isinstance(frames, list) else [frames]:
                    sock.send(Raw(f))
                time.sleep(0.02)
            time.sleep(0.5)
            frames = seen[first:]
            replies = [f for f in frames
                       if int.from_bytes(f[12:14], "big") == ETH_IPV4]
            good = [f for f in replies
                    if good_reply(f, dut_ip, peer_ip, ident, range(count))]
            print("case %s sent %d replies %d good %d" %
                  (name, count, len(replies), len(good)), flush=True)
    finally:
        sock.close()
        sniffer.stop()


def garp(pcap, mac, ip):
    n = 0
    for p in rdpcap(pcap):
        if (p.haslayer(ARP) and p[ARP].psrc == ip and p[ARP].pdst == ip and
                p[ARP].hwsrc.lower() == mac.lower() and p[ARP].op in (1, 2)):
            n += 1
    print(n)


def main(argv):
    if len(argv) >= 5 and argv[0] == "malformed":
        count = int(argv[5]) if len(argv) > 5 else 3
        malformed(argv[1], argv[2], argv[3], argv[4], count)
    elif len(argv) == 4 and argv[0] == "garp":
        garp(argv[1], argv[2], argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
