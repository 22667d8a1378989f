#!/bin/bash
# import_commandes.sh: the distributech weekly import, from cron. Takes the resellers'
# order files that have arrived in an inbox, loads them with the SQLite file's news
# (migration -domain distributech), archives them, exports etat_stock_par_produit.csv
# (analyse_stock) and checks the database (validate).
#
#   import_commandes.sh DSN_FILE DIR
#
# DSN_FILE holds the DSN on its first line and must be readable by its owner only
# (chmod 600). DIR holds:
#
#   inbox/                 where resellers drop their files. A file counts as arrived
#                          when it is named *.csv: resellers write NAME.csv.part and
#                          rename it to NAME.csv once complete (a rename is atomic), so
#                          a *.part file is left alone until then.
#   distributech.sqlite    the wholesaler's SQLite file ($DMT_SQLITE names another)
#   work/                  the run's folder as migration reads it: distributech.sqlite
#                          (a link) and commandes/, the files taken from the inbox until
#                          they are archived
#   archive/<YYYY>/        the files processed (YYYY of their week, from the name
#                          commandes_<YYYY>-W<ww>_R<id>.csv, else of the run)
#   refused/               the files whose header cannot be used (empty, a required
#                          column missing, ...), the reason in out/import.log
#   out/                   migration's log.txt, rapport_reprise.txt/.json and rejets/,
#                          etat_stock_par_produit.csv, evolution_stock.csv,
#                          rapport_validation_<timestamp>.txt, and import.log (one line
#                          per file taken, refused or archived; appended)
#   import.lock            held (flock) while a run works: runs never overlap; a run
#                          that finds it held waits up to $DMT_LOCK_WAIT seconds (3600)
#
# No file is ever deleted: each goes from the inbox to work/commandes/ to archive/ (or
# refused/) by renames; a name already taken there gets the run's time appended. A file
# already loaded whole with the same SHA-256 and no rejected row is not loaded again
# (migration skips it) and is archived with a line in import.log saying since which
# run. A run interrupted at any point (killed, machine stopped) is finished by the next:
# the files still in work/commandes/ are loaded (what was committed is recognised,
# nothing is doubled) and archived.
#
# Exit status: 0 all clean, and nothing printed (cron mails only problems); 1 data
# problems (new rejected rows, a refused file, a stray file in the inbox, failed
# checks); 2 could not run (bad setup, database unreachable, a program failing, checks
# that could not run). The programs are taken from $DMT_BIN (default: bin/ at the
# project root).
set -u
PATH=/usr/bin:/bin
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${DMT_BIN:-$root/bin}
wait_lock=${DMT_LOCK_WAIT:-3600}

fail() { echo "import_commandes: $*" >&2; exit 2; }
[ $# -eq 2 ] || fail "usage: import_commandes.sh DSN_FILE DIR"
dsn_file=$1
dir=$(cd "$2" 2>/dev/null && pwd) || fail "no folder $2"
sqlite=${DMT_SQLITE:-$dir/distributech.sqlite}
for prog in migration analyse_stock validate; do
	[ -x "$bin/$prog" ] || fail "$bin/$prog is not built (run: go build -o bin/ ./cmd/... in $root)"
done
[ -r "$dsn_file" ] || fail "cannot read the DSN file $dsn_file"
case $(stat -c %a "$dsn_file") in
?00) ;;
*) fail "$dsn_file is readable by others; run: chmod 600 $dsn_file" ;;
esac
case $sqlite in /*) ;; *) sqlite=$PWD/$sqlite ;; esac
[ -f "$sqlite" ] || fail "no SQLite file $sqlite"

inbox=$dir/inbox work=$dir/work out=$dir/out
mkdir -p "$inbox" "$work/commandes" "$dir/archive" "$dir/refused" "$out" || fail "cannot create the folders of $dir"

# One run at a time. The programs inherit the lock: should this script be killed, a
# program it started still holds it until it ends.
exec 9>>"$dir/import.lock" || fail "cannot open $dir/import.lock"
flock -w "$wait_lock" 9 || fail "another import still holds $dir/import.lock after ${wait_lock} s"

dsn=$(head -n 1 "$dsn_file")
tmp=$(mktemp -d) || fail "cannot create a temporary folder"
trap 'rm -rf "$tmp"' EXIT
stamp=$(date -u +%Y%m%d-%H%M%S)
status=0
worse() { [ "$1" -gt "$status" ] && status=$1; }
log() { printf '%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >>"$out/import.log"; }
problem() { echo "import_commandes: $*" >&2; log "$*"; }
# checkpoint lets the tests kill the run at a named point, as a crash would.
checkpoint() { [ "${DMT_TEST_KILL_AT:-}" = "$1" ] && kill -9 $$; }
# free prints a name for $2 in folder $1 that no file has: $2 itself, else with the
# run's time before its extension.
free() {
	local base=${2%.csv} name=$2 n=1
	while [ -e "$1/$name" ]; do
		if [ "$n" -eq 1 ]; then name=$base.$stamp.csv; else name=$base.$stamp-$n.csv; fi
		n=$((n + 1))
	done
	printf '%s' "$name"
}
# run PROG ARGS...: runs a program with the DSN in its environment only, keeps what it
# says, and prints it when it did not exit 0.
run() {
	local prog=$1
	shift
	MARIADB_DSN=$dsn "$bin/$prog" "$@" >"$tmp/$prog.out" 2>"$tmp/$prog.err"
	local rc=$?
	if [ "$rc" -ne 0 ]; then
		cat "$tmp/$prog.err" >&2
		log "$prog: exit $rc: $(tail -n 1 "$tmp/$prog.err")"
	fi
	return "$rc"
}

ln -sfn "$sqlite" "$work/distributech.sqlite" || fail "cannot link $sqlite into $work"

# 1. Take the files that have arrived, each checked alone first: one whose header
# cannot be used goes to refused/ instead of stopping the whole load.
for f in "$inbox"/*; do
	[ -f "$f" ] || continue
	name=${f##*/}
	case $name in
	*.part) continue ;; # still being written
	*.csv) ;;
	*)
		problem "inbox/$name: not an order file (*.csv, or *.csv.part while written); left in the inbox"
		worse 1
		continue
		;;
	esac
	if [ -e "$work/commandes/$name" ]; then
		log "inbox/$name: a file of that name is still to be loaded; left for the next run"
		continue
	fi
	env -u MARIADB_DSN "$bin/migration" -domain distributech -entity lignes_commande -dry-run -out "$tmp/check" "$f" >/dev/null 2>"$tmp/check.err"
	if [ $? -ge 2 ]; then
		dest=$(free "$dir/refused" "$name")
		mv -n -- "$f" "$dir/refused/$dest" || fail "cannot move $f to $dir/refused"
		problem "inbox/$name refused (moved to refused/$dest): $(tail -n 1 "$tmp/check.err" | sed 's/^migration: //')"
		worse 1
		continue
	fi
	mv -n -- "$f" "$work/commandes/$name" || fail "cannot move $f to $work/commandes"
	log "inbox/$name: taken, sha256 $(sha256sum <"$work/commandes/$name" | cut -c1-64)"
done
checkpoint taken

# 2. Load: the SQLite file's news first (new products, resellers, receipts), then the
# weekly files, oldest first. Files loaded before are recognised by their SHA-256.
run migration -domain distributech -out "$out" "$work"
rc=$?
case $rc in
0 | 1) worse "$rc" ;;
*) fail "migration did not finish (exit $rc); the files stay in $work/commandes for the next run" ;;
esac
checkpoint loaded

# 3. Archive what migration read whole; say which files it skipped as already loaded.
awk -F'"' '/^ *"file": / { f = $4 } /^ *"state": / { s[f] = $4 } /^ *"unchanged_since": / { u[f] = $4 }
	END { for (f in s) if (s[f] == "skipped") print f, u[f] }' "$out/rapport_reprise.json" >"$tmp/skipped"
run_id=$(sed -n 's/^  "run_id": "\(.*\)",$/\1/p' "$out/rapport_reprise.json")
for f in "$work"/commandes/*.csv; do
	[ -f "$f" ] || continue
	name=${f##*/}
	year=$(printf '%s' "$name" | sed -n 's/^commandes_\([0-9][0-9][0-9][0-9]\)-W.*/\1/p')
	[ -n "$year" ] || year=$(date -u +%Y)
	mkdir -p "$dir/archive/$year" || fail "cannot create $dir/archive/$year"
	dest=$(free "$dir/archive/$year" "$name")
	mv -n -- "$f" "$dir/archive/$year/$dest" || fail "cannot move $f to $dir/archive/$year"
	since=$(awk -v f="$name" '$1 == f { print $2 }' "$tmp/skipped")
	if [ -n "$since" ]; then
		log "$name: already loaded whole by run $since (same SHA-256, no rejected row): archived as archive/$year/$dest without loading it again"
	else
		log "$name: loaded by run $run_id: archived as archive/$year/$dest"
	fi
	checkpoint archived
done

# 4. The stock state per product, then the checks of the whole database.
run analyse_stock -out "$out/"
worse $?
run validate -domain distributech -out "$out" -quiet
worse $?
exit "$status"
