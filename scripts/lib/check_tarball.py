# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks a built collection tarball against what users need and what they must never get.

    python scripts/lib/check_tarball.py TARBALL SOURCE_LIST

SOURCE_LIST holds the files the build started from (one path a line, relative to the
collection root). Every one of them under a shipped top-level entry must be in the tarball,
nothing else may be, and a few files are required by name whatever the source list says
(so an over-eager build_ignore cannot pass by removing them from both sides).
Prints one line per finding and a summary; exit status 1 on any finding.
"""

import fnmatch
import sys
import tarfile

# Top-level entries users get; everything else in the repository is for developers.
SHIPPED = ('README.md', 'COPYING', 'CHANGELOG.rst', 'requirements.txt', 'bindep.txt',
           'plugins/', 'roles/', 'playbooks/', 'meta/', 'docs/', 'extensions/eda/',
           'changelogs/changelog.yaml', 'changelogs/config.yaml')

# Written by ansible-galaxy itself.
GENERATED = ('MANIFEST.json', 'FILES.json')

REQUIRED = (
    'README.md', 'COPYING', 'CHANGELOG.rst', 'requirements.txt', 'bindep.txt',
    'meta/runtime.yml', 'meta/execution-environment.yml',
    'changelogs/changelog.yaml',
    'plugins/modules/iscsi_bond.py', 'plugins/modules/iscsi_bond_info.py',
    'plugins/modules/iscsi_iface.py', 'plugins/modules/iscsi_target.py',
    'plugins/modules/iscsi_paths_info.py',
    'plugins/module_utils/_engine.py', 'plugins/doc_fragments/engine.py',
    'roles/iscsi_paths/meta/argument_specs.yml', 'roles/iscsi_paths/tasks/main.yml',
    'playbooks/demo_engine.yml',
    'extensions/eda/plugins/event_source/ovirt_events.py', 'extensions/eda/rulebooks/iscsi_bond_events.yml',
)

# Never in a tarball, whatever the source list says: test trees, caches, lab images, results,
# and the screenshots of docs/ (the repository's readers see them; users need no picture).
FORBIDDEN = ('tests/*', 'bench/*', 'scripts/*', 'extensions/molecule/*', '.ci/*', '.venv/*', '.cache/*',
             '.git/*', '*/__pycache__/*', '*.pyc', '*.tar.gz', '*.qcow2', '*.img', '*.iso',
             '*.log', 'changelogs/fragments/*', '.*', '*.png')

# The collection is a few hundred kilobytes of text; a lab image or a results tree is not.
MAX_BYTES = 2 * 1024 * 1024


def shipped(path):
    """True when the file belongs to a top-level entry users get."""
    return any(path == entry or (entry.endswith('/') and path.startswith(entry)) for entry in SHIPPED)


def findings(members, sources):
    """Every problem with the tarball's file list, as readable lines."""
    problems = []
    names = {member.name for member in members if member.isfile()}
    for name in sorted(names):
        bad = [pattern for pattern in FORBIDDEN if fnmatch.fnmatch(name, pattern)]
        if bad:
            problems.append('unwanted: %s (matches %s)' % (name, bad[0]))
        elif name not in GENERATED and not shipped(name):
            problems.append('unwanted: %s (not a shipped entry)' % name)
    for name in sorted(set(REQUIRED) | set(GENERATED)):
        if name not in names:
            problems.append('missing: %s (required)' % name)
    for name in sorted(source for source in sources if shipped(source)):
        if name not in names and not any(fnmatch.fnmatch(name, pattern) for pattern in FORBIDDEN):
            problems.append('missing: %s (in the source tree, not in the tarball)' % name)
    size = sum(member.size for member in members if member.isfile())
    if size > MAX_BYTES:
        problems.append('too big: %d bytes of files (at most %d)' % (size, MAX_BYTES))
    return problems, len(names), size


def main(tarball, source_list):
    with open(source_list, encoding='utf-8') as handle:
        sources = [line.strip() for line in handle if line.strip()]
    with tarfile.open(tarball) as archive:
        members = archive.getmembers()
    problems, count, size = findings(members, sources)
    for problem in problems:
        print('check-tarball: %s' % problem)
    print('check-tarball: %d files, %d bytes, %d problems' % (count, size, len(problems)))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(*sys.argv[1:]))
