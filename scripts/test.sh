#!/usr/bin/env bash
# test.sh: Hearth's whole test suite, on a fresh Debian machine or a
# developer's. It installs what is missing (Debian packages: PostgreSQL,
# GTK/WebKitGTK 4.1, Xvfb, xdotool, ImageMagick, chromium, gnome-keyring),
# starts a throwaway PostgreSQL on 127.0.0.1, checks formatting and vet,
# regenerates the window's Go bindings and checks they are unchanged,
# builds the frontend and runs its unit tests, builds the headless binary
# and the window, and runs every Go test with HEARTH_TEST_POSTGRES set (the
# storage suite runs on SQLite and PostgreSQL) under Xvfb in a private D-Bus
# session with an unlocked gnome-keyring (the keychain tests and the real
# window test need them), then the reference npm clients and the browser
# end-to-end tests against the binary. Under CI=true it also builds the
# .deb, installs it and checks the installed app (scripts/deb-test.sh).
# `.ci/run` calls this.
#
# Needs Go (go.mod's version) on PATH. As root it installs Debian packages;
# otherwise it expects them present. Non-interactive.
set -euo pipefail
cd "$(dirname "$0")/.."

t_start=$(date +%s)
stage_start=0
stage() { stage_start=$(date +%s); printf '\n==> %s\n' "$*"; }
stage_end() { printf '    (%ss)\n' $(( $(date +%s) - stage_start )); }

# desktop_session CMD...: runs CMD under Xvfb (a 1280x900 screen) in a
# private D-Bus session whose Secret Service is a fresh gnome-keyring,
# unlocked with a throwaway password, in throwaway XDG data and runtime
# directories (HOME is left alone: Go's and npm's caches follow it). The
# bus, the keyring and the X server end with CMD.
desktop_session() {
	local data run rc=0
	data=$(mktemp -d /tmp/hearth-session-data.XXXXXX)
	run=$(mktemp -d /tmp/hearth-session-run.XXXXXX)
	chmod 700 "$run"
	XDG_DATA_HOME=$data XDG_RUNTIME_DIR=$run \
		xvfb-run -a -s '-screen 0 1280x900x24' dbus-run-session -- sh -c '
			printf %s pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null || exit 1
			exec "$@"
		' desktop-session "$@" || rc=$?
	rm -rf "$data" "$run"
	return "$rc"
}

# Counted over every runner: Go, vitest, node --test, the .deb checks.
passed=0 failed=0 skipped=0 status=0
log=$(mktemp /tmp/hearth-test.XXXXXX.log)

# node_test_counts LOG: adds a node --test run's "# pass"/"# fail" totals.
node_test_counts() {
	local p f
	p=$(sed -n 's/^# pass //p' "$1" | tail -1)
	f=$(sed -n 's/^# fail //p' "$1" | tail -1)
	if [ -z "$p" ] && [ -z "$f" ]; then echo "no test summary in $1" >&2; failed=$((failed + 1)); status=1; return; fi
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	skipped=$((skipped + $(sed -n 's/^# skipped //p' "$1" | tail -1 | grep -E '^[0-9]+$' || echo 0)))
}

pkg_missing() { ! dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }
need_pkgs=()
command -v curl >/dev/null || need_pkgs+=(curl ca-certificates)
command -v git >/dev/null || need_pkgs+=(git)
command -v make >/dev/null || need_pkgs+=(make)
command -v gcc >/dev/null || need_pkgs+=(gcc libc6-dev)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_pkgs+=(postgresql)
command -v node >/dev/null || need_pkgs+=(nodejs)
command -v npm >/dev/null || need_pkgs+=(npm)
# The window (cgo: GTK 3 and WebKitGTK 4.1), the screen it opens on and
# the tools that find and photograph it, the browser the e2e tests drive,
# the keychain (Secret Service) with its session bus, and Debian's Rust
# with its wasm32-wasi standard library for the Rust plugin SDK
# (/usr/bin/rustc; a rustup toolchain on PATH has no wasm target).
for p in libgtk-3-dev libwebkit2gtk-4.1-dev pkg-config xvfb xauth xdotool imagemagick chromium \
	dbus-daemon gnome-keyring libsecret-tools file \
	rustc libstd-rust-dev-wasm32 lld-14; do
	pkg_missing "$p" && need_pkgs+=("$p")
done

stage "install Debian packages: ${need_pkgs[*]:-none missing}"
if [ ${#need_pkgs[@]} -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then echo "missing packages (${need_pkgs[*]}); run as root or install them" >&2; exit 1; fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${need_pkgs[@]}"
fi
command -v go >/dev/null || { echo "Go is not on PATH (need $(sed -n 's/^go //p' go.mod))" >&2; exit 1; }
go version
stage_end

stage "PostgreSQL (throwaway cluster on 127.0.0.1)"
export HEARTH_PG_DIR=${HEARTH_PG_DIR:-$(mktemp -d /tmp/hearth-pg.XXXXXX)}
HEARTH_TEST_POSTGRES=$(scripts/pg.sh start | tail -1)
export HEARTH_TEST_POSTGRES
trap 'scripts/pg.sh stop >/dev/null 2>&1 || true' EXIT
echo "HEARTH_TEST_POSTGRES=$HEARTH_TEST_POSTGRES"
stage_end

stage "npm dependencies (frontend/, the reference-client tests, the AssemblyScript plugin SDK)"
for script in build test test:e2e; do
	node -e 'process.exit(require("./frontend/package.json").scripts?.[process.argv[1]] ? 0 : 1)' "$script" ||
		{ echo "frontend/package.json has no \"$script\" script: the frontend stages cannot run" >&2; exit 1; }
done
(cd frontend && npm ci --no-audit --no-fund --loglevel=error)
(cd test/npm && npm ci --no-audit --no-fund --loglevel=error)
(cd plugins/sdk/assemblyscript && npm ci --no-audit --no-fund --loglevel=error)
stage_end

stage "gofmt and go vet"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './frontend/node_modules/*'))
if [ -n "$unformatted" ]; then echo "not gofmt-formatted:"; echo "$unformatted"; exit 1; fi
go vet ./...
# The plugin SDK and the example plugins are modules of their own.
for m in plugins/sdk/go plugins/examples; do (cd "$m" && go vet ./... && GOOS=wasip1 GOARCH=wasm go vet ./...); done
# The window's other platforms still compile (docs/desktop.md).
GOOS=windows go build ./...
GOOS=darwin go vet ./...
stage_end

stage "window bindings (make bindings: wails generate module) unchanged"
before=$(mktemp -d /tmp/hearth-wailsjs.XXXXXX)
cp -a frontend/wailsjs "$before/"
make --no-print-directory bindings >"$log.bindings" 2>&1 || { cat "$log.bindings"; exit 1; }
if ! diff -r "$before/wailsjs" frontend/wailsjs; then
	echo "frontend/wailsjs was out of date with app/: it now holds the regenerated bindings; commit them" >&2
	exit 1
fi
rm -rf "$before"
if [ "${CI:-}" = true ]; then
	git diff --exit-code -- frontend/wailsjs
	untracked=$(git status --porcelain -- frontend/wailsjs)
	if [ -n "$untracked" ]; then echo "$untracked"; echo "frontend/wailsjs: files not committed" >&2; exit 1; fi
fi
echo "frontend/wailsjs is up to date"
stage_end

stage "frontend build (npm run build)"
(cd frontend && npm run build --silent)
[ -f frontend/dist/index.html ] || { echo "npm run build wrote no frontend/dist/index.html" >&2; exit 1; }
stage_end

stage "frontend unit tests (vitest)"
set +e
(cd frontend && NO_COLOR=1 npm test --silent -- --reporter=default --reporter=json --outputFile.json="$log.vitest.json") >"$log.vitest" 2>&1
vitest_status=$?
set -e
grep -E '^\s*(✓|×|❯|Test Files|Tests)\s' "$log.vitest" || true
if [ ! -s "$log.vitest.json" ]; then
	tail -40 "$log.vitest"; echo "vitest wrote no results" >&2; failed=$((failed + 1)); status=1
else
	read -r v_pass v_fail v_skip < <(node -e '
		const r = require(process.argv[1]);
		console.log(r.numPassedTests, r.numFailedTests, r.numPendingTests + (r.numTodoTests || 0));
	' "$log.vitest.json") || true
	if [ -z "${v_skip:-}" ]; then echo "cannot read $log.vitest.json" >&2; v_pass=0 v_fail=1 v_skip=0; fi
	passed=$((passed + v_pass)); failed=$((failed + v_fail)); skipped=$((skipped + v_skip))
	echo "vitest: $v_pass passed, $v_fail failed, $v_skip skipped"
fi
if [ "$vitest_status" -ne 0 ]; then tail -60 "$log.vitest"; status=1; fi
stage_end

# -o: make takes the frontend (built above) as up to date.
stage "build bin/hearth (headless, frontend embedded) and build/bin/hearth (the window, webkit2_41)"
mkdir -p bin
make --no-print-directory -o frontend/dist/index.html -o frontend/node_modules/.package-lock.json build
make --no-print-directory -o frontend/dist/index.html -o frontend/node_modules/.package-lock.json desktop >"$log.desktop" 2>&1 ||
	{ cat "$log.desktop"; exit 1; }
grep -E '^(Built|built) ' "$log.desktop" || true
stage_end

stage "go test (SQLite and PostgreSQL; keychain and window under Xvfb with gnome-keyring)"
export HEARTH_TEST_BINARY=$PWD/bin/hearth
set +e
HEARTH_TEST_KEYRING=1 HEARTH_TEST_DESKTOP_BINARY=$PWD/build/bin/hearth \
	desktop_session go test -count=1 -timeout 20m -v ./... >"$log" 2>&1
go_status=$?
set -e
# Packages, top-level tests and their first-level subtests (the storage
# backends show up there as .../sqlite and .../postgres).
grep -E '^(ok|FAIL|---|    --- )' "$log" | grep -vE '^        ' || true
if [ "$go_status" -ne 0 ]; then
	status=1
	echo; echo "failures:"; grep -B2 -A20 -E '^\s*--- FAIL' "$log" | head -200
	grep -E '^(panic|FAIL\s.*\[build failed\]|# )' "$log" | head -40 || true
fi
if grep -qE -- '--- SKIP: .*[Pp]ostgres' "$log"; then
	echo "PostgreSQL tests were skipped: HEARTH_TEST_POSTGRES must reach a database" >&2
	status=1
fi
if ! grep -qE -- '--- PASS: TestDesktopWindow' "$log"; then
	echo "the real window test (TestDesktopWindow) did not pass" >&2
	status=1
fi
# The Go plugin SDK and the example plugins (their own modules): unit tests
# run natively against the SDK's fake host.
for m in plugins/sdk/go plugins/examples; do
	if ! (cd "$m" && go test -count=1 -v ./...) >>"$log" 2>&1; then
		echo "go test in $m failed" >&2; status=1
	fi
done
passed=$((passed + $(grep -cE '^\s*--- PASS' "$log" || true)))
failed=$((failed + $(grep -cE '^\s*--- FAIL' "$log" || true)))
skipped=$((skipped + $(grep -cE '^\s*--- SKIP' "$log" || true)))
stage_end

stage "reference npm clients (@atproto/api, @atproto/repo, @atproto/identity) against the binary"
set +e
(cd test/npm && node --test --test-concurrency=1) >"$log.npm" 2>&1
npm_status=$?
set -e
grep -E '^(ok|not ok) ' "$log.npm" || true
if [ "$npm_status" -ne 0 ]; then tail -60 "$log.npm"; status=1; fi
node_test_counts "$log.npm"
stage_end

stage "browser end-to-end (frontend/e2e: playwright-core, Debian's chromium, hearth ui)"
[ -d frontend/e2e ] || { echo "frontend/e2e is missing: no browser end-to-end tests to run" >&2; exit 1; }
set +e
(cd frontend && desktop_session npm run test:e2e --silent) >"$log.e2e" 2>&1
e2e_status=$?
set -e
grep -E '^\s*(ok|not ok) |screenshots:' "$log.e2e" || true
if [ "$e2e_status" -ne 0 ]; then tail -80 "$log.e2e"; status=1; fi
node_test_counts "$log.e2e"
stage_end

if [ "${CI:-}" = true ]; then
	stage "the .deb: build, apt-get install, run, window, remove (scripts/deb-test.sh)"
	set +e
	scripts/deb-test.sh >"$log.deb" 2>&1
	deb_status=$?
	set -e
	grep -E '^(  --|    (ok|FAIL)|deb-test:)' "$log.deb" || true
	if [ "$deb_status" -ne 0 ]; then tail -80 "$log.deb"; status=1; fi
	d=$(sed -n 's/^deb-test: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$log.deb")
	if [ -n "$d" ]; then
		passed=$((passed + ${d% *})); failed=$((failed + ${d#* }))
	else
		failed=$((failed + 1)); status=1
	fi
	stage_end
fi

[ "$failed" -eq 0 ] || status=1
printf '\nlogs: %s*\ntotal time: %ss\n' "$log" $(( $(date +%s) - t_start ))
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
