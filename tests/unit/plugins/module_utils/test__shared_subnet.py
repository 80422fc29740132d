# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Storage NICs sharing a subnet: found, set live and persistently, undone when none remains."""

from ansible_collections.ovirt_iscsi.multipath.plugins.module_utils._shared_subnet import (
    SharedSubnetSettings, parse_file, parse_ip_addr, shared_subnets)

IP_ADDR = """\
1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever
2: ens3    inet 198.18.0.11/24 brd 198.18.0.255 scope global ens3\\       valid_lft forever preferred_lft forever
3: ens4    inet 198.18.4.11/24 brd 198.18.4.255 scope global ens4\\       valid_lft forever preferred_lft forever
4: ens5    inet 198.18.4.21/24 brd 198.18.4.255 scope global ens5\\       valid_lft forever preferred_lft forever
5: ens6.100@ens6    inet 198.18.5.11/24 scope global ens6.100\\       valid_lft forever preferred_lft forever
"""


def proc_tree(tmp_path, nics, value='0', rp_filter='1'):
    for nic in nics:
        (tmp_path / 'conf' / nic).mkdir(parents=True)
        for key in ('arp_ignore', 'arp_announce'):
            (tmp_path / 'conf' / nic / key).write_text(value + '\n')
        (tmp_path / 'conf' / nic / 'rp_filter').write_text(rp_filter + '\n')
    return SharedSubnetSettings(proc_conf=str(tmp_path / 'conf'), sysctl_file=str(tmp_path / 'sysctl.d' / 'x.conf'))


def live(tmp_path, nic, key):
    return (tmp_path / 'conf' / nic / key).read_text().strip()


def test_ip_addr_lines_parse_to_nics_with_their_cidrs():
    addresses = parse_ip_addr(IP_ADDR)
    assert addresses['ens4'] == ['198.18.4.11/24']
    assert addresses['ens6.100'] == ['198.18.5.11/24']


def test_only_bound_nics_sharing_a_subnet_count():
    addresses = parse_ip_addr(IP_ADDR)
    assert shared_subnets(addresses, ['ens4', 'ens5']) == {'198.18.4.0/24': ['ens4', 'ens5']}
    assert shared_subnets(addresses, ['ens4', 'ens6.100']) == {}
    # The management NIC is not bound: its subnet is nobody's business here.
    assert shared_subnets(addresses, ['ens3', 'ens4']) == {}


def test_set_live_and_persisted_with_the_values_before(tmp_path):
    settings = proc_tree(tmp_path, ['ens4', 'ens5'])
    addresses = parse_ip_addr(IP_ADDR)
    changed, report = settings.converge(addresses, ['ens4', 'ens5'])
    assert changed
    assert report['nics'] == ['ens4', 'ens5']
    assert live(tmp_path, 'ens5', 'rp_filter') == '2'
    assert live(tmp_path, 'ens4', 'arp_ignore') == '1'
    assert live(tmp_path, 'ens4', 'arp_announce') == '2'
    text = (tmp_path / 'sysctl.d' / 'x.conf').read_text()
    assert 'net/ipv4/conf/ens5/rp_filter = 2' in text
    settings_in_file, before = parse_file(text)
    assert before[('ens5', 'rp_filter')] == '1'
    assert settings_in_file[('ens4', 'arp_ignore')] == '1'
    # A second run changes nothing.
    changed, report = settings.converge(addresses, ['ens4', 'ens5'])
    assert not changed and report['set_live'] == {}


def test_check_mode_writes_nothing(tmp_path):
    settings = proc_tree(tmp_path, ['ens4', 'ens5'])
    changed, report = settings.converge(parse_ip_addr(IP_ADDR), ['ens4', 'ens5'], check_mode=True)
    assert changed and report['set_live']['ens5.rp_filter'] == '2'
    assert live(tmp_path, 'ens5', 'rp_filter') == '1'
    assert not (tmp_path / 'sysctl.d' / 'x.conf').exists()


def test_undone_when_no_shared_subnet_remains(tmp_path):
    settings = proc_tree(tmp_path, ['ens4', 'ens5'])
    addresses = parse_ip_addr(IP_ADDR)
    settings.converge(addresses, ['ens4', 'ens5'])
    changed, report = settings.converge(addresses, ['ens4'])
    assert changed
    assert live(tmp_path, 'ens5', 'rp_filter') == '1'
    assert live(tmp_path, 'ens4', 'arp_ignore') == '0'
    assert not (tmp_path / 'sysctl.d' / 'x.conf').exists()
    assert report['nics'] == [] and report['file'] is None
    changed, dummy = settings.converge(addresses, ['ens4'])
    assert not changed


def test_a_value_already_right_is_left_and_restored_to_itself(tmp_path):
    settings = proc_tree(tmp_path, ['ens4', 'ens5'], rp_filter='2')
    addresses = parse_ip_addr(IP_ADDR)
    dummy, report = settings.converge(addresses, ['ens4', 'ens5'])
    assert 'ens5.rp_filter' not in report['set_live']
    settings.converge(addresses, [])
    assert live(tmp_path, 'ens5', 'rp_filter') == '2'
