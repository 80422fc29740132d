# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""tests/lab/lab: up, down, cut, drop, restore, limit, ssh, status, inventory, engine-seed, lun, target (see tests/lab/README.md)."""

import argparse
import fcntl
import os
import shutil
import signal
import subprocess
import sys
import time

from lablib import blackhole, config, engine_seed, guests, image, net, procs, state, target

DEFAULT_HOSTS = 2
# Under software emulation on a busy 2-core machine a boot can take minutes.
SSH_TIMEOUT = float(os.environ.get('OVIRT_ISCSI_LAB_BOOT_TIMEOUT', '600'))
# A guest's shutdown (services stopped, sessions logged out) before qemu exits, at most.
REBOOT_SHUTDOWN_TIMEOUT = 120


class LabError(Exception):
    """A lab command failed; the message says what and where."""


def log(message):
    """Progress goes to stderr, so that stdout's last line can be the inventory's path."""
    print('lab: %s' % message, file=sys.stderr, flush=True)


def paths(desc):
    """(namespace, run dir, data dir) of this lab instance; OVIRT_ISCSI_LAB_NAMESPACE picks another."""
    namespace = os.environ.get('OVIRT_ISCSI_LAB_NAMESPACE') or desc['namespace']
    cache = os.environ.get('OVIRT_ISCSI_CACHE') or os.path.expanduser('~/.cache/ovirt_iscsi')
    return namespace, os.path.join('/run', namespace), os.path.join(cache, 'lab', 'run-%s' % namespace)


class Lab:
    """One lab instance: its description, namespace and directories."""

    def __init__(self, desc):
        self.desc = desc
        self.namespace, self.run_dir, self.data_dir = paths(desc)
        self._lock = None

    def lock(self):
        """Only one command changes this lab at a time."""
        os.makedirs('/run/lock', exist_ok=True)
        self._lock = open('/run/lock/%s.lock' % self.namespace, 'w', encoding='ascii')  # pylint: disable=consider-using-with
        fcntl.flock(self._lock, fcntl.LOCK_EX)

    def state(self):
        """The running lab's state, or a LabError when none runs."""
        current = state.read(self.run_dir)
        if current is None:
            raise LabError('no lab is up (%s has no state.json): run tests/lab/lab up' % self.run_dir)
        return current

    def running_layout(self):
        """The layout of the running lab (state.json), or the default when none runs."""
        current = state.read(self.run_dir)
        return (current or {}).get('layout', config.DEFAULT_LAYOUT)

    def lun_add(self, iqn, size_mb):
        """A LUN added to a running target, recorded in state.json and the inventory; its facts."""
        current = self.state()
        lun = target.add_lun(current['target'], self.data_dir, iqn, size_mb)
        state.write(self.run_dir, current)
        log('lun add: %s LUN %d, %d MiB, WWID %s (initiators see it after a rescan: iscsiadm -m session -R)' % (
            iqn, lun['lun'], size_mb, lun['wwid']))
        return lun

    def lun_reuse(self, iqn, number, size_mb):
        """A LUN's number given to a new volume with another WWID, recorded; the new LUN's facts."""
        current = self.state()
        old, lun = target.reuse_lun(current['target'], self.data_dir, iqn, number, size_mb)
        state.write(self.run_dir, current)
        log('lun reuse: %s LUN %d, WWID %s -> %s, %d MiB (initiators keep the old identity until they read the LU again)' % (
            iqn, number, old['wwid'], lun['wwid'], size_mb))
        return lun

    def lun_remove(self, iqn, number):
        """A LUN deleted from a running target and from state.json and the inventory."""
        current = self.state()
        lun = target.remove_lun(current['target'], iqn, number)
        state.write(self.run_dir, current)
        log('lun remove: %s LUN %d (WWID %s)' % (iqn, lun['lun'], lun['wwid']))

    def reboot(self, name):
        """One guest rebooted as an administrator reboots a host: `systemctl reboot` stops its
        services (open-iscsi logs its sessions out), qemu (-no-reboot) exits, and the same disk
        boots again, where open-iscsi logs in what its node records say. The taps stay (persistent)."""
        current = self.state()
        if name not in current['hosts']:
            raise LabError('reboot: no guest %s (guests: %s)' % (name, ', '.join(sorted(current['hosts']))))
        desc = config.load_layout(current.get('layout', config.DEFAULT_LAYOUT))
        host = [h for h in config.plan(desc, len(current['hosts'])) if h['name'] == name][0]
        pid = current['hosts'][name]['qemu_pid']
        started = time.monotonic()
        guests.close_masters(current['ssh_config'], [name])
        subprocess.run(guests.ssh_cmd(current['ssh_config'], name, ['systemctl reboot']), capture_output=True, check=False, timeout=30)
        while net.alive(pid):
            if time.monotonic() - started > REBOOT_SHUTDOWN_TIMEOUT:
                raise LabError('reboot: %s still runs %d s after systemctl reboot (qemu pid %d)' % (name, REBOOT_SHUTDOWN_TIMEOUT, pid))
            time.sleep(0.5)
        down = time.monotonic() - started
        image_dir = image.ensure_image(desc['guest'], os.path.dirname(os.path.dirname(self.data_dir)), log)
        pid = guests.start(self.namespace, host, image_dir, desc['guest'], self.run_dir, self.data_dir,
                           guests.public_key(current['ssh_key']), new_disk=False)
        current['hosts'][name]['qemu_pid'] = pid
        state.write(self.run_dir, current)
        ready = guests.wait_ssh(current['ssh_config'], [host], {name: pid}, SSH_TIMEOUT)
        log('reboot: %s down in %.1f s, answers SSH %.1f s after its boot (qemu pid %d)' % (name, down, ready[name], pid))

    def target_stop(self):
        """tgtd down: every session of every target and portal ends, as when an array's controller goes."""
        current = self.state()
        pid = _read_pid(os.path.join(self.run_dir, 'tgtd.pid'))
        if not net.alive(pid):
            raise LabError('target stop: tgtd is not running (pid %s); lab target start brings it back' % pid)
        target.stop(self.namespace, pid)
        log('target stop: tgtd (pid %d) gone, portals %s' % (pid, ' '.join(current['target']['portals'])))

    def target_start(self):
        """tgtd back with the same targets, LUNs (added ones too, their data kept) and CHAP."""
        current = self.state()
        pid = _read_pid(os.path.join(self.run_dir, 'tgtd.pid'))
        if net.alive(pid):
            raise LabError('target start: tgtd is running (pid %d); lab target stop first' % pid)
        pid = target.start_again(current['target'], self.namespace, self.run_dir)
        state.write(self.run_dir, current)
        log('target start: tgtd (pid %d) serves %s' % (pid, ', '.join(
            '%s (%d LUNs)' % (t['iqn'], len(t['luns'])) for t in current['target']['targets'])))

    def up(self, host_count):
        """Everything from scratch (after cleaning what an earlier run left); the inventory's path."""
        hosts = config.plan(self.desc, host_count)
        self.down(quiet=True)
        started = time.monotonic()
        image_dir = image.ensure_image(self.desc['guest'], os.path.dirname(os.path.dirname(self.data_dir)), log)
        boot_started = time.monotonic()
        for path in (self.run_dir, self.data_dir):
            os.makedirs(path, mode=0o700, exist_ok=True)
        net.create(self.desc, self.namespace, hosts)
        key, pubkey = guests.make_key(self.run_dir)
        ssh_config = guests.write_ssh_config(self.run_dir, self.namespace, hosts, key)
        pids = {}
        for host in hosts:
            pids[host['name']] = guests.start(self.namespace, host, image_dir, self.desc['guest'],
                                              self.run_dir, self.data_dir, pubkey)
        # tgtd starts while the guests boot: it is ready long before they are.
        target_facts = target.start(self.desc, self.namespace, self.run_dir, self.data_dir)
        log('booting %s (%s)' % (', '.join(pids), ' '.join(guests.accel_args())))
        ready = guests.wait_ssh(ssh_config, hosts, pids, SSH_TIMEOUT)
        for name, seconds in sorted(ready.items()):
            log('timing: %s answers SSH %.1f s after start' % (name, seconds))
        current = state.build(self.desc, self.namespace, self.run_dir, self.data_dir, hosts, target_facts,
                              ssh_config, key, pids)
        inventory = state.write(self.run_dir, current)
        log('timing: bring-up %.1f s (guests boot to SSH %.1f s), total with image %.1f s' % (
            time.monotonic() - boot_started, max(ready.values()), time.monotonic() - started))
        return inventory

    def down(self, quiet=False):
        """Remove every process, namespace, tap and file this lab made; safe to repeat."""
        current = state.read(self.run_dir)
        found = []
        if current:
            guests.close_masters(current['ssh_config'], current['hosts'])
        tgtd_pid = _read_pid(os.path.join(self.run_dir, 'tgtd.pid'))
        if tgtd_pid or net.exists(self.namespace):
            target.stop(self.namespace, tgtd_pid)
            found.append('tgtd')
        # The guests (and a tgtd that outlived target.stop): ended, and waited for until gone.
        ended = [pid for pid in (_read_pid(path) for path in _pid_files(self.run_dir)) if _is_lab_process(pid)]
        left = procs.end(ended, log)
        if left:
            raise LabError('pids %s did not end after SIGTERM and SIGKILL' % ', '.join(map(str, left)))
        found += ['pid %d' % pid for pid in ended]
        if net.exists(self.namespace):
            if not net.kill_all(self.namespace):
                raise LabError('processes %s stay in namespace %s' % (net.pids(self.namespace), self.namespace))
            net.delete(self.namespace)
            found.append('namespace %s' % self.namespace)
        for path in (self.run_dir, self.data_dir):
            if os.path.exists(path):
                shutil.rmtree(path)
                found.append(path)
        if not quiet or found:
            log('down: removed %s' % (', '.join(found) or 'nothing (no lab was up)'))

    def link(self, network, up, host=None):
        """Link of a network's NICs (one host's with --host): namespace tap and guest carrier.

        Restore (up) also lifts a drop, so that it undoes both a cut and a drop."""
        current = self.state()
        for name, nic in net.taps(current, network, host):
            net.set_link(self.namespace, nic['tap'], up)
            guests.monitor(self.run_dir, name, 'set_link %s %s' % (nic['nic'], 'on' if up else 'off'))
            lifted = up and network != current['management_network']
            if lifted:
                guests.shell(current['ssh_config'], name, blackhole.undrop_command(nic['nic']))
            log('%s %s: %s (%s) %s' % ('restore' if up else 'cut', network, name, nic['nic'],
                                       'up, not dropped' if lifted else 'up' if up else 'down'))

    def drop(self, network, host=None):
        """Black hole on a storage network's NICs (one host's with --host): tc in the guest, link up."""
        current = self.state()
        if network == current['management_network']:
            raise LabError('drop %s: the lab reaches the guests over the management network; drop a storage network' % network)
        for name, nic in net.taps(current, network, host):
            guests.shell(current['ssh_config'], name, blackhole.drop_command(nic['nic']))
            log('drop %s: %s (%s) drops every IP packet, link up' % (network, name, nic['nic']))

    def limit(self, network, rate, host=None):
        """tc tbf on a network's taps (traffic towards the guests), or 'off'."""
        current = self.state()
        for name, nic in net.taps(current, network, host):
            net.limit(self.namespace, nic['tap'], rate)
            log('limit %s: %s (%s) %s' % (network, name, nic['tap'], rate))

    def ssh(self, host, command):
        """Run a command on a guest; its exit code."""
        current = self.state()
        if host not in current['hosts']:
            raise LabError('unknown host %s (running: %s)' % (host, ', '.join(current['hosts'])))
        return subprocess.run(guests.ssh_cmd(current['ssh_config'], host, command, tty=not command and sys.stdin.isatty()),
                              check=False).returncode

    def status(self):
        """What runs: namespace, processes, guests answering; exit code 0 when all is well."""
        current = state.read(self.run_dir)
        print('namespace %s: %s' % (self.namespace, 'present' if net.exists(self.namespace) else 'absent'))
        if current is None:
            print('lab: down (no %s/state.json)' % self.run_dir)
            return 0 if not net.exists(self.namespace) else 1
        healthy = True
        tgtd_pid = _read_pid(os.path.join(self.run_dir, 'tgtd.pid'))
        print('tgtd: pid %s %s, portals %s' % (
            tgtd_pid, 'running' if net.alive(tgtd_pid) else 'GONE', ' '.join(current['target']['portals'])))
        healthy &= net.alive(tgtd_pid)
        print('layout: %s (%s)' % (current.get('layout', config.DEFAULT_LAYOUT), current.get('description')))
        for tgt in current['target']['targets']:
            print('target %s: %s' % (tgt['iqn'], ', '.join(
                'LUN %d %d MiB %s%s' % (lun['lun'], lun['size_mb'], lun['wwid'], ' (added)' if lun.get('added') else '')
                for lun in tgt['luns'])))
        for name, info in sorted(current['hosts'].items()):
            alive = net.alive(info['qemu_pid'])
            qdiscs = subprocess.run(guests.ssh_cmd(current['ssh_config'], name, ['tc', 'qdisc', 'show']),
                                    capture_output=True, text=True, check=False, timeout=30) if alive else None
            answers = qdiscs is not None and qdiscs.returncode == 0
            dropped = blackhole.dropped(qdiscs.stdout) if answers else set()
            links = []
            for network, nic in sorted(info['networks'].items()):
                operstate = net.run(['ip', '-n', self.namespace, '-o', 'link', 'show', nic['tap']], check=False).stdout
                qdisc = 'tbf' if ' tbf ' in net.run(net.ns_cmd(self.namespace, 'tc', 'qdisc', 'show', 'dev', nic['tap']),
                                                    check=False).stdout else ''
                links.append('%s=%s%s%s%s' % (network, nic['nic'], '' if ',UP' in operstate else ':DOWN',
                                              ':DROPPED' if nic['nic'] in dropped else '', ':' + qdisc if qdisc else ''))
            print('%s: qemu pid %d %s, ssh %s, %s' % (name, info['qemu_pid'], 'running' if alive else 'GONE',
                                                      'answers' if answers else 'NO ANSWER', ' '.join(links)))
            healthy &= answers
        print('inventory: %s' % current['inventory'])
        return 0 if healthy else 1


def _pid_files(run_dir):
    if not os.path.isdir(run_dir):
        return []
    return [os.path.join(run_dir, name) for name in sorted(os.listdir(run_dir)) if name.endswith('.pid')]


def _read_pid(path):
    try:
        with open(path, encoding='ascii') as handle:
            return int(handle.read().strip() or 0)
    except (OSError, ValueError):
        return 0


def _is_lab_process(pid):
    """Whether a pid a lab file names still is one of the lab's qemu or tgtd processes."""
    try:
        with open('/proc/%d/cmdline' % pid, 'rb') as handle:
            cmdline = handle.read()
    except OSError:
        return False
    return b'qemu-system' in cmdline or b'tgtd' in cmdline


def parser():
    """The command line."""
    ap = argparse.ArgumentParser(prog='tests/lab/lab', description='The real-kernel iSCSI lab.')
    ap.add_argument('--description', default=config.default_path(), help='lab description (default: %(default)s)')
    sub = ap.add_subparsers(dest='command', required=True)
    up = sub.add_parser('up', help='bring the lab up; prints the inventory path last')
    up.add_argument('--hosts', type=int, default=DEFAULT_HOSTS, help='number of guests (default %(default)s)')
    up.add_argument('--layout', default=config.DEFAULT_LAYOUT,
                    help='lab.yml (default) or tests/lab/layouts/NAME.yml (known: %s)' % ', '.join(config.layout_names()))
    sub.add_parser('down', help='remove everything the lab made')
    for name, what in (('cut', 'link down'), ('drop', 'black hole (every IP packet dropped in the guest, link up)'),
                       ('restore', 'link up and no drop')):
        cmd = sub.add_parser(name, help='%s on a network for every guest (or one with --host)' % what)
        cmd.add_argument('network')
        cmd.add_argument('--host', help='only this guest')
    lim = sub.add_parser('limit', help='rate-limit a network (tc tbf), RATE like 80mbit or off')
    lim.add_argument('network')
    lim.add_argument('rate')
    lim.add_argument('--host', help='only this guest')
    ssh = sub.add_parser('ssh', help='run a command on a guest: ssh HOST -- CMD')
    ssh.add_argument('host')
    ssh.add_argument('cmd', nargs=argparse.REMAINDER)
    sub.add_parser('status', help='what runs and whether the guests answer')
    sub.add_parser('inventory', help="print the running lab's inventory path")
    seed = sub.add_parser('engine-seed', help="print the engine simulator's seed describing the lab's first N hosts")
    seed.add_argument('--hosts', type=int, default=DEFAULT_HOSTS, help='number of guests (default %(default)s)')
    seed.add_argument('--layout', help="the layout (default: the running lab's, else default)")
    seed.add_argument('--bonds', action='store_true', help="seed the layout's bonds too (its bonds:)")
    lun = sub.add_parser('lun', help="add, reuse or remove a file-backed LUN on a running target")
    lun_sub = lun.add_subparsers(dest='lun_command', required=True)
    lun_add = lun_sub.add_parser('add', help="add the target's next LUN; prints its WWID")
    lun_add.add_argument('iqn')
    lun_add.add_argument('--size-mb', type=int, required=True, help='size in MiB (sparse file)')
    lun_reuse = lun_sub.add_parser('reuse', help='give a LUN number to a new volume with another WWID; prints it')
    lun_reuse.add_argument('iqn')
    lun_reuse.add_argument('lun', type=int)
    lun_reuse.add_argument('--size-mb', type=int, required=True, help='size in MiB of the new volume (sparse file)')
    lun_remove = lun_sub.add_parser('remove', help='remove one LUN of a target')
    lun_remove.add_argument('iqn')
    lun_remove.add_argument('lun', type=int)
    reboot = sub.add_parser('reboot', help='reboot a guest (systemctl reboot) and boot its disk again; returns once it answers SSH')
    reboot.add_argument('host')
    tgt = sub.add_parser('target', help='stop tgtd (every portal of every target gone) or start it again as it was')
    tgt.add_argument('target_command', choices=('stop', 'start'))
    return ap


def main(argv=None):
    """Entry point; exit code."""
    args = parser().parse_args(argv)
    try:
        # up's layout is loaded and checked here, before anything is created or torn down.
        lab = Lab(config.load_layout(args.layout, args.description) if args.command == 'up'
                  else config.load(args.description))
        return dispatch(lab, args)
    except (LabError, config.ConfigError, net.NetError, image.ImageError, target.TargetError) as exc:
        print('lab: error: %s' % exc, file=sys.stderr)
        return 1


def _interrupted(signum, _frame):
    raise KeyboardInterrupt('signal %d' % signum)


def dispatch(lab, args):
    """Run one command under the lab's lock."""
    if args.command == 'ssh':
        command = args.cmd[1:] if args.cmd[:1] == ['--'] else args.cmd
        return lab.ssh(args.host, command)
    if args.command == 'status':
        return lab.status()
    if args.command == 'inventory':
        print(lab.state()['inventory'])
        return 0
    if args.command == 'engine-seed':
        desc = config.load_layout(args.layout or lab.running_layout(), args.description)
        sys.stdout.write(engine_seed.dump(engine_seed.build(desc, args.hosts, with_bonds=args.bonds), desc))
        return 0
    if args.command == 'up':
        config.plan(lab.desc, args.hosts)    # a bad --hosts tears nothing down
    lab.lock()
    if args.command == 'up':
        signal.signal(signal.SIGTERM, _interrupted)
        signal.signal(signal.SIGHUP, _interrupted)
        try:
            inventory = lab.up(args.hosts)
        except BaseException as exc:
            # A failed or interrupted bring-up leaves nothing behind (guest consoles shown first).
            _show_consoles(lab.data_dir)
            reason = exc.__class__.__name__ if isinstance(exc, KeyboardInterrupt) else exc
            if os.environ.get('OVIRT_ISCSI_LAB_KEEP_FAILED') == '1' and not isinstance(exc, KeyboardInterrupt):
                log('up failed (%s): kept for debugging (OVIRT_ISCSI_LAB_KEEP_FAILED=1); lab down removes it' % reason)
            else:
                log('up failed (%s): tearing down' % reason)
                lab.down(quiet=True)
            if isinstance(exc, KeyboardInterrupt):
                return 130
            raise
        print(inventory)
        return 0
    if args.command == 'down':
        lab.down()
    elif args.command in ('cut', 'restore'):
        lab.link(args.network, args.command == 'restore', args.host)
    elif args.command == 'drop':
        lab.drop(args.network, args.host)
    elif args.command == 'limit':
        lab.limit(args.network, args.rate, args.host)
    elif args.command == 'lun' and args.lun_command == 'add':
        print(lab.lun_add(args.iqn, args.size_mb)['wwid'])
    elif args.command == 'lun' and args.lun_command == 'reuse':
        print(lab.lun_reuse(args.iqn, args.lun, args.size_mb)['wwid'])
    elif args.command == 'lun':
        lab.lun_remove(args.iqn, args.lun)
    elif args.command == 'reboot':
        lab.reboot(args.host)
    elif args.command == 'target' and args.target_command == 'stop':
        lab.target_stop()
    elif args.command == 'target':
        lab.target_start()
    return 0


def _show_consoles(data_dir):
    if not os.path.isdir(data_dir):
        return
    for name in sorted(os.listdir(data_dir)):
        if name.endswith('.console'):
            with open(os.path.join(data_dir, name), encoding='utf-8', errors='replace') as handle:
                tail = handle.read().splitlines()[-15:]
            log('last console lines of %s:\n  %s' % (name[:-len('.console')], '\n  '.join(tail)))
