#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Check synfin's connection trace against a tcpdump capture of the same
connection (tests/integration/tcp_trace.sh).

    tcp_trace_check.py PCAP SYNFIN_LOG DUT_IP PORT TWO_MSL

- every segment the trace shows ("in"/"out" lines for the connection on
  PORT) is the segment tcpdump saw, in the same order in each direction,
  with the same flags, seq, ack, window and length, and nothing is
  missing either way;
- a segment that repeats sequence space already sent (a retransmission
  in the capture) is named "retransmission: ..." in the trace, and no
  other; the steps below leave retransmissions out;
- every relative number "(x+k)"/"(y+k)" is the absolute one minus the
  ISN it names (x: the SYN's, y: the SYN-ACK's, both from the capture);
- the steps the trace names are exactly the textbook list: handshake
  1/3..3/3, teardown 1/4..4/4 (2/4 and 3/4 in one segment when the
  capture shows the FIN carrying the ACK of the first FIN), then
  "TIME_WAIT 2MSL=..." and "CLOSED" for the side that closed first
  (synfin) or "CLOSED" alone for the side that closed last;
- each step's numbers hold: SYN-ACK ack = x+1, 3/3 ack = y+1, 2/4 ack =
  u+1 with u the first FIN's sequence number, 4/4 ack = w+1 with w the
  second FIN's.
Prints the trace with tcpdump's view next to it; exit 0 when all holds.
"""

import re
import sys

M = 2 ** 32

SEG = re.compile(
    r"^synfin\.trace: (?P<t>\S+) (?P<dir>in|out)\s+(?P<src>\S+) > "
    r"(?P<dst>\S+) (?P<state>\S+) \[(?P<fl>[^]]*)\] "
    r"seq=(?P<seq>\d+)(?:\((?P<ss>[xy])(?:\+(?P<sk>\d+))?\))? "
    r"ack=(?P<ack>\d+)(?:\((?P<as>[xy])(?:\+(?P<ak>\d+))?\))? "
    r"win=(?P<win>\d+) len=(?P<len>\d+)(?: opts=\[(?P<opts>[^]]*)\])? "
    r"\| (?P<step>.*)$")
STATE = re.compile(
    r"^synfin\.trace: (?P<t>\S+) state (?P<l>\S+) <> (?P<r>\S+) "
    r"(?P<from>\S+) -> (?P<to>\S+) \| (?P<what>.*)$")


def tcpdump_flags(f):
    """scapy flags -> tcpdump's letters, in tcpdump's order."""
    out = ""
    for bit, c in ((0x01, "F"), (0x02, "S"), (0x04, "R"), (0x08, "P"),
                   (0x10, "."), (0x20, "U"), (0x40, "E"), (0x80, "W")):
        if int(f) & bit:
            out += c
    return out or "none"


def main():
    pcap, log, dut, port, two_msl = sys.argv[1:6]
    port = int(port)
    from scapy.all import IP, TCP, rdpcap

    # ---- the capture: one connection on PORT
    cap = {"in": [], "out": []}
    sent_end = {}
    for p in rdpcap(pcap):
        if IP not in p or TCP not in p:
            continue
        ip, t = p[IP], p[TCP]
        if port not in (t.sport, t.dport):
            continue
        d = "out" if ip.src == dut else "in"
        n = ip.len - ip.ihl * 4 - t.dataofs * 4
        seg = {"fl": tcpdump_flags(t.flags), "seq": t.seq, "ack": t.ack,
               "win": t.window, "len": n}
        # a retransmission: sequence space this side sent before
        end = (t.seq + n + ("S" in seg["fl"]) + ("F" in seg["fl"])) % M
        top = sent_end.get(d)
        seg["rexmit"] = (end != t.seq and top is not None and
                         0 < (top - t.seq) % M < M // 2)
        if top is None or 0 < (end - top) % M < M // 2:
            sent_end[d] = end
        cap[d].append(seg)
    errors = []

    def check(cond, what):
        if not cond:
            errors.append(what)
        return cond

    syn = [s for d in cap for s in cap[d] if s["fl"] == "S"]
    synack = [s for d in cap for s in cap[d] if s["fl"] == "S."]
    if len(syn) != 1 or len(synack) != 1:
        print("tcp_trace_check: FAIL: the capture holds %d SYN and %d "
              "SYN-ACK (one each expected)" % (len(syn), len(synack)))
        return 1
    isn = {"x": syn[0]["seq"], "y": synack[0]["seq"]}

    # ---- the trace: the lines of that connection
    events = []
    with open(log, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.startswith("synfin.trace: "):
                continue
            m = SEG.match(line)
            if m and (m["src"].endswith(":%d" % port) or
                      m["dst"].endswith(":%d" % port)):
                events.append(("seg", m, line))
                continue
            m = STATE.match(line)
            if m and (m["l"].endswith(":%d" % port) or
                      m["r"].endswith(":%d" % port)):
                events.append(("state", m, line))
                continue
            if ":%d " % port in line + " ":
                check(False, "unparsed trace line: " + line)

    # ---- 1. segment by segment, each direction in order
    seen = {"in": 0, "out": 0}
    table = []
    for kind, m, line in events:
        if kind != "seg":
            table.append((line, ""))
            continue
        d = m["dir"]
        i = seen[d]
        seen[d] += 1
        if i >= len(cap[d]):
            check(False, "trace %s segment #%d is not in the capture: %s"
                  % (d, i + 1, line))
            table.append((line, "(not captured)"))
            continue
        c = cap[d][i]
        tr = {"fl": m["fl"], "seq": int(m["seq"]), "ack": int(m["ack"]),
              "win": int(m["win"]), "len": int(m["len"])}
        same = all(tr[k] == c[k] for k in ("fl", "seq", "ack", "win",
                                             "len"))
        check(same, "%s segment #%d: trace %s, tcpdump %s" % (d, i + 1,
                                                              tr, c))
        check(c["rexmit"] == m["step"].startswith("retransmission: "),
              "%s segment #%d: %s in the capture, but the trace says %r"
              % (d, i + 1, "a retransmission" if c["rexmit"] else
                 "not a retransmission", m["step"]))
        table.append((line, "tcpdump: [%s] seq %u ack %u win %u length %u"
                      % (c["fl"], c["seq"], c["ack"], c["win"], c["len"])
                      + ("" if same else "   <-- DIFFERS")))
        # relative numbers
        for v, s, k in (("seq", "ss", "sk"), ("ack", "as", "ak")):
            if m[s] is not None:
                check((int(m[v]) - isn[m[s]]) % M == int(m[k] or 0),
                      "%s=%s(%s+%s) but %s = %u" % (v, m[v], m[s],
                                                    m[k] or 0, m[s],
                                                    isn[m[s]]))
    for d in ("in", "out"):
        check(seen[d] == len(cap[d]), "%d %s segments traced, %d captured"
              % (seen[d], d, len(cap[d])))

    # ---- 2. the steps, in order, and their numbers
    steps = []
    for kind, m, line in events:
        if kind == "state":
            w = m["what"]
            if w.startswith("TIME_WAIT") or w.startswith("CLOSED"):
                steps.append((w, None))
            continue
        if m["step"].startswith("retransmission: "):
            continue    # repeats a step already counted
        for part in m["step"].split(", "):
            if part.startswith("handshake") or part.startswith("teardown"):
                steps.append((part, m))
            check(part != "RST" and "challenge" not in part,
                  "unexpected step: " + line)

    # Who closed first, and did the other side's FIN carry the ACK of it?
    fins = [(d, s) for d in cap for s in cap[d]
            if "F" in s["fl"] and not s["rexmit"]]
    first = None
    for kind, m, line in events:
        if kind == "seg" and "F" in m["fl"]:
            first = m["dir"]
            break
    merged = False
    if first is not None:
        other = "out" if first == "in" else "in"
        f1 = [s for s in cap[first] if "F" in s["fl"]][0]
        rex = sum(1 for d in cap for s in cap[d] if s["rexmit"])
        if rex:
            print("tcp_trace_check: %d retransmission(s) in the capture, "
                  "named so in the trace" % rex)
        u = (f1["seq"] + f1["len"]) % M
        for s in cap[other]:
            if "." in s["fl"] and (s["ack"] - (u + 1)) % M < M // 2:
                merged = "F" in s["fl"]
                break
            check("F" not in s["fl"], "the FINs crossed (simultaneous "
                  "close): not the textbook teardown this test expects")
    check(len(fins) == 2, "%d FINs captured, 2 expected" % len(fins))
    want = ["handshake 1/3 SYN seq=x",
            "handshake 2/3 SYN-ACK seq=y ack=x+1",
            "handshake 3/3 ACK ack=y+1",
            "teardown 1/4 FIN seq=u"]
    if merged:
        want += ["teardown 2/4+3/4 FIN-ACK seq=w ack=u+1 (merged FIN+ACK)"]
    else:
        want += ["teardown 2/4 ACK ack=u+1", "teardown 3/4 FIN seq=w"]
    want += ["teardown 4/4 ACK ack=w+1"]
    if first == "out":
        want += ["TIME_WAIT 2MSL=%s" % two_msl]
    want += ["CLOSED"]
    got = [s for s, _ in steps]
    check(got == want, "steps:\n    got  %s\n    want %s" % (got, want))

    u = w = None
    for s, m in steps:
        if m is None:
            continue
        seq, ack, ln = int(m["seq"]), int(m["ack"]), int(m["len"])
        if s.startswith("handshake 1/3"):
            check(seq == isn["x"], s + ": seq != x")
        elif s.startswith("handshake 2/3"):
            check(seq == isn["y"] and ack == (isn["x"] + 1) % M,
                  s + ": not seq=y ack=x+1")
        elif s.startswith("handshake 3/3"):
            check(seq == (isn["x"] + 1) % M and ack == (isn["y"] + 1) % M,
                  s + ": not seq=x+1 ack=y+1")
        elif s.startswith("teardown 1/4"):
            u = (seq + ln) % M
        elif s.startswith("teardown 2/4+3/4"):
            w = (seq + ln) % M
            check(u is not None and ack == (u + 1) % M, s + ": ack != u+1")
        elif s.startswith("teardown 2/4"):
            check(u is not None and ack == (u + 1) % M, s + ": ack != u+1")
        elif s.startswith("teardown 3/4"):
            w = (seq + ln) % M
        elif s.startswith("teardown 4/4"):
            check(w is not None and ack == (w + 1) % M and
                  seq == (u + 1) % M, s + ": not seq=u+1 ack=w+1")

    for line, note in table:
        print("  " + line)
        if note:
            print("  %14s%s" % ("", note))
    if errors:
        for e in errors:
            print("tcp_trace_check: FAIL: " + e)
        return 1
    print("tcp_trace_check: OK: %d segments (%d in, %d out) equal to "
          "tcpdump's; x=%u y=%u u=%u w=%u; steps: %s" %
          (seen["in"] + seen["out"], seen["in"], seen["out"], isn["x"],
           isn["y"], u, w, " | ".join(got)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
