#!/usr/bin/env python
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Role iscsi_paths: first converge of a host with one storage network dead, against a clean host's.

A fresh lab of two guests (tests/lab/lab up); iscsi-b is black-holed on host2 before its first
converge (tests/lab/lab drop: link and ARP up, every IP packet dropped, so its portal never
answers, as behind a firewall or a dead array port). host1 (clean) and host2 (dead network) then
converge at the same time, each in an ansible-playbook run of its own (the molecule scenario's
converge playbook, --limit), and each run is timed. Two rounds in one lab: the role's login
settings (its defaults), then open-iscsi's (login timeout 15 s, 8 retries, passed with -e);
between them the guests go back to what they were before the first converge (sessions logged
out, /etc/iscsi, multipath.conf and the role's record restored), so each round is a first converge.
Metrics: dead_network_converge_ratio (host2's time / host1's, role's settings; goal <= 1.5),
dead_network_converge_ratio_defaults (the same with open-iscsi's defaults; reference), and the
four times. Each host's state (iscsi_paths_report.state, or operational / non operational from
an older role's report) is printed with its time; the JSON is written only from a full run
(both rounds, host1 operational in both). The lab comes down at the end, also on failure.
Measured 2026-12-01 10:40 (bench/results/dead_network.json), during the quick stages of a make
test: role's settings (15 s per attempt, 1 retry) host1 52.4 s operational, host2 48.2 s
degraded naming iscsi-b, ratio 0.92 (goal <= 1.5: met); open-iscsi's (15 s, 8 retries) host1
30.1 s, host2 135.4 s, ratio 4.50. At 10:18 with a 5 s timeout: 0.88 against 3.74; the role went
back to 15 s per attempt after six parallel live logins of a busy lab guest timed out at 5 s.
(A run at load 15-20 left the clean host degraded: its paths took longer than the role's wait.)
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time

import yaml

import benchlib

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Always a lab instance of its own (every lab call and the inventory script inherit it): the bench
# brings its lab up and down, so it must never take over the instance of a shell's environment.
os.environ['OVIRT_ISCSI_LAB_NAMESPACE'] = 'ovirt-iscsi-bench-dead'
LAB = os.path.join(TOP, 'tests', 'lab', 'lab')
SCENARIO = os.path.join(TOP, 'extensions', 'molecule', 'default')
ROLE_DEFAULTS = os.path.join(TOP, 'roles', 'iscsi_paths', 'defaults', 'main.yml')
CLEAN, DEAD = 'host1', 'host2'
DEAD_NETWORK = 'iscsi-b'
LOGIN_SETTINGS = ('iscsi_paths_login_timeout', 'iscsi_paths_login_retries', 'iscsi_paths_parallel_logins')
# open-iscsi's own: node.conn[0].timeo.login_timeout 15 s, node.session.initial_login_retry_max 8.
ROUNDS = {
    'role': {},
    'defaults': {'iscsi_paths_login_timeout': 15, 'iscsi_paths_login_retries': 8},
}
# With -v and one-line results, every task result that sets the report carries it as JSON.
RESULT = re.compile(r'^(?:ok|changed): \[([^\]]+)\] => (\{.*\})$', re.M)
RECAP = re.compile(r'^(\S+)\s+: ok=\d+\s+changed=\d+\s+unreachable=(\d+)\s+failed=(\d+)', re.M)
PRISTINE = '/root/dead_network-pristine.tar'
# What a first converge finds: kept before the first round, put back before the second.
KEPT = ('etc/iscsi', 'etc/multipath.conf', 'etc/multipath')


def lab(*args, **kwargs):
    """tests/lab/lab with output captured; raises on failure."""
    return subprocess.run([LAB] + list(args), check=True, capture_output=True, text=True, **kwargs).stdout


def role_defaults():
    """The role's defaults file as a dict."""
    with open(ROLE_DEFAULTS, encoding='utf-8') as handle:
        return yaml.safe_load(handle)


def converge_start(host, extra, log_path):
    """ansible-playbook of the converge playbook on one host, started; (process, log, start time)."""
    env = dict(os.environ, ANSIBLE_CALLBACK_RESULT_FORMAT='json', ANSIBLE_CALLBACK_FORMAT_PRETTY='false')
    cmd = ['ansible-playbook', '-v', '-i', os.path.join(SCENARIO, 'lab_inventory.py'), os.path.join(SCENARIO, 'converge.yml'),
           '--limit', host] + (['-e', json.dumps(extra)] if extra else [])
    log = open(log_path, 'w', encoding='utf-8')  # pylint: disable=consider-using-with
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=TOP, env=env)  # pylint: disable=consider-using-with
    return proc, log, time.monotonic()


def host_state(output, host):
    """The host's state from the last report the role set, or why there is none."""
    reports = []
    for name, body in RESULT.findall(output):
        facts = json.loads(body).get('ansible_facts', {}) if name == host else {}
        if 'iscsi_paths_report' in facts:
            reports.append(facts['iscsi_paths_report'])
    if not reports:
        return 'no report'
    report = reports[-1]
    if 'state' in report:
        return report['state']
    return 'operational' if report.get('operational') else 'non operational'


def converge_round(name, extra, logs):
    """Both hosts converged at once, one ansible-playbook each: {host: {seconds, rc, state, failed}}."""
    started = {host: converge_start(host, extra, os.path.join(logs, 'dead_network-%s-%s.log' % (name, host)))
               for host in (CLEAN, DEAD)}
    ended = {}
    while len(ended) < len(started):
        for host, (proc, dummy, began) in started.items():
            if host not in ended and proc.poll() is not None:
                ended[host] = time.monotonic() - began
        time.sleep(0.2)
    results = {}
    for host, (proc, log, dummy) in started.items():
        log.close()
        with open(log.name, encoding='utf-8') as handle:
            output = handle.read()
        recap = {row[0]: row for row in RECAP.findall(output)}.get(host)
        results[host] = {'seconds': round(ended[host], 1), 'rc': proc.returncode, 'state': host_state(output, host),
                         'failed': recap is None or int(recap[1]) > 0 or int(recap[2]) > 0, 'log': log.name}
    return results


def keep_pristine(hosts):
    """Before the first converge: what the role changes, kept on each guest."""
    for host in hosts:
        lab('ssh', host, '--', 'cd / && tar -cpf %s $(ls -d %s 2>/dev/null)' % (PRISTINE, ' '.join(KEPT)))


def back_to_pristine(hosts, state_file):
    """Sessions logged out, node records, ifaces, multipath.conf and the role's record as before the first converge."""
    for host in hosts:
        lab('ssh', host, '--', 'iscsiadm -m node -u >/dev/null 2>&1; systemctl stop iscsid.service; multipath -F >/dev/null 2>&1; '
            'rm -rf %s %s && tar -C / -xpf %s && systemctl restart multipathd && test -z "$(iscsiadm -m session 2>/dev/null)"' % (
                ' '.join('/' + path for path in KEPT), state_file, PRISTINE), timeout=300)


def print_rounds(rounds):
    """One row per round and host, and each round's ratio."""
    print('%-9s %-6s %-8s %9s %4s  %s' % ('round', 'host', 'network', 'seconds', 'rc', 'state'))
    for name, results in rounds.items():
        for host, result in results.items():
            print('%-9s %-6s %-8s %9.1f %4d  %s' % (
                name, host, 'dead' if host == DEAD else 'clean', result['seconds'], result['rc'], result['state']))
        print('%-9s ratio %s / %s = %.2f' % (name, DEAD, CLEAN, results[DEAD]['seconds'] / results[CLEAN]['seconds']))


def main(argv=None):
    """Bring the lab up, drop the network, converge round by round, report, bring the lab down."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    ap.add_argument('--round', choices=sorted(ROUNDS), action='append',
                    help='only this round (repeatable; default both; the JSON is written only from both)')
    args = ap.parse_args(argv)
    names = [name for name in ROUNDS if name in (args.round or ROUNDS)]
    defaults = role_defaults()
    settings = {key: defaults[key] for key in LOGIN_SETTINGS if key in defaults}
    none = "none (the role has no %s yet: both rounds log in with open-iscsi's defaults)" % ', '.join(LOGIN_SETTINGS)
    print("role's login settings: %s" % (settings or none))
    logs = os.path.join(TOP, 'tests', 'output', 'bench')
    os.makedirs(logs, exist_ok=True)
    rounds = {}
    try:
        lab('up', '--hosts', '2', timeout=1800)
        lab('drop', DEAD_NETWORK, '--host', DEAD)
        keep_pristine((CLEAN, DEAD))
        for index, name in enumerate(names):
            if index:
                back_to_pristine((CLEAN, DEAD), defaults.get('iscsi_paths_state_file', ''))
            rounds[name] = converge_round(name, ROUNDS[name], logs)
            print('%s: %s' % (name, json.dumps(rounds[name])), flush=True)
    finally:
        subprocess.run([LAB, 'down'], check=False, capture_output=True)
    print_rounds(rounds)
    full = list(rounds) == list(ROUNDS) and all(results[CLEAN]['state'] == 'operational' and not results[CLEAN]['failed']
                                                for results in rounds.values())
    if not full:
        print('not a full run (both rounds, %s operational in both): no JSON written' % CLEAN)
        return 1
    ratio = {name: round(results[DEAD]['seconds'] / results[CLEAN]['seconds'], 2) for name, results in rounds.items()}
    benchlib.report('dead_network', [
        benchlib.metric('dead_network_converge_ratio', ratio['role'], 'ratio', '<= 1.5'),
        benchlib.metric('dead_network_converge_ratio_defaults', ratio['defaults'], 'ratio', 'reference'),
        benchlib.metric('dead_network_converge_s_clean', rounds['role'][CLEAN]['seconds'], 's', 'reference'),
        benchlib.metric('dead_network_converge_s_dead', rounds['role'][DEAD]['seconds'], 's', 'reference'),
        benchlib.metric('dead_network_converge_s_clean_defaults', rounds['defaults'][CLEAN]['seconds'], 's', 'reference'),
        benchlib.metric('dead_network_converge_s_dead_defaults', rounds['defaults'][DEAD]['seconds'], 's', 'reference'),
    ])
    return 0


if __name__ == '__main__':
    sys.exit(main())
