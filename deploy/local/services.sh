#!/usr/bin/env bash
# deploy/local/services.sh - "real" local services for risk-monitor without
# Docker: a librdkafka mock Kafka cluster (kafka-mock), InfluxDB 1.x and
# Prometheus, all bound to 127.0.0.1 on free ports, tracked by PID.
#
#   services.sh up      [kafka|influxdb|prometheus|all ...]   (default: all)
#   services.sh down    [kafka|influxdb|prometheus|all ...]   (default: all)
#   services.sh restart [kafka|influxdb|prometheus|all ...]   (new ports!)
#   services.sh status                     exit 0 if all 3 run, 3 otherwise
#   services.sh env                        print `export KEY=VALUE` lines
#   services.sh kafka-cmd <command...>     e.g. `kafka-cmd down 1`, `help`
#   services.sh logs <service>             print that service's log
#   services.sh clean                      down all + remove the state dir
#   services.sh install                    apt-get install missing packages
#
# State (pid files, logs, data, services.env) lives in
# ${RISK_LOCAL_STATE:-<repo>/.run/local}. Knobs: RISK_LOCAL_KAFKA_BROKERS (3),
# RISK_LOCAL_KAFKA_TOPICS (name:parts,...; default: project topics),
# RISK_LOCAL_START_TIMEOUT (30 s). See deploy/local/README.md.
set -Eeuo pipefail
set +m # no job control: background children must not become group leaders

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd -P)"
STATE_DIR="${RISK_LOCAL_STATE:-$REPO_ROOT/.run/local}"
STATE_DIR="$(realpath -m -- "$STATE_DIR")"
ENV_FILE="$STATE_DIR/services.env"

KAFKA_MOCK_DIR="$SCRIPT_DIR/kafka-mock"
KAFKA_MOCK_BIN="$KAFKA_MOCK_DIR/kafka-mock"
KAFKA_BROKER_COUNT="${RISK_LOCAL_KAFKA_BROKERS:-3}"
INFLUXD="${RISK_LOCAL_INFLUXD:-influxd}"
PROMETHEUS="${RISK_LOCAL_PROMETHEUS:-prometheus}"
START_TIMEOUT="${RISK_LOCAL_START_TIMEOUT:-30}" # seconds, per service
STOP_TIMEOUT=10                                  # seconds before SIGKILL
INFLUX_DB=risk
ALL_SERVICES=(kafka influxdb prometheus)

log() { printf '[services] %s\n' "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

case "$STATE_DIR" in
/ | "") die "refusing to use state dir '$STATE_DIR'" ;;
esac

# ---------------------------------------------------------------- helpers ---

# proc_alive PID EXE: true if PID runs (not a zombie) and argv[0]'s basename
# is EXE (guards against PID reuse after a crash/reboot).
proc_alive() {
	local pid=$1 exe=$2 stat argv0
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
	stat=${stat##*) } # fields after "(comm) "
	[[ ${stat%% *} != Z ]] || return 1
	argv0=$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | head -n1) || return 1
	[[ $(basename -- "$argv0") == "$(basename -- "$exe")" ]]
}

# proc_running PID: exists and is not a zombie (whatever it executes).
proc_running() {
	local stat
	[[ $1 =~ ^[0-9]+$ ]] || return 1
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[[ ${stat%% *} != Z ]]
}

# wait_exec PID EXE: waits (<= 5 s) until the forked child has exec'd EXE,
# so that the pid file we write is recognised by proc_alive.
wait_exec() {
	local i
	for ((i = 0; i < 100; i++)); do
		proc_alive "$1" "$2" && return 0
		proc_running "$1" || return 1
		sleep 0.05
	done
	return 1
}

svc_exe() {
	case $1 in
	kafka) echo "$KAFKA_MOCK_BIN" ;;
	influxdb) echo "$INFLUXD" ;;
	prometheus) echo "$PROMETHEUS" ;;
	*) die "unknown service '$1'" ;;
	esac
}

pid_file() { echo "$STATE_DIR/$1.pid"; }

# svc_pid SVC: prints the PID of a running service, fails otherwise.
svc_pid() {
	local pf pid
	pf=$(pid_file "$1")
	[[ -s $pf ]] || return 1
	pid=$(<"$pf")
	proc_alive "$pid" "$(svc_exe "$1")" || return 1
	echo "$pid"
}

# free_ports N: prints N distinct currently-free TCP ports on 127.0.0.1.
free_ports() {
	local n=$1
	if command -v node >/dev/null 2>&1; then
		node -e '
const net = require("net"); const n = +process.argv[1]; const ss = []; const ports = [];
(function next() {
  if (ss.length === n) { console.log(ports.join(" ")); ss.forEach((s) => s.close()); return; }
  const s = net.createServer(); s.listen(0, "127.0.0.1", () => { ss.push(s); ports.push(s.address().port); next(); });
})();' "$n"
	elif command -v python3 >/dev/null 2>&1; then
		python3 -c '
import socket, sys
ss = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); ss.append(s)
print(" ".join(str(s.getsockname()[1]) for s in ss))' "$n"
	else
		die "need node or python3 to pick free ports"
	fi
}

http_code() { curl -s -o /dev/null -m 2 -w '%{http_code}' "$@" 2>/dev/null || true; }

# wait_for SVC PID DESCRIPTION CHECK-CMD...: polls CHECK-CMD every 0.1 s until
# it succeeds; fails early if the process dies, or after START_TIMEOUT.
wait_for() {
	local svc=$1 pid=$2 what=$3 deadline
	shift 3
	deadline=$((SECONDS + START_TIMEOUT))
	while ((SECONDS < deadline)); do
		if ! proc_running "$pid"; then
			log "$svc (pid $pid) died while waiting for $what; last log lines:"
			tail -n 30 "$STATE_DIR/$svc.log" >&2 2>/dev/null || true
			return 1
		fi
		if "$@"; then return 0; fi
		sleep 0.1
	done
	log "$svc: timed out after ${START_TIMEOUT}s waiting for $what; last log lines:"
	tail -n 30 "$STATE_DIR/$svc.log" >&2 2>/dev/null || true
	return 1
}

# stop_pid SVC PID: SIGTERM, wait up to STOP_TIMEOUT s, then SIGKILL.
stop_pid() {
	local svc=$1 pid=$2 exe i
	exe=$(svc_exe "$svc")
	# only signal a PID that runs our executable (or is our not-yet-exec'd fork)
	proc_alive "$pid" "$exe" || wait_exec "$pid" "$exe" || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < STOP_TIMEOUT * 10; i++)); do
		proc_alive "$pid" "$exe" || return 0
		sleep 0.1
	done
	log "$svc (pid $pid) ignored SIGTERM for ${STOP_TIMEOUT}s, sending SIGKILL"
	kill -KILL "$pid" 2>/dev/null || true
	for ((i = 0; i < 50; i++)); do
		proc_alive "$pid" "$exe" || return 0
		sleep 0.1
	done
	log "warning: $svc (pid $pid) still present after SIGKILL"
}

# write_atomic FILE: stdin -> FILE.tmp.$$ -> rename.
write_atomic() {
	local f=$1
	cat >"$f.tmp.$$"
	mv -f "$f.tmp.$$" "$f"
}

# Rebuilds services.env from the fragments of the services that are running.
write_env_file() {
	local svc
	{
		echo "# generated by deploy/local/services.sh at $(date -u +%FT%TZ); KEY=VALUE"
		echo "RISK_LOCAL_STATE=$STATE_DIR"
		for svc in "${ALL_SERVICES[@]}"; do
			if [[ -s $STATE_DIR/$svc.env ]] && svc_pid "$svc" >/dev/null; then
				cat "$STATE_DIR/$svc.env"
			fi
		done
	} | write_atomic "$ENV_FILE"
}

# close_inherited_fds: in a (sub)shell about to exec a daemon, close every fd
# above 2 (our lock fd 9 and anything the caller leaked to us, e.g. a parent's
# pipe), so the daemon never keeps a caller's pipe or our lock open.
close_inherited_fds() {
	local f fd
	for f in /proc/"$BASHPID"/fd/*; do
		fd=${f##*/}
		[[ $fd =~ ^[0-9]+$ ]] && ((fd > 2)) && { eval "exec $fd>&-" 2>/dev/null || true; }
	done
	return 0
}

# spawn SVC STDOUT-FILE CMD...: starts CMD detached (own session, setsid) with
# stdin from /dev/null and stdout/stderr to files, so no pipe of the caller
# stays open (a Node parent using execFile/spawnSync would otherwise hang).
# Sets SPAWNED_PID.
spawn() {
	local svc=$1 out=$2
	shift 2
	(
		close_inherited_fds
		exec setsid "$@" </dev/null >"$out" 2>"$STATE_DIR/$svc.log"
	) &
	SPAWNED_PID=$!
	echo "$SPAWNED_PID" >"$(pid_file "$svc")"
	wait_exec "$SPAWNED_PID" "$1" || true
}

lock_state() {
	mkdir -p "$STATE_DIR"
	exec 9>"$STATE_DIR/.lock"
	flock -w 120 9 || die "could not lock $STATE_DIR/.lock"
}

need_cmd() {
	command -v "$1" >/dev/null 2>&1 || die "'$1' not found; run: $0 install"
}

# ------------------------------------------------------------------ kafka ---

build_kafka_mock() {
	if [[ -x $KAFKA_MOCK_BIN && ! $KAFKA_MOCK_DIR/kafka-mock.c -nt $KAFKA_MOCK_BIN ]]; then
		return 0
	fi
	need_cmd make
	need_cmd gcc
	[[ -f /usr/include/librdkafka/rdkafka_mock.h ]] ||
		die "librdkafka-dev headers missing; run: $0 install"
	log "building kafka-mock"
	make -s -C "$KAFKA_MOCK_DIR" >&2
}

up_kafka() {
	local fifo="$STATE_DIR/kafka.ctl" boot="$STATE_DIR/kafka.bootstrap"
	local out="$STATE_DIR/kafka.out" pid brokers
	local -a args=(--brokers "$KAFKA_BROKER_COUNT" --bootstrap-file "$boot")
	# RISK_LOCAL_KAFKA_TOPICS set (even empty) overrides the built-in list.
	if [[ -n ${RISK_LOCAL_KAFKA_TOPICS+x} ]]; then
		args+=(--topics "$RISK_LOCAL_KAFKA_TOPICS")
	fi
	build_kafka_mock
	rm -f "$fifo" "$boot" "$STATE_DIR/kafka.env"
	mkfifo -m 600 "$fifo"
	# stdin is the control FIFO opened read-write: kafka-mock itself holds a
	# writer, so it never sees EOF and writers never block on open.
	(
		close_inherited_fds
		exec setsid "$KAFKA_MOCK_BIN" "${args[@]}" <>"$fifo" >"$out" 2>"$STATE_DIR/kafka.log"
	) &
	pid=$!
	echo "$pid" >"$(pid_file kafka)"
	wait_exec "$pid" "$KAFKA_MOCK_BIN" || true
	if ! wait_for kafka "$pid" "bootstrap file" test -s "$boot"; then
		stop_pid kafka "$pid"
		return 1
	fi
	brokers=$(head -n1 "$boot")
	write_atomic "$STATE_DIR/kafka.env" <<EOF
RISK_KAFKA_BROKERS=$brokers
RISK_KAFKA_PID=$pid
RISK_KAFKA_MOCK_BROKER_COUNT=$KAFKA_BROKER_COUNT
RISK_KAFKA_MOCK_CONTROL_FIFO=$fifo
RISK_KAFKA_MOCK_REPLIES_FILE=$out
EOF
	log "kafka up: pid $pid brokers $brokers"
}

down_kafka_files() {
	rm -f "$STATE_DIR/kafka.ctl" "$STATE_DIR/kafka.bootstrap" "$STATE_DIR/kafka.env"
}

kafka_cmd() {
	(($# > 0)) || die "usage: $0 kafka-cmd <command...>  (e.g. down 1, up 1, help)"
	local fifo="$STATE_DIR/kafka.ctl" out="$STATE_DIR/kafka.out" off line i
	svc_pid kafka >/dev/null || die "kafka is not running"
	[[ -p $fifo ]] || die "control FIFO $fifo missing"
	exec 8>"$STATE_DIR/kafka.cmd.lock"
	flock -w 30 8 || die "could not lock kafka.cmd.lock"
	off=$(stat -c %s "$out")
	timeout 5 bash -c 'printf "%s\n" "$1" >"$2"' _ "$*" "$fifo" ||
		die "could not write to $fifo"
	for ((i = 0; i < 100; i++)); do
		if (($(tail -c +$((off + 1)) "$out" | wc -l) > 0)); then
			line=$(tail -c +$((off + 1)) "$out" | head -n1)
			echo "$line"
			if [[ $line == ok* ]]; then return 0; else return 1; fi
		fi
		sleep 0.05
	done
	die "no reply from kafka-mock within 5s"
}

# --------------------------------------------------------------- influxdb ---

up_influxdb() {
	local dir="$STATE_DIR/influxdb" conf="$STATE_DIR/influxdb.conf" pid
	local http_port rpc_port url
	need_cmd "$INFLUXD"
	need_cmd curl
	read -r http_port rpc_port < <(free_ports 2) || true
	[[ -n ${rpc_port:-} ]] || die "could not pick free ports"
	rm -rf "$dir" "$STATE_DIR/influxdb.env"
	mkdir -p "$dir"
	cat >"$conf" <<EOF
# generated by deploy/local/services.sh
reporting-disabled = true
bind-address = "127.0.0.1:$rpc_port"

[meta]
  dir = "$dir/meta"
  logging-enabled = false

[data]
  dir = "$dir/data"
  wal-dir = "$dir/wal"
  query-log-enabled = false

[monitor]
  store-enabled = false

[subscriber]
  enabled = false

[continuous_queries]
  log-enabled = false

[http]
  enabled = true
  bind-address = "127.0.0.1:$http_port"
  auth-enabled = false
  log-enabled = false
  unix-socket-enabled = false

[logging]
  level = "info"
  suppress-logo = true
EOF
	spawn influxdb /dev/null "$INFLUXD" -config "$conf"
	pid=$SPAWNED_PID
	url="http://127.0.0.1:$http_port"
	ping_ok() { [[ $(http_code "$url/ping") == 204 ]]; }
	if ! wait_for influxdb "$pid" "$url/ping" ping_ok; then
		stop_pid influxdb "$pid"
		return 1
	fi
	if ! curl -sS -f -m 10 -XPOST "$url/query" --data-urlencode "q=CREATE DATABASE $INFLUX_DB" >/dev/null; then
		log "influxdb: CREATE DATABASE $INFLUX_DB failed"
		stop_pid influxdb "$pid"
		return 1
	fi
	write_atomic "$STATE_DIR/influxdb.env" <<EOF
RISK_INFLUX_URL=$url
RISK_INFLUX_API_VERSION=1
RISK_INFLUX_DATABASE=$INFLUX_DB
RISK_INFLUX_PID=$pid
EOF
	log "influxdb up: pid $pid url $url database $INFLUX_DB"
}

# ------------------------------------------------------------- prometheus ---

up_prometheus() {
	local dir="$STATE_DIR/prometheus" pid port url
	local conf="$STATE_DIR/prometheus/prometheus.yml" targets="$STATE_DIR/prometheus/targets.json"
	need_cmd "$PROMETHEUS"
	need_cmd curl
	read -r port < <(free_ports 1) || true
	[[ -n ${port:-} ]] || die "could not pick a free port"
	rm -rf "$dir" "$STATE_DIR/prometheus.env"
	mkdir -p "$dir/data"
	echo '[]' | write_atomic "$targets"
	cat >"$conf" <<EOF
# generated by deploy/local/services.sh
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: risk-monitor
    scrape_interval: 1s
    scrape_timeout: 1s
    file_sd_configs:
      - files: ["$targets"]
        refresh_interval: 1s
EOF
	spawn prometheus /dev/null "$PROMETHEUS" \
		--config.file="$conf" \
		--storage.tsdb.path="$dir/data" \
		--storage.tsdb.retention.time=1d \
		--web.listen-address="127.0.0.1:$port" \
		--web.enable-lifecycle \
		--web.enable-admin-api
	pid=$SPAWNED_PID
	url="http://127.0.0.1:$port"
	ready_ok() { [[ $(http_code "$url/-/ready") == 200 ]]; }
	if ! wait_for prometheus "$pid" "$url/-/ready" ready_ok; then
		stop_pid prometheus "$pid"
		return 1
	fi
	write_atomic "$STATE_DIR/prometheus.env" <<EOF
RISK_PROMETHEUS_URL=$url
RISK_PROMETHEUS_TARGETS_FILE=$targets
RISK_PROMETHEUS_PID=$pid
EOF
	log "prometheus up: pid $pid url $url targets $targets"
}

# ---------------------------------------------------------------- up/down ---

expand_services() {
	local s
	if (($# == 0)); then
		printf '%s\n' "${ALL_SERVICES[@]}"
		return
	fi
	for s in "$@"; do
		case $s in
		all) printf '%s\n' "${ALL_SERVICES[@]}" ;;
		kafka | influxdb | prometheus) echo "$s" ;;
		influx) echo influxdb ;;
		prom) echo prometheus ;;
		*) die "unknown service '$s' (kafka|influxdb|prometheus|all)" ;;
		esac
	done | awk '!seen[$0]++'
}

cmd_up() {
	local svc pid rc=0
	local -a svcs
	mapfile -t svcs < <(expand_services "$@")
	lock_state
	for svc in "${svcs[@]}"; do
		if pid=$(svc_pid "$svc"); then
			log "$svc already running (pid $pid)"
			continue
		fi
		rm -f "$(pid_file "$svc")"
		if ! "up_$svc"; then
			log "failed to start $svc"
			rm -f "$(pid_file "$svc")" "$STATE_DIR/$svc.env"
			rc=1
			break
		fi
	done
	write_env_file
	((rc == 0)) && log "env file: $ENV_FILE"
	return "$rc"
}

cmd_down() {
	local svc pid i
	local -a svcs
	mapfile -t svcs < <(expand_services "$@")
	[[ -d $STATE_DIR ]] || return 0
	lock_state
	for ((i = ${#svcs[@]} - 1; i >= 0; i--)); do # reverse order
		svc=${svcs[i]}
		if pid=$(svc_pid "$svc"); then
			log "stopping $svc (pid $pid)"
			stop_pid "$svc" "$pid"
		fi
		rm -f "$(pid_file "$svc")" "$STATE_DIR/$svc.env"
		[[ $svc == kafka ]] && down_kafka_files
	done
	write_env_file
}

cmd_status() {
	local svc pid rc=0 key
	for svc in "${ALL_SERVICES[@]}"; do
		if pid=$(svc_pid "$svc"); then
			case $svc in
			kafka) key=RISK_KAFKA_BROKERS ;;
			influxdb) key=RISK_INFLUX_URL ;;
			prometheus) key=RISK_PROMETHEUS_URL ;;
			esac
			printf '%-11s running  pid=%-7s %s\n' "$svc" "$pid" \
				"$(grep -h "^$key=" "$STATE_DIR/$svc.env" 2>/dev/null || true)"
		else
			printf '%-11s stopped\n' "$svc"
			rc=3
		fi
	done
	return "$rc"
}

cmd_env() {
	local line
	if [[ ! -s $ENV_FILE ]]; then
		log "no $ENV_FILE (nothing started yet)"
		return 0
	fi
	while IFS= read -r line; do
		[[ -z $line || $line == \#* ]] && continue
		local k=${line%%=*} v=${line#*=}
		if [[ $v =~ ^[A-Za-z0-9_./:,@%+=-]*$ ]]; then
			printf 'export %s=%s\n' "$k" "$v"
		else
			printf 'export %s=%q\n' "$k" "$v"
		fi
	done <"$ENV_FILE"
}

cmd_logs() {
	(($# == 1)) || die "usage: $0 logs <kafka|influxdb|prometheus>"
	local svc
	svc=$(expand_services "$1")
	cat "$STATE_DIR/$svc.log"
}

cmd_clean() {
	cmd_down all
	exec 9>&-
	log "removing $STATE_DIR"
	rm -rf -- "$STATE_DIR"
}

cmd_install() {
	local -a want=(librdkafka-dev influxdb prometheus gcc make libc6-dev curl)
	local -a missing=()
	local p created_policy=0
	for p in "${want[@]}"; do
		if [[ $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) != "install ok installed" ]]; then
			missing+=("$p")
		fi
	done
	if ((${#missing[@]} == 0)); then
		log "all packages present: ${want[*]}"
		return 0
	fi
	if ((EUID != 0)); then
		die "missing packages: ${missing[*]} (re-run as root: sudo $0 install)"
	fi
	log "installing: ${missing[*]}"
	# Debian's influxdb/prometheus postinst would start system services on
	# 0.0.0.0:8086/:9090; forbid that during the install (we never use them).
	if [[ ! -e /usr/sbin/policy-rc.d ]]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		created_policy=1
	fi
	local rc=0
	export DEBIAN_FRONTEND=noninteractive
	apt-get update && apt-get install -y --no-install-recommends "${missing[@]}" || rc=$?
	((created_policy)) && rm -f /usr/sbin/policy-rc.d
	return "$rc"
}

usage() {
	sed -n '2,/^set -Eeuo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'
}

main() {
	local cmd=${1:-help}
	(($# > 0)) && shift
	case $cmd in
	up | start) cmd_up "$@" ;;
	down | stop) cmd_down "$@" ;;
	restart)
		cmd_down "$@"
		cmd_up "$@"
		;;
	status) cmd_status ;;
	env) cmd_env ;;
	kafka-cmd) kafka_cmd "$@" ;;
	logs) cmd_logs "$@" ;;
	clean) cmd_clean ;;
	install) cmd_install ;;
	help | -h | --help) usage ;;
	*)
		usage >&2
		exit 2
		;;
	esac
}

main "$@"
