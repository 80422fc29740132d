# LVM on a lab guest for the proofs and fixtures that need it (source this file; it uses $lab).
#
# The guest image carries no lvm2, and installing the package in an emulated guest costs about a
# minute (its trigger rebuilds the initramfs, which the lab never boots): what LVM decides about
# devices lives in its one binary and its configuration, so Debian's own lvm2 package (the
# guests' suite, downloaded once with apt-get into the cache) lends them: /usr/local/sbin/lvm, its
# one library missing from the image, and Debian's stock /etc/lvm/lvm.conf and lvmlocal.conf (no
# devices file, no filter: what a host gets from the package). Not staged: lvm2's udev rules and
# services (no autoactivation). guest_lvm_remove takes all of it away again.

guest_lvm_debs() {
  local dir=${OVIRT_ISCSI_CACHE:-$HOME/.cache/ovirt_iscsi}/guest-lvm
  if [ ! -d "$dir/root/etc/lvm" ]; then
    mkdir -p "$dir/debs" || return 1
    (cd "$dir/debs" && apt-get download -q lvm2 libdevmapper-event1.02.1 >/dev/null 2>&1) || { echo "apt-get download lvm2 failed" >&2; return 1; }
    rm -rf "$dir/root" && mkdir -p "$dir/root" || return 1
    for deb in "$dir"/debs/*.deb; do dpkg-deb -x "$deb" "$dir/root" || return 1; done
  fi
  echo "$dir/root"
}

# guest_lvm_add HOST: lvm runs on HOST with Debian's default configuration.
guest_lvm_add() {
  local root
  root=$(guest_lvm_debs) || return 1
  tar -C "$root" -cf - sbin/lvm lib/x86_64-linux-gnu/libdevmapper-event.so.1.02.1 etc/lvm/lvm.conf etc/lvm/lvmlocal.conf |
    $lab ssh "$1" -- 'd=$(mktemp -d) && tar -C "$d" -xf - && install -m 0755 "$d/sbin/lvm" /usr/local/sbin/lvm &&
      install -m 0644 "$d/lib/x86_64-linux-gnu/libdevmapper-event.so.1.02.1" /usr/local/lib/ && ldconfig &&
      mkdir -p /etc/lvm && cp "$d/etc/lvm/lvm.conf" "$d/etc/lvm/lvmlocal.conf" /etc/lvm/ && rm -rf "$d" && lvm version >/dev/null'
}

# guest_lvm_remove HOST: lvm and everything it wrote (/etc/lvm, /run/lvm) gone from HOST.
guest_lvm_remove() {
  $lab ssh "$1" -- 'rm -rf /usr/local/sbin/lvm /usr/local/lib/libdevmapper-event.so.1.02.1 /etc/lvm /run/lvm && ldconfig'
}
