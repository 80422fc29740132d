# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab's namespace: one bridge per segment holding the target's .1, one tap per guest NIC."""

import ipaddress
import os
import signal
import subprocess
import time

from lablib import config, routing


class NetError(Exception):
    """A network command of the lab failed."""


def run(cmd, check=True):
    """Run a command quietly; on failure raise NetError with its message."""
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if check and proc.returncode != 0:
        raise NetError('%s: %s' % (' '.join(cmd), (proc.stderr or proc.stdout).strip()))
    return proc


def ns_cmd(namespace, *cmd):
    """A command run inside the namespace."""
    return ['ip', 'netns', 'exec', namespace] + list(cmd)


def alive(pid):
    """Whether pid is a running process (a zombie left to a parent that never reaps is not)."""
    if not pid or pid <= 0:
        return False
    try:
        with open('/proc/%d/stat' % pid, encoding='ascii', errors='replace') as handle:
            return handle.read().split(') ', 1)[1][0] != 'Z'
    except (OSError, IndexError):
        return False


def exists(namespace):
    """Whether the namespace is there."""
    return namespace in run(['ip', 'netns', 'list'], check=False).stdout.split()


def pids(namespace):
    """Processes running inside the namespace (only the lab's own processes live there)."""
    if not exists(namespace):
        return []
    out = run(['ip', 'netns', 'pids', namespace], check=False).stdout
    return [int(word) for word in out.split()]


def create(desc, namespace, hosts):
    """Namespace, bridges with the target's addresses, and every guest's taps on their bridge."""
    run(['ip', 'netns', 'add', namespace])
    run(['ip', '-n', namespace, 'link', 'set', 'lo', 'up'])
    # Answer ARP only on the segment that holds the address, as separate switches would.
    run(ns_cmd(namespace, 'sysctl', '-q', '-w', 'net.ipv4.conf.all.arp_ignore=1'))
    run(ns_cmd(namespace, 'sysctl', '-q', '-w', 'net.ipv4.conf.all.arp_announce=2'))
    for net in desc['networks']:
        bridge = config.bridge_name(desc, net['name'])
        prefix = ipaddress.ip_network(net['subnet']).prefixlen
        run(['ip', '-n', namespace, 'link', 'add', bridge, 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0'])
        run(['ip', '-n', namespace, 'addr', 'add', '%s/%d' % (net['target_address'], prefix), 'dev', bridge])
        run(['ip', '-n', namespace, 'link', 'set', bridge, 'up'])
    # A subnet shared by several segments: each portal answers through its own bridge.
    for command in routing.segment_routes(desc):
        run(['ip', '-n', namespace] + command)
    for host in hosts:
        for nic in host['nics']:
            bridge = config.bridge_name(desc, nic['network'])
            run(['ip', '-n', namespace, 'tuntap', 'add', nic['tap'], 'mode', 'tap'])
            run(['ip', '-n', namespace, 'link', 'set', nic['tap'], 'master', bridge])
            run(['ip', '-n', namespace, 'link', 'set', nic['tap'], 'up'])


def kill_all(namespace, grace=5.0):
    """TERM, then KILL, every process left in the namespace; True when none is left."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids(namespace):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + grace
        while pids(namespace) and time.monotonic() < deadline:
            time.sleep(0.2)
        if not pids(namespace):
            return True
    return not pids(namespace)


def delete(namespace):
    """Remove the namespace with every bridge and tap in it."""
    if exists(namespace):
        run(['ip', 'netns', 'delete', namespace])


def taps(state, network, host=None):
    """Taps of one network (of one host if named), from the run's state."""
    if network not in state['networks']:
        raise NetError('unknown network %s (known: %s)' % (network, ', '.join(state['networks'])))
    found = []
    for name, info in state['hosts'].items():
        if host and name != host:
            continue
        nic = info['networks'].get(network)
        if nic:
            found.append((name, nic))
    if host and host not in state['hosts']:
        raise NetError('unknown host %s (running: %s)' % (host, ', '.join(state['hosts'])))
    if not found:
        raise NetError('no running host has a NIC on %s' % network)
    return found


def set_link(namespace, tap, up):
    """Link up/down on the namespace side of a guest NIC."""
    run(['ip', '-n', namespace, 'link', 'set', tap, 'up' if up else 'down'])


def limit(namespace, tap, rate):
    """Token bucket on a tap (egress towards the guest), or none when rate is 'off'."""
    if rate == 'off':
        run(['ip', 'netns', 'exec', namespace, 'tc', 'qdisc', 'del', 'dev', tap, 'root'], check=False)
        return
    run(ns_cmd(namespace, 'tc', 'qdisc', 'replace', 'dev', tap, 'root', 'tbf', 'rate', rate,
               'burst', '64kb', 'latency', '50ms'))
