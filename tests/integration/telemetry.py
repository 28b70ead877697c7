#!/usr/bin/python3
"""A minimal client of DPDK's telemetry socket (what dpdk-telemetry.py
does, without its prompt), for the integration tests.

  telemetry.py SOCKET get CMD
      Print the answer to CMD (e.g. /synfin/stats) as one line of JSON:
      the value under the command's name.
  telemetry.py SOCKET check CMD COND...
      Ask CMD and check each COND against its answer, a JSON object:
        KEY=VALUE   the value (number, or string) equals VALUE
        KEY>=N      a number of at least N
        KEY         present
        #KEYS>=N    the object has at least N keys, all numbers unless
                    they are strings named in the other conditions
      Prints "telemetry: CMD: ok (...)" or what failed; status 0 when
      every condition holds.

SOCKET is /var/run/dpdk/<file-prefix>/dpdk_telemetry.v2 (SOCK_SEQPACKET):
on connect the server sends a JSON greeting with max_output_len; each
command sent is answered by one message.
"""

import json
import re
import socket
import sys


def ask(path, cmd):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(5)
    s.connect(path)
    hello = json.loads(s.recv(1024).decode())
    size = int(hello.get("max_output_len", 16384))
    s.send(cmd.encode())
    reply = s.recv(size).decode()
    s.close()
    obj = json.loads(reply)
    if not isinstance(obj, dict) or cmd.split(",")[0] not in obj:
        raise ValueError("unexpected reply to %s: %s" % (cmd, reply[:200]))
    return obj[cmd.split(",")[0]]


def check(val, conds):
    bad = []
    if not isinstance(val, dict):
        return ["answer is %s, not an object" % json.dumps(val)[:80]]
    strings = set()
    for c in conds:
        m = re.fullmatch(r"([A-Za-z0-9_/]+)=(.*)", c)
        if m and not re.fullmatch(r"-?\d+", m.group(2)):
            strings.add(m.group(1))
    for c in conds:
        m = re.fullmatch(r"#KEYS>=(\d+)", c)
        if m:
            if len(val) < int(m.group(1)):
                bad.append("%d keys, want >= %s" % (len(val), m.group(1)))
            for k, v in val.items():
                if k in strings:
                    continue
                if not isinstance(v, int) or isinstance(v, bool) or v < 0:
                    bad.append("%s = %s is not a count" %
                               (k, json.dumps(v)[:40]))
            continue
        m = re.fullmatch(r"([A-Za-z0-9_/]+)(>=|=)?(.*)", c)
        if not m:
            bad.append("bad condition %r" % c)
            continue
        key, op, want = m.groups()
        if key not in val:
            bad.append("no key %s" % key)
            continue
        v = val[key]
        if op is None:
            continue
        if op == ">=":
            if not isinstance(v, int) or v < int(want):
                bad.append("%s = %s, want >= %s" % (key, v, want))
        elif re.fullmatch(r"-?\d+", want):
            if v != int(want):
                bad.append("%s = %s, want %s" % (key, v, want))
        elif v != want:
            bad.append("%s = %r, want %r" % (key, v, want))
    return bad


def main():
    if len(sys.argv) < 4 or sys.argv[2] not in ("get", "check"):
        sys.exit(__doc__)
    path, op, cmd = sys.argv[1:4]
    try:
        val = ask(path, cmd)
    except (OSError, ValueError) as e:
        print("telemetry: %s: %s" % (cmd, e))
        return 1
    if op == "get":
        print(json.dumps(val, sort_keys=True))
        return 0
    bad = check(val, sys.argv[4:])
    if bad:
        print("telemetry: %s: FAIL: %s" % (cmd, "; ".join(bad[:8])))
        print("telemetry: %s answered %s" % (cmd, json.dumps(val)[:600]))
        return 1
    print("telemetry: %s: ok (%d keys; %s)" %
          (cmd, len(val), ", ".join(sys.argv[4:])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
