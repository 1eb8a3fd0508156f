#!/usr/bin/env bash
# Sets up (packages, build) and starts the meter bridge. Arguments go to headroom, e.g.
#   ./scripts/run.sh --demo        ./scripts/run.sh --host-api jack
# With no input device on the machine, headroom shows its built-in demo studio.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$here/scripts/setup.sh" "$here/build"
exec "$here/build/app/headroom" "$@"
