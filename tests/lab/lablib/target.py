# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab's iSCSI target: a userspace tgtd in the namespace, file-backed LUNs, CHAP on request."""

import os
import secrets
import string
import subprocess
import time
import zlib

from lablib import net

TGTD_SOCKET_DIR = '/var/run/tgtd'


def control_port(namespace):
    """tgtd's management socket is a file shared by every namespace: one port per lab instance."""
    return 1000 + zlib.crc32(namespace.encode()) % 8000


def _tgtadm(port, *args):
    return ['tgtadm', '--control-port', str(port), '--lld', 'iscsi'] + list(args)


def _wait_ready(port, proc, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise net.NetError('tgtd exited at start (rc %s)' % proc.returncode)
        if net.run(_tgtadm(port, '--mode', 'target', '--op', 'show'), check=False).returncode == 0:
            return
        time.sleep(0.1)
    raise net.NetError('tgtd did not answer on control port %d within %.0f s' % (port, timeout))


def wwid(tid, lun):
    """The WWID a Linux initiator reports for a tgtd LUN (NAA 6 built from tid and LUN)."""
    return '360000000000000000e000000%04x%04x' % (tid, lun)


def _chap_secret():
    # 16 characters: the range (12..16) every initiator and array accepts.
    alphabet = string.ascii_letters + string.digits
    return ''.join(secrets.choice(alphabet) for dummy in range(16))


def start(desc, namespace, run_dir, data_dir):
    """tgtd with a portal on every segment's .1, the targets and LUNs; the targets' facts."""
    port = control_port(namespace)
    tgt = desc['target']
    portals = ['%s:%d' % (n['target_address'], tgt['port']) for n in desc['networks']]
    log_path = os.path.join(run_dir, 'tgtd.log')
    with open(log_path, 'ab') as log:
        proc = subprocess.Popen(  # pylint: disable=consider-using-with
            net.ns_cmd(namespace, 'tgtd', '-f', '-C', str(port), '--iscsi', 'portal=%s' % portals[0]),
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
    with open(os.path.join(run_dir, 'tgtd.pid'), 'w', encoding='ascii') as handle:
        handle.write('%d\n' % proc.pid)
    _wait_ready(port, proc)
    for portal in portals[1:]:
        net.run(_tgtadm(port, '--mode', 'portal', '--op', 'new', '--param', 'portal=%s' % portal))
    facts = []
    for tid, target in enumerate(tgt['targets'], start=1):
        net.run(_tgtadm(port, '--mode', 'target', '--op', 'new', '--tid', str(tid), '--targetname', target['iqn']))
        luns = []
        for lun in target['luns']:
            backing = os.path.join(data_dir, 'target%d-lun%d.img' % (tid, lun['lun']))
            with open(backing, 'wb') as handle:
                handle.truncate(lun['size_mb'] * 1024 * 1024)
            net.run(_tgtadm(port, '--mode', 'logicalunit', '--op', 'new', '--tid', str(tid),
                            '--lun', str(lun['lun']), '--backing-store', backing))
            luns.append({'lun': lun['lun'], 'size_mb': lun['size_mb'], 'wwid': wwid(tid, lun['lun']),
                         'backing_file': backing})
        net.run(_tgtadm(port, '--mode', 'target', '--op', 'bind', '--tid', str(tid), '--initiator-address', 'ALL'))
        fact = {'iqn': target['iqn'], 'tid': tid, 'portals': portals, 'luns': luns,
                'chap_user': None, 'chap_secret_file': None}
        if target.get('chap_user'):
            secret_file = os.path.join(run_dir, 'chap-%s.secret' % target['iqn'].rsplit(':', 1)[-1])
            secret = _chap_secret()
            fd = os.open(secret_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, 'w', encoding='ascii') as handle:
                handle.write(secret + '\n')
            net.run(_tgtadm(port, '--mode', 'account', '--op', 'new', '--user', target['chap_user'], '--password', secret))
            net.run(_tgtadm(port, '--mode', 'account', '--op', 'bind', '--tid', str(tid), '--user', target['chap_user']))
            fact.update(chap_user=target['chap_user'], chap_secret_file=secret_file)
        facts.append(fact)
    return {'pid': proc.pid, 'control_port': port, 'portals': portals, 'targets': facts}


def stop(namespace, pid=None):
    """Delete every target (tgtd ignores SIGTERM while targets exist), then the daemon itself."""
    port = control_port(namespace)
    show = net.run(_tgtadm(port, '--mode', 'target', '--op', 'show'), check=False)
    if show.returncode == 0:
        for line in show.stdout.splitlines():
            if line.startswith('Target ') and ':' in line:
                tid = line.split()[1].rstrip(':')
                net.run(_tgtadm(port, '--mode', 'target', '--op', 'delete', '--force', '--tid', tid), check=False)
        net.run(['tgtadm', '--control-port', str(port), '--op', 'delete', '--mode', 'system'], check=False)
    if pid:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and net.alive(pid):
            time.sleep(0.1)
        if net.alive(pid):
            os.kill(pid, 9)
    for suffix in ('', '.lock'):
        path = os.path.join(TGTD_SOCKET_DIR, 'socket.%d%s' % (port, suffix))
        if os.path.exists(path) and not net.alive(pid or 0):
            os.unlink(path)
