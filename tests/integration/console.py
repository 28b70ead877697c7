#!/usr/bin/python3
"""The console test's driver (console.sh): runs inside the kernel peer's
namespace, starts synfin with -i under pexpect (the synfin command line
follows "--"), types commands at the "synfin> " prompt and checks what
comes back, while it plays the peer itself (sockets, curl).

  console.py server --addr DUT --port P --peer PEER --log FILE --pidfile F
                    -- SYNFIN-COMMAND...
      synfin is an HTTP server: a held keep-alive connection, curl
      requests, then every "show" command, stop/start of accepting,
      clear stats, log level, and quit.
  console.py client --addr DUT --peer PEER --port P --log FILE
                    --pidfile F -- SYNFIN-COMMAND...
      synfin is an HTTP client (-i: it waits for "start") of a server at
      PEER:P in this namespace: start, set rate 100 (the rate is
      measured), set requests/req_rate (connections held, listed by show
      conn), set concurrency (refused above the slots), stop, quit.
  console.py client-quit (the same arguments)
      start, then quit while the job runs: the verdict says STOPPED,
      once, and synfin exits 1.

Prints "  ok: ..." per check; exits 1 at the first failure. Every wait is
bounded. Addresses must be in 198.18.0.0/15.
"""

import argparse
import ipaddress
import re
import socket
import subprocess
import sys
import time

import pexpect

PROMPT = "synfin> "
BENCH_NET = ipaddress.ip_network("198.18.0.0/15")


class Fail(Exception):
    pass


def ok(msg):
    print("  ok: " + msg, flush=True)


def need(cond, msg, out=None):
    if not cond:
        if out is not None:
            msg += "; output was:\n" + out
        raise Fail(msg)


def bench_addr(addr):
    if ipaddress.ip_address(addr) not in BENCH_NET:
        sys.exit("console.py: %s is outside 198.18.0.0/15, refusing" % addr)
    return addr


class Console:
    def __init__(self, cmd, log, pidfile):
        self.child = pexpect.spawn(cmd[0], cmd[1:], encoding="utf-8",
                                   codec_errors="replace", timeout=20,
                                   dimensions=(60, 250))
        self.child.logfile_read = log
        with open(pidfile, "w") as f:
            f.write("%d\n" % self.child.pid)

    def prompt(self, timeout=45):
        try:
            self.child.expect_exact(PROMPT, timeout=timeout)
        except (pexpect.EOF, pexpect.TIMEOUT) as e:
            raise Fail("no '%s' prompt within %d s (%s)" %
                       (PROMPT, timeout, type(e).__name__))

    def cmd(self, line, timeout=30):
        """Type LINE, wait for the next prompt; return the output (the
        echoed line removed, \\r\\n as \\n). The wait is generous: on a
        2-core machine the main lcore may share its core with busy pollers."""
        self.child.sendline(line)
        out = ""
        # A log line at the prompt comes with the prompt drawn again
        # after it: what precedes the echo of LINE is not its output.
        try:
            self.child.expect_exact(line, timeout=min(10, timeout))
        except (pexpect.EOF, pexpect.TIMEOUT) as e:
            raise Fail("'%s': not echoed within %d s (%s)" %
                       (line, min(10, timeout), type(e).__name__))
        try:
            # A worker's log line (rte_log, another thread) may land in
            # the middle of the prompt it printed: no intact prompt ever
            # comes. An empty line then asks for a fresh one.
            i = self.child.expect_exact([PROMPT, pexpect.TIMEOUT],
                                        timeout=min(10, timeout))
            if i == 1:
                out = self.child.before
                self.child.sendline("")
                self.child.expect_exact(PROMPT,
                                        timeout=max(timeout - 10, 10))
        except (pexpect.EOF, pexpect.TIMEOUT) as e:
            raise Fail("'%s': no prompt back within %d s (%s)" %
                       (line, timeout, type(e).__name__))
        out = (out + self.child.before).replace("\r\n", "\n")
        return out.partition("\n")[2]

    def quit(self):
        """quit: synfin must exit 0 and print its final counters."""
        status, tail = self.quit_status()
        need(status == 0, "exit status %s after quit" % status)
        need("synfin: final counters" in tail,
             "no final counters after quit", tail[-2000:])
        ok("quit: exit status 0, final counters printed")
        return tail

    def quit_status(self):
        """quit; returns (exit status, output after quit)."""
        self.child.sendline("quit")
        try:
            self.child.expect(pexpect.EOF, timeout=20)
        except pexpect.TIMEOUT:
            raise Fail("synfin still runs 20 s after 'quit'")
        tail = self.child.before.replace("\r\n", "\n")
        self.child.close()
        return self.child.exitstatus, tail

    def kill(self):
        if self.child.isalive():
            self.child.terminate(force=True)


def num(pattern, out, what):
    m = re.search(pattern, out, re.M)
    need(m is not None, "no %s in the output" % what, out)
    return int(m.group(1))


def http_get(s):
    """One GET on socket S (keep-alive); return (status, body bytes)."""
    s.sendall(b"GET / HTTP/1.1\r\nHost: synfin\r\n\r\n")
    buf = b""
    while b"\r\n\r\n" not in buf:
        d = s.recv(4096)
        need(d, "connection closed before the response head")
        buf += d
    head, _, body = buf.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    m = re.search(rb"(?i)content-length:\s*(\d+)", head)
    need(m is not None, "response without Content-Length: %r" % head)
    n = int(m.group(1))
    while len(body) < n:
        d = s.recv(65536)
        need(d, "connection closed in the body")
        body += d
    return status, len(body)


def curl(url):
    r = subprocess.run(["curl", "-s", "-o", "/dev/null", "--max-time", "5",
                        "-w", "%{http_code}", url],
                       capture_output=True, text=True, timeout=10)
    return r.stdout.strip()


def run_server(a, con):
    con.prompt()
    ok("prompt '%s'" % PROMPT.strip())
    banner = con.child.before
    need("'quit' stops" in banner and "Ctrl-C" not in banner,
         "the ready line under -i does not say 'quit' stops", banner)
    ok("ready line: 'quit' stops")

    out = con.cmd("help")
    for c in ("show conn summary", "show tcp stats", "set rate",
              "log level", "quit", "capture start", "trace"):
        need(c in out, "help does not list '%s'" % c, out)
    need(re.search(r"groups: port conn traffic stats capture trace log "
                   r"console", out), "help's group list lacks capture or "
         "trace", out)
    ok("help lists the commands and every group")

    out = con.cmd("show config")
    need(re.search(r"^\[http\]\n(?:[^\[].*\n)*?body_size = %d$" % a.body,
                   out, re.M), "show config: no [http] body_size = %d" %
         a.body, out)
    need(re.search(r"^\[port0\]\nip = %s/" % re.escape(a.addr), out, re.M),
         "show config: no [port0] ip", out)
    ok("show config: [http] body_size = %d, [port0] ip" % a.body)

    # A line that does not parse: rte_cmdline's own words, then which
    # word failed and what is allowed, or the nearest command (issue 25).
    for line, want in (
            ("show conn state bogus", ("'bogus'", "after 'show conn state'",
                                       "established", "time_wait")),
            ("set concurrency abc", ("'abc'", "after 'set concurrency'")),
            ("shwo port stats", ("unknown command 'shwo'",
                                 "did you mean 'show'")),
            ("show", ("'show' needs more", "conn"))):
        out = con.cmd(line)
        need("Bad arguments" in out or "Command not found" in out,
             "'%s': no error from rte_cmdline" % line, out)
        try:
            con.child.expect_exact(PROMPT, timeout=3)
        except (pexpect.EOF, pexpect.TIMEOUT) as e:
            raise Fail("'%s': no explanation after the error (%s)" %
                       (line, type(e).__name__))
        why = con.child.before
        for w in want:
            need(w in why, "'%s': the explanation lacks %s" % (line, w), why)
    ok("bad lines explained: the word, what is allowed, the nearest command")

    # '?' lists each word that may follow once, with a short help (not
    # rte_cmdline's one line per command and token type); TAB types the
    # rest of a word only one command word fits (issue 25, item 9).
    con.child.send("show ?")
    try:
        con.child.expect_exact(PROMPT + "show ", timeout=5)
    except (pexpect.EOF, pexpect.TIMEOUT) as e:
        raise Fail("'show ?': no listing and prompt (%s)" % type(e).__name__)
    listing = con.child.before.replace("\r\n", "\n")
    need(len(re.findall(r"^  conn ", listing, re.M)) == 1 and
         re.search(r"^  config +every configuration key", listing, re.M),
         "'show ?': not each word once with its help", listing)
    need("STRING" not in listing, "'show ?': token types listed", listing)
    con.child.send("\x01\x0b")	# Ctrl-A Ctrl-K: an empty line again
    con.child.send("sh\t")
    time.sleep(0.3)
    out = con.cmd("config")
    need(re.search(r"^\[general\]", out, re.M),
         "'sh' TAB 'config' did not run show config", out)
    ok("'?' lists each word once with its help; TAB completes 'sh' to "
       "'show '")

    # A worker's log line at an idle prompt: the prompt is drawn again
    # after it, without a key pressed (issue 25, item 10).
    out = con.cmd("trace on port %d limit 1" % a.port)
    t = socket.create_connection((a.addr, a.port), timeout=5)
    st, n = http_get(t)
    t.close()
    need(st == 200, "traced connection: status %d" % st)
    try:
        con.child.expect(r"synfin\.trace: [^\r\n]*\r\n", timeout=5)
        con.child.expect_exact(PROMPT, timeout=3)
    except (pexpect.EOF, pexpect.TIMEOUT) as e:
        raise Fail("after a worker's log line no prompt was drawn again "
                   "(%s): %r" % (type(e).__name__, con.child.before[-500:]))
    time.sleep(1.0)	# the rest of the trace: con.cmd() drops it
    out = con.cmd("trace off")
    ok("a worker's log line at the prompt: the prompt is drawn again")

    # A keep-alive connection that stays open, then short ones with curl
    held = socket.create_connection((a.addr, a.port), timeout=5)
    st, n = http_get(held)
    need(st == 200 and n == a.body, "held connection: status %d, %d "
         "bytes" % (st, n))
    lport = held.getsockname()[1]
    url = "http://%s:%d/" % (a.addr, a.port)
    for i in range(5):
        code = curl(url)
        need(code == "200", "curl %d: status %s" % (i, code))
    ok("a held keep-alive connection (port %d) and 5 curl requests" % lport)

    out = con.cmd("show conn summary")
    estab = num(r"^ESTABLISHED\s+(\d+)", out, "ESTABLISHED count")
    need(estab >= 1, "show conn summary: ESTABLISHED %d" % estab, out)
    ok("show conn summary: ESTABLISHED %d" % estab)

    # TAB completes a unique prefix
    con.child.send("show conn su\t")
    try:
        con.child.expect_exact("show conn summary", timeout=5)
    except (pexpect.EOF, pexpect.TIMEOUT):
        raise Fail("TAB did not complete 'show conn su'")
    out = con.cmd("")
    need(re.search(r"^ESTABLISHED\s+\d+", out, re.M),
         "the completed command did not run", out)
    ok("TAB completion: 'show conn su' -> 'show conn summary'")

    out = con.cmd("show conn")
    line = r"ESTABLISHED\s+0\s+0\s+%s:%d\s+%s:%d\s" % (
        re.escape(a.addr), a.port, re.escape(a.peer), lport)
    need(re.search(line, out), "show conn: no line for the held "
         "connection", out)
    need(re.search(r"LISTEN\s+0\s+0\s+\*:%d\s" % a.port, out),
         "show conn: no listener", out)
    ok("show conn: the held connection %s:%d and the listener" %
       (a.peer, lport))

    out = con.cmd("show conn state established limit 1")
    need(re.search(line, out) and "TIME_WAIT" not in out,
         "show conn state established limit 1", out)
    ok("show conn state established limit 1")

    out = con.cmd("show tcp stats")
    passive = num(r"^\s+tcp_passive_opens\s+(\d+)", out, "tcp_passive_opens")
    need(passive >= 6, "tcp_passive_opens %d < 6" % passive, out)
    rx = num(r"^\s+tcp_rx_segs\s+(\d+)", out, "tcp_rx_segs")
    ok("show tcp stats: tcp_passive_opens %d, tcp_rx_segs %d" %
       (passive, rx))

    out = con.cmd("show port stats")
    ipk = num(r"^\s+rx\s+packets\s+(\d+)", out, "port rx packets")
    need(ipk > 0, "show port stats: rx packets 0", out)
    out = con.cmd("show port stats 0")
    need("since the last" in out, "show port stats: no rates", out)
    ok("show port stats: rx packets %d, rates" % ipk)

    out = con.cmd("show port info")
    need(re.search(r"link\s+up", out), "show port info: link", out)
    out = con.cmd("show worker stats")
    need(re.search(r"^0\s+\d+\s+\d+\s+\d+", out, re.M),
         "show worker stats", out)
    out = con.cmd("show mempool")
    need("sf_mbuf" in out, "show mempool", out)
    ok("show port info, show worker stats, show mempool")

    out = con.cmd("log level synfin.port debug")
    need("synfin.port: debug" in out, "log level", out)
    out = con.cmd("show log")
    need(re.search(r"synfin\.port, level is debug", out), "show log", out)
    ok("log level synfin.port debug took effect")

    # stop: the listener goes, the held connection stays
    out = con.cmd("stop")
    need("stopped accepting" in out, "stop", out)
    try:
        socket.create_connection((a.addr, a.port), timeout=3).close()
        raise Fail("a connection was accepted after 'stop'")
    except ConnectionRefusedError:
        pass
    st, n = http_get(held)
    need(st == 200, "held connection after stop: status %d" % st)
    out = con.cmd("show conn")
    need(re.search(line, out) and "LISTEN" not in out,
         "show conn after stop", out)
    out = con.cmd("start")
    need("accepting" in out, "start", out)
    code = curl(url)
    need(code == "200", "curl after start: status %s" % code)
    ok("stop refuses new connections (RST), keeps the held one; start "
       "accepts again")

    out = con.cmd("show tcp stats")
    need(re.search(r"^\s+tcp_trans_LISTEN_to_SYN_RCVD\s+[1-9]", out, re.M),
         "show tcp stats: no tcp_trans_LISTEN_to_SYN_RCVD before clear", out)
    out = con.cmd("show stats")
    busy0 = num(r"^\s+busy_cycles\s+(\d+)", out, "busy_cycles")
    out = con.cmd("clear stats")
    need("cleared" in out, "clear stats", out)
    out = con.cmd("show stats")
    busy1 = num(r"^\s+busy_cycles\s+(\d+)", out, "busy_cycles")
    need(busy1 < busy0, "after clear stats: busy_cycles %d, before %d" %
         (busy1, busy0), out)
    out = con.cmd("show tcp stats")
    passive = num(r"^\s+tcp_passive_opens\s+(\d+)", out, "tcp_passive_opens")
    need(passive == 0, "after clear stats: tcp_passive_opens %d" % passive,
         out)
    trans = re.findall(r"^\s+(tcp_trans_\w+)\s+\d+", out, re.M)
    need(not trans, "after clear stats: transitions %s" % trans, out)
    estab = num(r"^\s+tcp_state_ESTABLISHED\s+(\d+)", out, "ESTABLISHED")
    need(estab >= 1, "clear stats zeroed a gauge", out)
    ok("clear stats: counters 0, gauges kept (ESTABLISHED %d)" % estab)

    out = con.cmd("show bogus")
    need("Bad arguments" in out or "Command not found" in out,
         "an unknown command is not reported", out)
    held.close()
    tail = con.quit()
    need(re.search(r"^\s+tcp_passive_opens\s+\d+", tail, re.M),
         "final counters: no tcp_passive_opens", tail[-2000:])


def worker_state(out):
    m = re.search(r"client \((\w+)\)", out)
    return m.group(1) if m else None


def wait_estab(con, want, timeout=5):
    """Wait until "show conn summary" counts WANT established."""
    t_end = time.monotonic() + timeout
    while True:
        out = con.cmd("show conn summary")
        n = num(r"^ESTABLISHED\s+(\d+)", out, "ESTABLISHED count")
        if n == want:
            return n
        need(time.monotonic() < t_end, "%d established, %d expected" %
             (n, want), out)
        time.sleep(0.2)


def responses(con):
    out = con.cmd("show stats")
    return num(r"^\s+responses\s+(\d+)", out, "responses")


def run_client(a, con):
    con.prompt()
    ok("prompt '%s'" % PROMPT.strip())
    out = con.cmd("show worker stats")
    need(worker_state(out) == "waiting", "before start: not waiting", out)
    out = con.cmd("show conn summary")
    need(re.search(r"^all\s+0\s", out, re.M), "connections before start",
         out)
    ok("-i: the load generator waits for 'start', no connection")

    out = con.cmd("start")
    need("started" in out, "start", out)
    out = con.cmd("set rate 100")
    need("rate 100" in out, "set rate", out)
    time.sleep(1.0)
    out = con.cmd("show worker stats")
    need(worker_state(out) == "running", "after start: not running", out)
    r1, t1 = responses(con), time.monotonic()
    time.sleep(2.0)
    r2, t2 = responses(con), time.monotonic()
    rate = (r2 - r1) / (t2 - t1)
    need(50 <= rate <= 150, "set rate 100: %.0f responses/s" % rate)
    ok("start, set rate 100: %.0f responses/s measured" % rate)

    # Long-lived connections: unlimited requests, 40 a second in all
    out = con.cmd("set requests 0")
    need("requests 0 (unlimited)" in out, "set requests 0", out)
    out = con.cmd("set req_rate 40")
    need("req_rate 40" in out, "set req_rate 40", out)
    estab = wait_estab(con, 4)
    out = con.cmd("show conn state established")
    lines = re.findall(r"ESTABLISHED\s+\d+\s+\d+\s+%s:\d+\s+%s:%d\s" % (
        re.escape(a.addr), re.escape(a.peer), a.port), out)
    need(len(lines) == 4 and "4 shown" in out,
         "show conn state established: %d lines, 4 expected" % len(lines),
         out)
    out = con.cmd("show conn limit 2")
    need(len(re.findall(r"ESTABLISHED", out)) == 2 and
         "first 2 shown" in out, "show conn limit 2", out)
    ok("set requests 0, set req_rate 40: %d connections held; show conn "
       "lists them (state filter, limit)" % estab)

    out = con.cmd("set concurrency 100000000")
    need("allowed 1 to" in out, "set concurrency above the slots", out)
    out = con.cmd("set concurrency 8")
    need("concurrency 8" in out, "set concurrency 8", out)
    estab = wait_estab(con, 8)
    out = con.cmd("show config")
    need(re.search(r"^concurrency = 8$", out, re.M) and
         re.search(r"^rate = 100$", out, re.M) and
         re.search(r"^requests = 0$", out, re.M),
         "show config after set", out)
    ok("set concurrency: refused above the slots; 8: %d connections; "
       "show config follows the sets" % estab)

    out = con.cmd("stop")
    need("stopping" in out, "stop", out)
    t_end = time.monotonic() + 10
    state = None
    while time.monotonic() < t_end:
        state = worker_state(con.cmd("show worker stats"))
        if state == "done":
            break
        time.sleep(0.2)
    need(state == "done", "10 s after stop: %s, not done" % state)
    r3 = responses(con)
    time.sleep(0.5)
    need(responses(con) == r3, "responses go on after stop")
    ok("stop: the load generator finishes (done), nothing more is sent")
    tail = con.quit()
    need("http client: OK" in tail, "no 'http client: OK'", tail[-3000:])
    ok("the client's verdict: OK")


def run_client_quit(a, con):
    """quit while the job runs: the verdict says STOPPED, once, and the
    exit status agrees (issue 25)."""
    con.prompt()
    out = con.cmd("start")
    need("started" in out, "start", out)
    time.sleep(1.0)
    need(responses(con) > 0, "no response 1 s after start")
    status, tail = con.quit_status()
    verdicts = re.findall(r"^synfin: http client: (\S+)", tail, re.M)
    verdicts = [v for v in verdicts if not v[0].isdigit()]
    need(verdicts == ["STOPPED"], "verdicts after quit: %s" % verdicts,
         tail[-3000:])
    lat = re.findall(r"^synfin: latency total", tail, re.M)
    need(len(lat) == 1, "latency lines printed %d times" % len(lat),
         tail[-3000:])
    need(status == 1, "exit status %s after quit with the job running, "
         "verdict STOPPED" % status)
    ok("quit while running: verdict STOPPED, printed once, exit status 1")


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="what", required=True)
    q = sub.add_parser("client-quit")
    q.add_argument("--addr", required=True, type=bench_addr)
    q.add_argument("--peer", required=True, type=bench_addr)
    q.add_argument("--port", type=int, default=80)
    s = sub.add_parser("server")
    s.add_argument("--addr", required=True, type=bench_addr)
    s.add_argument("--port", type=int, default=80)
    s.add_argument("--peer", required=True, type=bench_addr)
    s.add_argument("--body", type=int, default=100)
    c = sub.add_parser("client")
    c.add_argument("--addr", required=True, type=bench_addr)
    c.add_argument("--peer", required=True, type=bench_addr)
    c.add_argument("--port", type=int, required=True)
    for p in (s, c, q):
        p.add_argument("--log", required=True)
        p.add_argument("--pidfile", required=True)
        p.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd[:1] == ["--"] else a.cmd
    with open(a.log, "w") as log:
        con = Console(cmd, log, a.pidfile)
        try:
            {"server": run_server, "client": run_client,
             "client-quit": run_client_quit}[a.what](a, con)
        except Fail as e:
            print("FAIL: %s" % e, flush=True)
            return 1
        finally:
            con.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
