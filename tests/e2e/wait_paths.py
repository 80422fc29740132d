#!/usr/bin/env python
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Paths as the guests' kernels have them (tests/lib/kernel_paths.py: sysfs and multipathd over
the lab's ssh, nothing of the collection), for tests/e2e/eda's reacting proofs.

  wait_paths.py wait SECONDS HOST=NETWORK,... ...   poll (at most SECONDS) until on each HOST every
                                                   LUN of the lab (state.json, added ones too) has an
                                                   active path through the NIC of each NETWORK; print
                                                   each host's time and, last, 'all EPOCH': the end
                                                   of the read that first saw the last host complete
  wait_paths.py none HOST                          HOST has no path at all to the lab's targets
  wait_paths.py count NETWORK HOST...              paths through NETWORK's NIC on each HOST; exit 1
                                                   if any (a positive control: none there before)
"""

import concurrent.futures
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'lib'))
import kernel_paths  # noqa: E402  pylint: disable=wrong-import-position


def fail(message):
    print('wait_paths: FAIL: %s' % message)
    sys.exit(1)


def lab():
    state = kernel_paths.lab_state()
    targets = {t['iqn'] for t in state['target']['targets']}
    luns = sorted(lun['wwid'] for t in state['target']['targets'] for lun in t['luns'])
    return state, targets, luns


def nic(state, host, network):
    networks = state['hosts'][host]['networks']
    return networks[network]['nic'] if network in networks else fail('%s has no NIC on %s' % (host, network))


def read(host, targets):
    """The kernel's paths of HOST, or None when the read failed (said, and tried again)."""
    try:
        return kernel_paths.kernel_paths(host, targets)
    except SystemExit:
        return None


def missing(paths, luns, nics):
    """'LUN via NIC' for each LUN without an active path through each NIC."""
    active = {(key[0], key[1]) for key, (is_active, _why, _target) in paths.items() if is_active}
    return ['%s via %s' % (lun, n) for lun in luns for n in nics if (lun, n) not in active]


def wait(seconds, specs):
    state, targets, luns = lab()
    wanted = {}
    for spec in specs:
        host, networks = spec.split('=', 1)
        wanted[host] = [nic(state, host, network) for network in networks.split(',')]
    start, deadline, done, polls, last = time.time(), time.monotonic() + float(seconds), {}, 0, {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(wanted)) as pool:
        while len(done) < len(wanted):
            if time.monotonic() > deadline:
                fail('after %s s (%d reads): %s' % (seconds, polls, '; '.join(
                    '%s lacks %s' % (h, ', '.join(last.get(h) or ['(not read)'])) for h in sorted(set(wanted) - set(done)))))
            polls += 1
            todo = sorted(set(wanted) - set(done))
            for host, paths in zip(todo, pool.map(lambda h: read(h, targets), todo)):
                seen = time.time()
                if paths is None:
                    last[host] = ['(the read failed)']
                    continue
                last[host] = missing(paths, luns, wanted[host])
                if not last[host]:
                    done[host] = seen
            if len(done) < len(wanted):
                time.sleep(1)
    for host in sorted(done):
        print('%s: each of the %d LUNs active via %s, %.1f s after the wait began' % (
            host, len(luns), ', '.join(wanted[host]), done[host] - start))
    print('all %.3f' % max(done.values()))


def none(host):
    _state, targets, _luns = lab()
    paths = read(host, targets)
    if paths is None:
        fail('%s: the kernel could not be read' % host)
    if paths:
        fail('%s has %d paths: %s' % (host, len(paths), ', '.join(sorted('%s via %s' % (k[0], k[1]) for k in paths))))
    print('%s: no path to %s in the kernel' % (host, ', '.join(sorted(targets))))


def count(network, hosts):
    state, targets, _luns = lab()
    found = 0
    for host in hosts:
        paths = read(host, targets)
        if paths is None:
            fail('%s: the kernel could not be read' % host)
        through = [k for k in paths if k[1] == nic(state, host, network)]
        found += len(through)
        print('%s: %d paths via %s (%s), %d in all' % (host, len(through), nic(state, host, network), network, len(paths)))
    if found:
        fail('%d paths via %s already' % (found, network))


def main(argv):
    if len(argv) >= 4 and argv[1] == 'wait':
        wait(argv[2], argv[3:])
    elif len(argv) == 3 and argv[1] == 'none':
        none(argv[2])
    elif len(argv) >= 4 and argv[1] == 'count':
        count(argv[2], argv[3:])
    else:
        fail(__doc__)


if __name__ == '__main__':
    main(sys.argv)
