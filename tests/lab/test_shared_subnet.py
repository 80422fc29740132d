# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shared-subnet layout on real guest kernels: run by tests/lab/test-lab after test_lab.py.

Two storage networks in one subnet (198.18.4.0/24), each its own segment with its own portal:
the guests boot with strict reverse-path filtering and nothing else; each NIC reaches its own
segment's portal and not the other's; strict filtering drops what comes back on the second NIC
until it is loose (what the role sets); a LUN added after login appears on a session rescan.
"""

import json
import os
import subprocess

import pytest

from test_lab import NAMESPACE, RUN_DIR, guest, lab

STORAGE1 = 'iqn.2026-11.test.ovirt-iscsi-lab:storage1'
# ICMP echo and a TCP connect to port 3260, each bound to a NIC (SO_BINDTODEVICE); the guest image
# has no ping. One line per NIC=ADDRESS: "NIC ADDRESS icmp=ok|no tcp=ok|no".
PROBE = r'''python3 - PAIRS <<'EOF'
import os, socket, struct, sys, time
def csum(data):
    total = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    total = (total >> 16) + (total & 0xffff)
    return ~(total + (total >> 16)) & 0xffff
def icmp(nic, addr):
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, nic.encode())
    ident, body = os.getpid() & 0xffff, b'lab-probe!'
    sock.sendto(struct.pack('!BBHHH', 8, 0, csum(struct.pack('!BBHHH', 8, 0, 0, ident, 1) + body), ident, 1) + body, (addr, 0))
    end = time.monotonic() + 3
    while time.monotonic() < end:
        sock.settimeout(max(end - time.monotonic(), 0.01))
        try:
            data, src = sock.recvfrom(2048)
        except OSError:
            return 'no'
        head = (data[0] & 15) * 4
        if src[0] == addr and data[head] == 0 and struct.unpack('!H', data[head + 4:head + 6])[0] == ident:
            return 'ok'
    return 'no'
def tcp(nic, addr):
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, nic.encode())
    sock.settimeout(3)
    try:
        sock.connect((addr, 3260))
        return 'ok'
    except OSError:
        return 'no'
for pair in sys.argv[1:]:
    nic, addr = pair.split('=')
    print(nic, addr, 'icmp=' + icmp(nic, addr), 'tcp=' + tcp(nic, addr), flush=True)
EOF'''


def probe(host, *pairs):
    """{(nic, address): 'icmp=.. tcp=..'} for each 'NIC=ADDRESS' probed from the guest."""
    out = guest(host, PROBE.replace('PAIRS', ' '.join(pairs)))
    return {tuple(line.split()[:2]): ' '.join(line.split()[2:]) for line in out.splitlines() if line.strip()}


@pytest.fixture(scope='module', name='state')
def fixture_state():
    """A shared-subnet lab of two hosts for the whole module; its state.json."""
    lab('down')
    inventory = lab('up', '--layout', 'shared-subnet', '--hosts', '2').stdout.strip().splitlines()[-1]
    with open(os.path.join(os.path.dirname(inventory), 'state.json'), encoding='utf-8') as handle:
        current = json.load(handle)
    yield current
    lab('down', check=False)


def test_the_run_records_its_layout_and_the_commands_follow_it(state):
    assert state['layout'] == 'shared-subnet' and state['description'].endswith('layouts/shared-subnet.yml')
    assert state['networks']['iscsi-a']['subnet'] == state['networks']['iscsi-b']['subnet'] == '198.18.4.0/24'
    assert 'layout: shared-subnet' in lab('status').stdout
    assert 'from tests/lab/layouts/shared-subnet.yml' in lab('engine-seed').stdout.splitlines()[0]


def test_guests_boot_with_strict_rp_filter_and_no_arp_settings(state):
    for host in state['hosts']:
        values = guest(host, 'for k in all default ens4 ens5; do sysctl -n net.ipv4.conf.$k.rp_filter; done; '
                             'sysctl -n net.ipv4.conf.all.arp_ignore net.ipv4.conf.all.arp_announce').split()
        assert values == ['1', '1', '1', '1', '0', '0'], (host, values)


def test_each_nic_reaches_its_own_segments_portal_only(state):
    del state
    rules = subprocess.run(['ip', '-n', NAMESPACE, 'rule'], capture_output=True, text=True, check=True).stdout
    assert 'from 198.18.4.1 lookup 1001' in rules and 'from 198.18.4.2 lookup 1002' in rules, rules
    for host in ('host1', 'host2'):
        seen = probe(host, 'ens4=198.18.4.1', 'ens5=198.18.4.1', 'ens4=198.18.4.2')
        assert seen == {('ens4', '198.18.4.1'): 'icmp=ok tcp=ok', ('ens5', '198.18.4.1'): 'icmp=no tcp=no',
                        ('ens4', '198.18.4.2'): 'icmp=no tcp=no'}, (host, seen)


def test_strict_filtering_drops_the_second_nics_replies_until_it_is_loose(state):
    del state
    second = ('ens5', '198.18.4.2')
    assert probe('host1', 'ens5=198.18.4.2')[second] == 'icmp=no tcp=no'
    guest('host1', 'sysctl -q -w net.ipv4.conf.all.rp_filter=2 net.ipv4.conf.ens5.rp_filter=2')
    try:
        assert probe('host1', 'ens5=198.18.4.2', 'ens4=198.18.4.1') == {
            second: 'icmp=ok tcp=ok', ('ens4', '198.18.4.1'): 'icmp=ok tcp=ok'}
    finally:
        guest('host1', 'sysctl -q -w net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.ens5.rp_filter=1')
    assert probe('host1', 'ens5=198.18.4.2')[second] == 'icmp=no tcp=no'


def test_a_lun_added_after_login_appears_on_a_session_rescan(state):
    del state
    guest('host1', 'iscsiadm -m iface -I lab-ens4 -o new >/dev/null; '
                   'iscsiadm -m iface -I lab-ens4 -o update -n iface.net_ifacename -v ens4 >/dev/null; '
                   'timeout 60 iscsiadm -m discovery -t st -p 198.18.4.1 -I lab-ens4 >/dev/null; '
                   'timeout 90 iscsiadm -m node -T %s -p 198.18.4.1 -I lab-ens4 --login >/dev/null' % STORAGE1)
    try:
        wwid = lab('lun', 'add', STORAGE1, '--size-mb', '64').stdout.strip()
        assert wwid == '360000000000000000e00000000010003'
        with open(os.path.join(RUN_DIR, 'state.json'), encoding='utf-8') as handle:
            luns = [t for t in json.load(handle)['target']['targets'] if t['iqn'] == STORAGE1][0]['luns']
        assert luns[-1]['wwid'] == wwid and luns[-1]['added']
        assert wwid not in guest('host1', 'udevadm settle -t 30; ls /dev/disk/by-id 2>/dev/null || true')
        disk = guest('host1', 'iscsiadm -m session -R >/dev/null; udevadm settle -t 30; '
                              'readlink -f /dev/disk/by-id/scsi-%s' % wwid).strip()
        assert guest('host1', 'lsblk -dno SIZE %s' % disk).strip() == '64M'
        lab('lun', 'remove', STORAGE1, '3')
    finally:
        guest('host1', 'iscsiadm -m node -T %s -p 198.18.4.1 -I lab-ens4 --logout' % STORAGE1, check=False)
