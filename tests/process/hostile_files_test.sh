#!/usr/bin/env bash
# Hostile files planted in the data dir: a FIFO at shared_config.json or transactions.csv makes every
# tool exit with a clear error naming the file instead of hanging (each run under `timeout 20`; the
# assertion is on the tool's own exit code and message, never on elapsed time); a symlink at
# transactions.csv is never written through; a hard link at the lock file is refused and its other
# name left intact.
set -euo pipefail

build_dir=${1:?usage: hostile_files_test.sh BUILD_DIR}
co="$build_dir/checkout"; sim="$build_dir/simulator"; agent="$build_dir/agent"; tool="$build_dir/config-tool"
for b in "$co" "$sim" "$agent" "$tool"; do [[ -x "$b" ]] || { echo "missing $b" >&2; exit 1; }; done

work=$(mktemp -d "${TMPDIR:-/tmp}/payops_hostile.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# run NAME WANT_CODE FRAGMENT CMD...: the command exits WANT_CODE (124 would be timeout's: a hang)
# and its stderr (or stdout, for --json) holds FRAGMENT.
run() {
  local name=$1 want=$2 fragment=$3; shift 3
  set +e; timeout 20 "$@" < /dev/null > "$work/out" 2> "$work/err"; local got=$?; set -e
  [[ $got != 124 ]] || fail "$name: hung (killed by timeout 20)"
  [[ $got == "$want" ]] || fail "$name: exited $got, expected $want: $(cat "$work/err" "$work/out" | head -5)"
  grep -qF -- "$fragment" "$work/err" "$work/out" || fail "$name: no '$fragment' in: $(cat "$work/err" "$work/out" | head -5)"
}
fresh() {  # fresh DIR: an initialised data dir
  rm -rf "$1"; mkdir -p "$1"; "$tool" init --data-dir "$1" > /dev/null
}
pay=(--amount 10 --currency USD --method card --no-wait)

# --- a FIFO at shared_config.json: every tool refuses it by name (exit 4), none blocks ---
d="$work/fifo_config"; fresh "$d"
rm "$d/shared_config.json"; mkfifo "$d/shared_config.json"
for cmd in "checkout|$co --data-dir $d ${pay[*]}" \
           "simulator|$sim --data-dir $d --fast --quiet --duration 1s --tps 5" \
           "agent|$agent --data-dir $d once" \
           "config-tool show|$tool --data-dir $d show" \
           "config-tool validate|$tool --data-dir $d validate" \
           "config-tool set|$tool --data-dir $d set banks.bank_a.weight 40"; do
  name=${cmd%%|*}; read -r -a argv <<< "${cmd#*|}"
  run "fifo config: $name" 4 "$d/shared_config.json" "${argv[@]}"
  grep -q 'not a regular file' "$work/err" "$work/out" || fail "fifo config: $name does not say why: $(cat "$work/err")"
done

# --- a FIFO at transactions.csv: the writers and the agent refuse it by name, none blocks ---
d="$work/fifo_log"; fresh "$d"
rm -f "$d/transactions.csv"; mkfifo "$d/transactions.csv"
run "fifo log: checkout" 5 "$d/transactions.csv" "$co" --data-dir "$d" "${pay[@]}"
run "fifo log: checkout with a key" 5 "$d/transactions.csv" "$co" --data-dir "$d" "${pay[@]}" --idempotency-key k1
set +e; timeout 20 "$sim" --data-dir "$d" --fast --quiet --duration 1s --tps 5 < /dev/null > "$work/out" 2> "$work/err"; got=$?; set -e
[[ $got != 124 && $got != 0 ]] || fail "fifo log: simulator exited $got (124: hung)"
grep -q "$d/transactions.csv" "$work/err" || fail "fifo log: simulator does not name the file: $(cat "$work/err")"
set +e; timeout 20 "$agent" --data-dir "$d" once < /dev/null > "$work/out" 2> "$work/err"; got=$?; set -e
[[ $got != 124 && $got != 0 ]] || fail "fifo log: agent exited $got (124: hung)"
grep -q "$d/transactions.csv" "$work/err" || fail "fifo log: agent does not name the file: $(cat "$work/err")"

# --- a symlink at transactions.csv: never written through (the target is neither created nor grown) ---
d="$work/symlink_log"; fresh "$d"
rm -f "$d/transactions.csv"
ln -s "$work/victim.csv" "$d/transactions.csv"
run "symlink log (dangling): checkout" 5 "symbolic link" "$co" --data-dir "$d" "${pay[@]}"
[[ ! -e "$work/victim.csv" ]] || fail "checkout created the target of a symlinked log"
printf 'precious\n' > "$work/victim.csv"
run "symlink log: checkout" 5 "symbolic link" "$co" --data-dir "$d" "${pay[@]}"
set +e; timeout 20 "$sim" --data-dir "$d" --fast --quiet --duration 1s --tps 5 < /dev/null > "$work/out" 2> "$work/err"; got=$?; set -e
[[ $got != 124 && $got != 0 ]] || fail "symlink log: simulator exited $got"
grep -q 'symbolic link' "$work/err" || fail "symlink log: simulator does not say why: $(cat "$work/err")"
[[ $(cat "$work/victim.csv") == precious ]] || fail "a writer appended through the symlink"

# --- a hard link at the lock: refused, the linked file keeps its bytes ---
d="$work/hardlink_lock"; fresh "$d"
printf 'precious\n' > "$work/victim"
rm -f "$d/shared_config.json.lock"
ln "$work/victim" "$d/shared_config.json.lock"
before=$(md5sum < "$d/shared_config.json")
set +e; timeout 20 "$tool" --data-dir "$d" set banks.bank_a.weight 40 > "$work/out" 2> "$work/err"; got=$?; set -e
[[ $got != 124 && $got != 0 ]] || fail "hard-linked lock: config-tool exited $got"
grep -q 'hard links' "$work/err" || fail "hard-linked lock: no reason given: $(cat "$work/err")"
[[ $(cat "$work/victim") == precious ]] || fail "the lock's pid write truncated the hard-linked file"
[[ $(md5sum < "$d/shared_config.json") == "$before" ]] || fail "the config changed without its lock"
echo "hostile files: OK"
