#!/usr/bin/env python
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Role iscsi_paths: a re-run with nothing to change against the first converge of fresh hosts.

Brings a fresh lab up (tests/lab/lab up), runs the molecule scenario's converge playbook twice
and reports how much the second run changed, how long it took compared to the first, and how
many remote module calls each host got on the re-run (counted from ansible-playbook -vvv: one
SSH exec per module call with pipelining). The lab comes down at the end. Metrics:
rerun_changed (goal 0), rerun_time_ratio (goal <= 0.25), rerun_module_calls (goal <= 2).
History: 0.85 (loaded, no bytecode cache) and 0.44 (quiet, cache) with the role of one task per
step, about 14 remote calls per host on a re-run. Since the role calls iscsi_host_config and
iscsi_sessions once each, a re-run is those two calls (results in bench/results/host_rerun.json).
"""

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


def main():
    logs = os.path.join(TOP, 'tests', 'output', 'bench')
    os.makedirs(logs, exist_ok=True)
    subprocess.run([LAB, 'up'], check=True, stdout=subprocess.DEVNULL)
    try:
        first, first_changed = converge(os.path.join(logs, 'host_rerun-first.log'))
        second, second_changed = converge(os.path.join(logs, 'host_rerun-second.log'), verbose=True)
    finally:
        subprocess.run([LAB, 'down'], check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(os.path.join(logs, 'host_rerun-second.log'), encoding='utf-8') as log:
        execs = SSH_EXEC.findall(log.read())
    calls = dict((host, execs.count(host)) for host in sorted(set(execs)))
    if not calls:
        raise RuntimeError('no remote call found in the re-run log: cannot count them')
    print('first converge %.1f s (changed=%d), re-run %.1f s (changed=%d), remote module calls per host on the re-run: %s'
          % (first, first_changed, second, second_changed, calls))
    benchlib.report('host_rerun', [
        benchlib.metric('rerun_changed', second_changed, 'tasks', '0'),
        benchlib.metric('rerun_time_ratio', round(second / first, 2), 'ratio', '<= 0.25'),
        benchlib.metric('rerun_module_calls', max(calls.values()), 'calls per host', '<= 2'),
    ])
    return 0


if __name__ == '__main__':
    sys.exit(main())
