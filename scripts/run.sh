#!/usr/bin/env bash
# run.sh: build Hearth and run it. Headless (`hearth serve`) on an embedded
# SQLite database in the default data directory ($XDG_DATA_HOME/hearth);
# it prints the URL it serves. Extra arguments go to `hearth serve`
# (e.g. --dev for a local PLC directory, --listen 127.0.0.1:8080).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v go >/dev/null || { echo "Go is not on PATH (need $(sed -n 's/^go //p' go.mod))" >&2; exit 1; }
mkdir -p bin
go build -o bin/hearth .
exec bin/hearth serve "$@"
