#!/usr/bin/env bash
# bench.sh: the performance comparison of the README, reproduced on one machine in one run.
#
#   1. a throwaway PostgreSQL cluster on loopback (default settings, durability on);
#   2. the database floor: the task API's statement mix straight into PostgreSQL with pgbench
#      (the floor SQL in $REFERENCE_DIR), the yardstick the Go server is judged against;
#   3. todo on PostgreSQL, then the spec's FastAPI backend ($REFERENCE_DIR/../seed-fastapi,
#      1 and 2 uvicorn workers), each under the same todo-load workload; then todo under the
#      workload of a task UI on /api/v2 (todo-load -api v2: filtered, searched and sorted lists,
#      next pages, changes with If-Match), with the server's and PostgreSQL's CPU per request
#      read by todo-load -cpu, as for todo's v1 run beside it;
#      beside todo's v1 run, todo-baseline under the same load: the plainest server on net/http
#      and pgx (the spec's statements, encoding/json, nothing else), on PostgreSQL and with
#      -no-db (net/http alone), so that todo's CPU per request reads against its stack's;
#   4. the same on SQLite, sampling todo's resident memory during its v1 run;
#   5. todo's start time: launch to the first 200 on /healthz, fresh data directory each time;
#   6. the lists of API v2 at 100,000 tasks of one user, and for one user among 10,000 with 100
#      tasks each (go test -bench BenchmarkQuery, which runs BenchmarkQueryAcrossUsers too),
#      both databases;
#   7. the space a task takes in each database (go test -bench BenchmarkStorage).
#
# Every server verifies the same tokens: todo-load mints Better Auth-shaped EdDSA JWTs and
# serves their JWKS, and each server is started with AUTH_URL pointing there, so each does the
# same authentication work (fetch the key set once, verify the signature) and nothing else
# differs but the server. todo is also measured with its built-in auth (users signed up
# through /api/auth, tokens from /api/auth/token), the setup of a deployment without Next.js.
#
# The reference backend is run from $REFERENCE_DIR, never copied. Everything started here is
# stopped on exit. Raw results (JSON reports, logs) stay in $RESULTS_DIR.
#
# Settings (environment): REFERENCE_DIR (the floor's SQL, /work/shared/reference/floor),
# CONCURRENCY (16), SECONDS_RUN (20), WARMUP (2s), SEED (50 tasks per user), SEED_V2 (200 tasks
# per user in the v2 runs: more than a page in most views, so that there are next pages), STARTS (10),
# PYTHON (/usr/bin/python3), PG_BIN (the newest /usr/lib/postgresql/*/bin), RESULTS_DIR,
# TODO_LOG_LEVEL (warn: no log line per request, as uvicorn runs with --no-access-log),
# V2_BENCH_TIMES (50: iterations of each v2 list).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
REFERENCE_DIR=$(cd "${REFERENCE_DIR:-/work/shared/reference/floor}" && pwd)
FASTAPI_DIR=$(cd "$REFERENCE_DIR/../seed-fastapi" && pwd)
C=${CONCURRENCY:-16}
T=${SECONDS_RUN:-20}
WARMUP=${WARMUP:-2s}
SEED=${SEED:-50}
SEED_V2=${SEED_V2:-200}
STARTS=${STARTS:-10}
PYTHON=${PYTHON:-/usr/bin/python3}
TODO_LOG_LEVEL=${TODO_LOG_LEVEL:-warn}
RESULTS_DIR=${RESULTS_DIR:-/tmp/todo-bench-$(date +%Y%m%d-%H%M%S)}
PG_BIN=${PG_BIN:-$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")}

work=$(mktemp -d /tmp/todo-bench-work.XXXXXX)
chmod 755 "$work" # the postgres user must reach its data directory inside
mkdir -p "$RESULTS_DIR" "$work/bin" "$work/cwd"
declare -A running=() # pid → what, for the exit trap
pg_started=""

log() { printf '\n== %s\n' "$*" >&2; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
free_port() { "$PYTHON" -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

# stop ends a process this script started: politely, then not.
stop() {
	local pid=$1
	kill -TERM "$pid" 2>/dev/null || true
	for _ in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	unset "running[$pid]"
}

cleanup() {
	local pid
	for pid in "${!running[@]}"; do stop "$pid"; done
	if [ -n "$pg_started" ]; then as_pg "$PG_BIN/pg_ctl" -D "$work/pg" -m fast -w stop >/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A sleep that is a shell builtin (read with a timeout on a pipe nobody writes), so that
# polling for a server's first answer does not spawn a process per poll.
mkfifo "$work/never"
exec 9<>"$work/never"
nap() { read -r -t "$1" -u 9 || true; }

# healthz_ok asks GET /healthz through bash's /dev/tcp: no process per attempt.
healthz_ok() {
	local status=""
	{ exec 8<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
	printf 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&8
	read -r -t 2 -u 8 status || true
	exec 8>&-
	[[ $status == "HTTP/1.1 200"* ]]
}

# wait_http waits until url answers with any HTTP status (the FastAPI backend has no /healthz;
# its task API answers 401 once it is up).
wait_http() {
	local url=$1 pid=$2
	for _ in $(seq 600); do
		kill -0 "$pid" 2>/dev/null || { echo "server exited before answering; see its log" >&2; return 1; }
		[ "$(curl -s -o /dev/null -w '%{http_code}' "$url")" != 000 ] && return 0
		nap 0.05
	done
	echo "no answer from $url within 30 s" >&2
	return 1
}

# tree_cpu is the CPU time, in clock ticks, of a process and its descendants (live ones, and
# those it has reaped): for uvicorn's workers and PostgreSQL's backends as much as for todo.
tree_cpu() {
	local pid=$1 child total
	[ -r "/proc/$pid/stat" ] || { echo 0; return; }
	total=$(awk '{print $14+$15+$16+$17}' "/proc/$pid/stat")
	for child in $(cat /proc/"$pid"/task/*/children 2>/dev/null); do
		total=$((total + $(tree_cpu "$child")))
	done
	echo "$total"
}

# cpu_snapshot prints clock ticks: of the server, of PostgreSQL, and the machine's busy and
# total ticks (all cores). The kernel charges interrupt work, mostly the loopback network
# stack here, to the process it interrupts.
cpu_snapshot() {
	local pg=0
	if [ -n "$pg_started" ]; then pg=$(tree_cpu "$(head -1 "$work/pg/postmaster.pid")"); fi
	echo "$(tree_cpu "$1") $pg $(awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat)"
}

# cpu_delta turns two snapshots into the name=value lines of a .cpu file.
cpu_delta() {
	echo "$1 $2" | awk '{print "server_ticks=" $5-$1, "pg_ticks=" $6-$2, "busy_ticks=" $7-$3, "total_ticks=" $8-$4}' | tr ' ' '\n'
}

# load runs todo-load against the server with pid server_pid, with any further arguments as
# more flags (a flag given again overrides the default here); its JSON report goes to
# $RESULTS_DIR/<label>.json, and where the machine's CPU went while it measured to
# $RESULTS_DIR/<label>.cpu.
load() {
	local label=$1 url=$2 auth=$3 server_pid=$4 tool before after
	shift 4
	"$work/bin/todo-load" -url "$url" -c "$C" -d "${T}s" -warmup "$WARMUP" -seed "$SEED" \
		-auth "$auth" -jwks-addr "127.0.0.1:$jwks_port" -json "$@" \
		>"$RESULTS_DIR/$label.json" 2>"$RESULTS_DIR/$label.load.log" &
	tool=$!
	running[$tool]=todo-load
	until grep -qs '^measuring' "$RESULTS_DIR/$label.load.log"; do
		kill -0 "$tool" 2>/dev/null || break
		nap 0.02
	done
	before=$(cpu_snapshot "$server_pid")
	if ! wait "$tool"; then
		unset "running[$tool]"
		cat "$RESULTS_DIR/$label.load.log" >&2
		return 1
	fi
	unset "running[$tool]"
	after=$(cpu_snapshot "$server_pid")
	cpu_delta "$before" "$after" >"$RESULTS_DIR/$label.cpu"
	jq -r '"   \(.throughput_rps|round) req/s, p50 \(.latency_ms.p50*100|round/100) ms, p99 \(.latency_ms.p99*100|round/100) ms, \(.errors) errors"' \
		"$RESULTS_DIR/$label.json" >&2
}

# start_todo starts the server with a database URL and an auth mode (jwks: trust todo-load's
# key set; signup: the built-in auth); it sets todo_pid and todo_url.
start_todo() {
	local label=$1 database_url=$2 auth=$3 port
	port=$(free_port)
	local -a env=(PATH="$PATH" HOST=127.0.0.1 PORT="$port" DATA_DIR="$work/data-$label"
		DATABASE_URL="$database_url" BETTER_AUTH_SECRET="$secret" LOG_LEVEL="$TODO_LOG_LEVEL")
	if [ "$auth" = jwks ]; then env+=(AUTH_URL="$auth_url"); fi
	# An empty working directory: no stray .env file changes the configuration.
	(cd "$work/cwd" && exec env -i "${env[@]}" "$work/bin/todo" serve) >"$RESULTS_DIR/$label.server.log" 2>&1 &
	todo_pid=$!
	running[$todo_pid]=$label
	todo_url=http://127.0.0.1:$port
	wait_http "$todo_url/healthz" "$todo_pid"
}

# bench_todo measures todo under load: label, database URL, auth mode, then todo-load's flags.
bench_todo() {
	local label=$1
	log "$label"
	start_todo "$1" "$2" "$3"
	load "$label" "$todo_url" "$3" "$todo_pid" "${@:4}"
	stop "$todo_pid"
}

# bench_baseline measures todo-baseline under the v1 load: label, then the URL of a new database,
# where it gets the floor's tasks table, or -no-db.
bench_baseline() {
	local label=$1 database=$2 port pid
	log "$label"
	port=$(free_port)
	local -a args=(-addr "127.0.0.1:$port")
	if [ "$database" = -no-db ]; then
		args+=(-no-db)
		database=""
	else
		psql -d "$database" -f "$REFERENCE_DIR/setup.sql" >/dev/null # the spec's table, as the floor's
	fi
	(cd "$work/cwd" && exec env -i DATABASE_URL="$database" "$work/bin/todo-baseline" "${args[@]}") \
		>"$RESULTS_DIR/$label.server.log" 2>&1 &
	pid=$!
	running[$pid]=$label
	wait_http "http://127.0.0.1:$port/api/v1/tasks" "$pid"
	load "$label" "http://127.0.0.1:$port" jwks "$pid" -cpu -cpu-db-port "$pg_port"
	stop "$pid"
}

# bench_fastapi measures the spec's backend under load, with its own fresh database.
bench_fastapi() {
	local label=$1 database_url=$2 workers=$3 port pid
	log "$label"
	port=$(free_port)
	# PYTHONPATH instead of a working directory in the reference tree: its config would read a
	# .env there, and Python would write bytecode into it.
	(cd "$work/cwd" && exec env -i PATH="$PATH" PYTHONPATH="$FASTAPI_DIR" PYTHONDONTWRITEBYTECODE=1 \
		DATABASE_URL="$database_url" AUTH_URL="$auth_url" \
		"$PYTHON" -m uvicorn todo_api.main:app --host 127.0.0.1 --port "$port" --workers "$workers" --no-access-log) \
		>"$RESULTS_DIR/$label.server.log" 2>&1 &
	pid=$!
	running[$pid]=$label
	wait_http "http://127.0.0.1:$port/api/v1/tasks" "$pid"
	load "$label" "http://127.0.0.1:$port" jwks "$pid"
	# uvicorn's workers share one listening socket, so the 16 keep-alive connections may all
	# land on one of them; the CPU each process took shows whether the run used both.
	if [ "$workers" -gt 1 ]; then
		for child in $(cat /proc/"$pid"/task/*/children); do
			awk -v hz="$(getconf CLK_TCK)" '{printf "%.1f ", ($14+$15)/hz}' "/proc/$child/stat"
		done >"$RESULTS_DIR/$label.processes-cpu-s"
	fi
	stop "$pid"
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# --- build ---------------------------------------------------------------------------------
log "building todo and todo-load"
(cd "$repo" && go build -o "$work/bin/todo" ./cmd/todo && go build -o "$work/bin/todo-load" ./cmd/todo-load &&
	go build -o "$work/bin/todo-baseline" ./cmd/todo-baseline)
secret=$(head -c 32 /dev/urandom | base64)
jwks_port=$(free_port)
auth_url=http://127.0.0.1:$jwks_port

# --- PostgreSQL ----------------------------------------------------------------------------
log "starting PostgreSQL ($PG_BIN)"
pg_port=$(free_port)
mkdir "$work/pg"
chown postgres "$work/pg" 2>/dev/null || true # as root; otherwise the directory is ours already
as_pg "$PG_BIN/initdb" -D "$work/pg" -A trust -U postgres -E UTF8 >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$work/pg" -l "$work/pg/server.log" -w \
	-o "-c listen_addresses=127.0.0.1 -p $pg_port -c unix_socket_directories=$work/pg" start >/dev/null
pg_started=1
psql() { "$PG_BIN/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -q -v ON_ERROR_STOP=1 "$@"; }
pg_url() { echo "postgresql://postgres@127.0.0.1:$pg_port/$1?sslmode=disable"; }
# settle_pg drops the databases of earlier runs and checkpoints, so that no run pays for the
# writes (checkpoint, autovacuum) of the one before.
settle_pg() {
	local db
	for db in $(psql -At -c "SELECT datname FROM pg_database WHERE NOT datistemplate AND datname <> 'postgres'"); do
		psql -c "DROP DATABASE $db" >/dev/null
	done
	psql -c CHECKPOINT >/dev/null
}
new_pg_database() { settle_pg; psql -c "CREATE DATABASE $1" >/dev/null; pg_url "$1"; }

log "floor: pgbench, $C clients, ${T}s"
psql -c 'CREATE DATABASE floor' >/dev/null
psql -d floor -f "$REFERENCE_DIR/setup.sql" >/dev/null
psql -c CHECKPOINT >/dev/null
before=$(cpu_snapshot 0)
# times, last in the subshell, prints on its second line the CPU time of the subshell's
# children: pgbench's own share.
(cd "$REFERENCE_DIR" && "$PG_BIN/pgbench" -h 127.0.0.1 -p "$pg_port" -U postgres -n -M prepared \
	-c "$C" -j 2 -T "$T" -f list.sql@40 -f create.sql@25 -f get.sql@10 -f patch.sql@10 -f toggle.sql@10 \
	-f delete.sql@5 floor >"$RESULTS_DIR/floor.txt" 2>&1 && times >"$RESULTS_DIR/floor.times")
after=$(cpu_snapshot 0)
cpu_delta "$before" "$after" >"$RESULTS_DIR/floor.cpu"
floor_tps=$(awk '/^tps = /{printf "%.1f", $3}' "$RESULTS_DIR/floor.txt")
floor_latency=$(awk '/^latency average = /{print $4}' "$RESULTS_DIR/floor.txt")
echo "   $floor_tps tps, latency average $floor_latency ms" >&2

bench_todo todo-pg "$(new_pg_database todo_jwks)" jwks -cpu -cpu-db-port "$pg_port"
bench_baseline stack-baseline-pg "$(new_pg_database stack_baseline)"
bench_baseline stack-baseline-no-db -no-db
bench_todo todo-pg-builtin-auth "$(new_pg_database todo_signup)" signup
bench_todo todo-v2-pg "$(new_pg_database todo_v2)" jwks -api v2 -seed "$SEED_V2" -cpu -cpu-db-port "$pg_port"
bench_fastapi fastapi-pg-1w "$(new_pg_database fastapi_1w)" 1
bench_fastapi fastapi-pg-2w "$(new_pg_database fastapi_2w)" 2

# --- SQLite ---------------------------------------------------------------------------------
settle_pg # PostgreSQL idles from here on
# The resident set of todo is sampled from /proc through its run; VmHWM is the kernel's own
# peak, read before it stops.
log "todo-sqlite (sampling resident memory)"
start_todo todo-sqlite "sqlite:///$work/todo-sqlite.db" jwks
(while kill -0 "$todo_pid" 2>/dev/null; do
	while read -r key kib _; do [ "$key" = VmRSS: ] && echo "$kib"; done <"/proc/$todo_pid/status" 2>/dev/null || true
	nap 0.1
done) >"$RESULTS_DIR/todo-sqlite.rss-kib.txt" &
running[$!]=rss-sampler
sampler_pid=$!
load todo-sqlite "$todo_url" jwks "$todo_pid" -cpu
rss_hwm_kib=$(awk '/^VmHWM:/{print $2}' "/proc/$todo_pid/status")
stop "$todo_pid"
stop "$sampler_pid"
rss_max_kib=$(sort -n "$RESULTS_DIR/todo-sqlite.rss-kib.txt" | tail -1)
echo "   resident: max sampled $((rss_max_kib / 1024)) MiB, VmHWM $((rss_hwm_kib / 1024)) MiB" >&2

bench_todo todo-sqlite-builtin-auth "sqlite:///$work/todo-signup.db" signup
bench_todo todo-v2-sqlite "sqlite:///$work/todo-v2.db" jwks -api v2 -seed "$SEED_V2" -cpu
bench_fastapi fastapi-sqlite-1w "sqlite:///$work/fastapi-1w.db" 1
bench_fastapi fastapi-sqlite-2w "sqlite:///$work/fastapi-2w.db" 2

# --- start time -----------------------------------------------------------------------------
log "todo start to the first 200 on /healthz, SQLite, fresh data directory, $STARTS times"
start_ms=()
for i in $(seq "$STARTS"); do
	port=$(free_port)
	t0=$EPOCHREALTIME
	(cd "$work/cwd" && exec env -i PATH="$PATH" HOST=127.0.0.1 PORT="$port" DATA_DIR="$work/start-$i" \
		BETTER_AUTH_SECRET="$secret" LOG_LEVEL="$TODO_LOG_LEVEL" "$work/bin/todo" serve) >>"$RESULTS_DIR/start.server.log" 2>&1 &
	pid=$!
	running[$pid]=start-$i
	until healthz_ok "$port"; do
		kill -0 "$pid" 2>/dev/null || { echo "todo exited at start; see start.server.log" >&2; exit 1; }
		nap 0.001
	done
	t1=$EPOCHREALTIME
	start_ms+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", (b-a)*1000}')")
	stop "$pid"
done
printf '%s\n' "${start_ms[@]}" >"$RESULTS_DIR/start-ms.txt"
start_median=$(sort -n "$RESULTS_DIR/start-ms.txt" | awk '{v[NR]=$1} END{print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}')
start_max=$(sort -n "$RESULTS_DIR/start-ms.txt" | tail -1)
echo "   median $start_median ms, max $start_max ms (${start_ms[*]})" >&2

# --- API v2 lists at 100,000 tasks ------------------------------------------------------------
log "API v2 lists: go test -bench BenchmarkQuery (100,000 tasks of one user; one user of 10,000; both databases)"
(cd "$repo" && go test -run '^$' -bench BenchmarkQuery -benchtime "${V2_BENCH_TIMES:-50}x" -timeout 60m ./internal/task) >"$RESULTS_DIR/v2-query.txt" 2>&1

# --- space a task takes ---------------------------------------------------------------------
log "storage: go test -bench BenchmarkStorage (200-character titles, 1,000-character descriptions; both databases)"
(cd "$repo" && go test -run '^$' -bench BenchmarkStorage -benchtime 1x ./internal/task) >"$RESULTS_DIR/storage.txt" 2>&1

# --- summary --------------------------------------------------------------------------------
# lists tabulates the lists of one benchmark of v2-query.txt, SQLite beside PostgreSQL.
lists() {
	echo
	echo "| list | SQLite ms | PostgreSQL ms |"
	echo "|---|---|---|"
	awk -v bench="$1" '$1 ~ "^" bench "/" {
		split($1, p, "/"); db = p[2]; name = p[3]; sub(/-[0-9]+$/, "", name); gsub(/_/, " ", name)
		if (!(name in seen)) { seen[name] = 1; order[++n] = name }
		ms[db, name] = sprintf("%.2f", $3 / 1e6)
	} END { for (i = 1; i <= n; i++) printf "| %s | %s | %s |\n", order[i], ms["sqlite", order[i]], ms["postgres", order[i]] }' "$RESULTS_DIR/v2-query.txt"
}
rate() { jq -r '.throughput_rps*10|round/10' "$RESULTS_DIR/$1.json"; }
row() {
	jq -r --arg name "$1" --arg db "$2" \
		'"| \($name) | \($db) | \(.throughput_rps*10|round/10) | \(.latency_ms.p50*100|round/100) | \(.latency_ms.p90*100|round/100) | \(.latency_ms.p99*100|round/100) | \(.latency_ms.max*100|round/100) | \(.errors) |"' \
		"$RESULTS_DIR/$3.json"
}
# cpu_row shows where the machine's CPU went during one measured run, per request.
hz=$(getconf CLK_TCK)
cpu_row() {
	local name=$1 label=$2 requests=$3 client_s=$4 server_ticks pg_ticks busy_ticks total_ticks
	# written by cpu_delta: name=number lines
	. "$RESULTS_DIR/$label.cpu"
	awk -v name="$name" -v n="$requests" -v c="$client_s" -v s="$server_ticks" -v p="$pg_ticks" \
		-v b="$busy_ticks" -v t="$total_ticks" -v hz="$hz" 'BEGIN{
		us = 1e6 / hz / n
		printf "| %s | %.0f | %.0f | %.0f | %.0f | %.0f%% |\n", name, s*us, p*us, c*1e6/n, (s+p+c*hz)*us, 100*(b-s-p-c*hz)/t
	}'
}
json_cpu_row() {
	cpu_row "$1" "$2" "$(jq -r .requests "$RESULTS_DIR/$2.json")" "$(jq -r .client_cpu_s "$RESULTS_DIR/$2.json")"
}
# api_row shows a run with todo-load's own CPU figures (-cpu): the server's and PostgreSQL's
# CPU time per request.
api_row() {
	jq -r --arg name "$1" --arg db "$2" '
		def us(s): if s then s*1e6/.requests|round|tostring else "" end;
		"| \($name) | \($db) | \(.throughput_rps*10|round/10) | \(.latency_ms.p50*100|round/100) | \(.latency_ms.p99*100|round/100) | \(.errors) | \(us(.server_cpu_s)) | \(us(.db_cpu_s)) |"' \
		"$RESULTS_DIR/$3.json"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a/b}'; }
verdict() { if awk "BEGIN{exit !($1)}"; then echo met; else echo MISSED; fi; }

todo_pg=$(rate todo-pg)
todo_pg_p99=$(jq -r '.latency_ms.p99*100|round/100' "$RESULTS_DIR/todo-pg.json")
todo_sqlite=$(rate todo-sqlite)
fastapi_sqlite_best=$(awk -v a="$(rate fastapi-sqlite-1w)" -v b="$(rate fastapi-sqlite-2w)" 'BEGIN{print (a>b?a:b)}')
todo_errors=$(cat "$RESULTS_DIR"/todo-*.json | jq -s 'map(.errors)|add')
pg_ratio=$(ratio "$todo_pg" "$floor_tps")
sqlite_ratio=$(ratio "$todo_sqlite" "$fastapi_sqlite_best")
rss_mib=$(awk -v k="$rss_hwm_kib" 'BEGIN{printf "%.1f", k/1024}')
rss_sampled_mib=$(awk -v k="$rss_max_kib" 'BEGIN{printf "%.1f", k/1024}')

summary=$RESULTS_DIR/summary.md
{
	echo "Machine: $(nproc) cores, $(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo), $(free -g | awk '/^Mem:/{print $2}') GiB, $(uname -sr)"
	echo "Software: $(go version | cut -d' ' -f3), PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}'), $("$PYTHON" --version), uvicorn $("$PYTHON" -c 'import uvicorn;print(uvicorn.__version__)'), FastAPI $("$PYTHON" -c 'import fastapi;print(fastapi.__version__)')"
	echo "Load average (1, 5, 15 min) before the run: $load_before; after: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "Workload: todo-load -c $C -d ${T}s -warmup $WARMUP -seed $SEED (40% list, 25% create, 10% get, 10% patch, 10% toggle, 5% delete); load tool, servers and PostgreSQL on the same machine"
	echo
	echo "| server | database | req/s | p50 ms | p90 ms | p99 ms | max ms | errors |"
	echo "|---|---|---|---|---|---|---|---|"
	echo "| floor: pgbench, same statement mix (tps; latency average $floor_latency ms) | PostgreSQL | $floor_tps | | | | | $(awk '/^number of failed/{print $5}' "$RESULTS_DIR/floor.txt") |"
	row "todo (tokens from a remote JWKS)" PostgreSQL todo-pg
	row "todo (built-in auth)" PostgreSQL todo-pg-builtin-auth
	row "spec's FastAPI, 1 worker" PostgreSQL fastapi-pg-1w
	row "spec's FastAPI, 2 workers" PostgreSQL fastapi-pg-2w
	row "todo (tokens from a remote JWKS)" SQLite todo-sqlite
	row "todo (built-in auth)" SQLite todo-sqlite-builtin-auth
	row "spec's FastAPI, 1 worker" SQLite fastapi-sqlite-1w
	row "spec's FastAPI, 2 workers" SQLite fastapi-sqlite-2w
	echo
	echo "CPU seconds of uvicorn's processes (workers, and Python's helper) over each 2-worker run: PostgreSQL $(cat "$RESULTS_DIR/fastapi-pg-2w.processes-cpu-s"), SQLite $(cat "$RESULTS_DIR/fastapi-sqlite-2w.processes-cpu-s"); one busy worker means every connection landed on it, and 2 workers then serve like 1."
	echo
	echo "CPU time per request while measuring, in µs ($(nproc) cores give $(nproc) million µs per second), and the share of all cores that the rest of the machine took meanwhile (other processes; a few % of accounting error either way):"
	echo
	echo "| run | server | PostgreSQL | load generator | all three | rest of the machine |"
	echo "|---|---|---|---|---|---|"
	cpu_row "floor (pgbench)" floor "$(awk -v tps="$floor_tps" -v t="$T" 'BEGIN{print tps*t}')" \
		"$(awk 'NR == 2 {gsub(/[ms]/, " "); print $1*60+$2+$3*60+$4}' "$RESULTS_DIR/floor.times")"
	json_cpu_row "todo, PostgreSQL" todo-pg
	json_cpu_row "todo (built-in auth), PostgreSQL" todo-pg-builtin-auth
	json_cpu_row "FastAPI 1 worker, PostgreSQL" fastapi-pg-1w
	json_cpu_row "FastAPI 2 workers, PostgreSQL" fastapi-pg-2w
	json_cpu_row "todo, SQLite" todo-sqlite
	json_cpu_row "todo (built-in auth), SQLite" todo-sqlite-builtin-auth
	json_cpu_row "FastAPI 1 worker, SQLite" fastapi-sqlite-1w
	json_cpu_row "FastAPI 2 workers, SQLite" fastapi-sqlite-2w
	echo
	echo "API v2: todo-load -api v2 -seed $SEED_V2, the workload of a task UI (35% list: first pages filtered by status, priority, tags or dues, in every sort and order; 15% search; 10% next page by cursor; 10% create; 5% get; 12% patch, 8% toggle, 5% delete with If-Match), beside the v1 runs of todo with the same tokens; CPU per request read by todo-load -cpu:"
	echo
	echo "| workload | database | req/s | p50 ms | p99 ms | errors | server µs/request | PostgreSQL µs/request |"
	echo "|---|---|---|---|---|---|---|---|"
	api_row "API v1 (-seed $SEED)" PostgreSQL todo-pg
	api_row "API v2 (-seed $SEED_V2)" PostgreSQL todo-v2-pg
	api_row "API v1 (-seed $SEED)" SQLite todo-sqlite
	api_row "API v2 (-seed $SEED_V2)" SQLite todo-v2-sqlite
	api_row "API v1 on todo-baseline: net/http + pgx, the spec's statements, nothing else" PostgreSQL stack-baseline-pg
	api_row "API v1 on todo-baseline -no-db: net/http alone, canned answers" none stack-baseline-no-db
	echo
	echo "| target | measured | |"
	echo "|---|---|---|"
	echo "| PostgreSQL: todo ≥ 0.8 × floor | $pg_ratio × ($todo_pg req/s vs $floor_tps tps) | $(verdict "$pg_ratio >= 0.8") |"
	echo "| PostgreSQL: todo p99 < 15 ms | $todo_pg_p99 ms | $(verdict "$todo_pg_p99 < 15") |"
	echo "| zero errors (every todo run) | $todo_errors | $(verdict "$todo_errors == 0") |"
	echo "| SQLite: todo ≥ 20 × FastAPI (its better worker count) | $sqlite_ratio × | $(verdict "$sqlite_ratio >= 20") |"
	echo "| SQLite: todo resident memory under load ≤ 64 MiB | VmHWM $rss_mib MiB (max sampled VmRSS $rss_sampled_mib MiB) | $(verdict "$rss_hwm_kib <= 65536") |"
	echo "| SQLite: start to a 200 on /healthz < 150 ms | median $start_median ms, max $start_max ms ($STARTS starts) | $(verdict "$start_max < 150") |"
	echo
	echo "API v2, one page of 50 with its total, for a user with 100,000 tasks (go test -bench BenchmarkQuery ./internal/task):"
	lists BenchmarkQuery
	echo
	echo "The same for one user among 10,000 with 100 tasks each, 1,000,000 tasks (BenchmarkQueryAcrossUsers):"
	lists BenchmarkQueryAcrossUsers
	echo
	echo "The space a task with a 200-character title and a 1,000-character description takes, indexes and search terms included (go test -bench BenchmarkStorage ./internal/task):"
	echo
	echo "| database | bytes a task, new database | × the bytes of its columns | bytes a further task | × the bytes of its columns |"
	echo "|---|---|---|---|---|"
	awk '$1 ~ /^BenchmarkStorage\// {
		split($1, name, "[/-]")
		for (i = 3; i < NF; i += 2) metric[$(i + 1)] = $i
		print "| " name[2] " | " metric["B/task"] " | " metric["x-columns"] " | " metric["B/next-task"] " | " metric["next-x-columns"] " |"
	}' "$RESULTS_DIR/storage.txt"
} >"$summary"
log "summary (raw results in $RESULTS_DIR)"
cat "$summary"
