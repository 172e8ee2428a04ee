#!/usr/bin/env bash
# Runs commands on a clean clone of the current commit inside a brand-new
# minbase Debian 12 (bookworm) chroot: the check that the install script misses
# no package, which a machine with "everything already there" cannot show.
#
#   scripts/fresh-machine.sh                                  # ./run.sh test
#   scripts/fresh-machine.sh './run.sh test && ./run.sh bench'
#
# Needs root and mmdebstrap (installed from apt if missing). The base image is
# built once from this machine's apt sources and cached in
# ${WINO_FRESH_CACHE:-~/.cache/wino-fresh-machine}; every run unpacks a new copy.
# Only committed work is cloned. The exit status is the commands'; the log is
# kept beside the cache (last-run.log).
set -euo pipefail

commands=${1:-./run.sh test}
repo=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
cache=${WINO_FRESH_CACHE:-$HOME/.cache/wino-fresh-machine}
[ "$(id -u)" -eq 0 ] || { echo "fresh-machine: needs root (chroot, mounts)" >&2; exit 2; }
mkdir -p "$cache"

if ! command -v mmdebstrap >/dev/null; then
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends mmdebstrap >/dev/null
fi
image=$cache/bookworm-minbase.tar
if [ ! -f "$image" ]; then
    # The same mirrors as this machine: deb822 sources if present, else sources.list.
    sources=$(ls /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1 || true)
    [ -n "$sources" ] || sources=/etc/apt/sources.list
    echo "fresh-machine: building a minbase Debian 12 image (once) from $sources"
    mmdebstrap --mode=root --variant=minbase --include=ca-certificates,git,sudo \
        bookworm "$image.part" "$sources" >"$cache/mmdebstrap.log" 2>&1 ||
        { echo "fresh-machine: image build failed, see $cache/mmdebstrap.log" >&2; exit 1; }
    mv "$image.part" "$image"
fi

root=$(mktemp -d -t wino-fresh.XXXXXX)
unmount_and_remove() {
    umount -R "$root/dev" 2>/dev/null || true
    umount "$root/proc" 2>/dev/null || true
    rm -rf --one-file-system "$root"
}
trap unmount_and_remove EXIT
tar -xf "$image" -C "$root"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
git clone -q "$repo" "$root/root/wino"
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"

log=$cache/last-run.log
echo "fresh-machine: '$commands' on commit $(git -C "$repo" rev-parse --short HEAD) in a new Debian 12; log: $log"
set +e
chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
    /bin/bash -c "cd /root/wino && $commands" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
echo "fresh-machine: exit $status"
exit "$status"
