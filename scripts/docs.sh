#!/usr/bin/env bash
# docs.sh: regenerate the generated pages of docs/ after a change of the schema steps,
# the rules or the domains: database.md, rules.md and the diagrams' Graphviz sources
# (written by the golden tests of pkg/docgen with -update, from a database the embedded
# schema steps build), then the SVGs drawn from those sources by dot. Needs a MariaDB
# server as the tests do (MARIADB_TEST_DSN, else the private one of mariadb-local.sh)
# and Graphviz (installed from Debian's graphviz package when missing and allowed).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

if ! command -v dot >/dev/null; then
	echo "docs.sh: installing graphviz (for dot)" >&2
	if [ "$(id -u)" = 0 ]; then
		apt-get install -y -q graphviz >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q graphviz >/dev/null; }
	else
		sudo apt-get install -y -q graphviz >/dev/null
	fi
fi

if [ -z "${MARIADB_TEST_DSN:-}" ]; then
	if ! scripts/mariadb-local.sh status >/dev/null 2>&1; then
		trap 'scripts/mariadb-local.sh stop' EXIT
	fi
	MARIADB_TEST_DSN=$(scripts/mariadb-local.sh start)
	export MARIADB_TEST_DSN
fi

go test -count=1 ./pkg/docgen -run 'TestDatabaseDoc|TestRulesDoc' -update
for src in docs/database_*.dot; do
	dot -Tsvg "$src" -o "${src%.dot}.svg"
done
go test -count=1 ./pkg/docgen
echo "docs.sh: docs/database.md, docs/rules.md and docs/database_*.{dot,svg} are current" >&2
