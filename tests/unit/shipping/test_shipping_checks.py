# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pure parts of the shipping checks: the tarball's file list and the runner artifacts scan."""

import importlib.util
import io
import json
import os
import tarfile

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def load(name, relative):
    spec = importlib.util.spec_from_file_location(name, os.path.join(TOP, relative))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check_tarball = load('check_tarball', 'scripts/lib/check_tarball.py')
check_artifacts = load('check_artifacts', 'tests/ansible_runner/check_artifacts.py')


def members(names):
    result = []
    for name in names:
        info = tarfile.TarInfo(name)
        info.size = 10
        result.append(info)
    return result


def complete():
    return list(check_tarball.REQUIRED) + list(check_tarball.GENERATED)


def test_complete_tarball_has_no_findings():
    problems, count, _size = check_tarball.findings(members(complete()), check_tarball.REQUIRED)
    assert problems == []
    assert count == len(set(complete()))


def test_test_trees_lab_images_and_caches_are_unwanted():
    extra = ['tests/lab/lab.yml', 'bench/results/paths.json', 'guest.qcow2', 'plugins/modules/__pycache__/x.pyc',
             '.venv/bin/python', 'Makefile', 'docs/report-200-hosts.png', 'extensions/molecule/default/molecule.yml']
    problems, _count, _size = check_tarball.findings(members(complete() + extra), [])
    assert sorted(p.split()[1] for p in problems) == sorted(extra)
    assert all(p.startswith('unwanted: ') for p in problems)


def test_required_and_source_files_missing_are_named():
    names = [n for n in complete() if n != 'meta/runtime.yml']
    sources = list(check_tarball.REQUIRED) + ['plugins/filter/paths.py', 'tests/unit/test_x.py', 'docs/report-200-hosts.png',
                                              'extensions/eda/rulebooks/other.yml', 'extensions/molecule/default/converge.yml']
    problems, _count, _size = check_tarball.findings(members(names), sources)
    assert 'missing: meta/runtime.yml (required)' in problems
    assert 'missing: plugins/filter/paths.py (in the source tree, not in the tarball)' in problems
    # extensions/eda ships (its event source and rulebooks), extensions/molecule does not.
    assert 'missing: extensions/eda/rulebooks/other.yml (in the source tree, not in the tarball)' in problems
    assert not any('molecule' in p for p in problems)
    assert not any('tests/unit' in p or '.png' in p for p in problems)


def test_size_bound():
    big = members(complete())
    big[0].size = check_tarball.MAX_BYTES + 1
    problems, _count, _size = check_tarball.findings(big, [])
    assert any(p.startswith('too big') for p in problems)


def write(path, text, mode=0o600):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with io.open(path, 'w', encoding='utf-8') as handle:
        handle.write(text)
    os.chmod(path, mode)


def test_secret_in_a_job_event_is_found_and_injected_env_is_not(tmp_path):
    artifacts = str(tmp_path)
    write(os.path.join(artifacts, 'command'), json.dumps({'command': ['ansible-playbook'], 'env': {'OVIRT_PASSWORD': 's3cret-pass'}}))
    write(os.path.join(artifacts, 'job_events', '1-a.json'), json.dumps({'event': 'runner_on_ok', 'stdout': 'leaked s3cret-chap'}))
    found, problems, count = check_artifacts.leaks(artifacts, ['s3cret-pass', 's3cret-chap'], ['OVIRT_PASSWORD'])
    assert found == [(os.path.join('job_events', '1-a.json'), len('s3cret-chap'))]
    assert problems == []
    assert count == 2


def test_secret_elsewhere_in_command_and_loose_mode_are_findings(tmp_path):
    artifacts = str(tmp_path)
    write(os.path.join(artifacts, 'command'), json.dumps({'command': ['-e', 's3cret-pass'], 'env': {'OVIRT_PASSWORD': 's3cret-pass'}}), mode=0o644)
    found, problems, _count = check_artifacts.leaks(artifacts, ['s3cret-pass'], ['OVIRT_PASSWORD'])
    assert found == [('command', len('s3cret-pass'))]
    assert len(problems) == 1 and 'readable by others' in problems[0]


def test_stats_come_from_the_stats_event(tmp_path):
    artifacts = str(tmp_path)
    write(os.path.join(artifacts, 'job_events', '1-a.json'), json.dumps({'event': 'playbook_on_start'}))
    write(os.path.join(artifacts, 'job_events', '2-b.json'),
          json.dumps({'event': 'playbook_on_stats', 'event_data': {'artifact_data': {'report': {'hosts': 2}}}}))
    assert check_artifacts.stats_data(artifacts, 'report') == ({'hosts': 2}, 2)
    assert check_artifacts.stats_data(artifacts, 'other') == (None, 2)
