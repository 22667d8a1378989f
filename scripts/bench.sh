#!/usr/bin/env bash
# bench.sh: the speed and memory figures of the toolkit, on the private MariaDB server.
# Generates 1,000,000 affectations with their parents (4 % defects), migrates them into
# a fresh database, and prints time, throughput and peak memory of each step; then runs
# the Go benchmarks. The private server is stopped at the end when this script started
# it (stopping deletes its data).
#
#   scripts/bench.sh [-affectations N] [-cluster]
#
# -affectations N sets the size (default: BENCH_AFFECTATIONS, else 1000000).
# -cluster runs the Galera case instead: the same generated rows migrated into the
# private server (a single node) and through the 3-node cluster of
# scripts/galera-local.sh (started here, stopped at the end when this script started
# it), and the mariadb client's LOAD DATA LOCAL INFILE of the same rows into the
# cluster; one line per case: time, rows per second, and speed relative to the
# client's LOAD DATA on the cluster (target for the cluster's migration: 0.9 or better).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
n=${BENCH_AFFECTATIONS:-1000000}
cluster=0
while [ $# -gt 0 ]; do
	case $1 in
	-affectations | --affectations)
		[ $# -ge 2 ] && [[ $2 =~ ^[0-9]+$ ]] && [ "$2" -ge 80 ] || { echo "bench.sh: -affectations wants a number of at least 80" >&2; exit 2; }
		n=$2
		shift 2 ;;
	-cluster | --cluster) cluster=1; shift ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "bench.sh: unknown argument $1 (usage: scripts/bench.sh [-affectations N] [-cluster])" >&2; exit 2 ;;
	esac
done
work=$(mktemp -d)
started=0
scripts/mariadb-local.sh status >/dev/null 2>&1 || started=1
galera_started=0
if [ "$cluster" = 1 ] && ! scripts/galera-local.sh status >/dev/null 2>&1; then
	galera_started=1
fi
cleanup() {
	rm -rf "$work"
	if [ "$started" = 1 ]; then
		scripts/mariadb-local.sh stop
	fi
	if [ "$galera_started" = 1 ]; then
		scripts/galera-local.sh stop
	fi
}
trap cleanup EXIT
go build -o "$work/bin/" ./cmd/...
server=$(scripts/mariadb-local.sh start)
db="bench_$(date +%s)"
dsn="${server%/}/$db"

measure() { # label, command...: prints elapsed seconds and peak RSS
	local label=$1
	shift
	/usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/out" 2>"$work/err" || {
		status=$?
		[ "$status" -le 1 ] || { cat "$work/err" >&2; exit "$status"; }
	}
	read -r secs kb < <(tail -n 1 "$work/time") # time adds a first line when the exit status is not 0
	printf '%-34s %8.2f s  %8d MB peak\n' "$label" "$secs" $((kb / 1024)) | tee -a "$work/summary"
}

echo "== $n affectations, $((n / 4)) projets, $((n / 16)) clients, $((n / 80)) intervenants, 4 % defects"
measure "generate_data" "$work/bin/generate_data" -seed 1 -today 2026-11-15 -clients $((n / 16)) \
	-intervenants $((n / 80)) -projets $((n / 4)) -affectations "$n" -defects 0.04 -out "$work/data"
rows=$(cat "$work"/data/{clients,intervenants,projets,affectations}.csv | wc -l)
bytes=$(cat "$work"/data/{clients,intervenants,projets,affectations}.csv | wc -c)
echo "   $((rows - 4)) rows, $((bytes / 1024 / 1024)) MB of CSV"
client=$(command -v mariadb || command -v mysql)
sql() { "$client" --no-defaults --socket="$root/.mariadb-local/mysqld.sock" -uroot --local-infile=1 "$@"; }
tables="clients intervenants projets projet_sites affectations"

if [ "$cluster" = 1 ]; then
	rows=$((rows - 4))
	gdsn=$(scripts/galera-local.sh start)
	node1=$(scripts/galera-local.sh dsn 1)
	port1=${node1##*:}
	port1=${port1%%)*}
	gsql() { "$client" --no-defaults --protocol=tcp -h127.0.0.1 -P"$port1" -uroot --local-infile=1 "$@"; }
	measure "migration, single node" "$work/bin/migration" -dsn "$dsn" -create-db -today 2026-11-15 -out "$work/m1" "$work/data" >/dev/null
	measure "migration, 3-node cluster" "$work/bin/migration" -dsn "${gdsn%/}/$db" -create-db -today 2026-11-15 -out "$work/g1" "$work/data" >/dev/null
	# The yardstick: the clean rows migration loaded (exported from the single node),
	# loaded by the mariadb client into the same schema on the cluster, through node 1.
	for t in $tables; do
		sql "$db" -e "SELECT * FROM \`$t\` INTO OUTFILE '$work/$t.tsv'"
	done
	gsql -e "CREATE DATABASE \`${db}_ld\` CHARACTER SET utf8mb4"
	gsql "${db}_ld" <schema.sql
	load=""
	for t in $tables; do
		load="$load LOAD DATA LOCAL INFILE '$work/$t.tsv' INTO TABLE \`$t\`;"
	done
	measure "mariadb LOAD DATA, 3-node cluster" "$client" --no-defaults --protocol=tcp -h127.0.0.1 -P"$port1" \
		-uroot --local-infile=1 "${db}_ld" -e "$load" >/dev/null
	secs() { awk -v l="$1" 'index($0, l) == 1 { print $(NF-4) }' "$work/summary"; }
	ld=$(secs "mariadb LOAD DATA, 3-node cluster")
	echo "== $n affectations: $rows rows; speed relative to the mariadb client's LOAD DATA on the cluster"
	for label in "migration, single node" "migration, 3-node cluster" "mariadb LOAD DATA, 3-node cluster"; do
		awk -v label="$label" -v s="$(secs "$label")" -v r="$rows" -v l="$ld" \
			'BEGIN { printf "%-34s %8.2f s  %9.0f rows/s  ratio %5.2f\n", label, s, r / s, l / s }'
	done
	awk -v c="$(secs "migration, 3-node cluster")" -v s="$(secs "migration, single node")" \
		'BEGIN { printf "cluster / single node time         %8.2f\n", c / s }'
	sql -e "DROP DATABASE \`$db\`"
	gsql -e "DROP DATABASE \`$db\`; DROP DATABASE \`${db}_ld\`"
	exit 0
fi
measure "migration (empty database)" "$work/bin/migration" -dsn "$dsn" -create-db -today 2026-11-15 -out "$work/m1" "$work/data"
# The throughput line and the Total block of the report, whole.
awk '/^throughput:/ { print } /^Total$/ { total = 1; next } total && /^$/ { exit } total { print }' \
	"$work/m1/rapport_reprise.txt" | sed 's/^/   /'
measure "migration again (all loaded)" "$work/bin/migration" -dsn "$dsn" -today 2026-11-15 -out "$work/m2" "$work/data"
measure "migration -dry-run" "$work/bin/migration" -dsn "$dsn" -dry-run -today 2026-11-15 -out "$work/m3" "$work/data"
# validate on the database holding the n affectations just loaded (and their parents);
# then the time of its checks per table (two run at once, so they add up to more than
# its time), and one full scan of every table for scale (target: validate within 3 s
# at 1,000,000 affectations).
measure "validate ($n affectations)" "$work/bin/validate" -dsn "$dsn" -today 2026-11-15 -out "$work/v" -quiet -json "$work/v.json"
awk '/"time_by_table"/ { on = 1 } on && /^  \]/ { exit } on && /"table"/ { gsub(/[",]/, ""); t = $2 }
	on && /"seconds"/ { printf "   %-31s %8.2f s\n", t, $2 }' "$work/v.json"
scan=""
for t in $tables; do
	scan="$scan SELECT SUM(CHAR_LENGTH(source_file)) FROM \`$t\`;"
done
measure "one scan of every table" "$client" --no-defaults --socket="$root/.mariadb-local/mysqld.sock" -uroot "$db" -e "$scan"

# The yardstick: the mariadb client's LOAD DATA LOCAL INFILE of the same rows, already
# clean and canonical (exported from what migration loaded), into the same schema.
for t in $tables; do
	sql "$db" -e "SELECT * FROM \`$t\` INTO OUTFILE '$work/$t.tsv'"
done
sql -e "CREATE DATABASE \`${db}_ld\` CHARACTER SET utf8mb4"
cat schema_journal.sql schema.sql | sql "${db}_ld"
load=""
for t in $tables; do
	load="$load LOAD DATA LOCAL INFILE '$work/$t.tsv' INTO TABLE \`$t\`;"
done
measure "mariadb LOAD DATA of the clean rows" "$client" --no-defaults --socket="$root/.mariadb-local/mysqld.sock" \
	-uroot --local-infile=1 "${db}_ld" -e "$load"
mig_s=$(awk '/^migration \(empty database\)/ {print $4}' "$work/summary")
ld_s=$(awk '/^mariadb LOAD DATA/ {print $(NF-4)}' "$work/summary")
awk -v m="$mig_s" -v l="$ld_s" 'BEGIN { printf "migration speed / LOAD DATA speed  %8.2f   (target 0.8 or better)\n", l / m }'
sql -e "DROP DATABASE \`$db\`; DROP DATABASE \`${db}_ld\`"

echo "== Go benchmarks"
go test -run '^$' -bench . -benchmem ./pkg/csvfile ./pkg/generate ./pkg/check 2>/dev/null | grep -E '^(Benchmark|ok)'
