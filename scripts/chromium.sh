#!/usr/bin/env bash
# chromium.sh: print the path of a Chromium able to run headless, installing Debian's
# `chromium` package (and a font) with apt-get when it is missing and this runs as root.
# The browser tests of cmd/rapport call it; CI has only Go and apt, so there it installs.
#
#   scripts/chromium.sh        print the path (exit 0), or say why there is none (exit 2)
set -euo pipefail

find_chromium() {
	local name
	for name in chromium chromium-browser google-chrome; do
		if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return 0; fi
	done
	return 1
}

if find_chromium; then
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "chromium.sh: chromium not found; install it with: sudo apt-get install -y chromium fonts-dejavu-core" >&2
	exit 2
fi
echo "chromium.sh: installing Debian's chromium (apt-get)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2 || true
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >&2 ||
	{ echo "chromium.sh: apt-get install chromium failed" >&2; exit 2; }
find_chromium || { echo "chromium.sh: chromium installed but not found on PATH" >&2; exit 2; }
