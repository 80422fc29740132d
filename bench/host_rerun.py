#!/usr/bin/env python
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Role iscsi_paths: a re-run with nothing to change against the first converge of fresh hosts.

Brings a fresh lab up (tests/lab/lab up), runs the molecule scenario's converge playbook twice
and reports how much the second run changed, how long it took compared to the first, and how
many remote module calls each host got on the re-run (counted from ansible-playbook -vvv: one
SSH exec per module call with pipelining). The lab comes down at the end.

Measured twice in one invocation, each on a lab of its own brought up fresh: idle (the
1-minute load before the lab comes up is recorded, with a warning when it is above half the
cores: another lab or test running), then under load (--load-workers processes
spinning on the CPU beside the lab, from before the first converge to the end of the re-run).
``--only idle`` or ``--only loaded`` measures one of them and keeps the other's figures from
bench/results/host_rerun.json.
Metrics: rerun_changed (goal 0), rerun_time_ratio (goal <= 0.2), rerun_module_calls (goal <= 2),
first_converge_s, rerun_s and load_before (reference); the same with ``_loaded`` for the run
under load (rerun_time_ratio_loaded a reference: the goal is the idle one), with
load_after_loaded (the 1-minute load at the re-run's end) in place of load_before.
History: 0.85 (loaded, no bytecode cache) and 0.44 (quiet, cache) with the role of one task per
step, about 14 remote calls per host on a re-run. Since the role calls iscsi_host_config and
iscsi_sessions once each, a re-run is those two calls: 0.19 (10:16), 0.30 under load (18:48)
once every kept session was rescanned with an iscsiadm process of its own on every run; since
issue 19 the kept sessions are scanned in process (plugins/module_utils/_lun_scan.py).
2026-12-06: 0.23 twice (first converge 40.4 and 35.9 s, re-run 9.3 and 8.2 s; 1-minute load 1.3
and 1.1 before, a lab having just come down), over the goal: since the last figure each run also
reads multipathd's running configuration and LVM's view of the LUNs (iscsi_host_config) and
rereads every active path's identity (iscsi_sessions' identities lap: 0.2 s in the lab).
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time

import benchlib

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# A lab instance of its own (every lab call and the inventory script inherit it), so that a
# test or another bench may keep its lab running meanwhile.
os.environ.setdefault('OVIRT_ISCSI_LAB_NAMESPACE', 'ovirt-iscsi-rerun')
LAB = os.path.join(TOP, 'tests', 'lab', 'lab')
SCENARIO = os.path.join(TOP, 'extensions', 'molecule', 'default')
RECAP = re.compile(r'^(\S+)\s+: ok=\d+\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)', re.M)


SSH_EXEC = re.compile(r'^<([^>]+)> SSH: EXEC ssh ', re.M)


def converge(log_path, verbose=False):
    """One converge run: (seconds, total changed); raises when a host failed."""
    started = time.monotonic()
    with open(log_path, 'w', encoding='utf-8') as log:
        rc = subprocess.run(['ansible-playbook', '-i', os.path.join(SCENARIO, 'lab_inventory.py'), os.path.join(SCENARIO, 'converge.yml')]
                            + (['-vvv'] if verbose else []), stdout=log, stderr=subprocess.STDOUT, check=False, cwd=TOP).returncode
    seconds = time.monotonic() - started
    with open(log_path, encoding='utf-8') as log:
        recaps = RECAP.findall(log.read())
    if rc != 0 or not recaps or any(int(unreachable) or int(failed) for dummy, dummy2, unreachable, failed in recaps):
        raise RuntimeError('converge failed (rc %d), see %s' % (rc, log_path))
    return seconds, sum(int(changed) for dummy, changed, dummy2, dummy3 in recaps)


LOADER = 'while True:\n    pass\n'
PHASES = ('idle', 'loaded')


def phase_of(metric):
    return 'loaded' if metric['name'].endswith('_loaded') else 'idle'


def measure(logs, phase, load_workers):
    """One fresh lab, its first converge and the re-run; (metrics, printed line)."""
    load_before = os.getloadavg()[0]
    if phase == 'idle' and load_before > (os.cpu_count() or 1) / 2.0:
        print('warning: the machine is not idle (1-minute load %.1f before the lab came up): another lab or test running?' % load_before)
    subprocess.run([LAB, 'up'], check=True, stdout=subprocess.DEVNULL)
    spinners = [subprocess.Popen([sys.executable, '-c', LOADER]) for dummy in range(load_workers if phase == 'loaded' else 0)]
    try:
        first, first_changed = converge(os.path.join(logs, 'host_rerun-%s-first.log' % phase))
        second, second_changed = converge(os.path.join(logs, 'host_rerun-%s-second.log' % phase), verbose=True)
        load_after = os.getloadavg()[0]
    finally:
        for spinner in spinners:
            spinner.terminate()
            spinner.wait()
        subprocess.run([LAB, 'down'], check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(os.path.join(logs, 'host_rerun-%s-second.log' % phase), encoding='utf-8') as log:
        execs = SSH_EXEC.findall(log.read())
    calls = dict((host, execs.count(host)) for host in sorted(set(execs)))
    if not calls:
        raise RuntimeError('no remote call found in the %s re-run log: cannot count them' % phase)
    line = ('%s (%d CPU spinners): first converge %.1f s (changed=%d), re-run %.1f s (changed=%d), 1-minute load %.1f before, '
            '%.1f after; remote module calls per host on the re-run: %s'
            % (phase, len(spinners), first, first_changed, second, second_changed, load_before, load_after, calls))
    suffix = '' if phase == 'idle' else '_loaded'
    if phase == 'idle':
        ratio_goal = '<= 0.2'
        load = benchlib.metric('load_before', round(load_before, 1), '1-minute load before the lab came up', 'reference')
    else:
        ratio_goal = 'reference (idle goal <= 0.2)'
        load = benchlib.metric('load_after_loaded', round(load_after, 1), '1-minute load at the re-run\'s end', 'reference')
    return [
        benchlib.metric('rerun_changed' + suffix, second_changed, 'tasks', '0'),
        benchlib.metric('rerun_time_ratio' + suffix, round(second / first, 2), 'ratio', ratio_goal),
        benchlib.metric('rerun_module_calls' + suffix, max(calls.values()), 'calls per host', '<= 2'),
        benchlib.metric('first_converge_s' + suffix, round(first, 1), 's', 'reference'),
        benchlib.metric('rerun_s' + suffix, round(second, 1), 's', 'reference'),
        load,
    ], line


def kept_metrics():
    """The figures in the results file (those of a phase not measured now are kept)."""
    try:
        with open(os.path.join(benchlib.RESULTS_DIR, 'host_rerun.json'), encoding='utf-8') as handle:
            return json.load(handle)['metrics']
    except (OSError, ValueError, KeyError):
        return []


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--only', choices=PHASES, help='measure one phase, keep the other\'s figures from the results file')
    parser.add_argument('--load-workers', type=int, default=os.cpu_count() or 1,
                        help='CPU spinners beside the lab in the loaded phase (default: one per core)')
    args = parser.parse_args()
    phases = (args.only,) if args.only else PHASES
    logs = os.path.join(TOP, 'tests', 'output', 'bench')
    os.makedirs(logs, exist_ok=True)
    measured, lines = {}, []
    for phase in phases:
        measured[phase], line = measure(logs, phase, args.load_workers)
        lines.append(line)
    print('\n'.join(lines))
    kept = kept_metrics() if args.only else []
    metrics = []
    for phase in PHASES:
        metrics += measured[phase] if phase in measured else [m for m in kept if phase_of(m) == phase]
    benchlib.report('host_rerun', metrics)
    return 0


if __name__ == '__main__':
    sys.exit(main())
