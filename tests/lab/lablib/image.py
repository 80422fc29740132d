# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The guest image: built once per set of inputs, cached under OVIRT_ISCSI_CACHE/lab/<hash>/."""

import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import time

LAB_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD_SCRIPT = os.path.join(LAB_DIR, 'build-image')
GUEST_DIR = os.path.join(LAB_DIR, 'guest')
IMAGE_FILES = ('rootfs.img', 'vmlinuz', 'initrd.img', 'packages.txt')


class ImageError(Exception):
    """The guest image could not be built."""


def kernel_package():
    """The exact kernel package the linux-image-amd64 metapackage names right now."""
    out = subprocess.run(['apt-cache', 'depends', 'linux-image-amd64'], check=True,
                         capture_output=True, text=True).stdout
    for line in out.splitlines():
        key, _sep, value = line.strip().partition(': ')
        if key == 'Depends' and value.startswith('linux-image-'):
            return value
    raise ImageError('apt-cache depends linux-image-amd64 names no linux-image-* package '
                     '(run apt-get update first)')


def input_hash(guest, kernel):
    """Hash of everything that shapes the image: build script, guest files, packages, kernel."""
    digest = hashlib.sha256()
    paths = [BUILD_SCRIPT] + sorted(os.path.join(GUEST_DIR, name) for name in os.listdir(GUEST_DIR))
    for path in paths:
        with open(path, 'rb') as handle:
            digest.update(os.path.basename(path).encode() + b'\0' + handle.read() + b'\0')
    for value in [guest['suite'], guest['mirror'], kernel] + list(guest['packages']):
        digest.update(value.encode() + b'\0')
    return digest.hexdigest()[:16]


def ensure_image(guest, cache_dir, log):
    """Path of a complete cached image directory, building it first when absent."""
    kernel = kernel_package()
    lab_cache = os.path.join(cache_dir, 'lab')
    image_dir = os.path.join(lab_cache, input_hash(guest, kernel))
    os.makedirs(lab_cache, exist_ok=True)
    # Two lab instances starting together build the image once.
    with open(os.path.join(lab_cache, 'image.lock'), 'w', encoding='ascii') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if all(os.path.exists(os.path.join(image_dir, name)) for name in IMAGE_FILES):
            log('image: cached %s' % image_dir)
            return image_dir
        _prune(lab_cache, keep=image_dir)
        log('image: building %s (%s)' % (image_dir, kernel))
        started = time.monotonic()
        cmd = [BUILD_SCRIPT, image_dir, guest['suite'], guest['mirror'], kernel] + list(guest['packages'])
        if subprocess.run(cmd, check=False).returncode != 0:
            raise ImageError('building the guest image failed (see the messages of build-image above)')
        log('timing: cold image build %.1f s' % (time.monotonic() - started))
    return image_dir


def _prune(lab_cache, keep):
    """Images built from other inputs are stale: a running guest keeps its open file anyway."""
    for name in os.listdir(lab_cache):
        path = os.path.join(lab_cache, name)
        if re.fullmatch(r'[0-9a-f]{16}', name) and path != keep:
            shutil.rmtree(path, ignore_errors=True)
