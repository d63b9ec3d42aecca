#!/usr/bin/env bash
# Creates target/lifetimes-venv from requirements-lifetimes.txt if it is missing or
# stale, then prints the path of its python. Progress goes to stderr.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
req="$here/requirements-lifetimes.txt"
venv="${LIFETIMES_VENV:-$root/target/lifetimes-venv}"
python="$venv/bin/python"
stamp="$venv/.requirements"

if [[ -x "$python" && -f "$stamp" ]] && cmp -s "$req" "$stamp"; then
    echo "$python"
    exit 0
fi

command -v python3 >/dev/null || { echo "lifetimes-venv: python3 not found" >&2; exit 1; }
echo "lifetimes-venv: creating $venv" >&2
rm -rf "$venv"
python3 -m venv "$venv"
"$python" -m pip install --quiet --disable-pip-version-check --no-input \
    --only-binary=:all: -r "$req" >&2
"$python" -c 'import lifetimes, numpy, scipy, pandas, autograd, dill' >&2
cp "$req" "$stamp"
echo "$python"
