#!/usr/bin/env bash
# demo.sh: the whole clevity pipeline on the private MariaDB server: build the programs,
# regenerate a sample with generate_data, migrate the provided data_1/ and show the report.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
out=${DEMO_OUT:-$root/demo-out}
mkdir -p "$out" bin
echo "== build" >&2
go build -o bin/ ./cmd/...
server=$(scripts/mariadb-local.sh start)
dsn="${server%/}/clevity_demo"
echo "== database: ${dsn}" >&2

echo "== generate_data: a fresh sample with defects in $out/sample" >&2
bin/generate_data -seed 7 -out "$out/sample" -clients 200 -intervenants 40 -projets 600 -affectations 2400 -defects 0.04 >&2

echo "== migration of data_1/ (exit 1 is expected: data_1 holds defective rows; 0 on a rerun, as they are still rejected)" >&2
set +e
bin/migration -dsn "$dsn" -create-db -out "$out" data_1
status=$?
set -e
echo "migration exit status: $status" >&2
cat "$out/rapport_reprise.txt"
echo
echo "Rejected rows: $out/rejets/   Log: $out/log.txt" >&2
[ "$status" -le 1 ] || exit "$status"

echo "== reprise of data_1/projets_corrompus.csv (exit 1 is expected: some rows cannot be repaired)" >&2
bin/reprise -dsn "$dsn" -out "$out" data_1/projets_corrompus.csv || [ $? -eq 1 ]
echo "   corrections: $(grep -c 'action=corrected' "$out/log_reprise.txt") lines in $out/log_reprise.txt; quarantine: $out/quarantaine_projets.csv" >&2

echo "== validate" >&2
bin/validate -dsn "$dsn" -out "$out" -source data_1 || [ $? -eq 1 ]
echo "Reports: $(ls "$out"/rapport_validation_*.txt | tail -1)" >&2
