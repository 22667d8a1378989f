#!/usr/bin/env bash
# galera-local.sh: a private, throwaway 3-node MariaDB Galera cluster on loopback ports,
# for tests, demos and benchmarks (docs/operations.md, "Running against a Galera cluster").
#
#   scripts/galera-local.sh start       start the nodes that are not running (installing
#                                       galera-4, rsync and mariadb-server first if needed),
#                                       wait until all three are Synced, print the DSN
#   scripts/galera-local.sh stop        stop every node and delete the cluster's data
#   scripts/galera-local.sh status      one line per node; exit 0 if all three are Synced
#   scripts/galera-local.sh dsn         print the DSN listing the three nodes
#   scripts/galera-local.sh dsn N       print the DSN of node N alone
#   scripts/galera-local.sh kill N      kill node N with SIGKILL (a crash, for tests)
#   scripts/galera-local.sh restart N   stop node N if it runs, start it again and wait
#                                       until it is Synced
#   scripts/galera-local.sh settle      wait until every running node has applied what
#                                       any of them had committed when it was called
#   scripts/galera-local.sh cpu         print the CPU seconds (user and system) each
#                                       node has used so far, node 1 first
#
# Everything lives in .galera-local/ at the project root (git-ignored). Node N listens
# for SQL on 127.0.0.1:BASE+N (BASE is 24500 unless GALERA_LOCAL_BASE says otherwise,
# or the next free block of ten), and uses BASE+10+N, BASE+20+N and BASE+30+N for
# replication, incremental and full state transfers. root has no password. The ports
# lie below the kernel's range of ephemeral ports (32768-60999 by default): a port in
# it may be taken, or held in TIME-WAIT, by any client connection of the machine, and a
# node then fails to start ("Address already in use"), as 34512 did here while other
# tests connected to their servers.
#
# What was measured on such a cluster (see docs/operations.md):
# - the nodes run as the mysql user: as root, a joiner's rsync daemon drops to nobody,
#   cannot write the data folder, and the joiner aborts;
# - a node that died is started through mariadbd --wsrep-recover first, and then with
#   --wsrep-start-position, so it catches up by incremental transfer (IST) instead of a
#   full copy;
# - after the whole cluster died, every grastate.dat says safe_to_bootstrap: 0: the node
#   with the highest recovered seqno bootstraps, the others join it.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${GALERA_LOCAL_DIR:-$root/.galera-local}
provider=/usr/lib/galera/libgalera_smm.so
nodes="1 2 3"
wait_s=${GALERA_LOCAL_WAIT:-240}

die() { echo "galera-local: $*" >&2; exit 2; }
say() { echo "galera-local: $*" >&2; }

find_bin() {
	local name d
	for name in "$@"; do
		if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return 0; fi
		for d in /usr/sbin /usr/bin /usr/local/sbin /usr/local/bin; do
			if [ -x "$d/$name" ]; then echo "$d/$name"; return 0; fi
		done
	done
	return 1
}

ensure_packages() {
	local missing=()
	find_bin mariadbd >/dev/null && find_bin mariadb-install-db >/dev/null || missing+=(mariadb-server mariadb-client)
	[ -f "$provider" ] || missing+=(galera-4)
	find_bin rsync >/dev/null || missing+=(rsync)
	[ ${#missing[@]} = 0 ] && return 0
	if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
		die "missing ${missing[*]}; install them with: sudo apt-get install -y ${missing[*]}"
	fi
	say "installing Debian's ${missing[*]} (apt-get)"
	export DEBIAN_FRONTEND=noninteractive
	# Keep the packages' own service from starting: the nodes here are private.
	local policy=/usr/sbin/policy-rc.d created_policy=0
	if [ ! -e "$policy" ]; then
		printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && created_policy=1
	fi
	apt-get update -qq >&2 || true
	if ! apt-get install -y -qq "${missing[@]}" >&2; then
		[ $created_policy = 1 ] && rm -f "$policy"
		die "apt-get install ${missing[*]} failed"
	fi
	[ $created_policy = 1 ] && rm -f "$policy"
	[ -f "$provider" ] || die "galera-4 installed but $provider not found"
}

# The nodes run as mysql when this script runs as root, else as the current user (who
# then owns everything and rsync needs no change of owner).
node_user() { if [ "$(id -u)" = 0 ]; then echo mysql; else id -un; fi; }

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

base() {
	if [ -f "$dir/base" ]; then cat "$dir/base"; return; fi
	local b=${GALERA_LOCAL_BASE:-} p ok
	if [ -z "$b" ]; then
		for b in $(seq 24500 10 24900); do
			ok=1
			for p in $(seq $((b + 1)) $((b + 33))); do port_free "$p" || { ok=0; break; }; done
			[ $ok = 1 ] && break
		done
	fi
	mkdir -p "$dir"
	echo "$b" >"$dir/base"
	echo "$b"
}

sql_port() { echo $(($(base) + $1)); }
ndir() { echo "$dir/node$1"; }
# The launcher records the pid at once: mariadbd writes its own pid file only after a
# state transfer, which may take a minute.
pidfile() { echo "$(ndir "$1")/launched.pid"; }
sock() { echo "$(ndir "$1")/sock"; }

# running: node N is up. A pid file left by a crash may name a pid given since to another
# process: only one whose command line names the node's data folder counts, so kill and
# stop never reach a stranger.
running() {
	local f pid
	f=$(pidfile "$1")
	[ -f "$f" ] && pid=$(cat "$f") && kill -0 "$pid" 2>/dev/null &&
		tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "--datadir=$(ndir "$1")/data "
}

client() {
	local n=$1 c
	shift
	c=$(find_bin mariadb mysql) || return 1
	"$c" --no-defaults --socket="$(sock "$n")" -uroot --batch --skip-column-names "$@"
}

# state N prints "wsrep_ready wsrep_local_state_comment wsrep_cluster_size", or nothing.
state() {
	client "$1" -e "SELECT MAX(IF(variable_name='WSREP_READY', variable_value, NULL)),
		MAX(IF(variable_name='WSREP_LOCAL_STATE_COMMENT', variable_value, NULL)),
		MAX(IF(variable_name='WSREP_CLUSTER_SIZE', variable_value, NULL))
		FROM information_schema.global_status" 2>/dev/null | tr '\t' ' ' || true
}

synced() { case "$(state "$1")" in "ON Synced "*) return 0 ;; esac; return 1; }

dsn_all() {
	local b
	b=$(base)
	echo "root@tcp(127.0.0.1:$((b + 1)),127.0.0.1:$((b + 2)),127.0.0.1:$((b + 3)))/"
}

options() {
	local n=$1 b d
	b=$(base)
	d=$(ndir "$n")
	echo --no-defaults --user="$(node_user)" --datadir="$d/data" --tmpdir="$d/tmp" --socket="$d/sock" --port=$((b + n)) \
		--bind-address=127.0.0.1 --pid-file="$d/mariadbd.pid" --log-error="$d/mariadbd.log" \
		--local-infile=1 --max-allowed-packet=256M --max-connections=500 \
		--innodb-buffer-pool-size=512M --innodb-log-file-size=256M --innodb-flush-log-at-trx-commit=2 \
		--character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
		--binlog-format=ROW --default-storage-engine=InnoDB --innodb-autoinc-lock-mode=2 \
		--wsrep-on=ON --wsrep-provider="$provider" --wsrep-cluster-name=dmt-local \
		--wsrep-cluster-address=gcomm://127.0.0.1:$((b + 11)),127.0.0.1:$((b + 12)),127.0.0.1:$((b + 13)) \
		--wsrep-node-name=node"$n" --wsrep-node-address=127.0.0.1:$((b + 10 + n)) \
		"--wsrep-provider-options=gmcast.listen_addr=tcp://127.0.0.1:$((b + 10 + n));ist.recv_addr=127.0.0.1:$((b + 20 + n));gcache.size=512M" \
		--wsrep-sst-method=rsync --wsrep-sst-receive-address=127.0.0.1:$((b + 30 + n)) \
		--wsrep-mode=REQUIRED_PRIMARY_KEY,STRICT_REPLICATION
}

# recovered N prints the position (uuid:seqno) that mariadbd --wsrep-recover finds in
# node N's data, or nothing.
recovered() {
	local n=$1 d mariadbd
	d=$(ndir "$n")
	[ -d "$d/data/mysql" ] || return 0
	mkdir -p "$d/tmp" # data from before nodes had a tmpdir of their own
	chown "$(node_user):" "$d/tmp"
	mariadbd=$(find_bin mariadbd)
	# shellcheck disable=SC2046
	"$mariadbd" $(options "$n") --log-error="$d/recover.log" --wsrep-recover </dev/null >/dev/null 2>&1 || true
	sed -n 's/.*WSREP: Recovered position: *\([0-9a-f-]*:-\{0,1\}[0-9]*\).*/\1/p' "$d/recover.log" | tail -1
}

# launch N [extra options]: start node N in the background, its lock file closed.
launch() {
	local n=$1 mariadbd
	shift
	mariadbd=$(find_bin mariadbd)
	chown -R "$(node_user):" "$(ndir "$n")"
	# shellcheck disable=SC2046
	"$mariadbd" $(options "$n") "$@" </dev/null >/dev/null 2>&1 9>&- &
	echo $! >"$(pidfile "$n")"
}

wait_synced() {
	local n=$1 i
	for i in $(seq 1 $((wait_s * 2))); do
		synced "$n" && return 0
		if [ "$i" -gt 20 ] && ! running "$n"; then
			die "node $n stopped while starting; see $(ndir "$n")/mariadbd.log"
		fi
		sleep 0.5
	done
	die "node $n not Synced within $wait_s s ($(state "$n")); see $(ndir "$n")/mariadbd.log"
}

init_node() {
	local n=$1 d
	d=$(ndir "$n")
	# tmp: a server deletes every #sql* file of its tmpdir as it starts; sharing /tmp
	# would delete the temporary tables other servers are using.
	mkdir -p "$d/data" "$d/tmp"
	chmod 755 "$dir" "$d"
	if [ "$n" = 1 ] && [ ! -d "$d/data/mysql" ]; then
		"$(find_bin mariadb-install-db)" --no-defaults --datadir="$d/data" --user="$(node_user)" \
			--auth-root-authentication-method=normal --skip-test-db >"$d/install.log" 2>&1 ||
			die "mariadb-install-db failed; see $d/install.log"
	fi
	chown -R "$(node_user):" "$d"
}

# join N: start node N as a joiner, from its recovered position when it has data.
join() {
	local n=$1 pos
	init_node "$n"
	pos=$(recovered "$n")
	if [ -n "$pos" ] && [ "${pos##*:}" != -1 ]; then
		launch "$n" --wsrep-start-position="$pos"
	else
		launch "$n"
	fi
}

# bootstrap N [POS]: start node N as a new primary component, from its recovered
# position POS when it has one.
bootstrap() {
	local n=$1 pos=${2:-} g
	init_node "$n"
	g=$(ndir "$n")/data/grastate.dat
	[ -f "$g" ] && sed -i 's/^safe_to_bootstrap: *0/safe_to_bootstrap: 1/' "$g"
	if [ -n "$pos" ] && [ "${pos##*:}" != -1 ]; then
		launch "$n" --wsrep-new-cluster --wsrep-start-position="$pos"
	else
		launch "$n" --wsrep-new-cluster
	fi
	wait_synced "$n"
	# root may log in over TCP from 127.0.0.1 too (replicated to the other nodes).
	client "$n" -e "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '';
		GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;" >/dev/null
}

# ensure_primary: when nodes run but none is in a primary component (the others died
# and quorum was lost), the running node that committed most becomes the primary
# component again (pc.bootstrap), so that the restarted nodes can join it.
ensure_primary() {
	local n best="" bestseq=-2 st seq
	for n in $nodes; do
		running "$n" || continue
		st=$(client "$n" -e "SHOW STATUS LIKE 'wsrep_cluster_status'" 2>/dev/null | cut -f2 || true)
		[ "$st" = Primary ] && return 0
		seq=$(client "$n" -e "SHOW STATUS LIKE 'wsrep_last_committed'" 2>/dev/null | cut -f2 || true)
		if [ -n "$seq" ] && [ "$seq" -gt "$bestseq" ]; then best=$n bestseq=$seq; fi
	done
	[ -n "$best" ] || return 0
	say "no primary component: node $best (seqno $bestseq) becomes primary again"
	client "$best" -e "SET GLOBAL wsrep_provider_options='pc.bootstrap=YES'" >/dev/null
	wait_synced "$best"
}

any_running() { local n; for n in $nodes; do running "$n" && return 0; done; return 1; }

start() {
	mkdir -p "$dir"
	# One start at a time; the nodes must not inherit the lock (fd 9).
	exec 9>"$dir/lock"
	flock 9
	ensure_packages
	id "$(node_user)" >/dev/null 2>&1 || die "user $(node_user) not found (it comes with mariadb-server)"
	local n best="" bestseq=-2 bestpos="" pos seq
	if ! any_running; then
		# The whole cluster is down: bootstrap the node with the highest recovered seqno
		# (node 1 for a new cluster).
		for n in $nodes; do
			pos=$(recovered "$n")
			seq=${pos##*:}
			if [ -n "$pos" ] && [ "$seq" -gt "$bestseq" ]; then best=$n bestseq=$seq bestpos=$pos; fi
		done
		[ -n "$best" ] || best=1
		say "bootstrapping node $best${bestpos:+ (recovered position $bestpos)}"
		bootstrap "$best" "$bestpos"
	else
		ensure_primary
	fi
	for n in $nodes; do
		running "$n" || { say "starting node $n"; join "$n"; }
		# Joiners one at a time: two full copies at once from one donor are slow here.
		wait_synced "$n"
	done
	dsn_all
}

stop_node() {
	local n=$1 pid i
	running "$n" || return 0
	pid=$(cat "$(pidfile "$n")")
	kill "$pid" 2>/dev/null || true
	for i in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.5; done
	kill -9 "$pid" 2>/dev/null || true
}

stop() {
	local n
	for n in 3 2 1; do stop_node "$n"; done
	rm -rf "$dir"
}

# committed N prints node N's wsrep_last_committed, or nothing.
committed() { client "$1" -e "SHOW STATUS LIKE 'wsrep_last_committed'" 2>/dev/null | cut -f2 || true; }

# settle waits until every running node has applied the transactions committed on any
# node so far (a node applies others' transactions after their commit returned: a
# client that wrote one large transaction is answered long before the others hold it).
settle() {
	local n seq target=0 i behind=""
	declare -A at
	for n in $nodes; do
		running "$n" || continue
		seq=$(committed "$n")
		at[$n]=${seq:-0}
		[ "${at[$n]}" -gt "$target" ] && target=${at[$n]}
	done
	for n in "${!at[@]}"; do [ "${at[$n]}" -ge "$target" ] || behind="$behind $n"; done
	for i in $(seq 1 $((wait_s * 10))); do
		[ -z "$behind" ] && return 0
		sleep 0.1
		local still=""
		for n in $behind; do
			seq=$(committed "$n")
			[ -n "$seq" ] && [ "$seq" -ge "$target" ] || still="$still $n"
		done
		behind=$still
	done
	die "node(s)$behind did not apply seqno $target within ${wait_s}s"
}

# cpu prints the CPU seconds (user and system) each node has used so far, 0 for a node
# that is down.
cpu() {
	local n pid out=""
	for n in $nodes; do
		pid=""
		running "$n" && pid=$(cat "$(pidfile "$n")")
		out="$out $(awk -v t="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / t }' "/proc/${pid:-0}/stat" 2>/dev/null || echo 0)"
	done
	echo "${out# }"
}

node_arg() {
	case "${1:-}" in 1 | 2 | 3) ;; *) die "name a node: 1, 2 or 3" ;; esac
}

case "${1:-}" in
start) start ;;
stop) stop ;;
status)
	[ -f "$dir/base" ] || { echo "not running"; exit 1; }
	ok=0
	for n in $nodes; do
		if running "$n"; then
			s=$(state "$n")
			echo "node $n: 127.0.0.1:$(sql_port "$n") ${s:-not answering}"
			synced "$n" || ok=1
		else
			echo "node $n: 127.0.0.1:$(sql_port "$n") down"
			ok=1
		fi
	done
	exit $ok ;;
dsn)
	[ -f "$dir/base" ] || die "not running; run: scripts/galera-local.sh start"
	if [ -n "${2:-}" ]; then node_arg "$2"; echo "root@tcp(127.0.0.1:$(sql_port "$2"))/"; else dsn_all; fi ;;
kill)
	node_arg "${2:-}"
	running "$2" && kill -9 "$(cat "$(pidfile "$2")")"
	for _ in $(seq 1 40); do running "$2" || break; sleep 0.25; done ;;
restart)
	node_arg "${2:-}"
	mkdir -p "$dir"
	exec 9>"$dir/lock"
	flock 9
	stop_node "$2"
	if any_running; then ensure_primary; join "$2"; else bootstrap "$2" "$(recovered "$2")"; fi
	wait_synced "$2" ;;
settle) settle ;;
cpu) cpu ;;
*) echo "usage: $0 start|stop|status|dsn [N]|kill N|restart N|settle|cpu" >&2; exit 2 ;;
esac
