#!/usr/bin/env bash
# pg.sh: a throwaway PostgreSQL cluster for Hearth's tests and benchmarks.
#
#   scripts/pg.sh start   start (or reuse) the cluster, create database
#                         hearth_test, print its URL as the last stdout line
#   scripts/pg.sh stop    stop the cluster (its data stays on disk)
#   scripts/pg.sh url     print the URL
#   scripts/pg.sh status  exit 0 if the cluster is running
#
# Typical use:
#   export HEARTH_TEST_POSTGRES=$(scripts/pg.sh start | tail -1)
#
# Environment:
#   HEARTH_PG_PORT  TCP port on 127.0.0.1 (default 55432)
#   HEARTH_PG_DIR   cluster directory: data, socket and log (default /tmp/hearth-pg)
#
# The cluster uses Debian's PostgreSQL package (installed with apt-get when no
# /usr/lib/postgresql/*/bin/initdb exists; the newest installed major version
# is used). PostgreSQL refuses to run as root, so as root the server runs as
# the package's `postgres` user. Authentication is `trust` and the server only
# listens on 127.0.0.1: this is a test database, never a production one.
# Diagnostics go to stderr; stdout carries only the URL.
set -euo pipefail

PORT=${HEARTH_PG_PORT:-55432}
DIR=${HEARTH_PG_DIR:-/tmp/hearth-pg}
DB=hearth_test
ROLE=hearth
URL="postgres://${ROLE}@127.0.0.1:${PORT}/${DB}?sslmode=disable"

log() { printf 'pg.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# pg_bindir prints the bin directory of the newest installed PostgreSQL.
pg_bindir() {
	local initdb
	initdb=$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)
	[ -n "$initdb" ] && dirname "$initdb"
}

install_postgres() {
	[ "$(id -u)" -eq 0 ] || die "PostgreSQL is not installed and installing it needs root (apt-get install postgresql)"
	log "installing PostgreSQL with apt-get"
	export DEBIAN_FRONTEND=noninteractive
	if ! apt-get install -y -q --no-install-recommends postgresql >&2; then
		apt-get update -q >&2
		apt-get install -y -q --no-install-recommends postgresql >&2
	fi
}

# as_owner runs a command as the cluster's owner: `postgres` when we are root,
# ourselves otherwise.
as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

running() {
	local bin=$1
	[ -f "$DIR/data/PG_VERSION" ] && as_owner "$bin/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1
}

init_cluster() {
	local bin=$1
	mkdir -p "$DIR"
	[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$DIR"
	chmod 0700 "$DIR"
	if [ ! -f "$DIR/data/PG_VERSION" ]; then
		log "creating cluster in $DIR/data ($("$bin/postgres" --version))"
		as_owner "$bin/initdb" -D "$DIR/data" -A trust -U "$ROLE" -E UTF8 --locale=C.UTF-8 >&2 \
			|| die "initdb failed (is $DIR reachable by the postgres user?)"
	fi
}

start_server() {
	local bin=$1
	log "starting PostgreSQL on 127.0.0.1:$PORT"
	as_owner "$bin/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w -t 60 \
		-o "-h 127.0.0.1 -p $PORT -k $DIR -c max_connections=300" start >&2 9>&- \
		|| { tail -n 20 "$DIR/log" >&2 || true; die "pg_ctl start failed"; }
}

create_db() {
	local bin=$1 exists
	exists=$("$bin/psql" -h 127.0.0.1 -p "$PORT" -U "$ROLE" -d postgres -XtAq \
		-c "SELECT 1 FROM pg_database WHERE datname = '$DB'")
	if [ "$exists" != 1 ]; then
		"$bin/psql" -h 127.0.0.1 -p "$PORT" -U "$ROLE" -d postgres -Xq -c "CREATE DATABASE $DB" >&2
	fi
}

start() {
	local bin
	bin=$(pg_bindir) || { install_postgres; bin=$(pg_bindir); } || die "no initdb after installing postgresql"
	mkdir -p "$(dirname "$DIR")"
	# Serialize concurrent starts (parallel CI jobs) on one lock file. The
	# server must not inherit the descriptor, or it would hold the lock.
	exec 9>"$DIR.lock"
	flock 9
	init_cluster "$bin"
	running "$bin" || start_server "$bin"
	create_db "$bin"
	echo "$URL"
}

stop() {
	local bin
	bin=$(pg_bindir) || { log "PostgreSQL is not installed"; return 0; }
	if running "$bin"; then
		as_owner "$bin/pg_ctl" -D "$DIR/data" -m fast -w stop >&2
	else
		log "not running"
	fi
}

case "${1:-}" in
start) start ;;
stop) stop ;;
url) echo "$URL" ;;
status) bin=$(pg_bindir) && running "$bin" ;;
*) die "usage: $0 start|stop|url|status" ;;
esac
