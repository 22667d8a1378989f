#!/usr/bin/env bash
# coverage.sh: the statement coverage of every package, the programs' runs included.
# It builds the programs of cmd/ once with -cover, runs every test with -cover (without
# the race detector: test.sh runs that), each program a test starts writing its
# counters beside the tests' own (pkg/progtest sets GOCOVERDIR), and prints
# `go tool covdata percent` of the whole. The test server: MARIADB_TEST_DSN, else the
# private one of scripts/mariadb-local.sh (started by the tests). scripts/test.sh runs it
# when DMT_COVER=1; extra arguments go to go test. DMT_COVERDIR keeps the raw counters
# there (go tool covdata textfmt -i DIR -o cover.out, then go tool cover -html).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

work=$(mktemp -d "${TMPDIR:-/tmp}/dmt-cover-XXXXXX")
trap 'rm -rf "$work"' EXIT
cover=${DMT_COVERDIR:-$work/cover}
mkdir -p "$work/bin" "$cover"
cover=$(cd "$cover" && pwd)

go build -cover -covermode=set -o "$work/bin/" ./cmd/...
status=0
env -u DMT_GALERA DMT_TEST_BIN="$work/bin" go test -count=1 -cover -covermode=set -coverpkg=dmt/... \
	"$@" ./... -args -test.gocoverdir="$cover" >"$work/test.log" 2>&1 || status=$?
if [ "$status" != 0 ]; then
	grep -v '^ok ' "$work/test.log" >&2
	echo "coverage.sh: the tests failed; the figures below miss what the failed tests did not run" >&2
fi
echo "coverage.sh: statement coverage per package, tests and programs' runs together:"
go tool covdata percent -i "$cover" | sed 's/^[[:space:]]*//' | sort
exit "$status"
