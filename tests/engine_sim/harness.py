# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Start the engine simulator for tests and benchmarks, and talk to its /__sim__/ endpoints.

Importable by path (it needs nothing from the simulator package):

    spec = importlib.util.spec_from_file_location('engine_sim_harness', '<repo>/tests/engine_sim/harness.py')

    with Simulator(seed=make_seed(hosts=200)) as sim:
        connection = ovirtsdk4.Connection(url=sim.url, username='admin@internal',
                                          password=sim.password('admin@internal'), ca_file=sim.ca_file)
"""

import json
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request

SIM_DIR = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SEED = os.path.join(SIM_DIR, 'seed', 'default.yml')

# Passwords of the default seed's users (they are in seed/default.yml too).
DEFAULT_PASSWORDS = {
    'admin@internal': 'sim-admin-pass',
    'dcadmin@internal': 'sim-dcadmin-pass',
    'outsider@internal': 'sim-outsider-pass',
}


class SimulatorError(RuntimeError):
    """The simulator did not start, or a /__sim__/ call failed."""


class Simulator:
    """One running simulator: `url`, `ca_file`, `state_dir`, and the /__sim__/ calls."""

    def __init__(self, seed=None, port=0, python=None, start_timeout=15, persist=False, host_transition=None):
        """`seed`: None (default data), a path, or a dict (written as JSON into the state dir).
        `persist`: halt() and start() keep the entities, events, port and CA (an engine restart);
        `host_transition`: seconds from a host action to its next status (default 1)."""
        self.state_dir = tempfile.mkdtemp(prefix='engine-sim-')
        self._seed = seed
        self._seed_dict = seed if isinstance(seed, dict) else None
        if isinstance(seed, dict):
            self._seed = os.path.join(self.state_dir, 'seed.json')
            with open(self._seed, 'w', encoding='utf-8') as handle:
                json.dump(seed, handle)
        self._port = port
        self._python = python or sys.executable
        self._start_timeout = start_timeout
        self._persist = persist
        self._host_transition = host_transition
        self.process = None
        self.port = None
        self.url = None
        self.base = None
        self.ca_file = os.path.join(self.state_dir, 'ca.pem')
        self._context = None

    def start(self):
        command = [self._python, SIM_DIR, '--port', str(self._port), '--state-dir', self.state_dir]
        if self._seed:
            command += ['--seed', self._seed]
        if self._persist:
            command.append('--persist')
        if self._host_transition is not None:
            command += ['--host-transition-seconds', str(self._host_transition)]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + self._start_timeout
        line = ''
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line or 'ready' in line:
                break
        if 'ready' not in line:
            error = self.process.stderr.read() if self.process.poll() is not None else ''
            self.stop()
            raise SimulatorError('engine simulator did not start: %s%s' % (line, error))
        self.port = int(line.split('port=')[1].split()[0])
        if self._persist:
            self._port = self.port  # a restart listens where clients already point
        self.base = 'https://127.0.0.1:%d' % self.port
        self.url = self.base + '/ovirt-engine/api'
        self._context = ssl.create_default_context(cafile=self.ca_file)
        return self

    def halt(self):
        """Stop the engine and keep its state dir: start() brings it back (with persist=True,
        the same entities, events, port and CA; tokens are gone, as after an engine restart)."""
        self._terminate()

    def restart(self, down_seconds=0):
        """halt(), `down_seconds` without an engine, start()."""
        self.halt()
        time.sleep(down_seconds)
        return self.start()

    def stop(self):
        self._terminate()
        shutil.rmtree(self.state_dir, ignore_errors=True)

    def _terminate(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process is not None:
            for stream in (self.process.stdout, self.process.stderr):
                if stream:
                    stream.close()
        self.process = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *_exc):
        self.stop()

    def password(self, user_name):
        """The seed's password of `user_name` (for tests; never print it)."""
        users = (self._seed_dict or {}).get('users') if self._seed_dict else None
        for user in users or []:
            if user.get('name') == user_name:
                return user['password']
        return DEFAULT_PASSWORDS[user_name]

    def _call(self, method, path, document=None):
        data = json.dumps(document).encode() if document is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={'Content-Type': 'application/json'})
        try:
            with urllib.request.urlopen(request, context=self._context, timeout=30) as answer:
                return json.loads(answer.read() or b'{}')
        except urllib.error.HTTPError as error:
            raise SimulatorError('%s %s: %s %s' % (method, path, error.code, error.read().decode())) from error

    def stats(self):
        return self._call('GET', '/__sim__/stats')

    def reset_stats(self):
        return self._call('POST', '/__sim__/stats/reset')

    def state(self):
        return self._call('GET', '/__sim__/state')

    def add_fault(self, path='.*', method='*', status=None, hang=None, count=1, reason=None, detail=None, body=None,
                  stop=None):
        """`stop=True`: the matching request gets no answer and the engine stops (halt() then
        reaps it; with persist=True, start() brings it back with the state it saved)."""
        spec = {'path': path, 'method': method, 'count': count}
        for key, value in (('status', status), ('hang', hang), ('reason', reason), ('detail', detail),
                           ('body', body), ('stop', stop)):
            if value is not None:
                spec[key] = value
        return self._call('POST', '/__sim__/faults', spec)

    def clear_faults(self):
        return self._call('DELETE', '/__sim__/faults')

    def expire_tokens(self):
        return self._call('POST', '/__sim__/tokens/expire')

    def events(self, after=0):
        """The audit log's entries with an id above `after`, oldest first (`type` is the
        AuditLogType name, `message` the text; not in state())."""
        return self._call('GET', '/__sim__/events?after=%d' % after)['events']


def make_seed(hosts=2, networks=2, connections=2, bonds=0, domains=1, data_center='Default',
              host_status='up', nic_prefix='eth', vlan_networks=False):
    """A seed for scale tests: DC `data_center` with `networks` storage networks (none required)
    besides ovirtmgmt, `hosts` hosts carrying all of them, `domains` iSCSI domains sharing
    `connections` portals of one target, `bonds` bonds each with every storage network and
    connection; a small DC `Other`; the default seed's three users (the outsider administers
    `Other` only). Addresses stay inside 198.18.0.0/15: management 198.18.x.y, portals
    198.19.0.n, storage network k on 198.19.k.0/24 (host addresses repeat past 250 hosts).
    `vlan_networks`: the storage networks are VLANs 100+k on `eth1`."""
    if hosts > 250 * 250 or networks > 254 or connections > 254:
        raise ValueError('make_seed: too large for 198.18.0.0/15 addressing')
    network_names = ['storage-%03d' % index for index in range(networks)]
    other_dc = 'Other' if data_center != 'Other' else 'Other-2'
    target = 'iqn.2026-01.test.sim:scale'
    portals = [{'address': '198.19.0.%d' % (index + 1), 'port': 3260, 'target': target,
                'portal': '1'} for index in range(connections)]
    host_specs = []
    for index in range(hosts):
        octets = (index // 250, index % 250 + 1)
        nics = [{'name': '%s0' % nic_prefix, 'network': 'ovirtmgmt', 'bridged': True,
                 'ip': '198.18.%d.%d/16' % octets}]
        for net_index, name in enumerate(network_names):
            nic = {'name': '%s%d' % (nic_prefix, net_index + 1), 'network': name, 'bridged': False,
                   'ip': '198.19.%d.%d/24' % (net_index + 1, octets[1])}
            if vlan_networks:
                nic.update({'name': '%s1.%d' % (nic_prefix, 100 + net_index), 'vlan': 100 + net_index,
                            'base_interface': '%s1' % nic_prefix})
            nics.append(nic)
        if vlan_networks and network_names:
            nics.insert(1, {'name': '%s1' % nic_prefix, 'bridged': False})
        host_specs.append({'name': 'host%04d' % index, 'address': '198.18.%d.%d' % octets, 'status': host_status,
                           'nics': nics})
    domain_specs = [{'name': 'iscsi-%02d' % index, 'type': 'data', 'storage_type': 'iscsi', 'master': index == 0,
                     'connections': portals} for index in range(domains)]
    bond_specs = [{'name': 'bond%03d' % index, 'networks': list(network_names),
                   'connections': [{'address': p['address'], 'port': p['port'], 'target': target} for p in portals]}
                  for index in range(bonds)]
    return {
        'data_centers': [{
            'name': data_center,
            'networks': [{'name': 'ovirtmgmt'}] + [
                dict({'name': name}, **({'vlan': 100 + index} if vlan_networks else {}))
                for index, name in enumerate(network_names)],
            'clusters': [{
                'name': data_center,
                'networks': [{'name': 'ovirtmgmt', 'required': True}] + [
                    {'name': name, 'required': False} for name in network_names],
                'hosts': host_specs,
            }],
            'storage_domains': domain_specs,
            'iscsi_bonds': bond_specs,
        }, {
            'name': other_dc,
            'networks': [{'name': 'ovirtmgmt'}, {'name': 'other-net'}],
            'clusters': [{'name': other_dc, 'networks': [{'name': 'ovirtmgmt', 'required': True}, 'other-net']}],
        }],
        'users': [
            {'name': 'admin@internal', 'password': DEFAULT_PASSWORDS['admin@internal'],
             'permissions': [{'role': 'SuperUser'}]},
            {'name': 'dcadmin@internal', 'password': DEFAULT_PASSWORDS['dcadmin@internal'],
             'permissions': [{'role': 'DataCenterAdmin', 'data_center': data_center}]},
            {'name': 'outsider@internal', 'password': DEFAULT_PASSWORDS['outsider@internal'],
             'permissions': [{'role': 'DataCenterAdmin', 'data_center': other_dc}]},
        ],
    }
