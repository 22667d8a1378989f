#!/usr/bin/env bash
# demo.sh: the whole clevity pipeline on the private MariaDB server: build the programs,
# generate a sample with defects and corrupted projects, migrate it, repair the
# corrupted projects with reprise, and validate the database against the files.
# Everything is written under out/demo (DEMO_OUT to change it); the database is
# clevity_demo on the private server, which is left running (the last line says how to
# stop it). Run it again: nothing new is loaded, and it says so. DEMO_SERVER, a server
# DSN ending in / (root@tcp(127.0.0.1:3306)/), uses that server instead of the private one.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
out=${DEMO_OUT:-$root/out/demo}
today=2026-11-15 # the sample is generated around this date, so every run makes the same one
mkdir -p "$out" bin
echo "== build" >&2
go build -o bin/ ./cmd/...
server=${DEMO_SERVER:-$(scripts/mariadb-local.sh start)}
dsn="${server%/}/clevity_demo"
echo "== database: ${dsn}" >&2

echo "== generate_data: a sample with defects and 60 corrupted projects in $out/sample" >&2
bin/generate_data -seed 7 -today "$today" -out "$out/sample" -clients 200 -intervenants 40 -projets 600 \
	-affectations 2400 -defects 0.04 -corrupt 60 -quiet
echo "   $(($(wc -l <"$out/sample/defects.csv") - 1)) defects injected, listed in $out/sample/defects.csv" >&2

echo "== migration of the sample (exit 1 is expected the first time: the sample holds defective rows; 0 on a rerun, as they are still rejected)" >&2
status=0
bin/migration -dsn "$dsn" -create-db -today "$today" -out "$out" "$out/sample" || status=$?
echo "   migration exit status: $status; report $out/rapport_reprise.txt, rejected rows in $out/rejets/, log $out/log.txt" >&2
[ "$status" -le 1 ] || exit "$status"
sed -n '/^Files$/,/^$/p' "$out/rapport_reprise.txt"

echo "== reprise of the sample's projets_corrompus.csv (exit 1 is expected: some rows cannot be repaired)" >&2
status=0
bin/reprise -dsn "$dsn" -today "$today" -out "$out" "$out/sample/projets_corrompus.csv" 2>"$out/reprise.stderr" || status=$?
cat "$out/reprise.stderr" >&2
[ "$status" -le 1 ] || exit "$status"
run=$(sed -n 's/^reprise: run \([^:]*\):.*/\1/p' "$out/reprise.stderr")
rm -f "$out/reprise.stderr"
echo "   this run's corrections: $(grep -c "action=corrected run=$run " "$out/log_reprise.txt" || true) (log $out/log_reprise.txt, report $out/rapport_correction.txt, quarantine $out/quarantaine_projets.csv)" >&2

echo "== validate" >&2
status=0
bin/validate -dsn "$dsn" -today "$today" -out "$out/reports" -source "$out/sample" || status=$?
echo "   validate exit status: $status; report $(ls "$out"/reports/rapport_validation_*.txt | tail -n 1)" >&2
[ "$status" -le 1 ] || exit "$status"

if [ -z "${DEMO_SERVER:-}" ]; then
	echo "== the private MariaDB server is still running (${server}); stop it, deleting its data, with: scripts/mariadb-local.sh stop" >&2
fi
