#!/usr/bin/env bash
# run.sh: build Hearth and run it.
#
# With a display (DISPLAY or WAYLAND_DISPLAY set) it opens the desktop
# window: it builds the frontend and the window (make desktop: Wails with
# WebKitGTK 4.1, into build/bin/hearth) and runs it; the PDS then runs on
# 127.0.0.1:2583 with SQLite in the per-user data directory
# ($XDG_DATA_HOME/hearth, ~/.local/share/hearth). As root it first installs
# the Debian packages the window build needs, if missing (GTK/WebKit
# headers, pkg-config, gcc, make, node and npm). Extra arguments go to the
# window (--data-dir DIR, --dev).
#
# Without a display, or with HEARTH_HEADLESS=1, it runs the headless PDS
# (`hearth serve`) on the same data directory and prints the URL it
# serves; extra arguments go to `hearth serve` (e.g. --dev for a local PLC
# directory, --listen 127.0.0.1:8080).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v go >/dev/null || { echo "Go is not on PATH (need $(sed -n 's/^go //p' go.mod))" >&2; exit 1; }

if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] || [ "${HEARTH_HEADLESS:-}" = 1 ]; then
	mkdir -p bin
	go build -o bin/hearth .
	exec bin/hearth serve "$@"
fi

need_pkgs=()
command -v make >/dev/null || need_pkgs+=(make)
command -v gcc >/dev/null || need_pkgs+=(gcc libc6-dev)
command -v node >/dev/null || need_pkgs+=(nodejs)
command -v npm >/dev/null || need_pkgs+=(npm)
for p in libgtk-3-dev libwebkit2gtk-4.1-dev pkg-config; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || need_pkgs+=("$p")
done
if [ ${#need_pkgs[@]} -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "the window build needs: ${need_pkgs[*]} (apt-get install --no-install-recommends ${need_pkgs[*]}), or run headless: HEARTH_HEADLESS=1 $0" >&2
		exit 1
	fi
	echo "installing ${need_pkgs[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${need_pkgs[@]}"
fi

# make rebuilds the frontend when its sources or package-lock.json changed.
make --no-print-directory desktop >&2
exec build/bin/hearth "$@"
