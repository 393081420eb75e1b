# Sourced by scripts/serve and scripts/test: make .venv and install the project into it,
# exactly as pinned in requirements/ (scripts/lock writes those files from pyproject.toml).
# Re-installs only when the lock or pyproject.toml changed since the last install.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV="$ROOT/.venv"
EXTRAS=${VENV_EXTRAS:-}  # set by the caller: "" to run, "test" for the test tools
LOCK="$ROOT/requirements/${EXTRAS:+$EXTRAS-}lock.txt"
PYTHON=${PYTHON:-python3}
if [[ ! -f "$LOCK" ]]; then
  echo "No ${LOCK#"$ROOT"/}: run scripts/lock to pin the '${EXTRAS:-runtime}' dependencies." >&2
  exit 1
fi
if [[ ! -x "$VENV/bin/python" ]]; then
  "$PYTHON" -m venv "$VENV"
fi
stamp="$VENV/.installed${EXTRAS:+-$EXTRAS}"
want=$(cat "$ROOT/pyproject.toml" "$LOCK" | sha256sum | cut -d' ' -f1)
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  # Every pin carries its hashes, so pip refuses anything but the files that were locked.
  "$VENV/bin/python" -m pip install --quiet --require-hashes -r "$LOCK"
  # The forum itself: its dependencies are all in the lock already.
  "$VENV/bin/python" -m pip install --quiet --no-deps -e "$ROOT"
  echo "$want" > "$stamp"
fi
