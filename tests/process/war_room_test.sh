#!/usr/bin/env bash
# The War Room (`agent status`) in a real pseudo-terminal (tmux): it follows changes in the files
# within about two seconds, and Ctrl-C or SIGTERM gives the terminal back (no alternate screen,
# cursor shown, the shell's prompt). At 80x24 and 120x40 every bank's success %, p95 and sparkline
# are on screen, no line is longer than the width and the frame does not scroll. NO_COLOR removes the
# colours only (same layout, redrawn in place). Piped it prints plain blocks with no escapes; one-shot
# table and --json snapshots.
set -euo pipefail
build=$1
agent="$build/agent"
ct="$build/config-tool"
if ! command -v tmux >/dev/null; then
  echo "SKIP: tmux is not installed (apt-get install tmux)"
  exit 0
fi
dir=$(mktemp -d)
sock="payops_war_room_$$"  # a private tmux server: never touches the user's sessions
tm() { tmux -L "$sock" "$@"; }
trap 'tm kill-server 2>/dev/null || true; rm -rf "$dir"' EXIT
fail() {
  echo "FAIL: $*" >&2
  echo "--- pane:" >&2
  tm capture-pane -p -t wr 2>/dev/null >&2 || true
  exit 1
}

export PAYOPS_DATA_DIR="$dir/data"
"$ct" init >/dev/null

seq_no=0
# append_rows BANK NAME STATUS COUNT LATENCY: COUNT rows stamped now, one write.
append_rows() {
  local bank=$1 name=$2 status=$3 n=$4 latency=$5 code="" msg="" ts rows=""
  [ "$status" = failed ] && code=BANK_UNAVAILABLE && msg="bank unavailable"
  ts=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)
  for _ in $(seq "$n"); do
    seq_no=$((seq_no + 1))
    rows+=$(printf '%s,txn_%016x,10.00,USD,card,%s,%s,%s,%s,%s,%s' "$ts" "$seq_no" "$bank" "$name" "$status" "$latency" "$code" "$msg")$'\n'
  done
  printf '%s' "$rows" >> "$dir/data/transactions.csv"
}
pane() { tm capture-pane -p -t wr; }
# wait_for SECONDS DESCRIPTION CMD...: polls CMD every 0.1 s, for up to 10x SECONDS: SECONDS is what
# the view needs on a quiet machine; the margin keeps a loaded CI machine (sanitizer build, load 10)
# from failing a view that does update. A view that never shows the change still fails.
wait_for() {
  local limit=$(($1 * 10)) what=$2; shift 2
  local deadline=$((SECONDS + limit + 1)) start=$(date +%s%N)
  until "$@"; do
    [ $SECONDS -lt $deadline ] || fail "$what: not seen within ${limit}s"
    sleep 0.1
  done
  echo "ok: $what ($(( ($(date +%s%N) - start) / 1000000 )) ms)"
}
pane_has() { grep -qE -- "$1" <<< "$(pane)"; }
pane_lacks() { ! grep -qE -- "$1" <<< "$(pane)"; }
alt_screen() { [ "$(tm display -p -t wr '#{alternate_on}')" = "$1" ]; }
cursor_shown() { [ "$(tm display -p -t wr '#{cursor_flag}')" = 1 ]; }
prompt_back() { pane | grep -v '^$' | tail -1 | grep -q '^WRPROMPT\$ *$'; }

append_rows bank_a "Stripe Gateway" success 30 120
append_rows bank_b Adyen success 20 250

# One-shot: a table (plain, piped) and JSON.
"$agent" status > "$dir/table"
grep -q "Stripe Gateway" "$dir/table" || fail "one-shot table lists bank names"
grep -qE "bank_b +100\.0% +250ms +\|.*\| +healthy +closed +25 +25\.0% +40\.0% +20 +Adyen" "$dir/table" || { cat "$dir/table"; fail "one-shot table row of bank_b"; }
if grep -q $'\x1b' "$dir/table"; then fail "piped one-shot output carries escapes"; fi
"$agent" status --json > "$dir/json"
python3 - "$dir/json" <<'EOF' || fail "one-shot --json fields"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["payments"] == 50, d["payments"]
b = {x["id"]: x for x in d["banks"]}
assert b["bank_a"]["attempts"] == 30 and abs(b["bank_a"]["actual_share"] - 0.6) < 1e-9
assert b["bank_b"]["success_rate"] == 1.0 and b["bank_b"]["health_status"] == "healthy"
assert d["chaos"]["mode"] is False
EOF
echo "ok: one-shot table and --json"

# Plain periodic text when piped: one block per refresh, no escape sequences.
"$agent" status --watch --refresh 200ms --max-frames 3 | cat > "$dir/plain"
[ "$(grep -c '^payops war room' "$dir/plain")" = 3 ] || fail "piped --watch should print 3 blocks"
if grep -q $'\x1b' "$dir/plain"; then fail "piped --watch output carries escapes"; fi
echo "ok: plain blocks when piped"

# The live view in a 160x50 pseudo-terminal.
tm new-session -d -x 160 -y 50 -s wr "env -u TMUX LANG=C.UTF-8 PS1='WRPROMPT\$ ' PAYOPS_DATA_DIR='$PAYOPS_DATA_DIR' bash --norc --noprofile"
wait_for 5 "shell prompt" prompt_back
tm send-keys -t wr "$agent status --watch --refresh 250ms; echo EXIT=\$?" Enter
wait_for 3 "live view drawn" pane_has '^payops war room'
wait_for 2 "alternate screen on" alt_screen 1
pane_has 'bank_b +100\.0% +250ms .*healthy +closed' || fail "bank_b starts healthy at 100%"
pane_has '[▇█]' || fail "the sparkline uses block characters on a UTF-8 terminal"

# A config change shows within about 2 s (the view re-reads the config when its identity changes).
"$ct" bank bank_b --health down --reason "war room test: bank_b looks down" >/dev/null
wait_for 2 "bank_b down after config-tool" pane_has 'bank_b .* down '
wait_for 2 "the change in the history with its reason" pane_has 'update_bank_health.*war room test: bank_b looks down'

# Appended rows change the numbers: 20 ok + 20 failed = 50% for bank_b.
append_rows bank_b Adyen failed 20 900
wait_for 2 "bank_b success falls to 50%" pane_has 'bank_b +50\.0% +900ms .* 40 +Adyen'

# Chaos and a breaker opened by an operator appear too.
"$ct" chaos on --rate 0.25 --targets bank_c >/dev/null
wait_for 2 "chaos state" pane_has 'chaos: ON, 25\.0% of attempts fail on bank_c'
"$ct" set banks.bank_c.circuit_breaker.state open >/dev/null
wait_for 2 "bank_c breaker open" pane_has 'bank_c .* open'

# A broken edit of the config is reported while the last good copy stays on screen.
cp "$dir/data/shared_config.json" "$dir/good.json"
printf '{ "banks": [' > "$dir/data/shared_config.json.new" && mv "$dir/data/shared_config.json.new" "$dir/data/shared_config.json"
wait_for 2 "rejected config noted" pane_has 'config rejected, showing the last good copy'
pane_has 'bank_b .* down ' || fail "the last good config stays on screen"
mv "$dir/good.json" "$dir/data/shared_config.json"
wait_for 2 "note gone once the config is good again" pane_lacks 'config rejected'

# Ctrl-C: back to the shell, normal screen, cursor shown, clean exit.
tm send-keys -t wr C-c
wait_for 3 "alternate screen off after Ctrl-C" alt_screen 0
wait_for 3 "prompt back after Ctrl-C" prompt_back
cursor_shown || fail "cursor hidden after Ctrl-C"
pane_has '^EXIT=0' || fail "Ctrl-C should end the view with exit 0"
pane_lacks '^payops war room' || fail "the live view left its frame on the normal screen"

# SIGTERM does the same.
tm send-keys -t wr "clear; $agent status --watch --refresh 250ms; echo EXIT=\$?" Enter
wait_for 3 "live view drawn again" pane_has '^payops war room'
shell_pid=$(tm display -p -t wr '#{pane_pid}')
view_pid=$(pgrep -P "$shell_pid" -f 'agent status' | head -1)
[ -n "$view_pid" ] || fail "cannot find the view's pid under the pane's shell"
kill -TERM "$view_pid"
wait_for 3 "alternate screen off after SIGTERM" alt_screen 0
wait_for 3 "prompt back after SIGTERM" prompt_back
cursor_shown || fail "cursor hidden after SIGTERM"

# NO_COLOR on a terminal: the same live view, redrawn in place, without colours.
tm send-keys -t wr "clear" Enter
wait_for 3 "pane cleared" pane_lacks '^EXIT='
tm pipe-pane -t wr -o "cat > '$dir/raw'"
tm send-keys -t wr "NO_COLOR=1 $agent status --watch --refresh 200ms --max-frames 4; echo EXIT=\$?" Enter
wait_for 5 "NO_COLOR run finished" pane_has '^EXIT=0'
tm pipe-pane -t wr
grep -qF $'\x1b[?1049h' "$dir/raw" || fail "NO_COLOR should keep the live view (alternate screen)"
[ "$(grep -oF $'\x1b[H' "$dir/raw" | wc -l)" -ge 4 ] || fail "NO_COLOR should redraw in place (cursor home per frame)"
if grep -qE $'\x1b\\[(1|3[0-9])m' "$dir/raw"; then fail "NO_COLOR output carries colour or bold"; fi
echo "ok: NO_COLOR removes colour only"

# The view at 80x24 and 120x40, with more history than fits: every bank keeps its success %, p95
# and sparkline, no line is longer than the width, and the frame starts on the first row (nothing
# scrolled). bank_c's breaker is open (the longest cell) and every bank has traffic.
append_rows bank_c "Bank C" success 12 300
"$ct" set banks.bank_c.circuit_breaker.opened_at "$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)" >/dev/null  # its timer
append_rows bank_d "Bank D" success 9 410
append_rows bank_d "Bank D" failed 1 410
for i in $(seq 12); do
  "$ct" bank bank_a --weight $((40 + i)) --reason "war room test $i: a long operator reason that will not fit in eighty columns" >/dev/null
done
check_size() {
  local w=$1 h=$2 s="wr${1}"
  tm new-session -d -x "$w" -y "$h" -s "$s" "env -u TMUX LANG=C.UTF-8 PAYOPS_DATA_DIR='$PAYOPS_DATA_DIR' $agent status --watch --refresh 250ms; sleep 60"
  local deadline=$((SECONDS + 5))
  until tm capture-pane -p -t "$s" | grep -q '^bank_d'; do
    [ $SECONDS -lt $deadline ] || { tm capture-pane -p -t "$s" >&2; fail "${w}x${h}: the view was not drawn"; }
    sleep 0.1
  done
  sleep 0.6  # a few more frames: a scrolling view would have moved by now
  tm capture-pane -p -J -t "$s" > "$dir/pane_$w"
  python3 - "$dir/pane_$w" "$w" "$h" <<'EOF' || { cat "$dir/pane_$w" >&2; fail "${w}x${h} layout"; }
import re, sys
path, width, height = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
lines = open(path, encoding="utf-8").read().split("\n")[:height]
assert lines[0].startswith("payops war room"), f"the frame does not start on row 1: {lines[0]!r}"
assert sum(l.startswith("payops war room") for l in lines) == 1, "more than one frame on screen"
for l in lines:
    assert len(l.rstrip()) <= width, f"{len(l.rstrip())} columns > {width}: {l!r}"
want = {"bank_a": "100.0%", "bank_b": "50.0%", "bank_c": "100.0%", "bank_d": "90.0%"}
p95 = {"bank_a": "120ms", "bank_b": "900ms", "bank_c": "300ms", "bank_d": "410ms"}
for bank, rate in want.items():
    row = [l for l in lines if l.startswith(bank + " ")]
    assert row, f"no row for {bank}"
    r = row[0]
    assert rate in r and p95[bank] in r, f"{bank}: success {rate} / p95 {p95[bank]} missing: {r!r}"
    assert re.search(r"\|[ ▁▂▃▄▅▆▇█]*[▁▂▃▄▅▆▇█][ ▁▂▃▄▅▆▇█]*\|", r), f"{bank}: no sparkline: {r!r}"
assert any(l.startswith("sparkline: success per") for l in lines), "no sparkline legend"
assert any("war room test 12" in l for l in lines), "the newest history entry is not shown"
print(f"ok: {width}x{height}: 4 banks with success, p95 and sparkline; widest line {max(len(l.rstrip()) for l in lines)}")
EOF
  tm kill-session -t "$s"
}
check_size 80 24
grep -q 'open, probe in' "$dir/pane_80" || fail "80x24: the compact breaker cell is missing"
check_size 120 40
echo "PASS"
