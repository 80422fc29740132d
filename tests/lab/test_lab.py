# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab itself, on real guest kernels: run by tests/lab/test-lab (root, several minutes).

The tests run in file order and share one lab: up, guests answer, one iSCSI session per
storage network's iface, one multipath device per LUN with one path per network, cut and
restore, rate limit, a network dropped on one host (link up, the portal silent) and restored,
down leaves nothing, and a bring-up after an interrupted or crashed one.
"""

import json
import os
import re
import signal
import subprocess
import time

import pytest
import yaml

LAB_DIR = os.path.dirname(os.path.abspath(__file__))
LAB = os.path.join(LAB_DIR, 'lab')
NAMESPACE = os.environ.setdefault('OVIRT_ISCSI_LAB_NAMESPACE', 'ovirt-iscsi-labtest')
RUN_DIR = os.path.join('/run', NAMESPACE)
BOND_NETWORKS = ('iscsi-a', 'iscsi-b')
MULTIPATH_CONF = ('defaults {\n    user_friendly_names no\n    find_multipaths no\n}\n'
                  'blacklist {\n    devnode "^vd[a-z]"\n}\n')


def lab(*args, check=True, timeout=900):
    """Run tests/lab/lab; the completed process."""
    proc = subprocess.run([LAB] + list(args), capture_output=True, text=True, timeout=timeout, check=False)
    if check:
        assert proc.returncode == 0, 'lab %s: rc %d\n%s' % (' '.join(args), proc.returncode, proc.stderr[-3000:])
    return proc


def guest(host, command, check=True):
    """Run a shell command on a guest; its stdout."""
    proc = lab('ssh', host, '--', command, check=False, timeout=300)
    if check:
        assert proc.returncode == 0, '%s: %s: rc %d\n%s%s' % (host, command, proc.returncode, proc.stdout, proc.stderr)
    return proc.stdout


def wait_for(what, predicate, timeout, interval=2.0):
    """Poll until predicate() returns a true value; that value, or fail naming what."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    pytest.fail('%s: not reached in %.0f s (last: %r)' % (what, timeout, last))


def lab_processes():
    """Live qemu/tgtd/nc processes that belong to this lab instance (zombies excluded)."""
    found = []
    for pid in os.listdir('/proc'):
        if not pid.isdigit():
            continue
        try:
            with open('/proc/%s/cmdline' % pid, 'rb') as handle:
                cmdline = handle.read().replace(b'\0', b' ').decode(errors='replace')
            with open('/proc/%s/stat' % pid, encoding='ascii', errors='replace') as handle:
                if handle.read().split(') ', 1)[1].startswith('Z'):
                    continue
        except (OSError, IndexError):
            continue
        if RUN_DIR in cmdline or ('tgtd' in cmdline and NAMESPACE in cmdline):
            found.append('%s %s' % (pid, cmdline[:120]))
    return found


def namespace_exists():
    return NAMESPACE in subprocess.run(['ip', 'netns', 'list'], capture_output=True, text=True, check=False).stdout.split()


@pytest.fixture(scope='module')
def state():
    """A fresh lab of two hosts for the whole module; its state.json."""
    lab('down')
    started = time.monotonic()
    proc = lab('up')
    print('lab up: %.1f s' % (time.monotonic() - started))
    inventory = proc.stdout.strip().splitlines()[-1]
    assert os.path.isfile(inventory), 'lab up printed %r last, not the inventory path' % inventory
    with open(os.path.join(os.path.dirname(inventory), 'state.json'), encoding='utf-8') as handle:
        current = json.load(handle)
    assert current['inventory'] == inventory
    yield current
    lab('down', check=False)


def sessions_by_disk(host):
    """{disk: (iface, target, portal)} from iscsiadm -m session -P 3."""
    out = guest(host, 'iscsiadm -m session -P 3')
    disks = {}
    target = portal = iface = None
    for line in out.splitlines():
        line = line.strip()
        if line.startswith('Target: '):
            target = line.split()[1]
        elif line.startswith('Current Portal: '):
            portal = line.split()[2]
        elif line.startswith('Iface Name: '):
            iface = line.split()[2]
        elif 'Attached scsi disk' in line:
            disks[line.split()[3]] = (iface, target, portal)
    return disks


def path_table(host):
    """[(dev, wwid, dm_state, checker_state)] from multipathd."""
    out = guest(host, "multipathd show paths raw format '%d %w %t %T'")
    return [tuple(line.split()) for line in out.splitlines() if len(line.split()) == 4]


def test_inventory_has_every_host_with_its_lab_facts(state):
    with open(state['inventory'], encoding='utf-8') as handle:
        inventory = yaml.safe_load(handle)
    hosts = inventory['all']['children']['lab_hosts']['hosts']
    assert sorted(hosts) == ['host1', 'host2']
    for name, hostvars in hosts.items():
        assert hostvars['ansible_host'] == state['hosts'][name]['mgmt_address']
        assert set(hostvars['lab_networks']) == {'ovirtmgmt', 'iscsi-a', 'iscsi-b', 'iscsi-c'}
    assert inventory['all']['vars']['ansible_python_interpreter'] == '/usr/bin/python3'
    secret_file = [t for t in state['target']['targets'] if t['chap_user']][0]['chap_secret_file']
    assert os.stat(secret_file).st_mode & 0o777 == 0o600
    with open(secret_file, encoding='ascii') as handle:
        secret = handle.read().strip()
    for name in ('inventory.yml', 'state.json', 'ssh_config', 'tgtd.log'):
        with open(os.path.join(RUN_DIR, name), encoding='utf-8') as handle:
            assert secret not in handle.read(), 'the CHAP secret leaked into %s' % name


def test_each_guest_answers_with_its_identity(state):
    initiators = set()
    for name, info in state['hosts'].items():
        assert guest(name, 'hostname').strip() == name
        addresses = guest(name, 'ip -br -4 addr show')
        for network, nic in info['networks'].items():
            assert re.search(r'^%s\s+UP\s+%s/%d' % (nic['nic'], re.escape(nic['address']), nic['prefix']),
                             addresses, re.M), '%s: %s has no %s on %s:\n%s' % (name, network, nic['address'], nic['nic'], addresses)
        initiator = guest(name, 'cat /etc/iscsi/initiatorname.iscsi').strip()
        assert initiator == 'InitiatorName=%s' % info['initiator_name']
        initiators.add(initiator)
    assert len(initiators) == len(state['hosts'])


def test_ansible_reaches_every_guest_through_the_inventory(state):
    proc = subprocess.run(['ansible', '-i', state['inventory'], 'lab_hosts', '-o', '-m', 'ansible.builtin.ping'],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count('SUCCESS') == len(state['hosts'])


def test_discovery_and_one_login_per_storage_iface(state):
    chap_target = [t for t in state['target']['targets'] if t['chap_user']][0]
    with open(chap_target['chap_secret_file'], encoding='ascii') as handle:
        secret = handle.read().strip()
    iqns = sorted(t['iqn'] for t in state['target']['targets'])
    for name, info in state['hosts'].items():
        for network in BOND_NETWORKS:
            nic = info['networks'][network]['nic']
            portal = '%s:3260' % state['networks'][network]['target_address']
            guest(name, 'iscsiadm -m iface -I {0} -o new && iscsiadm -m iface -I {0} -o update '
                        '-n iface.net_ifacename -v {0}'.format(nic))
            found = guest(name, 'iscsiadm -m discovery -t sendtargets -p %s -I %s' % (portal, nic))
            assert sorted(line.split()[1] for line in found.splitlines()) == iqns, found
            assert all(line.startswith(portal + ',') for line in found.splitlines()), found
            # The secret reaches the guest on stdin, never on a command line of this machine.
            proc = subprocess.run(
                [LAB, 'ssh', name, '--', 'iscsiadm -m node -T %s -p %s -I %s -o update -n node.session.auth.authmethod -v CHAP '
                 '&& iscsiadm -m node -T %s -p %s -I %s -o update -n node.session.auth.username -v %s '
                 '&& iscsiadm -m node -T %s -p %s -I %s -o update -n node.session.auth.password -v "$(cat)"' % (
                     (chap_target['iqn'], portal, nic) * 2 + (chap_target['chap_user'],) + (chap_target['iqn'], portal, nic))],
                input=secret, capture_output=True, text=True, timeout=120, check=False)
            assert proc.returncode == 0, proc.stderr
            for iqn in iqns:
                guest(name, 'iscsiadm -m node -T %s -p %s -I %s --login' % (iqn, portal, nic))
        disks = sessions_by_disk(name)
        sessions = {(iface, target) for iface, target, _portal in disks.values()}
        expected = {(info['networks'][n]['nic'], iqn) for n in BOND_NETWORKS for iqn in iqns}
        assert sessions == expected, '%s: sessions %s' % (name, sorted(sessions))
        assert len(guest(name, 'iscsiadm -m session').splitlines()) == len(expected), 'one session per iface and target'


def test_multipath_one_device_per_lun_one_path_per_network(state):
    wwids = sorted(lun['wwid'] for t in state['target']['targets'] for lun in t['luns'])
    for name, info in state['hosts'].items():
        proc = subprocess.run([LAB, 'ssh', name, '--', 'cat >/etc/multipath.conf && multipathd reconfigure'],
                              input=MULTIPATH_CONF, capture_output=True, text=True, timeout=120, check=False)
        assert proc.returncode == 0, proc.stderr

        def healthy(host=name):
            table = path_table(host)
            active = [p for p in table if p[2] == 'active' and p[3] == 'ready']
            return table if len(active) == len(wwids) * len(BOND_NETWORKS) == len(table) else None
        table = wait_for('%s: every path active' % name, healthy, 120)
        assert sorted({p[1] for p in table}) == wwids, 'WWIDs in state.json match what the guest sees'
        disks = sessions_by_disk(name)
        nics = {info['networks'][n]['nic'] for n in BOND_NETWORKS}
        for wwid in wwids:
            ifaces = sorted(disks[p[0]][0] for p in table if p[1] == wwid)
            assert ifaces == sorted(nics), '%s: LUN %s has paths through %s' % (name, wwid, ifaces)
        maps = guest(name, 'multipath -ll')
        assert sorted(re.findall(r'^(3\S+) dm-\d+', maps, re.M)) == wwids, maps


def _paths_by_nic(name, info):
    disks = sessions_by_disk(name)
    return {(disks[p[0]][0], p[1]): (p[2], p[3]) for p in path_table(name)}, {
        info['networks'][n]['nic']: n for n in BOND_NETWORKS}


def test_cut_fails_the_network_paths_and_restore_brings_them_back(state):
    lab('cut', 'iscsi-b')
    for name, info in state['hosts'].items():
        nic_b = info['networks']['iscsi-b']['nic']

        def cut_seen(host=name, host_info=info, nic=nic_b):
            paths, _nets = _paths_by_nic(host, host_info)
            failed = {key for key, st in paths.items() if st[0] == 'failed' and st[1] in ('faulty', 'shaky', 'pending', 'i/o pending')}
            active = {key for key, st in paths.items() if st == ('active', 'ready')}
            ok = failed and all(k[0] == nic for k in failed) and all(k[0] != nic for k in active) and len(failed) == len(active)
            return paths if ok else None
        wait_for('%s: %s paths failed, the others active' % (name, nic_b), cut_seen, 180)
    lab('restore', 'iscsi-b')
    for name, info in state['hosts'].items():
        def restored(host=name, host_info=info):
            paths, _nets = _paths_by_nic(host, host_info)
            return paths if paths and all(st == ('active', 'ready') for st in paths.values()) else None
        paths = wait_for('%s: every path active again' % name, restored, 180)
        assert len(paths) == 3 * len(BOND_NETWORKS)


def test_cut_one_host_only(state):
    lab('cut', 'iscsi-a', '--host', 'host2')
    link = subprocess.run(['ip', '-n', NAMESPACE, '-o', 'link', 'show'], capture_output=True, text=True, check=True).stdout
    for name, info in state['hosts'].items():
        tap = info['networks']['iscsi-a']['tap']
        line = [row for row in link.splitlines() if ' %s:' % tap in row][0]
        assert (',UP' not in line) == (name == 'host2'), line
    lab('restore', 'iscsi-a', '--host', 'host2')
    assert 'DOWN' not in lab('status').stdout


def test_limit_sets_and_clears_a_token_bucket(state):
    lab('limit', 'iscsi-a', '80mbit')
    for info in state['hosts'].values():
        tap = info['networks']['iscsi-a']['tap']
        shown = subprocess.run(['ip', 'netns', 'exec', NAMESPACE, 'tc', 'qdisc', 'show', 'dev', tap],
                               capture_output=True, text=True, check=True).stdout
        assert re.search(r'qdisc tbf .* rate 80Mbit', shown), shown
    lab('limit', 'iscsi-a', 'off')
    for info in state['hosts'].values():
        tap = info['networks']['iscsi-a']['tap']
        shown = subprocess.run(['ip', 'netns', 'exec', NAMESPACE, 'tc', 'qdisc', 'show', 'dev', tap],
                               capture_output=True, text=True, check=True).stdout
        assert 'tbf' not in shown, shown
    assert lab('limit', 'no-such-net', '1mbit', check=False).returncode == 1


# Runs in a guest: a TCP connect to the portal ARGV[1]:3260 from the guest's address ARGV[2] with a
# timeout of ARGV[3] s; prints connected, timeout or the errno's name, and the seconds it took.
CONNECT = r'''
import errno, socket, sys, time
started = time.monotonic()
try:
    socket.create_connection((sys.argv[1], 3260), timeout=float(sys.argv[3]), source_address=(sys.argv[2], 0)).close()
    print('connected', end=' ')
except socket.timeout:
    print('timeout', end=' ')
except OSError as exc:
    print(errno.errorcode.get(exc.errno, str(exc)), end=' ')
print('%.1f' % (time.monotonic() - started))
'''
CONNECT_TIMEOUT = 5


def portal_connect(state, host, network):
    """(outcome, seconds) of a TCP connect from a guest's address on a network to that network's portal."""
    address = state['hosts'][host]['networks'][network]['address']
    proc = subprocess.run([LAB, 'ssh', host, '--', 'python3 - %s %s %d' % (
        state['networks'][network]['target_address'], address, CONNECT_TIMEOUT)],
        input=CONNECT, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    outcome, seconds = proc.stdout.split()
    return outcome, float(seconds)


def test_drop_black_holes_one_hosts_network_with_its_link_up(state):
    nic = state['hosts']['host2']['networks']['iscsi-b']['nic']
    portal = state['networks']['iscsi-b']['target_address']
    assert lab('drop', 'ovirtmgmt', '--host', 'host2', check=False).returncode == 1, 'the management network carries SSH'
    lab('drop', 'iscsi-b', '--host', 'host2')
    status = lab('status').stdout
    assert re.search(r'^host2: .* iscsi-b=%s:DROPPED ' % nic, status, re.M), status
    assert status.count('DROPPED') == 1 and 'DOWN' not in status, status
    assert guest('host2', 'cat /sys/class/net/%s/carrier' % nic).strip() == '1', 'the link stays up'
    # An empty neighbour table first: the connect's own ARP must be answered, as behind a firewall.
    guest('host2', 'ip neigh flush dev %s' % nic)
    # A timeout, not an error at once (no route to host, refused): the guest's clock under emulation
    # may count less than CONNECT_TIMEOUT meanwhile, so the seconds are only shown.
    outcome, seconds = portal_connect(state, 'host2', 'iscsi-b')
    assert outcome == 'timeout', 'host2 to %s: %s after %.1f s' % (portal, outcome, seconds)
    neighbour = guest('host2', 'ip neigh show %s dev %s' % (portal, nic))
    assert 'lladdr' in neighbour, 'ARP through the dropped NIC: %r' % neighbour
    for host, network in (('host2', 'ovirtmgmt'), ('host2', 'iscsi-a'), ('host2', 'iscsi-c'), ('host1', 'iscsi-b')):
        assert portal_connect(state, host, network)[0] == 'connected', '%s through %s' % (host, network)
    lab('restore', 'iscsi-b', '--host', 'host2')
    assert 'DROPPED' not in lab('status').stdout
    assert portal_connect(state, 'host2', 'iscsi-b')[0] == 'connected', 'host2 through iscsi-b after restore'


def test_status_reports_every_guest_answering(state):
    out = lab('status').stdout
    for name in state['hosts']:
        assert re.search(r'^%s: qemu pid \d+ running, ssh answers' % name, out, re.M), out


def test_down_leaves_nothing(state):
    lab('down')
    assert not namespace_exists()
    assert not lab_processes(), lab_processes()
    assert not os.path.exists(RUN_DIR) and not os.path.exists(state['data_dir'])
    assert lab('status').returncode == 0


def _start_up_and_wait_for_qemu():
    proc = subprocess.Popen([LAB, 'up', '--hosts', '1'], stdout=subprocess.PIPE, stderr=subprocess.PIPE,  # pylint: disable=consider-using-with
                            text=True, start_new_session=True)
    # tgtd starts once the guest's qemu has daemonized. host1.pid appears earlier, while qemu may still
    # be starting: a kill then ended qemu too once, and the test found nothing left to clean.
    wait_for('lab up started a guest', lambda: os.path.exists(os.path.join(RUN_DIR, 'tgtd.pid')), 600, 0.5)
    return proc


def test_interrupted_up_cleans_up(state):
    del state
    proc = _start_up_and_wait_for_qemu()
    os.killpg(proc.pid, signal.SIGINT)
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert not namespace_exists() and not lab_processes(), lab_processes()


def test_up_after_a_crash_cleans_first_and_works(state):
    del state
    proc = _start_up_and_wait_for_qemu()
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)
    assert namespace_exists() and lab_processes(), 'the crash left a lab behind to clean'
    inventory = lab('up', '--hosts', '1').stdout.strip().splitlines()[-1]
    assert os.path.isfile(inventory)
    assert guest('host1', 'hostname').strip() == 'host1'
    lab('down')
    assert not namespace_exists() and not lab_processes(), lab_processes()
