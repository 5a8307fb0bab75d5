#!/bin/sh
# keyring-test.sh: runs the backend/keys tests against a real Secret
# Service: a private D-Bus session bus (dbus-run-session) with a fresh
# gnome-keyring, unlocked with a throwaway password, in throwaway data and
# runtime directories (HOME is left alone: Go's caches follow it). Arguments
# are passed to `go test`, e.g. scripts/keyring-test.sh -count=1 -v.
#
# HEARTH_TEST_KEYRING=1 makes the Secret Service tests fail rather than skip
# when the keychain does not work. Needs dbus-daemon, gnome-keyring and
# libsecret-tools (apt-get install -y --no-install-recommends dbus-daemon
# gnome-keyring libsecret-tools).
set -eu
cd "$(dirname "$0")/.."

for tool in dbus-run-session gnome-keyring-daemon secret-tool; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "keyring-test.sh: $tool is missing; install: apt-get install -y --no-install-recommends dbus-daemon gnome-keyring libsecret-tools" >&2
		exit 1
	fi
done

data=$(mktemp -d /tmp/hearth-keyring-data.XXXXXX)
run=$(mktemp -d /tmp/hearth-keyring-run.XXXXXX)
trap 'rm -rf "$data" "$run"' EXIT INT TERM

# Inside the session: start the keyring's Secret Service, unlocked (the
# login keyring is created with password "pw"), then the tests. The bus and
# the keyring daemon end with the session.
XDG_DATA_HOME=$data XDG_RUNTIME_DIR=$run dbus-run-session -- sh -c '
	printf %s pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null
	HEARTH_TEST_KEYRING=1 exec go test "$@" ./backend/keys/...
' keyring-test "$@"
