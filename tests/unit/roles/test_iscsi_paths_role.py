# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Role iscsi_paths: its documented inputs, per-OS variables and multipath templates.

EL guests cannot boot in the lab, so the EL variables and both templates are checked here.
"""

from __future__ import annotations

import os
import re

import jinja2
import pytest
import yaml

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._host_config import vdsm_owns
from ansible_collections.ovirt_iscsi.multipath.plugins.modules import iscsi_host_config

ROLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'roles', 'iscsi_paths')


def load(*parts):
    with open(os.path.join(ROLE, *parts), encoding='utf-8') as handle:
        return yaml.safe_load(handle)


def render(template, **overrides):
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(os.path.join(ROLE, 'templates')), undefined=jinja2.StrictUndefined,
                             trim_blocks=True, keep_trailing_newline=True)
    values = dict(load('defaults', 'main.yml'), **overrides)
    return env.get_template(template).render(**values)


def sections(text):
    """multipath.conf sections -> {name: {key: value}} (enough for these flat templates)."""
    out, current = {}, None
    for line in text.splitlines():
        line = line.split('#', 1)[0].strip()
        if line.endswith('{'):
            current = out.setdefault(line[:-1].strip(), {})
        elif line == '}':
            current = None
        elif line and current is not None:
            key, dummy, value = line.partition(' ')
            current.setdefault(key, []).append(value.strip())
    return out


def test_every_default_is_documented_and_every_documented_option_has_a_default():
    defaults = load('defaults', 'main.yml')
    options = load('meta', 'argument_specs.yml')['argument_specs']['main']['options']
    assert set(defaults) == set(options)
    for name, spec in options.items():
        assert name.startswith('iscsi_paths_')
        assert spec.get('default') == defaults[name] or name == 'iscsi_paths_sessions' and defaults[name] is None, name


def test_defaults_hold_plain_values_without_jinja():
    with open(os.path.join(ROLE, 'defaults', 'main.yml'), encoding='utf-8') as handle:
        assert '{{' not in handle.read()


@pytest.mark.parametrize('family, packages', [
    ('Debian', ['open-iscsi', 'multipath-tools']),
    ('RedHat', ['iscsi-initiator-utils', 'device-mapper-multipath']),
])
def test_os_family_variables(family, packages):
    os_vars = load('vars', family + '.yml')
    assert os_vars['__iscsi_paths_packages'] == packages
    assert os_vars['__iscsi_paths_services'] == ['iscsid', 'multipathd']
    assert os_vars['__iscsi_paths_iscsid_conf'] == '/etc/iscsi/iscsid.conf'


def test_el_vars_document_the_python_el8_needs():
    with open(os.path.join(ROLE, 'vars', 'RedHat.yml'), encoding='utf-8') as handle:
        assert re.search(r'EL 8.*Python 3\.9', handle.read(), re.S)


def test_plain_host_multipath_conf_is_tuned():
    conf = sections(render('multipath.conf.j2'))
    assert conf['defaults']['find_multipaths'] == ['no']
    assert conf['defaults']['user_friendly_names'] == ['no']
    assert conf['defaults']['polling_interval'] == ['5']
    assert conf['defaults']['fast_io_fail_tmo'] == ['1']
    assert conf['defaults']['path_grouping_policy'] == ['multibus']
    assert 'path_grouping_policy' not in conf['overrides']
    assert conf['overrides']['no_path_retry'] == ['16']
    assert conf['blacklist']['devnode'] == ['"^vd[a-z]"']


def test_plain_host_multipath_conf_with_distribution_defaults_has_no_timing():
    conf = sections(render('multipath.conf.j2', iscsi_paths_tuned=False))
    assert set(conf) == {'defaults', 'blacklist'}
    # recheck_wwid is no timing: a reused LUN number must leave the old map on an untuned host too.
    assert set(conf['defaults']) == {'user_friendly_names', 'find_multipaths', 'recheck_wwid'}
    assert 'recheck_wwid' not in sections(render('multipath.conf.j2', iscsi_paths_tuned=False, iscsi_paths_recheck_wwid=False))['defaults']


def test_vdsm_drop_in_only_tunes_and_leaves_vdsm_settings_alone():
    conf = sections(render('multipath-dropin.conf.j2', iscsi_paths_no_path_retry=8))
    assert set(conf) == {'defaults', 'overrides'}
    assert 'user_friendly_names' not in conf['defaults'] and 'find_multipaths' not in conf['defaults']
    assert conf['defaults']['no_path_retry'] == ['8'] and conf['overrides']['no_path_retry'] == ['8']


def test_drop_in_goes_under_conf_d_and_vdsm_header_is_recognised():
    spec = iscsi_host_config.DOCUMENTATION
    assert 'default: /etc/multipath/conf.d/ovirt_iscsi_multipath.conf' in spec and 'default: /etc/multipath.conf' in spec
    assert vdsm_owns('# VDSM REVISION 2.2\n# VDSM PRIVATE\n') and not vdsm_owns('defaults {\n}\n# VDSM REVISION 2.2\n')
