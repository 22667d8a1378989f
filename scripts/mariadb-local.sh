#!/usr/bin/env bash
# mariadb-local.sh: a private, throwaway MariaDB server for tests and demos.
#
#   scripts/mariadb-local.sh start    start it (installing mariadb-server first if needed), print its DSN
#   scripts/mariadb-local.sh stop     stop it and delete its data
#   scripts/mariadb-local.sh status   say whether it runs, exit 0 if it does
#   scripts/mariadb-local.sh dsn      print the DSN of the running server
#
# Everything lives in .mariadb-local/ at the project root (git-ignored): data folder,
# temporary folder, socket, pid, log, port. It listens on 127.0.0.1 on a free port (never
# 3306), runs as the current user, has a root user with no password, and touches no
# system service.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${MARIADB_LOCAL_DIR:-$root/.mariadb-local}
data=$dir/data
sock=$dir/mysqld.sock
pidfile=$dir/mysqld.pid
log=$dir/mysqld.log
portfile=$dir/port

die() { echo "mariadb-local: $*" >&2; exit 2; }

find_bin() {
	local name
	for name in "$@"; do
		if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return 0; fi
		for d in /usr/sbin /usr/bin /usr/local/sbin /usr/local/bin /usr/local/mysql/bin; do
			if [ -x "$d/$name" ]; then echo "$d/$name"; return 0; fi
		done
	done
	return 1
}

ensure_binaries() {
	if find_bin mariadbd mysqld >/dev/null && find_bin mariadb-install-db mysql_install_db >/dev/null; then
		return 0
	fi
	if [ "$(id -u)" != 0 ]; then
		die "MariaDB server binaries not found; install them with: sudo apt-get install -y mariadb-server mariadb-client"
	fi
	echo "mariadb-local: installing Debian's mariadb-server (apt-get)" >&2
	export DEBIAN_FRONTEND=noninteractive
	# Keep the package's own service from starting: we run a private server instead.
	local policy=/usr/sbin/policy-rc.d created_policy=0
	if [ ! -e "$policy" ]; then
		printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && created_policy=1
	fi
	apt-get update -qq >&2 || true
	apt-get install -y -qq mariadb-server mariadb-client >&2 || { [ $created_policy = 1 ] && rm -f "$policy"; die "apt-get install mariadb-server failed"; }
	[ $created_policy = 1 ] && rm -f "$policy"
	find_bin mariadbd mysqld >/dev/null || die "mariadb-server installed but mariadbd not found"
}

# running: the server of this folder is up. A pid file left by a crash may name a pid the
# system gave since to another process (another MariaDB server, say): only a process whose
# command line names this data folder counts, so stop never kills a stranger.
running() {
	local pid
	[ -f "$pidfile" ] && pid=$(cat "$pidfile") && kill -0 "$pid" 2>/dev/null &&
		tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "--datadir=$data "
}

port_free() {
	! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

dsn() {
	[ -f "$portfile" ] || die "not running (no $portfile); run: scripts/mariadb-local.sh start"
	echo "root@tcp(127.0.0.1:$(cat "$portfile"))/"
}

client() {
	local c
	c=$(find_bin mariadb mysql) || return 1
	"$c" --no-defaults --socket="$sock" -uroot "$@"
}

start() {
	mkdir -p "$dir"
	# One start at a time: tests of several packages may ask at once. The server must
	# not inherit the lock (fd 9), or the next start would wait for it forever.
	exec 9>"$dir/lock"
	flock 9
	if running && client -e 'SELECT 1' >/dev/null 2>&1; then
		dsn
		return 0
	fi
	ensure_binaries
	local mariadbd install_db
	mariadbd=$(find_bin mariadbd mysqld)
	install_db=$(find_bin mariadb-install-db mysql_install_db)
	if [ ! -d "$data/mysql" ]; then
		rm -rf "$data"
		mkdir -p "$data"
		"$install_db" --no-defaults --datadir="$data" --user="$(id -un)" \
			--auth-root-authentication-method=normal --skip-test-db >"$dir/install.log" 2>&1 ||
			die "mariadb-install-db failed; see $dir/install.log"
	fi
	local port=${MARIADB_LOCAL_PORT:-}
	if [ -z "$port" ]; then
		for port in $(seq 33061 33161); do port_free "$port" && break; done
	fi
	port_free "$port" || die "port $port is taken"
	echo "$port" >"$portfile"
	# A temporary folder of its own: a server deletes every #sql* file of its tmpdir as
	# it starts, so sharing /tmp would delete the temporary tables other servers are
	# using (a query of theirs then fails, or the server crashes).
	mkdir -p "$dir/tmp"
	"$mariadbd" --no-defaults --datadir="$data" --tmpdir="$dir/tmp" --socket="$sock" --pid-file="$pidfile" \
		--port="$port" --bind-address=127.0.0.1 --user="$(id -un)" --log-error="$log" \
		--skip-name-resolve=0 --local-infile=1 --max-allowed-packet=256M \
		--innodb-buffer-pool-size=1G --innodb-log-file-size=256M \
		--innodb-flush-log-at-trx-commit=2 --character-set-server=utf8mb4 \
		--collation-server=utf8mb4_unicode_ci --max-connections=500 </dev/null >/dev/null 2>&1 9>&- &
	local i
	for i in $(seq 1 120); do
		if client -e 'SELECT 1' >/dev/null 2>&1; then
			# The root user is root@localhost; allow it over TCP from 127.0.0.1 too.
			client -e "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '';
				GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;" >/dev/null
			dsn
			return 0
		fi
		sleep 0.5
	done
	die "mariadbd did not start within 60 s; see $log"
}

stop() {
	if running; then
		local pid
		pid=$(cat "$pidfile")
		kill "$pid" 2>/dev/null || true
		for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
		kill -9 "$pid" 2>/dev/null || true
	fi
	rm -rf "$dir"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
status)
	if running; then echo "running: $(dsn) (socket $sock)"; else echo "not running"; exit 1; fi ;;
dsn) running || die "not running; run: scripts/mariadb-local.sh start"; dsn ;;
*) echo "usage: $0 start|stop|status|dsn" >&2; exit 2 ;;
esac
