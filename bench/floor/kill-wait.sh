#!/usr/bin/env bash
# The shell floor of exit detection: start the target as a coprocess, wait for its "ready" line,
# wait DELAY_MS (the pause the harness leaves between ready and strike), then time
# `kill -TERM; wait` (EPOCHREALTIME when bash has it, else `date +%s%N`, which forks and so adds
# its own cost).  Usage: kill-wait.sh N DELAY_MS TARGET [ARGS...]  -> N lines, one sample in ms each.
set -u
n=$1
delay=$2
shift 2
pause=$(printf '0.%03d' "$delay")
usec() {
  if [[ -n ${EPOCHREALTIME:-} ]]; then
    local t=$EPOCHREALTIME
    echo "${t/[.,]/}"
  else
    echo $(( $(date +%s%N) / 1000 ))
  fi
}
for ((i = 0; i < n; i++)); do
  coproc T { exec "$@"; }
  pid=$T_PID
  IFS= read -r line <&"${T[0]}" || { echo "target did not print ready" >&2; exit 1; }
  # The pause: a read that times out (the target prints nothing more); no fork.
  if ((delay > 0)); then IFS= read -r -t "$pause" line <&"${T[0]}"; fi
  if [[ -n ${EPOCHREALTIME:-} ]]; then
    t0=$EPOCHREALTIME
    kill -TERM "$pid"
    wait "$pid"
    status=$?
    t1=$EPOCHREALTIME
    t0=${t0/[.,]/}
    t1=${t1/[.,]/}
  else
    t0=$(usec)
    kill -TERM "$pid"
    wait "$pid"
    status=$?
    t1=$(usec)
  fi
  [[ $status -eq 0 ]] || { echo "target status $status" >&2; exit 1; }
  d=$(( 10#$t1 - 10#$t0 ))
  printf '%d.%03d\n' $((d / 1000)) $((d % 1000))
done
