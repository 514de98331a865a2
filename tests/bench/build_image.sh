#!/usr/bin/env bash
# Build the Debian trixie image with systemd as PID 1 that molecule and
# `make up` use as real hosts. No container registry is reachable, so the
# image comes from Debian's packages through debootstrap. The tag is a hash of
# this script: an image built from the same recipe is reused.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export CONTAINERS_CONF=${CONTAINERS_CONF:-$here/../../tools/containers.conf}
name=localhost/ecommerce-kafka-host
tag=$(sha256sum "$0" | cut -c1-12)
image=$name:$tag
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
packages=python3,python3-apt,systemd,systemd-sysv,dbus,iproute2,procps,ca-certificates,openjdk-21-jre-headless

if podman image exists "$image"; then
  podman tag "$image" "$name:latest"
  echo "$image (reused)"
  exit 0
fi

rootfs=$(mktemp -d)
trap 'rm -rf "$rootfs"' EXIT
debootstrap --variant=minbase --include="$packages" trixie "$rootfs" "$mirror" >/dev/null
# Units that make no sense in a container and slow down or block boot.
for unit in systemd-resolved.service getty@tty1.service console-getty.service systemd-timesyncd.service; do
  ln -sf /dev/null "$rootfs/etc/systemd/system/$unit"
done
: > "$rootfs/etc/machine-id"
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
# The package lists are gone: dated to the epoch, they look so to a role's
# apt task (cache_valid_time), which then fetches them before installing.
touch -d @0 "$rootfs/var/lib/apt/lists"
tar -C "$rootfs" -c . | podman import --change 'CMD ["/sbin/init"]' - "$image" >/dev/null
podman tag "$image" "$name:latest"
echo "$image (built)"
