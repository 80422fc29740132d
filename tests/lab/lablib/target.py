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


def _launch(namespace, run_dir, port, first_portal):
    """tgtd in the namespace with its first portal, answering on its control port; its process."""
    log_path = os.path.join(run_dir, 'tgtd.log')
    with open(log_path, 'ab') as log:
        proc = subprocess.Popen(  # pylint: disable=consider-using-with
            net.ns_cmd(namespace, 'tgtd', '-f', '-C', str(port), '--iscsi', 'portal=%s' % first_portal),
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
    with open(os.path.join(run_dir, 'tgtd.pid'), 'w', encoding='ascii') as handle:
        handle.write('%d\n' % proc.pid)
    _wait_ready(port, proc)
    return proc


def configure_commands(target_facts):
    """The tgtadm commands that give a bare tgtd (first portal only) every portal, target, LUN
    (on its existing backing file) and CHAP account the facts hold, in that order."""
    port = target_facts['control_port']
    commands = [_tgtadm(port, '--mode', 'portal', '--op', 'new', '--param', 'portal=%s' % portal)
                for portal in target_facts['portals'][1:]]
    for tgt in target_facts['targets']:
        tid = str(tgt['tid'])
        commands.append(_tgtadm(port, '--mode', 'target', '--op', 'new', '--tid', tid, '--targetname', tgt['iqn']))
        for lun in tgt['luns']:
            commands.append(_tgtadm(port, '--mode', 'logicalunit', '--op', 'new', '--tid', tid,
                                    '--lun', str(lun['lun']), '--backing-store', lun['backing_file']))
            if lun.get('generation'):  # a reused number keeps the identity reuse_lun gave it
                commands.append(_tgtadm(port, '--mode', 'logicalunit', '--op', 'update', '--tid', tid, '--lun', str(lun['lun']),
                                        '--params', reused_params(tgt['tid'], lun['lun'], lun['generation'])))
        commands.append(_tgtadm(port, '--mode', 'target', '--op', 'bind', '--tid', tid, '--initiator-address', 'ALL'))
        if tgt.get('chap_user'):
            with open(tgt['chap_secret_file'], encoding='ascii') as handle:
                secret = handle.read().strip()
            commands.append(_tgtadm(port, '--mode', 'account', '--op', 'new', '--user', tgt['chap_user'], '--password', secret))
            commands.append(_tgtadm(port, '--mode', 'account', '--op', 'bind', '--tid', tid, '--user', tgt['chap_user']))
    return commands


def start(desc, namespace, run_dir, data_dir):
    """tgtd with a portal on every segment's .1, the targets and LUNs; the targets' facts."""
    port = control_port(namespace)
    tgt = desc['target']
    portals = ['%s:%d' % (n['target_address'], tgt['port']) for n in desc['networks']]
    facts = []
    for tid, target in enumerate(tgt['targets'], start=1):
        luns = []
        for lun in target['luns']:
            backing = os.path.join(data_dir, 'target%d-lun%d.img' % (tid, lun['lun']))
            with open(backing, 'wb') as handle:
                handle.truncate(lun['size_mb'] * 1024 * 1024)
            luns.append({'lun': lun['lun'], 'size_mb': lun['size_mb'], 'wwid': wwid(tid, lun['lun']),
                         'backing_file': backing})
        fact = {'iqn': target['iqn'], 'tid': tid, 'portals': portals, 'luns': luns,
                'chap_user': None, 'chap_secret_file': None}
        if target.get('chap_user'):
            secret_file = os.path.join(run_dir, 'chap-%s.secret' % target['iqn'].rsplit(':', 1)[-1])
            fd = os.open(secret_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, 'w', encoding='ascii') as handle:
                handle.write(_chap_secret() + '\n')
            fact.update(chap_user=target['chap_user'], chap_secret_file=secret_file)
        facts.append(fact)
    target_facts = {'control_port': port, 'portals': portals, 'targets': facts}
    proc = _launch(namespace, run_dir, port, portals[0])
    for command in configure_commands(target_facts):
        net.run(command)
    target_facts['pid'] = proc.pid
    return target_facts


def start_again(target_facts, namespace, run_dir):
    """tgtd started again (after stop) with the same portals, targets, LUNs (added ones too, their
    data kept) and CHAP accounts, as an array's controller comes back; its new pid."""
    proc = _launch(namespace, run_dir, target_facts['control_port'], target_facts['portals'][0])
    for command in configure_commands(target_facts):
        net.run(command)
    target_facts['pid'] = proc.pid
    return proc.pid


MAX_LUN = 255          # LUN numbers a target holds (0 is tgtd's controller)
MAX_LUN_SIZE_MB = 65536   # sparse files, but a guest's rescan and a test's dd should stay cheap


class TargetError(Exception):
    """A LUN command was given a target or LUN the running lab does not have, or a bad size."""


def _running_target(targets, iqn):
    for tgt in targets:
        if tgt['iqn'] == iqn:
            return tgt
    raise TargetError('unknown target %s (running: %s)' % (iqn, ', '.join(t['iqn'] for t in targets)))


def new_lun(targets, iqn, size_mb):
    """(target facts, LUN number) of a LUN to add: the next free number after the target's LUNs."""
    tgt = _running_target(targets, iqn)
    if not isinstance(size_mb, int) or isinstance(size_mb, bool) or not 1 <= size_mb <= MAX_LUN_SIZE_MB:
        raise TargetError('--size-mb %r: a whole number of MiB from 1 to %d' % (size_mb, MAX_LUN_SIZE_MB))
    number = max([lun['lun'] for lun in tgt['luns']] + [0]) + 1
    if number > MAX_LUN:
        raise TargetError('target %s: no LUN number left after %d' % (iqn, MAX_LUN))
    return tgt, number


def lun_to_remove(targets, iqn, number):
    """(target facts, LUN facts) of a LUN to remove: one the target has (LUN 0 is the controller)."""
    tgt = _running_target(targets, iqn)
    for lun in tgt['luns']:
        if lun['lun'] == number:
            return tgt, lun
    raise TargetError('target %s has no LUN %r (its LUNs: %s)' % (
        iqn, number, ', '.join(str(lun['lun']) for lun in tgt['luns']) or 'none'))


def add_lun(target_facts, data_dir, iqn, size_mb):
    """A file-backed LUN added to the running tgtd's target (initiators see it on their next
    rescan); its facts, also appended to target_facts."""
    tgt, number = new_lun(target_facts['targets'], iqn, size_mb)
    backing = os.path.join(data_dir, 'target%d-lun%d.img' % (tgt['tid'], number))
    with open(backing, 'wb') as handle:
        handle.truncate(size_mb * 1024 * 1024)
    proc = net.run(_tgtadm(target_facts['control_port'], '--mode', 'logicalunit', '--op', 'new',
                           '--tid', str(tgt['tid']), '--lun', str(number), '--backing-store', backing), check=False)
    if proc.returncode != 0:
        os.unlink(backing)
        raise net.NetError('tgtadm: LUN %d of %s: %s' % (number, iqn, (proc.stderr or proc.stdout).strip()))
    lun = {'lun': number, 'size_mb': size_mb, 'wwid': wwid(tgt['tid'], number), 'backing_file': backing, 'added': True}
    tgt['luns'].append(lun)
    return lun


def reused_code(number, generation):
    """The LUN part of tgtd's default scsi_id ('IET' tid lun), made unique for a reused number."""
    return 0xb000 + (generation << 8) + number


def reused_params(tid, number, generation):
    return 'scsi_id=IET     %04x%04x,scsi_sn=reused%d' % (tid, reused_code(number, generation), generation)


def reuse_lun(target_facts, data_dir, iqn, number, size_mb):
    """LUN ``number`` deleted and made again at once on a new file with another identity (tgtd's
    scsi_id, from which it builds the NAA of VPD page 0x83): an array that gave the number to another
    volume. Initiators keep their disks and see nothing until they read the LU again. Its facts."""
    tgt, old = lun_to_remove(target_facts['targets'], iqn, number)
    if not isinstance(size_mb, int) or isinstance(size_mb, bool) or not 1 <= size_mb <= MAX_LUN_SIZE_MB:
        raise TargetError('--size-mb %r: a whole number of MiB from 1 to %d' % (size_mb, MAX_LUN_SIZE_MB))
    generation = old.get('generation', 0) + 1
    if generation > 15 or number > 0xff:
        raise TargetError('LUN %d of %s: no identity left to give it' % (number, iqn))
    backing = os.path.join(data_dir, 'target%d-lun%d-reused%d.img' % (tgt['tid'], number, generation))
    with open(backing, 'wb') as handle:
        handle.truncate(size_mb * 1024 * 1024)
    port, tid = target_facts['control_port'], str(tgt['tid'])
    for args in (('--op', 'delete', '--tid', tid, '--lun', str(number)),
                 ('--op', 'new', '--tid', tid, '--lun', str(number), '--backing-store', backing),
                 ('--op', 'update', '--tid', tid, '--lun', str(number), '--params', reused_params(tgt['tid'], number, generation))):
        proc = net.run(_tgtadm(port, '--mode', 'logicalunit', *args), check=False)
        if proc.returncode != 0:
            raise net.NetError('tgtadm: LUN %d of %s (%s): %s' % (number, iqn, args[1], (proc.stderr or proc.stdout).strip()))
    if os.path.exists(old['backing_file']):
        os.unlink(old['backing_file'])
    lun = {'lun': number, 'size_mb': size_mb, 'wwid': wwid(tgt['tid'], reused_code(number, generation)), 'backing_file': backing, 'added': True,
           'generation': generation}
    tgt['luns'][tgt['luns'].index(old)] = lun
    return old, lun


def remove_lun(target_facts, iqn, number):
    """A LUN deleted from the running tgtd's target and its backing file removed; its facts."""
    tgt, lun = lun_to_remove(target_facts['targets'], iqn, number)
    net.run(_tgtadm(target_facts['control_port'], '--mode', 'logicalunit', '--op', 'delete',
                    '--tid', str(tgt['tid']), '--lun', str(number)))
    if os.path.exists(lun['backing_file']):
        os.unlink(lun['backing_file'])
    tgt['luns'].remove(lun)
    return lun


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
