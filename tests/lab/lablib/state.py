# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a running lab is: state.json (machine-readable facts) and the Ansible inventory."""

import json
import os

import yaml

from lablib import config, engine_seed


def build(desc, namespace, run_dir, data_dir, hosts, target_facts, ssh_config, key, pids):
    """The state document: everything a test or the seed generator needs about this run."""
    mgmt = config.management_network(desc)
    return {
        'namespace': namespace,
        'run_dir': run_dir,
        'data_dir': data_dir,
        # The layout this run was brought up with: the commands that act on a running lab
        # (engine-seed, inventory, cut, lun, ...) follow it without being told again.
        'layout': desc.get('layout', config.DEFAULT_LAYOUT),
        'description': desc.get('layout_file', config.default_path()),
        'guest_sysctls': dict(desc.get('guest_sysctls') or {}),
        'bonds': engine_seed.bonds(desc),
        'ssh_config': ssh_config,
        'ssh_key': key,
        'inventory': os.path.join(run_dir, 'inventory.yml'),
        'networks': {
            net['name']: {
                'role': net['role'],
                'subnet': net['subnet'],
                'target_address': net['target_address'],
                'bridge': config.bridge_name(desc, net['name']),
                'shares_subnet': bool(net.get('shares_subnet')),
            } for net in desc['networks']
        },
        'management_network': mgmt['name'],
        'storage_networks': [n['name'] for n in desc['networks'] if n['role'] == 'storage'],
        'hosts': {
            host['name']: {
                'mgmt_address': host['mgmt_address'],
                'initiator_name': host['initiator_name'],
                'qemu_pid': pids[host['name']],
                'networks': {
                    nic['network']: {k: nic[k] for k in ('nic', 'address', 'prefix', 'tap', 'mac')}
                    for nic in host['nics']
                },
            } for host in hosts
        },
        'target': target_facts,
    }


def write(run_dir, state):
    """state.json and inventory.yml in the run directory; the inventory's path."""
    with open(os.path.join(run_dir, 'state.json'), 'w', encoding='utf-8') as handle:
        json.dump(state, handle, indent=2, sort_keys=True)
        handle.write('\n')
    with open(state['inventory'], 'w', encoding='utf-8') as handle:
        handle.write('# Written by tests/lab/lab up; facts of this run are in state.json beside it.\n')
        yaml.safe_dump(inventory(state), handle, default_flow_style=False, sort_keys=True)
    return state['inventory']


def read(run_dir):
    """The state of the running lab, or None when there is none."""
    try:
        with open(os.path.join(run_dir, 'state.json'), encoding='utf-8') as handle:
            return json.load(handle)
    except FileNotFoundError:
        return None


def inventory(state):
    """Hosts with their lab facts as host vars; SSH through the namespace with pipelining."""
    targets = [{
        'iqn': t['iqn'],
        'portals': list(t['portals']),
        'luns': [dict({'lun': lun['lun'], 'wwid': lun['wwid'], 'size_mb': lun['size_mb']},
                      **({'added': True} if lun.get('added') else {})) for lun in t['luns']],
        'chap_user': t['chap_user'],
        'chap_secret_file': t['chap_secret_file'],
    } for t in state['target']['targets']]
    hosts = {}
    for name, info in state['hosts'].items():
        hosts[name] = {
            'ansible_host': info['mgmt_address'],
            'lab_mgmt_address': info['mgmt_address'],
            'lab_initiator_name': info['initiator_name'],
            'lab_networks': {
                net: {'nic': nic['nic'], 'address': nic['address'], 'prefix': nic['prefix']}
                for net, nic in info['networks'].items()
            },
        }
    storage = set(state['storage_networks'])
    with_storage = sorted(n for n, info in state['hosts'].items() if storage & set(info['networks']))
    return {'all': {
        'vars': {
            'ansible_user': 'root',
            'ansible_python_interpreter': '/usr/bin/python3',
            'ansible_pipelining': True,
            # -F only: the config carries ControlMaster/ControlPath, so Ansible adds none of its own.
            'ansible_ssh_args': '-F %s' % state['ssh_config'],
            'lab_state_file': os.path.join(state['run_dir'], 'state.json'),
            'lab_management_network': state['management_network'],
            'lab_storage_networks': state['storage_networks'],
            'lab_target_portals': list(state['target']['portals']),
            'lab_targets': targets,
            'lab_layout': state.get('layout', config.DEFAULT_LAYOUT),
            'lab_bonds': list(state.get('bonds') or []),
        },
        'children': {
            group: {'hosts': members} for group, members in (
                ('lab_hosts', hosts),
                ('lab_storage_hosts', {n: {} for n in with_storage}),
                ('lab_no_storage_hosts', {n: {} for n in sorted(set(hosts) - set(with_storage))}),
            ) if members
        },
    }}
