#!/usr/bin/env bash
# Installs a ferrojit wheel into a clean virtualenv per Python interpreter given, outside the
# source tree, and runs tests/wheel/smoke.py there.
#   tests/wheel/smoke.sh dist/ferrojit-*.whl python3.11 python3.12 ...
# Interpreters that do not exist on this machine are skipped (and said so); at least one
# must run.
set -euo pipefail
wheel=$(realpath "$1")
shift
smoke=$(realpath "$(dirname "${BASH_SOURCE[0]}")/smoke.py")
ran=0
# An interpreter that runs: the name itself, else one of pyenv's versions (whose shims
# refuse versions that are not selected).
find_python() {
    if "$1" -c 'import sys' >/dev/null 2>&1; then
        echo "$1"
        return
    fi
    local candidate
    for candidate in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/*/bin/"$1"; do
        if [ -x "$candidate" ] && "$candidate" -c 'import sys' >/dev/null 2>&1; then
            echo "$candidate"
            return
        fi
    done
}
for name in "$@"; do
    python=$(find_python "$name")
    if [ -z "$python" ]; then
        echo "wheel smoke: $name not found, skipped"
        continue
    fi
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    "$python" -m venv "$work/venv"
    # Only the wheel and its dependency (NumPy); PYTHONPATH and the tree stay out of it.
    # PATH without cargo/rustc: installing the wheel needs no Rust toolchain.
    clean_env=(env -u PYTHONPATH -u VIRTUAL_ENV -u PYO3_PYTHON PATH=/usr/bin:/bin)
    "${clean_env[@]}" "$work/venv/bin/python" -m pip install -q --disable-pip-version-check "$wheel"
    cp "$smoke" "$work/smoke.py"
    (cd "$work" && "${clean_env[@]}" "$work/venv/bin/python" smoke.py)
    rm -rf "$work"
    trap - EXIT
    ran=$((ran + 1))
done
if [ "$ran" -eq 0 ]; then
    echo "wheel smoke: none of the interpreters $* exists" >&2
    exit 1
fi
