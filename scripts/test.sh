#!/usr/bin/env bash
# Sets up (packages, build with warnings as errors) and runs the whole test suite:
# unit tests, command-line tests against sox/libebur128, and the integration tests
# (JACK dummy server, the window under Xvfb).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="$here/build-test"
"$here/scripts/setup.sh" "$build" -DHEADROOM_WERROR=ON -DHEADROOM_BUILD_TESTS=ON
cd "$build"
ctest --output-on-failure --timeout 600 -j "$(nproc)"
