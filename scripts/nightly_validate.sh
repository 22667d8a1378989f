#!/bin/bash
# nightly_validate.sh: run validate from cron. Works in cron's bare environment (no HOME,
# PATH=/usr/bin:/bin): everything is found from the script's own place.
#
#   nightly_validate.sh [DSN_FILE [VALIDATE_FLAGS...]]
#   nightly_validate.sh /opt/dmt/distributech.dsn -domain distributech
#
# DSN_FILE (default: validate.dsn at the project root) holds the DSN on its first line
# (spaces around it and a Windows CRLF line end are ignored) and must be readable by its
# owner only (chmod 600): the password stays out of the crontab, the process list and
# the logs. Write it without leaving it readable by others even for a moment, nor the
# password in the shell's history: (umask 077; cat > validate.dsn), type the DSN, Enter,
# Ctrl-D. Flags after DSN_FILE go to validate (-domain distributech, -source DIR); give
# each database its own $DMT_REPORTS, since retention counts the reports of the folder.
# Reports go to $DMT_REPORTS (default:
# reports/ at the project root); the last $DMT_KEEP (default 30) are kept. The exit
# status is validate's (0 pass, 1 a check failed, 2 could not check, or some checks could
# not run: a privilege or a column missing, the verdict incomplete); a check fails too
# when the latest migration or reprise failed or was interrupted (the line names the
# run to run again) or when the database holds no rows at all, while a load still in
# progress is only a warning in the report. validate prints one line only when
# something is wrong, so cron mails exactly the failures.
set -u
PATH=/usr/bin:/bin
root=$(cd "$(dirname "$0")/.." && pwd)
dsn_file=${1:-$root/validate.dsn}
[ $# -gt 0 ] && shift
reports=${DMT_REPORTS:-$root/reports}
keep=${DMT_KEEP:-30}
validate=${DMT_VALIDATE:-$root/bin/validate}

fail() { echo "nightly_validate: $*" >&2; exit 2; }
[ -x "$validate" ] || fail "$validate is not built (run: go build -o bin/ ./cmd/... in $root)"
[ -r "$dsn_file" ] || fail "cannot read the DSN file $dsn_file"
case $(stat -c %a "$dsn_file") in
?00) ;;
*) fail "$dsn_file is readable by others; run: chmod 600 $dsn_file" ;;
esac
# The first line, without a CR (a file written on Windows) or spaces around it.
MARIADB_DSN=$(head -n 1 "$dsn_file" | tr -d '\r')
MARIADB_DSN=${MARIADB_DSN#"${MARIADB_DSN%%[![:space:]]*}"}
MARIADB_DSN=${MARIADB_DSN%"${MARIADB_DSN##*[![:space:]]}"}
[ -n "$MARIADB_DSN" ] || fail "$dsn_file is empty: write the DSN (user:password@tcp(host:port)/database) on its first line"
export MARIADB_DSN
mkdir -p "$reports" || fail "cannot create $reports"

"$validate" -out "$reports" -quiet "$@"
status=$?

# Keep the newest $keep reports: their names sort by time.
ls -1 "$reports"/rapport_validation_*.txt 2>/dev/null | sort | head -n -"$keep" | while read -r old; do
	rm -f -- "$old"
done
exit "$status"
