# Copyright (c) ovirt_iscsi.multipath contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lab guests only: keep the bytecode that zipimport compiles for Ansible's module payloads.

Every Ansible module call ships its module_utils as a zip (AnsiballZ), and zipimport compiles
them from source each time: ~2.5 s of an emulated (TCG) guest's CPU per call, where a real host
spends ~0.1 s. This cache keeps the compiled code, keyed by the Python version, the path inside
the payload and the source's hash, so the same source always yields the same code; what runs is
unchanged. Imported at interpreter start by lab-ansiballz-cache.pth; the kernel parameter
lab.ansiballz_cache=0 (OVIRT_ISCSI_LAB_ANSIBALLZ_CACHE=0 on the lab's side) turns it off.
"""

import hashlib
import marshal
import os
import sys
import zipimport

CACHE_DIR = '/var/cache/lab-ansiballz'
_compile_source = getattr(zipimport, '_compile_source', None)


def _enabled(cmdline='/proc/cmdline'):
    try:
        with open(cmdline, encoding='ascii', errors='replace') as handle:
            return 'lab.ansiballz_cache=0' not in handle.read().split()
    except OSError:
        return True


def _cache_key(pathname, source):
    # The payload's own path differs per call (a new temporary directory): key on the part
    # inside the zip.
    inner = pathname.rpartition('.zip')[2] or pathname
    digest = hashlib.sha256(('%d.%d\0%s\0' % (sys.version_info[0], sys.version_info[1], inner)).encode())
    digest.update(source if isinstance(source, bytes) else source.encode())
    return digest.hexdigest()


def _with_filename(code, filename):
    """The cached code with this call's file name, so tracebacks name the real payload."""
    consts = tuple(_with_filename(const, filename) if isinstance(const, type(code)) else const
                   for const in code.co_consts)
    return code.replace(co_filename=filename, co_consts=consts)


def cached_compile_source(pathname, source, cache_dir=None):
    cache_dir = cache_dir or CACHE_DIR
    path = os.path.join(cache_dir, _cache_key(pathname, source))
    try:
        with open(path, 'rb') as handle:
            return _with_filename(marshal.load(handle), pathname)
    except (OSError, EOFError, ValueError, TypeError):
        pass
    code = _compile_source(pathname, source)
    try:
        os.makedirs(cache_dir, mode=0o700, exist_ok=True)
        partial = '%s.%d' % (path, os.getpid())
        with open(partial, 'wb') as handle:
            marshal.dump(code, handle)
        os.replace(partial, path)  # concurrent module calls never read half a file
    except OSError:
        pass
    return code


def install():
    if _compile_source is not None and _enabled():
        zipimport._compile_source = cached_compile_source


install()
