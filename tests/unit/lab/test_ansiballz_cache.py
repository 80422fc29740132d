# -*- coding: utf-8 -*-
# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab guests' bytecode cache for Ansible payloads: a second import of the same source from
another payload zip compiles nothing and runs the same code under that payload's file name."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib.util
import os
import sys
import zipfile
import zipimport

import pytest

GUEST = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), 'lab', 'guest')


@pytest.fixture
def cache(monkeypatch):
    original = zipimport._compile_source
    spec = importlib.util.spec_from_file_location('lab_ansiballz_cache', os.path.join(GUEST, 'lab_ansiballz_cache.py'))
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setattr(zipimport, '_compile_source', original)  # restored after the test
    spec.loader.exec_module(module)  # installs itself (no lab.ansiballz_cache=0 here)
    assert zipimport._compile_source is module.cached_compile_source
    yield module


def _payload(tmp_path, name, source):
    path = tmp_path / name / 'ansible_x_payload.zip'
    path.parent.mkdir()
    with zipfile.ZipFile(str(path), 'w') as archive:
        archive.writestr('labcachedemo.py', source)
    return str(path)


def _import_from(payload):
    sys.modules.pop('labcachedemo', None)
    sys.path.insert(0, payload)
    try:
        import labcachedemo  # pylint: disable=import-error,import-outside-toplevel
        return labcachedemo
    finally:
        sys.path.remove(payload)
        sys.modules.pop('labcachedemo', None)


def test_second_payload_uses_the_cache_and_keeps_its_own_file_name(cache, tmp_path, monkeypatch):
    monkeypatch.setattr(cache, 'CACHE_DIR', str(tmp_path / 'cache'))
    source = 'def where():\n    import inspect\n    return inspect.getfile(where)\nVALUE = 6 * 7\n'
    first = _import_from(_payload(tmp_path, 'call1', source))
    assert first.VALUE == 42 and len(os.listdir(str(tmp_path / 'cache'))) == 1

    # The second call must not compile: make compiling fail.
    monkeypatch.setattr(cache, '_compile_source', lambda *args: pytest.fail('compiled again'))
    second_payload = _payload(tmp_path, 'call2', source)
    second = _import_from(second_payload)
    assert second.VALUE == 42
    assert second.where().startswith(second_payload), 'tracebacks would name the first payload'


def test_changed_source_is_compiled_anew(cache, tmp_path, monkeypatch):
    monkeypatch.setattr(cache, 'CACHE_DIR', str(tmp_path / 'cache'))
    assert _import_from(_payload(tmp_path, 'a', 'VALUE = 1\n')).VALUE == 1
    assert _import_from(_payload(tmp_path, 'b', 'VALUE = 2\n')).VALUE == 2
    assert len(os.listdir(str(tmp_path / 'cache'))) == 2


def test_kernel_parameter_turns_it_off(cache, tmp_path):
    cmdline = tmp_path / 'cmdline'
    cmdline.write_text('root=/dev/vda lab.host=host1 lab.ansiballz_cache=0\n')
    assert not cache._enabled(str(cmdline))
    cmdline.write_text('root=/dev/vda lab.host=host1\n')
    assert cache._enabled(str(cmdline))
