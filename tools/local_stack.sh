#!/usr/bin/env bash
# `make up`: the local stack on one systemd host from the bench image. The host
# is the single host of inventories/local (its name there is the container's
# name); it is created with podman, or reused when it exists. site.yml then
# converges it from the staged archives, and the addresses clients use are
# printed. A second run finds everything in place and changes nothing.
# `make down` (`local_stack.sh down`) removes the container and its data.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH=$root/.venv/bin:$PATH
export CONTAINERS_CONF=${CONTAINERS_CONF:-$root/tools/containers.conf}
export ANSIBLE_CONFIG=${ANSIBLE_CONFIG:-$root/ansible.cfg}
inventory=inventories/local
image=localhost/ecommerce-kafka-host:latest

# The container behind the inventory's one host: its ansible_host, else its name.
container=$(ansible-inventory -i "$inventory" --list | python -c '
import json, sys
hostvars = json.load(sys.stdin)["_meta"]["hostvars"]
if len(hostvars) != 1:
    sys.exit("inventories/local should hold one host, it holds %s" % sorted(hostvars))
(name, variables), = hostvars.items()
if variables.get("ansible_connection") != "ecommerce.kafka.podman_nsenter":
    sys.exit("%s in inventories/local should use the ecommerce.kafka.podman_nsenter connection" % name)
print(variables.get("ansible_host", name))
')

if [ "${1:-up}" = down ]; then
  # Its data goes with it, so there is nothing to shut down cleanly for.
  podman rm --force --ignore --time 0 "$container" >/dev/null
  echo "removed $container"
  exit 0
fi

if ! podman container exists "$container"; then
  podman run --detach --name "$container" --hostname "$container" \
    --systemd=always --ulimit nofile=20000:20000 --ulimit nproc=4096:4096 \
    "$image" /sbin/init >/dev/null
  echo "created $container from $image"
elif [ "$(podman container inspect --format '{{.State.Running}}' "$container")" != true ]; then
  podman start "$container" >/dev/null
  echo "started $container"
else
  echo "reusing $container"
fi
# Poll until systemd has booted ("degraded" counts: the play checks its own
# services). Until PID 1 is up, systemctl cannot even reach it.
deadline=$((SECONDS + 120))
until state=$(podman exec "$container" systemctl is-system-running 2>/dev/null); [[ $state =~ ^(running|degraded)$ ]]; do
  if ((SECONDS >= deadline)); then
    echo "systemd in $container did not finish booting within 120s: ${state:-no answer}" >&2
    exit 1
  fi
  sleep 1
done

ansible-playbook -i "$inventory" site.yml -e @tests/bench/staged_archives.yml

# The addresses as the roles compute them, read from the endpoints play's JSON output.
ANSIBLE_STDOUT_CALLBACK=ansible.posix.json ansible-playbook -i "$inventory" tools/local_endpoints.yml \
  | python -c '
import json, sys
for play in json.load(sys.stdin)["plays"]:
    for task in play["tasks"]:
        for result in task["hosts"].values():
            if "local_stack_endpoints" in result:
                endpoints = result["local_stack_endpoints"]
                print("bootstrap server: %s" % endpoints["bootstrap_servers"])
                print("registry URL:     %s" % endpoints["registry_url"])
                sys.exit(0)
sys.exit("the endpoints play printed no addresses")
'
