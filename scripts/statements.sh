#!/usr/bin/env bash
# statements.sh: what each SQL statement costs PostgreSQL under todo-load, for one or more
# revisions of todo, side by side: calls, execution time, shared blocks read from the cache
# and WAL bytes per call (pg_stat_statements), the statements that triggers and foreign keys
# run included.
#
#   scripts/statements.sh [REV ...]    (default: HEAD; e.g. scripts/statements.sh 9f1ff46 HEAD)
#
# Each revision is built from a git worktree and run on a new database of one throwaway
# cluster on loopback, under the same load (tokens from todo-load's JWKS). The load runs with
# few clients (CONCURRENCY, 2) so that a statement's time is mostly its own work rather than a
# wait for a core; blocks and WAL bytes do not depend on that. Settings (environment): API (v1),
# CONCURRENCY (2), SECONDS_RUN (10), SEED (50), ROUNDS (1: the revisions are run in turn this
# many times), PG_BIN (the newest /usr/lib/postgresql/*/bin).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
API=${API:-v1}
C=${CONCURRENCY:-2}
T=${SECONDS_RUN:-10}
SEED=${SEED:-50}
ROUNDS=${ROUNDS:-1}
PG_BIN=${PG_BIN:-$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")}
[ $# -gt 0 ] || set -- HEAD

work=$(mktemp -d /tmp/todo-statements.XXXXXX)
chmod 755 "$work" # the postgres user must reach its data directory inside
server=""
cleanup() {
	if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
	as_pg "$PG_BIN/pg_ctl" -D "$work/pg" -m fast -w stop >/dev/null 2>&1 || true
	git -C "$repo" worktree list --porcelain | awk '/^worktree /{print $2}' | grep "^$work/" | while read -r w; do
		git -C "$repo" worktree remove --force "$w"
	done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
pg_port=$(free_port)
sql() { as_pg "$PG_BIN/psql" -h 127.0.0.1 -p "$pg_port" -X -q "$@"; }

mkdir "$work/pg" "$work/bin"
[ "$(id -u)" = 0 ] && chown postgres "$work/pg"
as_pg "$PG_BIN/initdb" -D "$work/pg" -A trust -U postgres >/dev/null
cat >>"$work/pg/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $pg_port
unix_socket_directories = ''
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.track = all
EOF
as_pg "$PG_BIN/pg_ctl" -D "$work/pg" -l "$work/pg/log" -w start >/dev/null
sql -d template1 -c 'CREATE EXTENSION pg_stat_statements' # in every database created after

(cd "$repo" && go build -o "$work/bin/todo-load" ./cmd/todo-load)
names=()
for rev in "$@"; do
	name=$(git -C "$repo" rev-parse --short "$rev")
	git -C "$repo" worktree add -q --detach "$work/src-$name" "$rev"
	(cd "$work/src-$name" && go build -o "$work/bin/todo-$name" ./cmd/todo)
	names+=("$name")
done

jwks_port=$(free_port)
secret=$(head -c 32 /dev/urandom | base64) # 44 characters; the server wants 32 or more
for round in $(seq "$ROUNDS"); do
	for name in "${names[@]}"; do
		db="todo_${name}_$round"
		sql -d postgres -c "CREATE DATABASE $db"
		port=$(free_port)
		mkdir -p "$work/data-$db"
		env -i PATH="$PATH" HOST=127.0.0.1 PORT="$port" DATA_DIR="$work/data-$db" LOG_LEVEL=warn \
			DATABASE_URL="postgres://postgres@127.0.0.1:$pg_port/$db?sslmode=disable" \
			BETTER_AUTH_SECRET="$secret" AUTH_URL="http://127.0.0.1:$jwks_port" \
			"$work/bin/todo-$name" serve >"$work/server-$db.log" 2>&1 &
		server=$!
		for _ in $(seq 300); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
		curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || { echo "todo $name did not become healthy:" >&2; cat "$work/server-$db.log" >&2; exit 1; }
		# The counters start once the seed tasks are made, as the load tool begins its warm-up.
		"$work/bin/todo-load" -url "http://127.0.0.1:$port" -api "$API" -auth jwks -jwks-addr "127.0.0.1:$jwks_port" \
			-seed "$SEED" -c "$C" -d "${T}s" -warmup 5s 2>&1 | while read -r line; do
			case $line in
			"warming up"*) sql -d "$db" -c 'SELECT pg_stat_statements_reset()' >/dev/null ;;
			throughput*) echo "$name (round $round): $line" ;;
			todo-load:*) echo "$line" >&2 ;; # its errors; the script then stops on its exit status
			esac
		done
		kill "$server"
		wait "$server" 2>/dev/null || true
		server=""
		echo "== $name, round $round: per call"
		sql -d "$db" -P pager=off -c "
			SELECT calls, round((total_exec_time / calls * 1000)::numeric, 1) AS µs,
				round(shared_blks_hit::numeric / calls, 1) AS blocks,
				round(wal_bytes / calls) AS wal_bytes,
				left(regexp_replace(query, '\s+', ' ', 'g'), 100) AS statement
			FROM pg_stat_statements
			WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND calls >= 10
			ORDER BY total_exec_time DESC"
	done
done
