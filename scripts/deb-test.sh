#!/usr/bin/env bash
# deb-test.sh [hearth_VERSION_amd64.deb]: checks the Debian package as a
# person gets it. Builds it (make package-linux) unless one is given,
# installs it with apt-get (which pulls GTK and WebKitGTK), then checks the
# installed /usr/bin/hearth: `hearth version` runs, `hearth serve` in a
# throwaway data directory answers /xrpc/_health, and the installed app's
# window opens under Xvfb, is found by xdotool, shows its page and quits
# cleanly when closed (TestDesktopWindow in internal/e2e, pointed at
# /usr/bin/hearth, in a private D-Bus session with an unlocked
# gnome-keyring). Then it removes the package again.
#
# Needs root (apt-get) and what scripts/test.sh installs. scripts/test.sh
# runs it when CI=true; it ends with a line "deb-test: N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then echo "deb-test.sh: needs root (apt-get install ./hearth_*.deb)" >&2; exit 1; fi
for tool in make dpkg-deb xvfb-run xdotool import dbus-run-session gnome-keyring-daemon curl; do
	command -v "$tool" >/dev/null || { echo "deb-test.sh: $tool is missing (scripts/test.sh installs it)" >&2; exit 1; }
done
export DEBIAN_FRONTEND=noninteractive

passed=0 failed=0
pass() { passed=$((passed + 1)); echo "    ok   $*"; }
fail() { failed=$((failed + 1)); echo "    FAIL $*"; }
t0=$(date +%s)
step() { printf '  -- %s (%ss)\n' "$*" $(( $(date +%s) - t0 )); }

if [ $# -ge 1 ]; then
	deb=$1
else
	step "make package-linux"
	make --no-print-directory package-linux
	deb=$(ls -t dist/hearth_*_amd64.deb | head -1)
fi
[ -f "$deb" ] || { echo "deb-test.sh: no package $deb" >&2; exit 1; }
case $deb in /*) ;; *) deb=./$deb ;; esac
dpkg-deb --info "$deb" | grep -E '^ (Package|Version|Architecture|Depends):'

if dpkg-query -W -f='${Status}' hearth 2>/dev/null | grep -q 'ok installed'; then
	echo "deb-test.sh: a hearth package is installed already ($(dpkg-query -W -f='${Version}' hearth)); it will be replaced and removed" >&2
fi
work=$(mktemp -d /tmp/hearth-deb-test.XXXXXX)
serve_pid=
cleanup() {
	[ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null || true
	apt-get remove -y -q hearth >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

step "apt-get install $deb"
if apt-get install -y -q "$deb" >"$work/apt.log" 2>&1; then
	pass "apt-get install $(basename "$deb")"
else
	cat "$work/apt.log"; fail "apt-get install $(basename "$deb")"
	echo "deb-test: $passed passed, $failed failed"; exit 1
fi
for f in /usr/bin/hearth /usr/share/applications/hearth.desktop /usr/share/icons/hicolor/256x256/apps/hearth.png; do
	if [ -f "$f" ]; then pass "installed $f"; else fail "missing $f"; fi
done

step "hearth version"
if out=$(/usr/bin/hearth version 2>&1); then pass "hearth version: $out"; else fail "hearth version: $out"; fi

step "hearth serve"
mkdir -p "$work/data"
/usr/bin/hearth serve --data-dir "$work/data" --listen 127.0.0.1:0 >"$work/serve.log" 2>&1 &
serve_pid=$!
url=
for _ in $(seq 1 150); do
	addr=$(sed -n 's/.*msg=serving addr=\([0-9.:]*\).*/\1/p' "$work/serve.log" | head -1)
	if [ -n "$addr" ] && curl -fsS "http://$addr/xrpc/_health" >"$work/health.json" 2>/dev/null; then url=http://$addr; break; fi
	kill -0 "$serve_pid" 2>/dev/null || break
	sleep 0.2
done
if [ -n "$url" ]; then pass "hearth serve answers $url/xrpc/_health: $(cat "$work/health.json")"; else cat "$work/serve.log"; fail "hearth serve did not answer /xrpc/_health"; fi
kill -TERM "$serve_pid" 2>/dev/null || true
if wait "$serve_pid"; then pass "hearth serve stopped on SIGTERM with status 0"; else fail "hearth serve exited with status $? on SIGTERM"; fi
serve_pid=

step "the installed app's window (Xvfb, D-Bus session, unlocked gnome-keyring)"
mkdir -p "$work/xdg-data" "$work/xdg-run"
chmod 700 "$work/xdg-run"
set +e
XDG_DATA_HOME=$work/xdg-data XDG_RUNTIME_DIR=$work/xdg-run \
	HEARTH_TEST_DESKTOP_BINARY=/usr/bin/hearth HEARTH_TEST_BINARY=/usr/bin/hearth \
	xvfb-run -a -s '-screen 0 1280x900x24' dbus-run-session -- sh -c '
		printf %s pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null
		exec go test -count=1 -timeout 5m -v -run "^TestDesktopWindow$" ./internal/e2e/
	' >"$work/window.log" 2>&1
status=$?
set -e
grep -E '^\s*(---|window_test.go)|^(ok|FAIL)' "$work/window.log" || true
if [ "$status" -eq 0 ] && grep -q -- '--- PASS: TestDesktopWindow' "$work/window.log"; then
	pass "the installed window opened, showed its page and quit cleanly"
else
	grep -vE 'Failed to set fd limit' "$work/window.log" | tail -60
	fail "the installed window (TestDesktopWindow against /usr/bin/hearth)"
fi

step "apt-get remove hearth"
if apt-get remove -y -q hearth >"$work/apt.log" 2>&1 && [ ! -e /usr/bin/hearth ]; then
	pass "apt-get remove hearth"
else
	cat "$work/apt.log"; fail "apt-get remove hearth"
fi

step "done"
echo "deb-test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
