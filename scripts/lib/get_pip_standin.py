"""Stand-in for the get-pip script that ansible-test downloads from a host this machine cannot reach.

ansible-test runs the file as ``__main__`` inside a fresh virtualenv, with pip's install options and
the pinned infrastructure packages (``pip==X`` ...) as arguments. We bootstrap pip from the
interpreter's bundled ``ensurepip`` and then let that pip install the pinned packages from the
package index, which is reachable.
"""

import subprocess
import sys

# get-pip.py's own flags; plain pip does not know them.
_GET_PIP_ONLY_FLAGS = {'--no-setuptools', '--no-wheel'}


def main():
    args = [arg for arg in sys.argv[1:] if arg not in _GET_PIP_ONLY_FLAGS]
    subprocess.check_call([sys.executable, '-m', 'ensurepip', '--default-pip'])
    subprocess.check_call([sys.executable, '-m', 'pip', 'install'] + args)


if __name__ == '__main__':
    main()
