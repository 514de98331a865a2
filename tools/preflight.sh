#!/usr/bin/env bash
# The first step of `make up` and `make test`, after `make setup`: every
# command the suite runs is there, and podman can start a container on a
# network of its own, so a missing piece fails here in seconds, by name, rather
# than twenty minutes later inside molecule.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
export CONTAINERS_CONF=${CONTAINERS_CONF:-$root/tools/containers.conf}
problems=()

need_command() {  # need_command NAME PACKAGE [PATH...]
  local name=$1 package=$2 path
  shift 2
  command -v "$name" >/dev/null 2>&1 && return
  for path in "$@"; do [ -x "$path" ] && return; done
  problems+=("$name is missing (Debian package $package)")
}

need_command podman podman
need_command nsenter util-linux /usr/bin/nsenter
need_command runc runc
need_command netavark netavark /usr/lib/podman/netavark /usr/libexec/podman/netavark
need_command aardvark-dns aardvark-dns /usr/lib/podman/aardvark-dns /usr/libexec/podman/aardvark-dns
need_command iptables iptables /usr/sbin/iptables
need_command debootstrap debootstrap /usr/sbin/debootstrap
need_command java openjdk-17-jdk-headless
need_command mvn maven
need_command haproxy haproxy /usr/sbin/haproxy
need_command promtool prometheus
need_command git git
need_command python3 python3

# Apicurio Registry 3.3 is built for Java 21; the integration tests look for a
# JDK that new in JAVA_HOME or /usr/lib/jvm (tests/bench/services.py).
newest_java=0
for release in "${JAVA_HOME:-/nonexistent}/release" /usr/lib/jvm/*/release; do
  [ -f "$release" ] || continue
  feature=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release")
  [ "${feature:-0}" -gt "$newest_java" ] && newest_java=$feature
done
[ "$newest_java" -ge 21 ] || problems+=("no Java 21+ JDK in JAVA_HOME or /usr/lib/jvm (Apicurio Registry needs one; newest found: ${newest_java})")

if [ ${#problems[@]} -gt 0 ]; then
  printf 'preflight: %s\n' "${problems[@]}" >&2
  echo "preflight: run 'make setup' as root, which installs tools/system-packages.txt" >&2
  exit 1
fi

# A throw-away container on a throw-away network: this is where netavark,
# iptables, aardvark-dns and runc are really exercised. Its root file system is
# this machine's own /usr, read-only, so no image is needed yet.
network=ecommerce-kafka-preflight-$$
container=$network
cleanup() {
  podman rm --force --ignore --time 0 "$container" >/dev/null 2>&1
  podman network rm --force "$network" >/dev/null 2>&1
}
trap cleanup EXIT
rootfs=$(mktemp -d)
trap 'cleanup; rm -rf "$rootfs"' EXIT
mkdir -p "$rootfs"/{usr,proc,sys,dev,etc,tmp}
for link in bin sbin lib lib64; do [ -L "/$link" ] && ln -s "usr/$link" "$rootfs/$link"; done

if ! out=$(podman network create "$network" 2>&1); then
  echo "preflight: podman cannot create a network: $out" >&2
  exit 1
fi
if ! out=$(podman run --rm --name "$container" --network "$network" --ulimit nofile=20000:20000 --ulimit nproc=4096:4096 \
    --volume /usr:/usr:ro --rootfs "$rootfs" /usr/bin/ip -4 -o address show 2>&1); then
  echo "preflight: podman cannot start a container on a network: $out" >&2
  exit 1
fi
address=$(grep -o 'inet [0-9.]*' <<<"$out" | grep -v 127.0.0.1 | head -n 1)
if [ -z "$address" ]; then
  echo "preflight: a container on a podman network got no address: $out" >&2
  exit 1
fi
echo "preflight: all commands present; a container on a podman network got ${address#inet }"
