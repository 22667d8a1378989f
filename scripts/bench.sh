#!/usr/bin/env bash
# bench.sh: the speed and memory figures of the toolkit, on the private MariaDB server
# (scripts/mariadb-local.sh; stopped at the end when this script started it, which
# deletes its data). One line per case: the case, the rows it reads, its time, rows per
# second, its speed relative to the mariadb client's LOAD DATA LOCAL INFILE of the same
# clean rows into the same schema (measured side by side in the same run, where that
# applies), and the peak resident memory of the program (GNU time's %M; Debian's
# `time` package is installed when missing and possible, else /proc is polled).
#
#   scripts/bench.sh [-affectations N] [-flat N] [-weeks N] [-files N] [-repeat N] [-only CASES] [-cluster]
#
# Cases (the targets of issue 18 in brackets):
#
#   a  N affectations (-affectations, default BENCH_AFFECTATIONS, else 1000000; 4 %
#      defects) into an empty table, their parents loaded first by an earlier run; its
#      -dry-run first; then the client's LOAD DATA of the rows migration loaded, into
#      a fresh database holding the same parents     [>= 0.95 x LOAD DATA, < 100 MB]
#   c  a 5-row affectations file (rows never loaded) into a's database, which holds N
#                                                    [< 0.3 s, < 50 MB]
#   v  validate on a's database                      [<= 3 s at 1,000,000]
#      beside one scan of every table of it, and their ratio (validate's cost as a
#      multiple of one scan per table, which does not drift with the machine's speed)
#   b  -flat N affectations (default 5000000), as a  [peak RSS < 100 MB: flat]
#   d  one new weekly distributech order file into a database holding -weeks weeks
#      (default 260: 5 years), loaded by one run per week as the weekly import does
#                                                    [< 0.5 s]
#   m  -files N weekly distributech order files (default 12000) loaded by one run; the
#      first and the last tenth of its files timed apart, from its log
#                                                    [flat: the last tenth no slower]
#   g  the Go benchmarks of the hot paths
#
# -only CASES runs some of them (letters, e.g. -only a,c); c and v need a, which then
# runs too. -flat 0, -weeks 0 or -files 0 leaves b, d or m out.
#
# -repeat N (default 3) times a's dry run, its migration and the client's LOAD DATA N
# times each, taken in turn (dry run, migration, LOAD DATA, then again), and v's
# validate N times: each line gives the median, and the ratio compares medians. A
# shared machine's speed drifts by a third within minutes; timed once, the three
# could fall in different moods of it. The line ends with every run's time; a line
# under the migration's gives each round's ratio to LOAD DATA, and their median. Each
# of a's migrations loads the database anew (dropped, its parents loaded first, not
# timed).
#
# -cluster runs the Galera case instead: the same generated rows migrated into the
# private server (a single node) and through the 3-node cluster of
# scripts/galera-local.sh (started here, stopped at the end when this script started
# it), and the mariadb client's LOAD DATA LOCAL INFILE of the same rows into the
# cluster; one line per case, speed relative to the client's LOAD DATA on the cluster
# (target for the cluster's migration: 0.9 or better). As the client's LOAD DATA goes
# into tables made beforehand, each migration goes into a database whose schema an
# earlier run of it made (on header-only files, not timed): on the cluster, making
# the schema is 0.3 s of DDL that every node applies in turn. Two more lines compare the
# migration and LOAD DATA on the cluster until every node has applied the rows (a
# client's commit returns before the other nodes apply it: one large transaction leaves
# them most of their work after the client is done, batches leave them little), and by
# the CPU seconds of the program and the three nodes until then, which the other work
# of a shared machine changes less than the elapsed time. A third yardstick is the
# client's LOAD DATA of the same rows in pieces of migration's batch, one commit each:
# a load that, like migration, commits as it goes and so has the other two nodes apply
# its rows while it runs, on the same cores (a line gives their CPU seconds in each
# load's time), where one large LOAD DATA leaves them their work for after it. A last
# line gives the ceiling of any load that commits as it goes: it has that work done
# within its own time, so the CPU seconds the client's LOAD DATA needed until every
# node applied its rows, spread over the machine's cores, is the least time it can
# take, and gives the best ratio it can reach. The runs are repeated as a's (-repeat,
# in turn, each into a database made anew), and every line gives medians: timed once,
# the cluster's ratio was 0.87, 0.69 and 0.83 within one hour. A line gives each
# round's ratio too.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
n=${BENCH_AFFECTATIONS:-1000000}
flat=5000000
weeks=260
files=12000
only=abcvdmg
cluster=0
repeat=3
usage="usage: scripts/bench.sh [-affectations N] [-flat N] [-weeks N] [-files N] [-repeat N] [-only CASES] [-cluster]"
number() { # flag, value, minimum
	[[ $2 =~ ^[0-9]+$ ]] && [ "$2" -ge "$3" ] || { echo "bench.sh: $1 wants a number of at least $3" >&2; exit 2; }
}
while [ $# -gt 0 ]; do
	case $1 in
	-affectations | --affectations) number "$1" "${2:-}" 80; n=$2; shift 2 ;;
	-flat | --flat) number "$1" "${2:-}" 0; flat=$2; shift 2 ;;
	-weeks | --weeks) number "$1" "${2:-}" 0; weeks=$2; shift 2 ;;
	-files | --files) number "$1" "${2:-}" 0; files=$2; shift 2 ;;
	-repeat | --repeat) number "$1" "${2:-}" 1; repeat=$2; shift 2 ;;
	-only | --only)
		[[ ${2:-} =~ ^[abcdvmg,]+$ ]] || { echo "bench.sh: -only wants case letters among a, b, c, d, v, m, g (e.g. a,c)" >&2; exit 2; }
		only=${2//,/}
		shift 2 ;;
	-cluster | --cluster) cluster=1; shift ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "bench.sh: unknown argument $1 ($usage)" >&2; exit 2 ;;
	esac
done
wants() { [[ $only == *$1* ]]; }
if wants c || wants v; then only=${only}a; fi
[ "$flat" -gt 0 ] || only=${only//b/}
[ "$weeks" -gt 0 ] || only=${only//d/}
[ "$files" -gt 0 ] || only=${only//m/}

work=$(mktemp -d)
started=0
scripts/mariadb-local.sh status >/dev/null 2>&1 || started=1
galera_started=0
if [ "$cluster" = 1 ] && ! scripts/galera-local.sh status >/dev/null 2>&1; then
	galera_started=1
fi
client=$(command -v mariadb || command -v mysql)
sql() { "$client" --no-defaults --socket="$root/.mariadb-local/mysqld.sock" -uroot --local-infile=1 "$@"; }
dbs=() # databases this run created, dropped at the end
cleanup() {
	if [ "$started" = 0 ]; then
		for d in "${dbs[@]}"; do sql -e "DROP DATABASE IF EXISTS \`$d\`" || true; done
	fi
	rm -rf "$work"
	if [ "$started" = 1 ]; then
		scripts/mariadb-local.sh stop
	fi
	if [ "$galera_started" = 1 ]; then
		scripts/galera-local.sh stop
	fi
}
trap cleanup EXIT

# The peak resident memory: GNU time, installed from Debian when missing (as root);
# failing that, the VmHWM of /proc/PID/status, polled while the program runs.
timer=/usr/bin/time
if [ ! -x "$timer" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
	echo "bench.sh: installing Debian's time package (GNU time, for the peak memory)" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >&2 || true
fi
[ -x "$timer" ] || timer=""

go build -o "$work/bin/" ./cmd/...
server=$(scripts/mariadb-local.sh start)
stamp=$(date +%s)

# measure command...: runs it (stdout and stderr to $work/out, $work/err) and sets secs,
# mb and cpu: its elapsed seconds, peak RSS and CPU seconds (user and system; "" without
# GNU time). An exit status of 1 (data problems) is a
# result; above 1 the bench stops with the program's message.
measure() {
	local status=0 kb=0 user sys
	cpu=""
	if [ -n "$timer" ]; then
		"$timer" -f "%e %M %U %S" -o "$work/time" "$@" >"$work/out" 2>"$work/err" || status=$?
		read -r secs kb user sys < <(tail -n 1 "$work/time") # time adds a first line when the exit status is not 0
		cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')
	else
		local t0=$EPOCHREALTIME pid hwm
		"$@" >"$work/out" 2>"$work/err" &
		pid=$!
		while kill -0 "$pid" 2>/dev/null; do
			hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status" 2>/dev/null) && [ -n "$hwm" ] && kb=$hwm
			sleep 0.02
		done
		wait "$pid" || status=$?
		secs=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
	fi
	[ "$status" -le 1 ] || { echo "bench.sh: $1 failed (exit $status):" >&2; cat "$work/err" >&2; exit "$status"; }
	mb=$((kb / 1024))
}

# line case rows [ldsecs]: prints the last measure as one line; with the seconds of the
# client's LOAD DATA of the same rows, the speed relative to it. With runs set (the
# seconds of each run of a repeated case), the line ends with them.
line() {
	awk -v c="$1" -v r="$2" -v s="$secs" -v m="$mb" -v l="${3:-}" -v runs="${runs:-}" 'BEGIN {
		ratio = "-"
		if (l != "") ratio = sprintf("%.2fx", l / s)
		if (m != "") m = sprintf("%6d MB peak", m)
		if (runs != "") runs = "  runs: " runs " s"
		printf "%-56s %9d rows %8.2f s %9.0f rows/s  LOAD DATA %6s  %s%s\n", c, r, s, r / (s > 0 ? s : 0.01), ratio, m, runs
	}' | tee -a "$work/summary"
}

# median SECONDS...: the median of the seconds given.
median() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# paired "A..." "B...": each round's ratio A/B (the runs of one round taken side by
# side), then their median. The ratio of medians can pair runs of different rounds;
# within a round the machine is in one mood. (Across days it is not: a's ratio was 0.89
# on a day the client's LOAD DATA took 15.4 s, 1.12 on one it took 23.1 s.)
paired() {
	local -a a=($1) b=($2)
	local i r=()
	for i in "${!a[@]}"; do
		r+=("$(awk -v x="${a[$i]}" -v y="${b[$i]}" 'BEGIN { printf "%.2f", x / (y > 0 ? y : 0.01) }')")
	done
	echo "${r[*]} (median $(median "${r[@]}"))"
}

# most NUMBERS...: the largest of the numbers given.
most() { printf '%s\n' "$@" | sort -g | tail -n 1; }

datarows() { echo $(($(wc -l <"$1") - 1)); } # lines of a CSV file under its header

# clevity DIR AFFECTATIONS: generates AFFECTATIONS affectations with their parents (in
# the bench's proportions, 4 % defects) into DIR/all, then DIR/parents (the parents with
# a header-only affectations.csv, so that one run loads them).
clevity() {
	local dir=$1 a=$2
	"$work/bin/generate_data" -seed 1 -today 2026-11-15 -clients $((a / 16)) -intervenants $((a / 80)) \
		-projets $((a / 4)) -affectations "$a" -defects 0.04 -quiet -out "$dir/all"
	mkdir -p "$dir/parents"
	ln "$dir"/all/{clients,intervenants,projets}.csv "$dir/parents/"
	head -n 1 "$dir/all/affectations.csv" >"$dir/parents/affectations.csv"
}

# newdb NAME: sets dsn to database NAME on the server, dropped at the end.
newdb() { dbs+=("$1"); dsn="${server%/}/$1"; }

if [ "$cluster" = 1 ]; then
	db="bench_$stamp"
	newdb "$db"
	dbs+=("${db}_ld" "${db}_lp")
	clevity "$work" "$n"
	data="$work/all"
	mkdir -p "$work/empty"
	for f in clients intervenants projets affectations; do head -n 1 "$data/$f.csv" >"$work/empty/$f.csv"; done
	# schema DSN: makes the database of DSN and its schema, untimed, by a run on
	# header-only files that loads nothing.
	schema() {
		"$work/bin/migration" -dsn "$1" -create-db -today 2026-11-15 -out "$work/e" "$work/empty" >"$work/e.log" 2>&1 ||
			{ cat "$work/e.log" >&2; exit 1; }
	}
	rows=$(cat "$data"/{clients,intervenants,projets,affectations}.csv | wc -l)
	rows=$((rows - 4))
	gdsn=$(scripts/galera-local.sh start)
	node1=$(scripts/galera-local.sh dsn 1)
	port1=${node1##*:}
	port1=${port1%%)*}
	gsql() { "$client" --no-defaults --protocol=tcp -h127.0.0.1 -P"$port1" -uroot --local-infile=1 "$@"; }
	# applied: waits until every node has applied what was committed (the end of the
	# work the last measure gave the cluster) and sets settle, how long that took, and
	# nodes_cpu, the CPU seconds the nodes used since the previous call.
	nodes_before=$(scripts/galera-local.sh cpu)
	applied() {
		local t0=$EPOCHREALTIME now
		scripts/galera-local.sh settle
		settle=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
		now=$(scripts/galera-local.sh cpu)
		nodes_cpu=$(awk -v a="$nodes_before" -v b="$now" 'BEGIN { n = split(a, x, " "); split(b, y, " "); for (i = 1; i <= n; i++) s += y[i] - x[i]; print s }')
		nodes_before=$now
	}
	# others: the CPU seconds nodes 2 and 3 (those the client is not connected to) have
	# used since the last call of applied: called right after a measure, their share of
	# the work while the client waited.
	others() {
		awk -v a="$nodes_before" -v b="$(scripts/galera-local.sh cpu)" 'BEGIN { split(a, x, " "); split(b, y, " "); print y[2] - x[2] + y[3] - x[3] }'
	}
	# clientload DB SQL: the client's LOAD DATA statements SQL, through node 1, into
	# database DB made anew on the cluster (not timed); sets secs (as measure does),
	# others_s (the CPU seconds of nodes 2 and 3 meanwhile), all_s (the time until every
	# node applied the rows) and cpu_s (the CPU seconds of the client and the nodes
	# until then).
	clientload() {
		gsql -e "DROP DATABASE IF EXISTS \`$1\`; CREATE DATABASE \`$1\` CHARACTER SET utf8mb4"
		gsql "$1" <schema.sql
		applied
		measure "$client" --no-defaults --protocol=tcp -h127.0.0.1 -P"$port1" -uroot --local-infile=1 "$1" -e "$2"
		others_s=$(others)
		applied
		all_s=$(awk -v a="$secs" -v b="$settle" 'BEGIN { print a + b }') cpu_s=$(awk -v a="$cpu" -v b="$nodes_cpu" 'BEGIN { print a + b }')
	}
	# Each of the three runs -repeat times, in turn (single node, cluster, LOAD DATA,
	# then again), each into a database made anew: the lines give medians, as for a.
	singles=() single_mbs=() multis=() multi_mbs=() multi_alls=() multi_cpus=() lds=() ld_alls=() ld_cpus=() lps=()
	multi_others=() ld_others=() lp_others=()
	tables="clients intervenants projets projet_sites affectations"
	load=""
	for t in $tables; do
		load="$load LOAD DATA LOCAL INFILE '$work/$t.tsv' INTO TABLE \`$t\`;"
	done
	for ((r = 1; r <= repeat; r++)); do
		sql -e "DROP DATABASE IF EXISTS \`$db\`"
		schema "$dsn"
		measure "$work/bin/migration" -dsn "$dsn" -today 2026-11-15 -out "$work/m$r" "$data"
		singles+=("$secs") single_mbs+=("$mb")
		if [ "$r" = 1 ]; then
			# The yardstick: the clean rows migration loaded (exported from the single
			# node), loaded by the mariadb client into the same schema on the cluster,
			# through node 1.
			for t in $tables; do
				sql "$db" -e "SELECT * FROM \`$t\` INTO OUTFILE '$work/$t.tsv'"
			done
			# The same rows in pieces of migration's batch (5,000 rows, its default
			# -batch), one LOAD DATA and so one commit each: a load that commits as it
			# goes, as migration does, and leaves the other nodes no work for after it.
			# (INTO OUTFILE escapes a newline inside a value: one line is one row.)
			pieced=""
			for t in $tables; do
				mkdir -p "$work/pieces/$t"
				split -l 5000 -d -a 6 "$work/$t.tsv" "$work/pieces/$t/"
				for f in "$work/pieces/$t"/*; do
					pieced="$pieced LOAD DATA LOCAL INFILE '$f' INTO TABLE \`$t\`;"
				done
			done
		fi
		gsql -e "DROP DATABASE IF EXISTS \`$db\`"
		schema "${gdsn%/}/$db"
		applied # the single node's run, the drop and the schema are not the cluster's load
		measure "$work/bin/migration" -dsn "${gdsn%/}/$db" -today 2026-11-15 -out "$work/g$r" "$data"
		multis+=("$secs") multi_mbs+=("$mb")
		multi_others+=("$(others)")
		applied
		multi_alls+=("$(awk -v a="$secs" -v b="$settle" 'BEGIN { print a + b }')") multi_cpus+=("$(awk -v a="$cpu" -v b="$nodes_cpu" 'BEGIN { print a + b }')")
		clientload "${db}_ld" "$load"
		lds+=("$secs") ld_others+=("$others_s") ld_alls+=("$all_s") ld_cpus+=("$cpu_s")
		clientload "${db}_lp" "$pieced"
		lps+=("$secs") lp_others+=("$others_s")
	done
	ld=$(median "${lds[@]}") single=$(median "${singles[@]}") multi=$(median "${multis[@]}")
	multi_all=$(median "${multi_alls[@]}") ld_all=$(median "${ld_alls[@]}")
	echo "== $n affectations: $rows rows; speed relative to the mariadb client's LOAD DATA on the cluster (medians of $repeat)"
	secs=$ld runs="${lds[*]}" line "mariadb LOAD DATA, 3-node cluster" "$rows" "$ld"
	secs=$single mb=$(most "${single_mbs[@]}") runs="${singles[*]}" line "migration, single node" "$rows" "$ld"
	secs=$multi mb=$(most "${multi_mbs[@]}") runs="${multis[*]}" line "migration, 3-node cluster" "$rows" "$ld"
	echo "LOAD DATA / migration on the cluster, round by round: $(paired "${lds[*]}" "${multis[*]}")"
	lp=$(median "${lps[@]}")
	secs=$lp runs="${lps[*]}" line "mariadb LOAD DATA in 5,000-row commits, 3-node cluster" "$rows" "$ld"
	echo "LOAD DATA in 5,000-row commits / migration on the cluster, round by round: $(paired "${lps[*]}" "${multis[*]}")"
	echo "CPU s of nodes 2 and 3 while the client waited: LOAD DATA $(median "${ld_others[@]}"), in 5,000-row commits $(median "${lp_others[@]}"), migration $(median "${multi_others[@]}")"
	awk -v c="$multi" -v s="$single" 'BEGIN { printf "cluster / single node time %8.2f\n", c / s }'
	awk -v m="$multi_all" -v l="$ld_all" 'BEGIN { printf "until every node applied the rows: LOAD DATA %.2f s, migration %.2f s: %.2fx\n", l, m, l / m }'
	if [ -n "$cpu" ]; then
		multi_cpu=$(median "${multi_cpus[@]}") ld_cpu=$(median "${ld_cpus[@]}")
		awk -v m="$multi_cpu" -v l="$ld_cpu" 'BEGIN { printf "CPU s, program and 3 nodes, until applied: LOAD DATA %.2f, migration %.2f: %.2fx\n", l, m, l / m }'
		# The ceiling of any load that commits as it goes (see the head of this file): it
		# does at least the client's LOAD DATA's work, all of it within its own time.
		awk -v c="$ld_cpu" -v l="$ld" -v k="$(nproc)" 'BEGIN { printf "ceiling of a load that commits as it goes: %.2f CPU s on %d cores take at least %.2f s: %.2fx the client'"'"'s LOAD DATA at best\n", c, k, c / k, l / (c / k) }'
	fi
	gsql -e "DROP DATABASE \`$db\`; DROP DATABASE \`${db}_ld\`; DROP DATABASE \`${db}_lp\`"
	exit 0
fi

echo "== bench: case, rows read, time, rows/s, speed relative to the client's LOAD DATA, peak RSS"
if wants a; then
	# a: N affectations into an empty table, their parents loaded first. Five more rows
	# are generated and kept apart: c loads them into the database a leaves. (The
	# generator adds the rows of some defects, duplicates for one: the lines read are
	# a little more than N.)
	clevity "$work/a" $((n + 5))
	mkdir -p "$work/a/load" "$work/a/new"
	head -n -5 "$work/a/all/affectations.csv" >"$work/a/load/affectations.csv"
	{ head -n 1 "$work/a/all/affectations.csv"; tail -n 5 "$work/a/all/affectations.csv"; } >"$work/a/new/affectations_new.csv"
	rows=$(datarows "$work/a/load/affectations.csv")
	dry=() dry_mbs=() mig=() mig_mbs=() lds=()
	dba="bench_${stamp}_a"
	newdb "$dba"
	dsna=$dsn
	for ((r = 1; r <= repeat; r++)); do
		# The database of the previous run goes first (its pages out of the server's
		# buffer pool): each run meets the server as the first did, and the last run's
		# database stays for c and v.
		sql -e "DROP DATABASE IF EXISTS \`$dba\`"
		measure "$work/bin/migration" -dsn "$dsna" -create-db -today 2026-11-15 -out "$work/a/out0" "$work/a/parents"
		[ "$r" -gt 1 ] || line "setup: parents of a (clients, intervenants, projets)" "$(cat "$work"/a/parents/*.csv | wc -l | awk '{ print $1 - 4 }')"
		measure "$work/bin/migration" -dsn "$dsna" -dry-run -today 2026-11-15 -out "$work/a/dry" "$work/a/load/affectations.csv"
		dry+=("$secs") dry_mbs+=("$mb")
		measure "$work/bin/migration" -dsn "$dsna" -today 2026-11-15 -out "$work/a/out$r" "$work/a/load/affectations.csv"
		mig+=("$secs") mig_mbs+=("$mb")
		if [ "$r" = 1 ]; then
			# The yardstick: the client's LOAD DATA LOCAL INFILE of the rows migration
			# loaded (clean, canonical, with their lineage and fingerprints), into a
			# fresh database of the same schema holding the same parents (loaded first,
			# not timed), its affectations emptied before each run.
			for t in clients intervenants projets projet_sites affectations; do
				sql "$dba" -e "SELECT * FROM \`$t\` INTO OUTFILE '$work/a/$t.tsv'"
			done
			dbld="${dba}_ld"
			newdb "$dbld"
			sql -e "CREATE DATABASE \`$dbld\` CHARACTER SET utf8mb4"
			cat schema_journal.sql schema.sql | sql "$dbld"
			for t in clients intervenants projets projet_sites; do
				sql "$dbld" -e "LOAD DATA LOCAL INFILE '$work/a/$t.tsv' INTO TABLE \`$t\`"
			done
		else
			sql "$dbld" -e "TRUNCATE TABLE affectations"
		fi
		measure "$client" --no-defaults --socket="$root/.mariadb-local/mysqld.sock" -uroot --local-infile=1 "$dbld" \
			-e "LOAD DATA LOCAL INFILE '$work/a/affectations.tsv' INTO TABLE affectations"
		lds+=("$secs")
	done
	ld=$(median "${lds[@]}")
	secs=$ld runs="${lds[*]}" line "a  mariadb LOAD DATA of the clean rows" "$(wc -l <"$work/a/affectations.tsv")" "$ld"
	secs=$(median "${dry[@]}") mb=$(most "${dry_mbs[@]}") runs="${dry[*]}" line "a  migration -dry-run, $n affectations" "$rows" "$ld"
	secs=$(median "${mig[@]}") mb=$(most "${mig_mbs[@]}") runs="${mig[*]}" line "a  migration, $n affectations into an empty table" "$rows" "$ld"
	echo "   LOAD DATA / migration, round by round: $(paired "${lds[*]}" "${mig[*]}")" | tee -a "$work/summary"
	# The throughput line and the Total block of the report, whole.
	awk '/^throughput:/ { print } /^Total$/ { total = 1; next } total && /^$/ { exit } total { print }' \
		"$work/a/out$repeat/rapport_reprise.txt" | sed 's/^/   /'
	sql -e "DROP DATABASE \`$dbld\`"
fi
if wants c; then
	# c: five rows never loaded, into the database holding a's rows.
	measure "$work/bin/migration" -dsn "$dsna" -entity affectations -today 2026-11-15 -out "$work/c" "$work/a/new/affectations_new.csv"
	line "c  migration, 5 rows into the database holding $n" "$(datarows "$work/a/new/affectations_new.csv")"
fi
if wants v; then
	# v: validate on the database holding a's rows; beside each run, one scan of every
	# table of the database (COUNT(*) read along its primary key, one table after the
	# other): the yardstick issue 18 sets validate's cost against ("a small multiple of
	# one scan per table"), measured in the same minutes as validate, so that the
	# multiple holds whatever the machine's speed at the time.
	vs=() scans=() scan=""
	for t in $(sql -N -e "SELECT table_name FROM information_schema.tables WHERE table_schema = '$dba' AND table_type = 'BASE TABLE'"); do
		scan="$scan SELECT COUNT(*) FROM \`$t\` FORCE INDEX (PRIMARY);"
	done
	for ((r = 1; r <= repeat; r++)); do
		measure "$work/bin/validate" -dsn "$dsna" -out "$work/v" -quiet
		vs+=("$secs")
		measure "$client" --no-defaults --socket="$root/.mariadb-local/mysqld.sock" -uroot -N "$dba" -e "$scan"
		scans+=("$secs")
	done
	vsecs=$(median "${vs[@]}") ssecs=$(median "${scans[@]}")
	secs=$vsecs runs="${vs[*]}" line "v  validate, database holding $n affectations" "$(sql -N "$dba" -e 'SELECT COUNT(*) FROM affectations')"
	secs=$ssecs mb="" runs="${scans[*]}" line "v  one scan of every table (COUNT(*) along the primary key)" "$(awk '{ s += $1 } END { print s }' "$work/out")"
	awk -v v="$vsecs" -v s="$ssecs" 'BEGIN { printf "   validate / one scan of every table: %.1fx (issue 18: 10.3 s against 0.3 s, 34x)\n", v / (s > 0 ? s : 0.01) }' | tee -a "$work/summary"
fi
if wants a; then
	sql -e "DROP DATABASE \`$dba\`"
	rm -rf "$work/a"
fi
if wants b; then
	# b: -flat N affectations, as a: the peak memory must not grow with N.
	clevity "$work/b" "$flat"
	dbb="bench_${stamp}_b"
	newdb "$dbb"
	dsnb=$dsn
	measure "$work/bin/migration" -dsn "$dsnb" -create-db -today 2026-11-15 -out "$work/b/out0" "$work/b/parents"
	line "setup: parents of b" "$(cat "$work"/b/parents/*.csv | wc -l | awk '{ print $1 - 4 }')"
	measure "$work/bin/migration" -dsn "$dsnb" -today 2026-11-15 -out "$work/b/out" "$work/b/all/affectations.csv"
	line "b  migration, $flat affectations into an empty table" "$(datarows "$work/b/all/affectations.csv")"
	sql -e "DROP DATABASE \`$dbb\`"
	rm -rf "$work/b"
fi
if wants d; then
	# d: -weeks weeks of orders loaded week by week (one run each, as the weekly import
	# does: the SQLite file is loaded by the first and skipped, unchanged, by the others),
	# then one file of the next week, timed.
	dir="$work/d"
	"$work/bin/generate_data" -domain distributech -seed 1 -today 2026-11-15 -weeks $((weeks + 1)) -quiet -out "$dir/all"
	dbd="bench_${stamp}_d"
	newdb "$dbd"
	dsnd=$dsn
	mapfile -t wk < <(ls "$dir/all/commandes" | sed -n 's/^commandes_\([0-9]*-W[0-9]*\)_.*/\1/p' | sort -u)
	t0=$EPOCHREALTIME
	for ((i = 0; i < ${#wk[@]}; i++)); do
		mkdir -p "$dir/w$i/commandes"
		ln "$dir/all/distributech.sqlite" "$dir/w$i/"
		ln "$dir/all/commandes/commandes_${wk[$i]}_"*.csv "$dir/w$i/commandes/"
		[ "$i" -lt $((${#wk[@]} - 1)) ] || break
		"$work/bin/migration" -domain distributech -dsn "$dsnd" -create-db -today 2026-11-15 -out "$dir/out" -quiet "$dir/w$i" ||
			{ status=$?; [ "$status" -le 1 ] || exit "$status"; }
	done
	secs=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }') mb=""
	line "setup: $((${#wk[@]} - 1)) weeks of orders, one run a week" "$(sql -N "$dbd" -e 'SELECT COUNT(*) FROM lignes_commande')"
	new="$dir/new"
	mkdir -p "$new/commandes"
	ln "$dir/all/distributech.sqlite" "$new/"
	f=$(ls "$dir/w$i/commandes" | head -n 1)
	ln "$dir/w$i/commandes/$f" "$new/commandes/"
	measure "$work/bin/migration" -domain distributech -dsn "$dsnd" -today 2026-11-15 -out "$dir/out" "$new"
	line "d  migration, one new weekly file into $weeks weeks" "$(datarows "$new/commandes/$f")"
	sql -e "DROP DATABASE \`$dbd\`"
	rm -rf "$dir"
fi
if wants m; then
	# m: -files weekly files in one run (a reseller orders most weeks: 60 of them fill
	# the weeks needed), then the rows and seconds of its first and last tenth of
	# files, from the times its log gives the start and end of each file.
	dir="$work/m"
	"$work/bin/generate_data" -domain distributech -seed 1 -today 2026-11-15 -weeks $((files / 40 + 2)) -quiet -out "$dir/all"
	mkdir -p "$dir/run/commandes"
	ln "$dir/all/distributech.sqlite" "$dir/run/"
	mapfile -t names < <(ls "$dir/all/commandes")
	printf '%s\n' "${names[@]:0:files}" | (cd "$dir/all/commandes" && xargs ln -t "$dir/run/commandes")
	got=$(ls "$dir/run/commandes" | wc -l)
	newdb "bench_${stamp}_m"
	measure "$work/bin/migration" -domain distributech -dsn "$dsn" -create-db -today 2026-11-15 -out "$dir/out" -quiet "$dir/run"
	line "m  migration, $got weekly files in one run" "$(sql -N "bench_${stamp}_m" -e 'SELECT COUNT(*) FROM lignes_commande')"
	mb=""
	# tenth FIRST LAST: the rows read and the seconds from the start of weekly file
	# FIRST to that of file LAST + 1 (to the end of file LAST when it is the last one),
	# weekly files numbered from 1 in load order.
	tenth() {
		awk -v a="$1" -v b="$2" '
			function t(s,  p) { split(substr(s, index(s, "T") + 1), p, ":"); return p[1] * 3600 + p[2] * 60 + p[3] }
			/action=start/ && /file=commandes/ { k++; if (k == a) t0 = t($1); if (k == b + 1) t1 = t($1) }
			/action=end/ && /file=commandes/ && k >= a && k <= b {
				match($0, / read=[0-9]+/); rows += substr($0, RSTART + 6, RLENGTH - 6)
				if (k == b) tend = t($1)
			}
			END { if (!t1) t1 = tend; printf "%d %.2f\n", rows, t1 - t0 }' "$dir/out/log.txt"
	}
	step=$((got / 10))
	read -r rows secs < <(tenth 1 "$step")
	line "m  its first $step files" "$rows"
	read -r rows secs < <(tenth $((got - step + 1)) "$got")
	line "m  its last $step files" "$rows"
	sql -e "DROP DATABASE \`bench_${stamp}_m\`"
	rm -rf "$dir"
fi
if wants g; then
	echo "== Go benchmarks"
	go test -run '^$' -bench . -benchmem ./pkg/csvfile ./pkg/rules ./pkg/domain ./pkg/check ./pkg/mariadb ./pkg/generate ./cmd/migration 2>/dev/null |
		grep -E '^(Benchmark|ok)'
fi
