# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The guests: qemu in the namespace on a qcow2 overlay, reached by SSH through the namespace."""

import os
import socket
import subprocess
import time

from lablib import net

SSH_OPTIONS = ('-o', 'BatchMode=yes', '-o', 'ConnectTimeout=5')


def accel_args():
    """Software emulation unless OVIRT_ISCSI_LAB_KVM=1 (a stock kernel hangs under KVM on some machines)."""
    if os.environ.get('OVIRT_ISCSI_LAB_KVM') == '1':
        return ['-accel', 'kvm', '-cpu', 'host']
    return ['-accel', 'tcg,thread=multi', '-cpu', 'max']


def public_key(key):
    """The kernel command line's form of KEY's public half ('ssh-ed25519:AAAA...')."""
    with open(key + '.pub', encoding='ascii') as handle:
        kind, blob = handle.read().split()[:2]
    return '%s:%s' % (kind, blob)


def make_key(run_dir):
    """A fresh ed25519 key for this run; its public half goes on the guests' kernel command line."""
    key = os.path.join(run_dir, 'id_ed25519')
    net.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'ovirt-iscsi-lab', '-f', key])
    return key, public_key(key)


def write_ssh_config(run_dir, namespace, hosts, key):
    """An ssh_config naming each guest (by name and address) with the proxy into the namespace."""
    path = os.path.join(run_dir, 'ssh_config')
    os.makedirs(os.path.join(run_dir, 'ssh'), exist_ok=True)
    lines = []
    for host in hosts:
        lines += [
            'Host %s %s' % (host['name'], host['mgmt_address']),
            '  HostName %s' % host['mgmt_address'],
            '  User root',
            '  IdentityFile %s' % key,
            '  IdentitiesOnly yes',
            '  ProxyCommand ip netns exec %s nc %%h %%p' % namespace,
            '  StrictHostKeyChecking no',
            '  UserKnownHostsFile /dev/null',
            '  LogLevel ERROR',
            '  ControlMaster auto',
            '  ControlPath %s/ssh/%%C' % run_dir,
            '  ControlPersist 10m',
            '  ServerAliveInterval 5',
            '  ServerAliveCountMax 6',
            '',
        ]
    with open(path, 'w', encoding='ascii') as handle:
        handle.write('\n'.join(lines))
    return path


def sysctl_words(sysctls):
    """The layout's guest sysctls as kernel parameters: the kernel (5.8 and newer) writes each
    sysctl.KEY=VALUE to /proc/sys before init starts, so before any NIC exists; a NIC then takes
    net.ipv4.conf.default.* when it appears. Nothing in the image changes (the cached image
    stays), and the guest's systemd sets no rp_filter of its own (Debian ships no
    50-default.conf), so the values hold after boot."""
    return ['sysctl.%s=%s' % (key, value) for key, value in sorted(sysctls.items())]


def _cmdline(host, pubkey):
    addrs = ','.join('%s=%s/%d' % (nic['nic'], nic['address'], nic['prefix']) for nic in host['nics'])
    return ' '.join([
        'root=/dev/vda', 'rw', 'console=ttyS0', 'edd=off', 'quiet', 'systemd.show_status=1', 'mitigations=off', 'net.ifnames=0',
        'lab.host=%s' % host['name'], 'lab.iqn=%s' % host['initiator_name'],
        'lab.gw=%s' % host['gateway'], 'lab.addr=%s' % addrs, 'lab.key=%s' % pubkey,
    ] + sysctl_words(host.get('sysctls') or {}) + ([] if os.environ.get('OVIRT_ISCSI_LAB_ANSIBALLZ_CACHE', '1') == '1' else ['lab.ansiballz_cache=0']))


def start(namespace, host, image_dir, guest, run_dir, data_dir, pubkey, new_disk=True):
    """Boot one guest (daemonized qemu in the namespace); its pid. ``new_disk`` False boots the
    disk the guest already has (a reboot: everything it wrote is there)."""
    name = host['name']
    overlay = os.path.join(data_dir, '%s.qcow2' % name)
    if new_disk:
        net.run(['qemu-img', 'create', '-q', '-f', 'qcow2', '-F', 'raw', '-b',
                 os.path.join(image_dir, 'rootfs.img'), overlay])
    pid_file = os.path.join(run_dir, '%s.pid' % name)
    cmd = ['qemu-system-x86_64', '-name', name, '-machine', 'pc'] + accel_args() + [
        '-m', str(guest['memory_mb']), '-smp', str(guest['cpus']),
        '-nodefaults', '-display', 'none', '-no-reboot',
        '-serial', 'file:%s' % os.path.join(data_dir, '%s.console' % name),
        '-monitor', 'unix:%s,server,nowait' % os.path.join(run_dir, '%s.monitor' % name),
        '-pidfile', pid_file, '-daemonize',
        '-kernel', os.path.join(image_dir, 'vmlinuz'), '-initrd', os.path.join(image_dir, 'initrd.img'),
        '-append', _cmdline(host, pubkey),
        '-drive', 'file=%s,if=none,id=root,format=qcow2,cache=unsafe,discard=unmap' % overlay,
        '-device', 'virtio-blk-pci,drive=root,addr=0x1f',
        '-object', 'rng-random,id=rng,filename=/dev/urandom', '-device', 'virtio-rng-pci,rng=rng,addr=0x1e',
    ]
    for nic in host['nics']:
        cmd += ['-netdev', 'tap,id=%s,ifname=%s,script=no,downscript=no' % (nic['nic'], nic['tap']),
                '-device', 'virtio-net-pci,netdev=%s,mac=%s,addr=0x%x' % (nic['nic'], nic['mac'], nic['slot'])]
    net.run(net.ns_cmd(namespace, *cmd))
    with open(pid_file, encoding='ascii') as handle:
        return int(handle.read().strip())


def ssh_cmd(ssh_config, host, command, tty=False):
    """The ssh command line that runs COMMAND (a list, joined by the remote shell) on a guest."""
    return ['ssh', '-F', ssh_config] + list(SSH_OPTIONS) + (['-t'] if tty else []) + [host, '--'] + list(command)


def shell(ssh_config, host, command, timeout=60):
    """A shell command on a guest; its stdout, or NetError with what it printed."""
    try:
        proc = subprocess.run(ssh_cmd(ssh_config, host, [command]), capture_output=True, text=True, check=False, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise net.NetError('%s: %s: no answer in %d s' % (host, command, timeout)) from exc
    if proc.returncode != 0:
        raise net.NetError('%s: %s: rc %d: %s' % (host, command, proc.returncode, (proc.stderr or proc.stdout).strip()))
    return proc.stdout


def wait_ssh(ssh_config, hosts, pids, timeout):
    """Wait until every guest runs a command over SSH; seconds each took, or raise NetError."""
    started = time.monotonic()
    ready = {}
    waiting = {host['name'] for host in hosts}
    procs = {}
    while waiting:
        for name in sorted(waiting):
            if not net.alive(pids[name]):
                raise net.NetError('guest %s: qemu exited during boot' % name)
            proc = procs.get(name)
            if proc is None:
                procs[name] = subprocess.Popen(  # pylint: disable=consider-using-with
                    ssh_cmd(ssh_config, name, ['true']), stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            elif proc.poll() is not None:
                del procs[name]
                if proc.returncode == 0:
                    ready[name] = time.monotonic() - started
                    waiting.discard(name)
        if time.monotonic() - started > timeout:
            for proc in procs.values():
                proc.kill()
            raise net.NetError('guests %s: no SSH after %.0f s' % (', '.join(sorted(waiting)), timeout))
        time.sleep(0.5)
    return ready


def monitor(run_dir, host, command):
    """One human-monitor command to a guest's qemu (for example set_link NIC off)."""
    path = os.path.join(run_dir, '%s.monitor' % host)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(5)
        sock.connect(path)
        sock.sendall(command.encode() + b'\n')
        time.sleep(0.2)
        try:
            return sock.recv(65536).decode(errors='replace')
        except socket.timeout:
            return ''


def close_masters(ssh_config, hosts):
    """End the ControlMaster connections this run opened."""
    for host in hosts:
        subprocess.run(['ssh', '-F', ssh_config, '-O', 'exit', host], capture_output=True, check=False, timeout=10)
