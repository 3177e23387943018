#!/usr/bin/env bash
# genlab's command line without a display: --help lists the options, and bad
# values are refused with exit code 2 and a message, before any window opens.
set -u
app=$1
fail() { echo "FAIL: $*" >&2; exit 1; }
help=$("$app" --help) || fail "--help exited $?"
for o in --lab --model --autotrain --screenshot --screenshot-after; do
  grep -q -- "$o " <<<"$help" || fail "--help does not list $o"
done
expect() {  # expect MESSAGE ARGS...: exit code 2 and MESSAGE on stderr
  local want=$1; shift
  local err rc
  err=$(QT_QPA_PLATFORM=offscreen "$app" "$@" 2>&1 >/dev/null); rc=$?
  [[ $rc == 2 ]] || fail "genlab $*: exit code $rc, not 2"
  grep -q -- "$want" <<<"$err" || fail "genlab $*: no '$want' in: $err"
}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
expect "needs a number of seconds" --screenshot-after soon --screenshot "$out/x.png"
expect "needs a number of seconds" --screenshot-after nan --screenshot "$out/x.png"
expect "needs a number of seconds" --screenshot-after -1 --screenshot "$out/x.png"
expect "goes with --screenshot" --screenshot-after 2
expect "goes with --screenshot" --screenshot-after 2 --autotrain 3 --screenshot "$out/x.png"
expect "needs a number of seconds" --autotrain nan
expect "unknown lab 'nosuchlab'" --lab nosuchlab
[[ ! -e "$out/x.png" ]] || fail "a refused command wrote a screenshot"
echo "genlab's arguments: ok"
