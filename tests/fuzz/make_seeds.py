#!/usr/bin/python3
"""Write the seed corpora of the fuzz targets into corpus/<target>/ (run
from anywhere; overwrites the files it names, leaves others). The record
format of fuzz_packet's inputs is described at the top of fuzz_packet.c,
fuzz_http's and fuzz_cfg's in theirs."""

import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
F, S, R, P, A, U = 1, 2, 4, 8, 16, 32
TS = b"\x01\x01\x08\x0a" + struct.pack("!II", 100, 0)
OUR = bytes([2, 0, 0, 0, 0, 2])
PEER = bytes([2, 0, 0, 0, 0, 1])
PEER_IP = bytes([198, 18, 0, 1])
OUR_IP = bytes([198, 18, 0, 2])


def tcp(flags, seq=0, ack=0, data=b"", opts=b"", win=65535, doff=None):
    d = doff if doff is not None else (20 + len(opts)) // 4
    return struct.pack("!HHIIBBHHH", 1, 1, seq, ack, d << 4, flags, win,
                       0, 0) + opts + data


def rec_tcp(sel, seg):
    return bytes([1, sel]) + struct.pack("<H", len(seg)) + seg


def rec_raw(frame):
    return bytes([0]) + struct.pack("<H", len(frame)) + frame


def rec_time(ms):
    return bytes([2]) + struct.pack("<H", ms)


def rec_app(a):
    return bytes([3, a])


def eth(etype, payload):
    return OUR + PEER + struct.pack("!H", etype) + payload


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def ipv4(proto, payload):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0, 64,
                    proto, 0, PEER_IP, OUR_IP)
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload


def packet_seeds():
    icmp = b"\x08\x00\x00\x00\x00\x01\x00\x01" + b"abcdefgh"
    icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
    arp = (struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + PEER + PEER_IP +
           b"\0" * 6 + OUR_IP)
    mss = b"\x02\x04\x05\xb4"
    return {
        "empty_echo": b"\x00",
        "empty_http_ts": b"\x1f",
        "echo_data": b"\x1c" + rec_tcp(0x10, tcp(A | P, data=b"hello",
                                                 opts=TS)) + rec_time(50),
        "echo_data_plain": b"\x00" +
        rec_tcp(0x10, tcp(A | P, data=b"hello world")) +
        rec_tcp(0x11, tcp(A | P, data=b"x" * 700)) + rec_time(300),
        "echo_fin": b"\x04" + rec_tcp(0x10, tcp(A | P, data=b"bye")) +
        rec_tcp(0x10, tcp(F | A, seq=3)) + rec_time(100) +
        rec_tcp(0x10, tcp(A)),
        "echo_rst": b"\x00" + rec_tcp(0x12, tcp(R | A)),
        "echo_ooo_sack": b"\x04" +
        rec_tcp(0x10, tcp(A | P, seq=100, data=b"later")) +
        rec_tcp(0x10, tcp(A | P, seq=0, data=b"first")) + rec_time(10),
        "echo_sack_in": b"\x04" + rec_tcp(0x10, tcp(A | P, data=b"z" * 1000)) +
        rec_tcp(0x10, tcp(A, opts=b"\x01\x01\x05\x0a" +
                          struct.pack("!II", 100, 200))) + rec_time(2000),
        "http_get": b"\x01" + rec_tcp(0x10, tcp(
            A | P, data=b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")) +
        rec_time(100),
        "http_get_ts": b"\x1f" + rec_tcp(0x10, tcp(
            A | P, data=b"GET /x HTTP/1.1\r\nHost: a\r\n"
            b"Connection: close\r\n\r\n", opts=TS)) + rec_time(500),
        "http_bad": b"\x01" + rec_tcp(0x11, tcp(
            A | P, data=b"GET / HTTP/1.1\nHost: a\n\n")) + rec_time(100),
        "listen_syn_ack": b"\x00" + rec_tcp(0x03, tcp(S, seq=5000, opts=mss)) +
        rec_tcp(0x13, tcp(A)),
        "listen_syn_cookies": b"\x9c" + rec_tcp(0x03, tcp(
            S, seq=5000, opts=mss + b"\x04\x02" + TS[2:] + b"\x01\x03\x03\x07")) +
        rec_tcp(0x13, tcp(A, opts=TS)),
        "closed_port": b"\x00" + rec_tcp(0x04, tcp(S, seq=1)) +
        rec_tcp(0x04, tcp(F | P | U, seq=1)),
        "active_synack": b"\x00" + rec_tcp(0x15, tcp(S | A, seq=777,
                                                     opts=mss)) +
        rec_app(4 * 10) + rec_time(100) + rec_app(1),
        "active_refused": b"\x00" + rec_tcp(0x15, tcp(R | A)) + rec_app(0),
        "timers": b"\x26" + rec_tcp(0x10, tcp(A | P, data=b"a")) +
        rec_time(15000) + rec_time(15000),
        "raw_arp_icmp": b"\x00" + rec_raw(eth(0x0806, arp)) +
        rec_raw(eth(0x0800, ipv4(1, icmp))),
        "raw_tcp": b"\x00" + rec_raw(eth(0x0800, ipv4(6, tcp(S, seq=1)))),
        "bad_opts": b"\x00" + rec_tcp(0x10, tcp(A, opts=b"\x02\x00\x00\x00")) +
        rec_tcp(0x10, tcp(A, doff=4)),
    }


def http_seeds():
    q = bytes([62, 240])	# request, max_hdr 8192
    r = bytes([63, 240])	# response
    return {
        "get": q + b"GET / HTTP/1.1\r\nHost: example\r\n\r\n",
        "head_close": q + b"HEAD /index.html HTTP/1.1\r\nHost: a:80\r\n"
        b"Connection: close\r\n\r\n",
        "post_cl": q + b"POST /form HTTP/1.1\r\nHost: a\r\n"
        b"Content-Length: 5\r\n\r\nhello",
        "absolute": q + b"GET http://a.example/p?q=1 HTTP/1.1\r\n"
        b"Host: a.example\r\nUser-Agent: x\r\n\r\n",
        "http10_ka": q + b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
        "bare_lf": q + b"GET / HTTP/1.1\nHost: a\n\n",
        "te": q + b"GET / HTTP/1.1\r\nHost: a\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n",
        "small_max": bytes([0, 40]) + b"GET / HTTP/1.1\r\nHost: a\r\n"
        b"X-Long: aaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n",
        "resp_200": r + b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
        b"Content-Type: text/plain\r\n\r\nabc",
        "resp_chunked": r + b"HTTP/1.1 200 OK\r\n"
        b"Transfer-Encoding: gzip, chunked\r\n\r\n",
        "resp_204": r + b"HTTP/1.1 204 No Content\r\n"
        b"Connection: keep-alive\r\n\r\n",
        "resp_10": r + b"HTTP/1.0 200\r\n\r\n",
        "resp_bad": r + b"HTTP/1.1 999 Nope\r\n\r\n",
    }


def cfg_seeds():
    seeds = {}
    conf = os.path.join(HERE, "..", "..", "config")
    for f in sorted(os.listdir(conf)):
        if f.endswith(".ini"):
            with open(os.path.join(conf, f), "rb") as fp:
                seeds[f[:-4]] = b"\x00" + fp.read()
    seeds.update({
        "set_basic": b"\x01port0 ip 198.18.0.2/24\nport0 gateway 198.18.0.1\n"
        b"tcp mss 1460\napp mode client\napp target 198.18.0.1:80\n",
        "set_bad": b"\x01tcp wscale 99\nload source 198.18.0.10-198.18.0.9\n"
        b"nosuch key v\n",
        "ini_bad": b"\x00[tcp]\nmss = 70000\n[nosection]\nx=1\n",
        "ini_dup": b"\x00[app]\nmode = server\n[app]\nmode = client\n",
    })
    return seeds


def main():
    for target, seeds in (("packet", packet_seeds()), ("http", http_seeds()),
                          ("cfg", cfg_seeds())):
        d = os.path.join(HERE, "corpus", target)
        os.makedirs(d, exist_ok=True)
        for name, data in seeds.items():
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
        print("corpus/%s: %d seeds" % (target, len(seeds)))


if __name__ == "__main__":
    main()
