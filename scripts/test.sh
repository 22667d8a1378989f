#!/usr/bin/env bash
# test.sh: the one test command. gofmt, go vet, go mod tidy -diff (go.mod and go.sum
# must be tidy), then every test (race detector on)
# against a real MariaDB: MARIADB_TEST_DSN when set, else the private server of
# scripts/mariadb-local.sh, started here and stopped on exit if this script started it;
# with DMT_COVER=1, the coverage per package (scripts/coverage.sh); then the Galera tests
# (scripts/test-galera.sh). Extra arguments go to go test.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

stop_local=
work=$(mktemp -d "${TMPDIR:-/tmp}/dmt-test-XXXXXX")
trap 'rm -rf "$work"; if [ -n "$stop_local" ]; then scripts/mariadb-local.sh stop; fi' EXIT

unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.mariadb-local/*'))
if [ -n "$unformatted" ]; then
	echo "test.sh: gofmt would change:" >&2
	echo "$unformatted" >&2
	exit 1
fi
go vet ./...
if ! tidy=$(go mod tidy -diff 2>&1); then
	echo "test.sh: go mod tidy would change go.mod or go.sum (run: go mod tidy):" >&2
	echo "$tidy" >&2
	exit 1
fi

# The runbook's test (docs/) and export_sql run MariaDB's command-line clients
# (mariadb, mariadb-dump: Debian's mariadb-client).
if ! command -v mariadb-dump >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		echo "test.sh: installing mariadb-client (mariadb, mariadb-dump)" >&2
		apt-get install -y -q mariadb-client >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q mariadb-client >/dev/null; }
	else
		echo "test.sh: mariadb-dump is missing: sudo apt-get install mariadb-client" >&2
		exit 1
	fi
fi

if [ -z "${MARIADB_TEST_DSN:-}" ]; then
	if ! scripts/mariadb-local.sh status >/dev/null 2>&1; then
		stop_local=1
	fi
	MARIADB_TEST_DSN=$(scripts/mariadb-local.sh start)
	export MARIADB_TEST_DSN
fi
# The browser tests of cmd/rapport render pages in Debian's headless Chromium: install it
# now, once (root only). Without it they skip, except in CI, where they fail.
if ! scripts/chromium.sh >/dev/null; then
	echo "test.sh: no Chromium: the browser tests will skip (and fail under CI)" >&2
fi
echo "test.sh: MariaDB for tests at ${MARIADB_TEST_DSN%%@*}@${MARIADB_TEST_DSN#*@}" >&2

# The programs the tests run are built once, here, for every package (pkg/progtest takes
# them from DMT_TEST_BIN), with the race detector like the tests, so that it sees the
# loaders' goroutines too.
mkdir "$work/bin"
go build -race -o "$work/bin/" ./cmd/...
# cmd/migration takes about 4 minutes on a quiet machine and 8 under load, and
# go test's default of 10 minutes a package leaves it too little margin.
env -u DMT_GALERA DMT_TEST_BIN="$work/bin" go test -race -count=1 -timeout 25m "$@" ./...

# Coverage needs a second run: counters under the race detector make the programs about
# three times slower (DMT_COVER=1 runs scripts/coverage.sh).
if [ "${DMT_COVER:-}" = 1 ]; then
	scripts/coverage.sh "$@"
fi

# The Galera tests run after the parallel suite, one at a time, against a private
# 3-node cluster: when galera-4 is installed or can be (root with apt-get).
# DMT_GALERA=0 leaves them out.
if [ "${DMT_GALERA:-}" != 0 ]; then
	if [ -f /usr/lib/galera/libgalera_smm.so ] || { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; }; then
		scripts/test-galera.sh
	else
		echo "test.sh: Galera tests skipped: galera-4 is not installed (sudo apt-get install galera-4 rsync)" >&2
	fi
fi
