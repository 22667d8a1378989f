#!/usr/bin/env bash
# test-galera.sh: the Galera tests (every test named TestGalera...), one package at a
# time, against the private 3-node cluster of scripts/galera-local.sh, started here
# (installing galera-4 and rsync when missing and allowed) and stopped on exit if this
# script started it. Their single-server reference runs use MARIADB_TEST_DSN, or the
# private server of scripts/mariadb-local.sh, as test.sh does. scripts/test.sh runs it
# after the parallel suite. The dataset has DMT_GALERA_PROJETS projets (100000: 200,000
# affectations); extra arguments go to go test.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

cleanup=()
trap 'for c in "${cleanup[@]}"; do $c || true; done' EXIT
if ! scripts/galera-local.sh status >/dev/null 2>&1 && [ ! -d .galera-local ]; then
	cleanup+=("scripts/galera-local.sh stop")
fi
echo "test-galera.sh: starting the 3-node cluster (scripts/galera-local.sh)" >&2
scripts/galera-local.sh start >/dev/null
if [ -z "${MARIADB_TEST_DSN:-}" ]; then
	if ! scripts/mariadb-local.sh status >/dev/null 2>&1; then
		cleanup+=("scripts/mariadb-local.sh stop")
	fi
	MARIADB_TEST_DSN=$(scripts/mariadb-local.sh start)
	export MARIADB_TEST_DSN
fi
# Three servers and the programs share the machine's cores: generous timeouts, yet
# well inside CI's 90 minutes (the whole phase takes about 7 on a quiet machine). A
# program a test starts is stopped after 15 minutes, its goroutines printed
# (DMT_TEST_PROG_TIMEOUT). On a failure, what each node was doing, for the diagnosis.
export DMT_TEST_PROG_TIMEOUT=${DMT_TEST_PROG_TIMEOUT:-15m}
if ! DMT_GALERA=1 go test -count=1 -p 1 -timeout 30m -run Galera "$@" ./...; then
	scripts/galera-local.sh status >&2 || true
	for log in .galera-local/node*/mariadbd.log; do
		[ -f "$log" ] && { echo "== the end of $log" >&2; tail -n 40 "$log" >&2; }
	done
	exit 1
fi
