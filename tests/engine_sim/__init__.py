# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""oVirt engine simulator: `python3 tests/engine_sim --port PORT [--seed FILE] --state-dir DIR`."""
