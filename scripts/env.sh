# Sourced by every script: the project virtualenv first on PATH, and the checkout
# reachable as the collection ovirt_iscsi.multipath.
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH="$top/.venv/bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH="$("$top/scripts/collection-root")"
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
export ANSIBLE_NOCOLOR=1
export ANSIBLE_FORCE_COLOR=0
export ANSIBLE_HOST_KEY_CHECKING=false
export ANSIBLE_PIPELINING=true
export ANSIBLE_RETRY_FILES_ENABLED=false
export ANSIBLE_LOCAL_TEMP="${TMPDIR:-/tmp}/ovirt_iscsi-ansible-local"
export PYTHONDONTWRITEBYTECODE=1
# Heavy artefacts (the lab's guest image) live here, keyed by their inputs.
export OVIRT_ISCSI_CACHE="${OVIRT_ISCSI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ovirt_iscsi}"
