# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The real-kernel iSCSI lab: namespace, bridges, tgtd, qemu guests (see tests/lab/lab)."""
