#!/usr/bin/env bash
# Fails when any secret of a folder (one per file, as Ansible's password
# lookup writes them) appears in a log, naming the file, never the secret.
# A scenario without a secrets folder has nothing to check.
set -euo pipefail
log=$1
secrets=$2
[ -d "$secrets" ] || { echo "no secrets folder $secrets: nothing to check"; exit 0; }
count=0
for file in "$secrets"/*; do
  secret=$(head -n1 "$file" | cut -d' ' -f1)
  [ -n "$secret" ] || continue
  count=$((count + 1))
  if grep -qF -- "$secret" "$log"; then
    echo "the secret of $file is in $log" >&2
    exit 1
  fi
done
echo "none of the $count secrets of $secrets is in $log ($(wc -l < "$log") lines)"
