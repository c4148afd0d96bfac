#!/usr/bin/env bash
# Builds the canister Wasm from two clean clones of HEAD in different directories and checks
# that both builds are byte-identical: the project passes the test it asks of IC-OS.
set -euo pipefail
repo="$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
declare -a hashes=()
for dir in "$work/a" "$work/deeper/b"; do
  git clone -q "$repo" "$dir"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null && npm run build --silent >/dev/null 2>&1)
  hashes+=("$(sha256sum "$dir/.azle/attestations/attestations.wasm" | cut -d' ' -f1)")
done
echo "clone 1: ${hashes[0]}"
echo "clone 2: ${hashes[1]}"
if [ "${hashes[0]}" != "${hashes[1]}" ]; then
  echo "canister build is NOT reproducible" >&2
  exit 1
fi
echo "canister build is reproducible: sha256 ${hashes[0]}"
