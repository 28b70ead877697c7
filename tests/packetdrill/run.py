#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Run public packetdrill corpora against synfin (issue 20).

Each script of a corpus is prepared (the host set-up commands it runs on
Linux or FreeBSD are taken out or turned into synfin settings, #ifdef
branches resolved, a corpus's systematic adaptations applied, or a synfin
variant from variants/ used instead), then run by packetdrill with
synfin's adapter (--so_filename) on a virtual clock.

Verdicts: pass; fail; n/a (the script needs what no TCP engine on its own
can give: a host command, IPv6 before issue 23...), with the reason.
known_failures.txt lists the failures we know of, one reason a line; the
run fails when any other script fails, and says so when a listed one
passes.

  run.py --packetdrill BIN --so LIB [--jobs N] [--matrix] [-v] SUITE...
  SUITE: a corpus (google, freebsd, linux), corpus/dir (google/close) or
  one script (google/close/close-on-syn-sent.pkt)
"""
import argparse
import concurrent.futures
import fnmatch
import os
import re
import shlex
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, 'corpus')
VARIANTS = os.path.join(HERE, 'variants')
KNOWN = os.path.join(HERE, 'known_failures.txt')

# Test hosts stay in 198.18.0.0/15: the script's host and synfin.
REMOTE_IP = '198.18.0.1'
LOCAL_IP = '198.18.0.2'

# Per corpus: where its scripts are, synfin's settings for the defaults
# the corpus assumes of its stack (as the corpus's set-up script or
# sysctl lines would have set them), #ifdef symbols, the commands that
# only set up the host, and the sysctls that map onto synfin settings.
CORPORA = {
    'google': {
        'root': 'google/tcp',
        # gtests/net/common/defaults.sh: Linux with wscale 8 for its
        # 15 MB tcp_rmem.
        'flags': {'wscale': '8'},
        'defines': [],
    },
    'linux': {
        'root': 'linux/packetdrill',
        # defaults.sh there is google's: the same wscale.
        'flags': {'wscale': '8'},
        'defines': [],
        # ksft_runner.sh's IPv4 arguments that name script symbols
        'pd_args': ['-D', 'TFO_COOKIE=3021b9d889017eeb',
                    '-D', 'TFO_COOKIE_ZERO=b7c12350a90dc8f5',
                    '-D', 'CMSG_LEVEL_IP=SOL_IP',
                    '-D', 'CMSG_TYPE_RECVERR=IP_RECVERR'],
    },
    'freebsd': {
        'root': 'freebsd',
        # sysctl lines of every script: recvspace 65536, sendspace 32768;
        # FreeBSD's wscale for that buffer is 6.
        'flags': {'wscale': '6', 'rcvbuf': '65536', 'sndbuf': '32768'},
        'defines': ['STANDARD'],
    },
}

# Host set-up commands that carry nothing synfin needs: Linux's defaults
# script, FreeBSD's sysctl preamble and its sockstat state checks (the
# issue's "strip the FreeBSD-only sysctl/sockstat lines"), the restore
# script of the kernel selftests.
SETUP_COMMANDS = [
    r'(\.\./)+common/defaults\.sh',
    r'\./defaults\.sh',
    r'/tmp/sysctl_restore_\$\{PPID\}\.sh',
    r'sysctl -w (net\.inet\.|kern\.ipc\.)\S+',
    r'sockstat .*',
]

# Commands that make a script test a mode synfin does not have: it is
# not run ("n/a"), with this reason.
MODE_COMMANDS = [
    (r'sysctl -q net\.ipv4\.tcp_ecn=[1-9].*',
     'ECN (RFC 3168) and AccECN: synfin negotiates neither'),
    (r'sysctl -w net\.inet\.tcp\.insecure_(rst|syn)=1',
     "RFC 793's RST/SYN handling (FreeBSD's insecure_rst/insecure_syn=1, "
     'off by default): synfin follows RFC 5961'),
]

# Linux sysctls a script sets, as synfin settings (value -> so_flags).
SYSCTLS = {
    'net.ipv4.tcp_timestamps': lambda v: {'ts': '1' if v != '0' else '0'},
    'net.ipv4.tcp_sack': lambda v: {'sack': '1' if v != '0' else '0'},
    'net.ipv4.tcp_window_scaling':
        lambda v: {'wscale_on': '1' if v != '0' else '0'},
    'net.ipv4.tcp_syncookies': lambda v: {'syncookies': v},
}


def preprocess(text, defines):
    """#ifdef / #ifndef / #else / #endif, as nplab's packetdrill does."""
    out, stack = [], []
    for line in text.split('\n'):
        m = re.match(r'\s*#\s*(ifdef|ifndef|else|endif)\b\s*(\S*)', line)
        if m:
            kw, sym = m.group(1), m.group(2)
            if kw in ('ifdef', 'ifndef'):
                stack.append((sym in defines) == (kw == 'ifdef'))
            elif kw == 'else' and stack:
                stack[-1] = not stack[-1]
            elif kw == 'endif' and stack:
                stack.pop()
            out.append('')
            continue
        out.append(line if all(stack) else '')
    return '\n'.join(out)


def fix_commands(text, flags):
    """Take out host set-up commands; map sysctls; report the rest."""
    needs, modes = [], []

    def one(cmd):
        cmd = cmd.strip()
        for pat, why in MODE_COMMANDS:
            if re.fullmatch(pat, cmd):
                modes.append(why)
                return True
        # FreeBSD's drop_synfin, as the script sets it first (a later
        # line restores the host's default after the test)
        m = re.fullmatch(r'sysctl -w net\.inet\.tcp\.drop_synfin=([01])',
                         cmd)
        if m:
            flags.setdefault('drop_synfin', m.group(1))
            return True
        for pat in SETUP_COMMANDS:
            if re.fullmatch(pat, cmd):
                return True
        m = re.fullmatch(r'sysctl -q (\S+)=(\S+)', cmd)
        if m and m.group(1) in SYSCTLS:
            flags.update(SYSCTLS[m.group(1)](m.group(2)))
            return True
        # set_sysctls.py /proc/sys/net/ipv4/NAME=VALUE ... (google's
        # common/ and the kernel selftests' copy): each one mapped, or
        # the command is one synfin cannot follow.
        m = re.fullmatch(r'(?:\.\./)*(?:common/|\./)?set_sysctls\.py\s+(.+)',
                         cmd, re.S)
        if m:
            try:
                sets = shlex.split(m.group(1))
            except ValueError:
                return False
            new = {}
            for a in sets:
                path, eq, val = a.partition('=')
                key = path.replace('/proc/sys/', '').replace('/', '.')
                if not eq or key not in SYSCTLS:
                    return False
                new.update(SYSCTLS[key](val))
            flags.update(new)
            return True
        return False

    def repl(m):
        body = m.group(2).replace('\\\n', ' ')    # continued lines
        cmds = [c for c in re.split(r'\n|;', body) if c.strip()]
        bad = [c.strip() for c in cmds if not one(c)]
        if bad:
            needs.extend(bad)
            return m.group(0)
        return m.group(1)  # keep the time: events after it count from it

    # An optional time, then `...` (one line or several).
    text = re.sub(r'(^[ \t]*(?:[+]?[0-9.]+[ \t]+)?)`([^`]*)`', repl,
                  text, flags=re.M)
    return text, modes + ['host command: ' + n[:60] for n in needs]


def syn_layout(opts):
    """The options of an outbound SYN or SYN-ACK as synfin lays them out
    (sf_tcp_opts_build_syn, Linux's layout): mss; sackOK and TS, or NOP
    NOP and one of them; NOP wscale. None when the list has other
    options."""
    have = {}
    for o in opts:
        if o in ('nop', 'eol'):
            continue
        key = o.split()[0]
        if key not in ('mss', 'sackOK', 'TS', 'wscale') or key in have:
            return None
        have[key] = o
    out = [have['mss']] if 'mss' in have else []
    if 'TS' in have:
        out += ([have['sackOK']] if 'sackOK' in have else
                ['nop', 'nop']) + [have['TS']]
    elif 'sackOK' in have:
        out += ['nop', 'nop', 'sackOK']
    if 'wscale' in have:
        out += ['nop', have['wscale']]
    return out


def closing_ack(text):
    """A FIN that does not ack ours, in FIN-WAIT-1 (simultaneous close):
    FreeBSD answers by sending its FIN again with the ACK; RFC 9293
    §3.10.7.4 (eighth, FIN-WAIT-1 -> CLOSING) acks with
    <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, SND.NXT being past our FIN,
    which synfin (as Linux) sends. Expect that ACK."""
    lines = text.split('\n')
    last_in = None
    for i, line in enumerate(lines):
        m = re.match(r'\s*[+]?[0-9.]+\s+<\s+F\.\s+(\d+):\1\(0\)\s+ack\s+'
                     r'(\d+)\b', line)
        if m:
            last_in = (int(m.group(1)), int(m.group(2)))
            continue
        m = re.match(r'(\s*[+]?[0-9.]+\s+)>\s+F\.\s+(\d+):\2\(0\)\s+ack\s+'
                     r'(\d+)(.*)$', line)
        if m and last_in is not None and int(m.group(2)) == last_in[1] \
                and int(m.group(3)) == last_in[0] + 1:
            seq = int(m.group(2)) + 1
            lines[i] = '%s>  . %d:%d(0) ack %s%s' % (
                m.group(1), seq, seq, m.group(3), m.group(4))
        if re.match(r'\s*[+]?[0-9.]+\s+[<>]', line):
            last_in = None
    return '\n'.join(lines)


def freebsd_adapt(text):
    """Two systematic adaptations of the FreeBSD corpus:
    - its SYN and SYN-ACK lay options out as FreeBSD does (mss, nop,
      wscale, sackOK, TS; sackOK, eol, eol); synfin, as Linux, lays the
      same options and values out otherwise (syn_layout). RFC 9293 §3.2
      fixes no order and leaves the padding (NOP, EOL) to the sender;
    - getsockopt(SO_RCVBUF) after the handshake expects FreeBSD's buffer
      rounded up to a multiple of the MSS (65700), a FreeBSD sizing
      choice, not TCP behaviour: the line is dropped;
    - closing_ack();
    - segments placed at FreeBSD's receive window edges after the
      handshake (sequence 65700 to 65702: its 65,700-byte window, the
      64 KB buffer rounded to the MSS) move to synfin's (65,535 for the
      same buffer, unscaled): in-window is judged by the RCV.WND we
      advertised (RFC 9293 §3.3, §3.10.7.4);
    - its TCP_INFO asserts name FreeBSD's states (TCPI_SYN_RECEIVED);
      packetdrill on Linux names the same states as Linux does
      (TCP_SYN_RECV)."""
    def reorder(m):
        opts = [o.strip() for o in m.group(2).split(',')]
        new = syn_layout(opts)
        if new is None:
            return m.group(0)
        return m.group(1) + '<' + ','.join(new) + '>'
    text = re.sub(r'^([^<\n]*>\s+S\.?\s[^<\n]*)<([^>]*)>', reorder, text,
                  flags=re.M)
    text = closing_ack(text)
    text = re.sub(r'^(\s*[+]?[0-9.]+\s+<\s+[A-Z.]+\s+)(6570[0-2]):\2(\(\d+\))',
                  lambda m: '%s%d:%d%s' % (m.group(1), int(m.group(2)) - 165,
                                           int(m.group(2)) - 165, m.group(3)),
                  text, flags=re.M)
    text = re.sub(r'\bTCPI_(%s)\b' % '|'.join(FREEBSD_STATES),
                  lambda m: FREEBSD_STATES[m.group(1)], text)
    return re.sub(r'^(\s*[+]?[0-9.]+)\s+getsockopt\([^,]+, SOL_SOCKET, '
                  r'SO_RCVBUF, \[65700\].*$', r'\1', text, flags=re.M)


# FreeBSD's tcpi_state names (TCPI_*) and Linux packetdrill's for the
# same states.
FREEBSD_STATES = {
    'CLOSED': 'TCP_CLOSE', 'LISTEN': 'TCP_LISTEN',
    'SYN_SENT': 'TCP_SYN_SENT', 'SYN_RECEIVED': 'TCP_SYN_RECV',
    'ESTABLISHED': 'TCP_ESTABLISHED', 'CLOSE_WAIT': 'TCP_CLOSE_WAIT',
    'FIN_WAIT_1': 'TCP_FIN_WAIT1', 'CLOSING': 'TCP_CLOSING',
    'LAST_ACK': 'TCP_LAST_ACK', 'FIN_WAIT_2': 'TCP_FIN_WAIT2',
    'TIME_WAIT': 'TCP_TIME_WAIT',
}


def normalized(path):
    """A script's text without its SPDX line and with the defaults
    script's path made one: how a kernel selftest copy of a google
    script is compared with it."""
    with open(path, encoding='utf-8', errors='replace') as f:
        text = f.read()
    text = re.sub(r'^// SPDX-License-Identifier:.*\n', '', text, flags=re.M)
    return re.sub(r'`(\./|\.\./common/)defaults\.sh\s*`', '`defaults.sh`',
                  text)


def google_twin(corpus, rel):
    """For a kernel selftest that is a google script under another name
    (tcp_<dir>_<name>.pkt, the same text up to normalized()), the
    google script's rel; else None. The twin shares its variant and
    its known-failure line."""
    if corpus != 'linux' or '/' in rel:
        return None
    groot = os.path.join(CORPUS, CORPORA['google']['root'])
    for d in sorted(os.listdir(groot), key=len, reverse=True):
        pre = 'tcp_' + d.replace('/', '_') + '_'
        if not rel.startswith(pre):
            continue
        g = d + '/' + rel[len(pre):]
        gpath = os.path.join(groot, g)
        if os.path.exists(gpath) and normalized(gpath) == normalized(
                os.path.join(CORPUS, CORPORA[corpus]['root'], rel)):
            return g
    return None


def prepare(corpus, rel, tmp):
    """Returns (path to run, so_flags, n/a reason or None, adapted)."""
    conf = CORPORA[corpus]
    src = os.path.join(CORPUS, conf['root'], rel)
    variant = os.path.join(VARIANTS, corpus, rel)
    twin = google_twin(corpus, rel)
    if twin is not None and not os.path.exists(variant):
        variant = os.path.join(VARIANTS, 'google', twin)
    adapted = os.path.exists(variant)
    with open(variant if adapted else src, encoding='utf-8',
              errors='replace') as f:
        text = f.read()
    flags = dict(conf['flags'])
    if re.search(r'^--ip_version=ipv6|^\s*--local_ip=[0-9a-fA-F:]*:',
                 text, re.M):
        return None, flags, 'IPv6 (issue 23)', adapted
    # Addresses stay in 198.18.0.0/15 whatever a script names.
    text = re.sub(r'^--local_ip=\S+', '--local_ip=' + LOCAL_IP, text,
                  flags=re.M)
    text = re.sub(r'^--remote_ip=\S+', '--remote_ip=' + REMOTE_IP, text,
                  flags=re.M)
    text = preprocess(text, conf['defines'])
    text, needs = fix_commands(text, flags)
    if needs:
        return None, flags, needs[0], adapted
    if corpus == 'freebsd':
        new = freebsd_adapt(text)
        adapted = adapted or new != text
        text = new
    # A time left alone on its line (its command or call taken out) is
    # no event: drop it; the next event's relative time still counts
    # from the one before.
    text = re.sub(r'^[ \t]*[+]?[0-9.]+[ \t]*$', '', text, flags=re.M)
    out = os.path.join(tmp, corpus, rel)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, 'w', encoding='utf-8') as f:
        f.write(text)
    return out, flags, None, adapted


def run_one(args, corpus, rel, tmp):
    path, flags, na, adapted = prepare(corpus, rel, tmp)
    if na is not None:
        return corpus, rel, 'n/a', na, adapted
    cmd = [args.packetdrill, '--so_filename=' + args.so,
           '--local_ip=' + LOCAL_IP, '--remote_ip=' + REMOTE_IP,
           '--so_flags=' + ','.join('%s=%s' % kv for kv in
                                    sorted(flags.items()))] + \
        CORPORA[corpus].get('pd_args', []) + [os.path.basename(path)]
    p = subprocess.Popen(cmd, cwd=os.path.dirname(path),
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        raw, _ = p.communicate(timeout=args.timeout)
        out = raw.decode('utf-8', 'replace').strip()
        ok = p.returncode == 0
        if p.returncode < 0:
            out += '\n(killed by signal %d)' % -p.returncode
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        ok, out = False, 'timed out after %d s' % args.timeout
    if p.returncode is not None and p.returncode < 0:
        # Killed: its atexit() never ran; remove EAL's runtime folder
        # (the adapter's --file-prefix is sfpd<pid>).
        for base in ('/var/run/dpdk', '/run/user/%d/dpdk' % os.getuid()):
            d = os.path.join(base, 'sfpd%d' % p.pid)
            if os.path.isdir(d):
                for f in os.listdir(d):
                    os.unlink(os.path.join(d, f))
                os.rmdir(d)
    return corpus, rel, 'pass' if ok else 'fail', out, adapted


def scripts(corpus, sub):
    root = os.path.join(CORPUS, CORPORA[corpus]['root'])
    base = os.path.join(root, sub) if sub else root
    if os.path.isfile(base):
        return [sub]
    found = []
    for d, _, files in os.walk(base):
        for f in files:
            if f.endswith('.pkt'):
                found.append(os.path.relpath(os.path.join(d, f), root))
    return sorted(found)


def load_known():
    known = []
    with open(KNOWN, encoding='utf-8') as f:
        for line in f:
            line = line.rstrip('\n')
            if not line.strip() or line.lstrip().startswith('#'):
                continue
            pat, _, why = line.partition(' ')
            known.append((pat, why.strip()))
    return known


def known_reason(known, corpus, rel):
    names = [corpus + '/' + rel]
    twin = google_twin(corpus, rel)
    if twin is not None:
        names.append('google/' + twin)
    for name in names:
        for pat, why in known:
            if fnmatch.fnmatchcase(name, pat):
                return why
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--packetdrill', required=True)
    ap.add_argument('--so', required=True)
    ap.add_argument('--jobs', type=int, default=os.cpu_count() or 2)
    ap.add_argument('--timeout', type=int, default=20)
    ap.add_argument('--matrix', action='store_true',
                    help='print the README matrix (markdown) at the end')
    ap.add_argument('-v', '--verbose', action='store_true',
                    help="print every failing script's whole output, "
                    'known failures too')
    ap.add_argument('suites', nargs='+')
    args = ap.parse_args()
    for f in (args.packetdrill, args.so):
        if not os.path.exists(f):
            sys.exit('run.py: %s: not found' % f)
    args.so = os.path.abspath(args.so)
    args.packetdrill = os.path.abspath(args.packetdrill)

    work = []
    for s in args.suites:
        corpus, _, sub = s.partition('/')
        if corpus not in CORPORA:
            sys.exit('run.py: unknown corpus %s (have: %s)' %
                     (corpus, ', '.join(CORPORA)))
        found = scripts(corpus, sub)
        if not found:
            sys.exit('run.py: %s: no scripts' % s)
        work += [(corpus, r) for r in found]

    known = load_known()
    results = []
    with tempfile.TemporaryDirectory(prefix='sf-pd-') as tmp, \
            concurrent.futures.ThreadPoolExecutor(args.jobs) as ex:
        futs = [ex.submit(run_one, args, c, r, tmp) for c, r in work]
        for fu in futs:
            results.append(fu.result())

    regressions, fixed, known_out = [], [], []
    per_dir = {}
    for corpus, rel, verdict, out, adapted in results:
        d = corpus + '/' + (os.path.dirname(rel) or '.')
        st = per_dir.setdefault(d, {'run': 0, 'pass': 0, 'adapted': 0,
                                    'known': 0, 'n/a': 0})
        why = known_reason(known, corpus, rel)
        if verdict == 'n/a':
            st['n/a'] += 1
            continue
        st['run'] += 1
        st['adapted'] += adapted
        if verdict == 'pass':
            st['pass'] += 1
            if why is not None:
                fixed.append((corpus + '/' + rel, why))
        elif why is not None:
            st['known'] += 1
            if args.verbose:
                known_out.append((corpus + '/' + rel, out))
        else:
            regressions.append((corpus + '/' + rel, out))

    for name, out in regressions:
        print('FAIL %s' % name)
        lines = out.split('\n')
        for line in lines if args.verbose else lines[-6:]:
            print('    ' + line)
    for name, out in known_out:
        print('KNOWN %s' % name)
        for line in out.split('\n'):
            print('    ' + line)
    for name, why in fixed:
        print('NOW PASSES (known failure: %s): %s' % (why, name))
    print()
    print('%-44s %5s %6s %7s %6s %5s' % ('directory', 'run', 'passed',
                                        'adapted', 'known', 'n/a'))
    tot = {'run': 0, 'pass': 0, 'adapted': 0, 'known': 0, 'n/a': 0}
    for d in sorted(per_dir):
        st = per_dir[d]
        for k in tot:
            tot[k] += st[k]
        print('%-44s %5d %6d %7d %6d %5d' % (d, st['run'], st['pass'],
              st['adapted'], st['known'], st['n/a']))
    print('%-44s %5d %6d %7d %6d %5d' % ('total', tot['run'], tot['pass'],
          tot['adapted'], tot['known'], tot['n/a']))
    if args.matrix:
        print()
        print('| corpus / directory | run | passed | adapted | known '
              'failures | not applicable |')
        print('|---|---:|---:|---:|---:|---:|')
        for d in sorted(per_dir):
            st = per_dir[d]
            print('| %s | %d | %d | %d | %d | %d |' % (
                d, st['run'], st['pass'], st['adapted'], st['known'],
                st['n/a']))
    print('packetdrill: %d run, %d passed, %d known failures, '
          '%d regressions, %d not applicable' % (
              tot['run'], tot['pass'], tot['known'], len(regressions),
              tot['n/a']))
    return 1 if regressions else 0


if __name__ == '__main__':
    sys.exit(main())
