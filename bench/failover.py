#!/usr/bin/env python
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""I/O stall when one of two paths dies: the role's tuned settings against the distribution's.

On one lab guest (tests/lab/lab up --hosts 1), the role itself (molecule's converge.yml) logs
the lab's targets in through one iface per storage network (iscsi-a, iscsi-b): once with
iscsi_paths_tuned false (the distribution's defaults), once with the role's defaults
(roles/iscsi_paths/defaults/main.yml), each after the guest's sessions and node records are
gone. Before each cut the sessions' timeouts are read from sysfs and must be the ones meant.
A reader in the guest reads 4 KiB blocks with O_DIRECT through storage1's first multipath
device and records when each read completes; the network carrying the reads is cut, and the
stall is the longest gap between two completed reads.
Metrics: failover_stall_s_tuned (goal <= 5), failover_stall_s_defaults (reference).
Measured 2026-12-01 10:11 (bench/results/failover.json), the role's own sessions, the machine
shared with other labs (load 9-13): recovery_tmo 1 s, NOP-Out 1/2 s: longest gap 4.1 s, 0 read
errors; the distribution's 5 s / 5/5 s in the same run: 15.4 s. (Earlier, with the bench's own
copy of the settings instead of the role: 4.2 s and 15.7 s.)
"""

import json
import os
import subprocess
import sys
import time

import yaml

import benchlib

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# A lab instance of its own (every lab call and the inventory script inherit it), so that a
# test or another bench may keep its lab running meanwhile.
os.environ.setdefault('OVIRT_ISCSI_LAB_NAMESPACE', 'ovirt-iscsi-failover')
LAB = os.path.join(TOP, 'tests', 'lab', 'lab')
ROLE_DEFAULTS = os.path.join(TOP, 'roles', 'iscsi_paths', 'defaults', 'main.yml')
SCENARIO = os.path.join(TOP, 'extensions', 'molecule', 'default')
HOST = 'host1'
NETWORKS = ('iscsi-a', 'iscsi-b')
READ_SECONDS = 75
CUT_AFTER = 10

# Runs in the guest: O_DIRECT 4 KiB reads over the first 64 MiB, completion times kept,
# then one JSON line with the longest gap, its start and the number of reads and errors.
READER = r'''
import json, mmap, os, sys, time
dev, seconds = sys.argv[1], float(sys.argv[2])
fd = os.open(dev, os.O_RDONLY | os.O_DIRECT)
buf = mmap.mmap(-1, 4096)
start = last = time.monotonic()
gap, gap_at, reads, errors, offset = 0.0, 0.0, 0, 0, 0
print('started', flush=True)
while last - start < seconds:
    try:
        os.preadv(fd, [buf], offset)
        reads += 1
    except OSError:
        errors += 1
    now = time.monotonic()
    if now - last > gap:
        gap, gap_at = now - last, last - start
    last = now
    offset = (offset + 4096) % (64 << 20)
print(json.dumps({'gap': gap, 'gap_at': gap_at, 'reads': reads, 'errors': errors}), flush=True)
'''


def lab(*args, **kwargs):
    """tests/lab/lab with output captured; raises on failure."""
    return subprocess.run([LAB] + list(args), check=True, capture_output=True, text=True, **kwargs).stdout


def guest(command, **kwargs):
    """A shell command on the bench's guest; its stdout."""
    return lab('ssh', HOST, '--', command, **kwargs)


def role_defaults():
    """The role's defaults (what its tuned run must put on the sessions)."""
    with open(ROLE_DEFAULTS, encoding='utf-8') as handle:
        return yaml.safe_load(handle)


def connect(state, tuned):
    """Fresh sessions made by the role itself (molecule's converge on the lab), tuned or with
    the distribution's defaults (iscsi_paths_tuned false): the bench measures what the role writes."""
    guest('iscsiadm -m node -u >/dev/null 2>&1; iscsiadm -m node -o delete >/dev/null 2>&1; true')
    env = dict(os.environ, LAB_UNTUNED_HOSTS='' if tuned else HOST)
    proc = subprocess.run(['ansible-playbook', '-i', os.path.join(SCENARIO, 'lab_inventory.py'), os.path.join(SCENARIO, 'converge.yml')],
                          env=env, capture_output=True, text=True, check=False, timeout=1800)
    if proc.returncode != 0:
        raise RuntimeError('the role failed on %s:\n%s' % (HOST, proc.stdout[-3000:]))
    wwid = state['target']['targets'][0]['luns'][0]['wwid']
    wait_paths(wwid, 'active ready', len(NETWORKS))
    return wwid


def session_timeouts():
    """{recovery_tmo, recv_tmo, ping_tmo: the values on the guest's sessions (sysfs)}."""
    found = {}
    for key, pattern in (('recovery_tmo', 'iscsi_session/session*'), ('recv_tmo', 'iscsi_connection/connection*'),
                         ('ping_tmo', 'iscsi_connection/connection*')):
        found[key] = guest('cat /sys/class/%s/%s | sort -u' % (pattern, key)).split()
    return found


def path_table(wwid):
    """[(dev, checker/dm state, host adapter address)] of one LUN's paths."""
    out = guest("multipathd show paths raw format '%w %d %t %T %a'")
    return [(f[1], '%s %s' % (f[2], f[3]), f[4]) for f in (line.split() for line in out.splitlines()) if len(f) == 5 and f[0] == wwid]


def wait_paths(wwid, status, count, timeout=180):
    """Until COUNT paths of the LUN show STATUS ('active ready')."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sum(1 for path in path_table(wwid) if path[1] == status) >= count:
            return
        time.sleep(2)
    raise RuntimeError('%s: fewer than %d paths %s after %d s: %s' % (wwid, count, status, timeout, path_table(wwid)))


def busy_network(state, wwid):
    """The storage network that carries the reads right now (the path whose read count grows)."""
    paths = path_table(wwid)

    def counts():
        return {dev: int(guest('cat /sys/block/%s/stat' % dev).split()[0]) for dev, _st, _addr in paths}
    before = counts()
    time.sleep(2)
    after = counts()
    dev = max(after, key=lambda d: after[d] - before[d])
    address = [addr for d, _st, addr in paths if d == dev][0]
    for network in NETWORKS:
        if state['hosts'][HOST]['networks'][network]['address'] == address:
            return network
    raise RuntimeError('path %s (%s) is on no storage network' % (dev, address))


def measure(state, label, tuned):
    """One failover: the longest gap in reads while the busy network is cut; seconds."""
    wwid = connect(state, tuned)
    timeouts = session_timeouts()
    # The sessions carry what was meant (multipathd puts its fast_io_fail_tmo into recovery_tmo),
    # or the figure would not be the one of the role's settings.
    wanted = ({'recovery_tmo': [str(tuned['iscsi_paths_fast_io_fail_tmo'])], 'recv_tmo': [str(tuned['iscsi_paths_noop_out_interval'])],
               'ping_tmo': [str(tuned['iscsi_paths_noop_out_timeout'])]} if tuned else {'recovery_tmo': ['5'], 'recv_tmo': ['5'], 'ping_tmo': ['5']})
    if timeouts != wanted:
        raise RuntimeError('%s: the sessions have %s, expected %s' % (label, timeouts, wanted))
    timeouts = ' '.join('%s %s' % (key, '/'.join(value)) for key, value in sorted(timeouts.items()))
    reader = subprocess.Popen(  # pylint: disable=consider-using-with
        [LAB, 'ssh', HOST, '--', 'python3 - /dev/mapper/%s %d' % (wwid, READ_SECONDS)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    reader.stdin.write(READER)
    reader.stdin.close()
    assert reader.stdout.readline().strip() == 'started', 'the reader did not start'
    network = busy_network(state, wwid)
    time.sleep(max(0, CUT_AFTER - 2))
    lab('cut', network, '--host', HOST)
    result = json.loads(reader.stdout.readline())
    reader.wait(timeout=60)
    lab('restore', network, '--host', HOST)
    wait_paths(wwid, 'active ready', len(NETWORKS))
    print('%s: %s; cut %s: longest gap %.1f s at %.1f s, %d reads, %d errors' % (
        label, timeouts, network, result['gap'], result['gap_at'], result['reads'], result['errors']))
    if result['errors']:
        raise RuntimeError('%s: %d reads failed during the failover' % (label, result['errors']))
    return round(result['gap'], 1)


def main():
    """Bring a one-guest lab up, measure both settings, report, bring the lab down."""
    tuned = role_defaults()
    inventory = lab('up', '--hosts', '1', timeout=1800).strip().splitlines()[-1]
    try:
        with open(os.path.join(os.path.dirname(inventory), 'state.json'), encoding='utf-8') as handle:
            state = json.load(handle)
        stall_defaults = measure(state, 'defaults', None)
        stall_tuned = measure(state, 'tuned', tuned)
    finally:
        subprocess.run([LAB, 'down'], check=False, capture_output=True)
    benchlib.report('failover', [
        benchlib.metric('failover_stall_s_tuned', stall_tuned, 's', '<= 5'),
        benchlib.metric('failover_stall_s_defaults', stall_defaults, 's', 'reference (about 15)'),
    ])
    return 0


if __name__ == '__main__':
    sys.exit(main())
