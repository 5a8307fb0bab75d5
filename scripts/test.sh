#!/usr/bin/env bash
# test.sh: Hearth's whole test suite, on a fresh Debian machine or a
# developer's. It installs what is missing (Debian packages, PostgreSQL),
# starts a throwaway PostgreSQL on 127.0.0.1, checks formatting and vet,
# builds the binary, and runs every Go test with HEARTH_TEST_POSTGRES set, so
# the storage suite runs on SQLite and PostgreSQL. `.ci/run` calls this.
#
# Needs Go (go.mod's version) on PATH. As root it installs Debian packages;
# otherwise it expects them present.
set -euo pipefail
cd "$(dirname "$0")/.."

stage_start=0
stage() { stage_start=$(date +%s); printf '\n==> %s\n' "$*"; }
stage_end() { printf '    (%ss)\n' $(( $(date +%s) - stage_start )); }

need_pkgs=()
command -v curl >/dev/null || need_pkgs+=(curl ca-certificates)
command -v git >/dev/null || need_pkgs+=(git)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_pkgs+=(postgresql)
command -v node >/dev/null || need_pkgs+=(nodejs)
command -v npm >/dev/null || need_pkgs+=(npm)

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

stage "npm dependencies of the reference-client tests"
(cd test/npm && npm ci --no-audit --no-fund --loglevel=error)
stage_end

stage "gofmt and go vet"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './frontend/node_modules/*'))
if [ -n "$unformatted" ]; then echo "not gofmt-formatted:"; echo "$unformatted"; exit 1; fi
go vet ./...
stage_end

stage "build"
mkdir -p bin
go build -o bin/hearth .
stage_end

stage "go test (SQLite and PostgreSQL)"
export HEARTH_TEST_BINARY=$PWD/bin/hearth
log=$(mktemp /tmp/hearth-test.XXXXXX.log)
set +e
go test -count=1 -timeout 20m -v ./... >"$log" 2>&1
status=$?
set -e
# Packages, top-level tests and their first-level subtests (the storage
# backends show up there as .../sqlite and .../postgres).
grep -E '^(ok|FAIL|---|    --- )' "$log" | grep -vE '^        ' || true
if [ "$status" -ne 0 ]; then
	echo; echo "failures:"; grep -B2 -A20 -E '^\s*--- FAIL' "$log" | head -200
fi
if grep -qE -- '--- SKIP: .*[Pp]ostgres' "$log"; then
	echo "PostgreSQL tests were skipped: HEARTH_TEST_POSTGRES must reach a database" >&2
	status=1
fi
passed=$(grep -cE '^\s*--- PASS' "$log" || true)
failed=$(grep -cE '^\s*--- FAIL' "$log" || true)
skipped=$(grep -cE '^\s*--- SKIP' "$log" || true)
stage_end

stage "reference npm clients (@atproto/api, @atproto/repo, @atproto/identity) against the binary"
set +e
(cd test/npm && node --test --test-concurrency=1) >"$log.npm" 2>&1
npm_status=$?
set -e
grep -E '^(ok|not ok) ' "$log.npm" || true
if [ "$npm_status" -ne 0 ]; then tail -60 "$log.npm"; status=1; fi
npm_pass=$(sed -n 's/^# pass //p' "$log.npm" | head -1)
npm_fail=$(sed -n 's/^# fail //p' "$log.npm" | head -1)
passed=$((passed + ${npm_pass:-0}))
failed=$((failed + ${npm_fail:-0}))
stage_end

echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
