#!/usr/bin/env bash
# Differential check of tvix against C++ Nix (nix-instantiate) on a nixpkgs tree.
#
#   scripts/nixpkgs-compare.sh [OPTIONS] NIXPKGS [ATTR...]
#       For each ATTR: `nix-instantiate -A ATTR NIXPKGS` (into a throw-away store) and
#       `tvix instantiate -A ATTR NIXPKGS`; one line per attribute:
#         MATCH ATTR DRV | DIFF ATTR nix=DRV tvix=DRV | TVIX-ERROR ATTR: LINE | NIX-ERROR ATTR: LINE
#         | BOTH-ERROR ATTR: nix: LINE | tvix: LINE   (failed in both tools: counted as failed)
#       (an ATTR that is a set of derivations must give the same list of .drv paths)
#
#   scripts/nixpkgs-compare.sh --eval [OPTIONS] NIXPKGS ITEM...
#       Evaluator-only: compares `nix-instantiate --eval --strict` with `tvix eval --strict`.
#       ITEM is a Nix file if such a file exists, a Nix expression if it contains anything
#       an attribute path cannot (space, brackets, quotes, ':' or '/'), else an attribute
#       path of NIXPKGS. `<nixpkgs>` resolves to NIXPKGS in files and expressions, and
#       `@here@` in an ITEM is replaced by this script's directory (so that a list of items
#       can name files kept next to it, e.g. scripts/nixos-broad-configuration.nix).
#
# Options:
#   --timeout SECS   per command (default 300)
#   --attrs-file F   read further ATTRs/ITEMs from F, one per line; blank lines and lines
#                    starting with '#' are skipped (scripts/nixpkgs-attrs.txt is a curated list)
#   --jobs N         compare N items at once (default 1; each item still runs the two tools
#                    one after the other). Result lines then come in completion order.
#   --tvix PATH      the tvix executable (default: $TVIX, else artifacts/bin/Tvix.Cli/release/tvix)
#   --json           (--eval only) compare `--json` output instead of Nix syntax (a final
#                    newline is ignored: Nix 2.8 writes none, tvix does)
#   --verbose        print both complete outputs on DIFF
#   --json-floats legacy   passed to tvix: builtins.toJSON writes floats as Nix 2.8 did, so that
#                    derivations holding JSON with floats (NixOS's options.json) get 2.8's paths
#   --arg NAME EXPR, --argstr NAME VALUE   passed to both tools (e.g. a NixOS configuration:
#                    --arg configuration ./conf.nix NIXPKGS/nixos system)
#
# Both tools run with the same controlled environment: empty NIX_PATH apart from
# nixpkgs=NIXPKGS, a fresh HOME (so no ~/.config/nixpkgs/config.nix is read) and no
# NIXPKGS_CONFIG / NIXPKGS_ALLOW_* variables. Everything temporary is removed on exit.
# Summary line: `N matched, N differed, N failed (N of them in both tools)`; exit status 0 only when all matched.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mode=instantiate
timeout_secs=300
tvix=${TVIX:-$here/../artifacts/bin/Tvix.Cli/release/tvix}
json=0
verbose=0
auto_args=()
tvix_flags=()
jobs=1
items=()

usage() { sed -n '2,35p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

while [[ $# -gt 0 ]]; do
  case $1 in
    --eval) mode=eval; shift ;;
    --timeout) timeout_secs=${2:?--timeout needs a value}; shift 2 ;;
    --attrs-file)
      [[ -r ${2:?--attrs-file needs a file} ]] || { echo "error: cannot read '$2'" >&2; exit 2; }
      while IFS= read -r line || [[ -n $line ]]; do
        line=${line%%$'\r'}
        [[ $line =~ ^[[:space:]]*(#|$) ]] && continue
        items+=("$line")
      done <"$2"
      shift 2 ;;
    --jobs|-j) jobs=${2:?--jobs needs a value}; shift 2
      [[ $jobs =~ ^[1-9][0-9]*$ ]] || { echo "error: --jobs needs a positive number" >&2; exit 2; } ;;
    --tvix) tvix=${2:?--tvix needs a value}; shift 2 ;;
    --json) json=1; shift ;;
    --verbose|-v) verbose=1; shift ;;
    --arg|--argstr) auto_args+=("$1" "${2:?$1 needs a name}" "${3?$1 needs a value}"); shift 3 ;;
    --json-floats) tvix_flags+=(--json-floats "${2:?--json-floats needs current or legacy}"); shift 2 ;;
    -h|--help) usage ;;
    --) shift; break ;;
    -*) echo "error: unknown option '$1'" >&2; usage ;;
    *) break ;;
  esac
done
[[ $# -ge 1 ]] || usage
nixpkgs=$(cd "$1" 2>/dev/null && pwd) || { echo "error: NIXPKGS '$1' is not a directory" >&2; exit 2; }
shift
items+=("$@")
[[ ${#items[@]} -ge 1 ]] || usage

command -v nix-instantiate >/dev/null || { echo "error: nix-instantiate not found (apt-get install nix-bin)" >&2; exit 2; }
[[ -x $tvix ]] || { echo "error: tvix not found at '$tvix' (dotnet build src/Tvix.Cli -c Release, or --tvix PATH)" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/nixpkgs-compare.XXXXXX")
cleanup() { chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$work/home" "$work/store" "$work/tvix-store"

# The environment both tools see.
clean_env=(env -u NIXPKGS_CONFIG -u NIXPKGS_ALLOW_UNFREE -u NIXPKGS_ALLOW_BROKEN
           -u NIXPKGS_ALLOW_INSECURE -u NIXPKGS_ALLOW_UNSUPPORTED_SYSTEM
           HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" XDG_DATA_HOME="$work/home/.local/share" NIX_PATH="nixpkgs=$nixpkgs")

# run OUT ERR CMD...: runs CMD with the timeout; returns its status (124 = timed out).
run() {
  local out=$1 err=$2; shift 2
  timeout --kill-after=10 "$timeout_secs" "${clean_env[@]}" "$@" >"$out" 2>"$err" </dev/null
}

# The line that best explains a failure: the first `error:` line, else the first line
# that is not a warning or trace.
first_error() {
  local err=$1 status=$2 line
  if [[ $status -eq 124 || $status -eq 137 ]]; then echo "timed out after ${timeout_secs}s"; return; fi
  line=$(grep -m1 -E '^error' "$err")
  [[ -n $line ]] || line=$(grep -m1 -v -E '^(warning|trace):|^\s*$' "$err")
  [[ -n $line ]] || line="exit status $status, no message"
  echo "${line:0:300}"
}

# compare_instantiate ATTR: prints one result line.
compare_instantiate() {
  local attr=$1 safe nix_status tvix_status nix_drv tvix_drv count more
  safe=${attr//[^A-Za-z0-9._-]/_}
  run "$work/$safe.nix.out" "$work/$safe.nix.err" nix-instantiate --store "$work/store" "${auto_args[@]}" -A "$attr" "$nixpkgs"
  nix_status=$?
  run "$work/$safe.tvix.out" "$work/$safe.tvix.err" "$tvix" instantiate --store "$work/tvix-store" "${tvix_flags[@]}" "${auto_args[@]}" -A "$attr" "$nixpkgs"
  tvix_status=$?
  # An attribute set gives one line per derivation in it: all of them are compared.
  nix_drv=$(grep '^/' "$work/$safe.nix.out")
  tvix_drv=$(grep '^/' "$work/$safe.tvix.out")
  count=$(grep -c '^/' <<<"$nix_drv")
  [[ $count -gt 1 ]] && more=" (+$((count - 1)) more)" || more=""
  if [[ ($nix_status -ne 0 || -z $nix_drv) && ($tvix_status -ne 0 || -z $tvix_drv) ]]; then
    echo "BOTH-ERROR $attr: nix: $(first_error "$work/$safe.nix.err" "$nix_status") | tvix: $(first_error "$work/$safe.tvix.err" "$tvix_status")"
  elif [[ $nix_status -ne 0 || -z $nix_drv ]]; then
    echo "NIX-ERROR $attr: $(first_error "$work/$safe.nix.err" "$nix_status") (tvix gave ${tvix_drv%%$'\n'*})"
  elif [[ $tvix_status -ne 0 || -z $tvix_drv ]]; then
    echo "TVIX-ERROR $attr: $(first_error "$work/$safe.tvix.err" "$tvix_status")"
  elif [[ $nix_drv == "$tvix_drv" ]]; then
    echo "MATCH $attr ${nix_drv%%$'\n'*}$more"
  else
    echo "DIFF $attr nix=$(paste -sd' ' <<<"$nix_drv") tvix=$(paste -sd' ' <<<"$tvix_drv")"
  fi
}

# compare_eval ITEM: prints a result line (and, on DIFF, the differing outputs).
compare_eval() {
  local item=${1//@here@/$here} target safe nix_status tvix_status label offset start fmt=()
  local expr_chars="[][[:space:](){}\"':/]"
  [[ $json -eq 1 ]] && fmt=(--json)
  if [[ -f $item ]]; then
    target=("$(cd "$(dirname "$item")" && pwd)/$(basename "$item")")
  elif [[ $item =~ $expr_chars ]]; then
    target=(-E "$item")
  else
    target=(-A "$item" "$nixpkgs")
  fi
  safe=$(printf '%s' "$item" | md5sum | cut -c1-12)
  # --readonly-mode: derivations get their paths computed but nothing is written.
  run "$work/$safe.nix.out" "$work/$safe.nix.err" \
    nix-instantiate --store "$work/store" --readonly-mode --eval --strict "${fmt[@]}" "${auto_args[@]}" -I "nixpkgs=$nixpkgs" "${target[@]}"
  nix_status=$?
  run "$work/$safe.tvix.out" "$work/$safe.tvix.err" \
    "$tvix" eval --strict "${fmt[@]}" "${tvix_flags[@]}" "${auto_args[@]}" -I "nixpkgs=$nixpkgs" "${target[@]}"
  tvix_status=$?
  # Nix 2.8 ends --json output without a newline, tvix with one: not a difference of values.
  if [[ $json -eq 1 ]]; then
    for f in "$work/$safe.nix.out" "$work/$safe.tvix.out"; do
      [[ -s $f && $(tail -c1 "$f" | od -An -c | tr -d ' ') == '\n' ]] && truncate -s -1 "$f"
    done
  fi
  label=${item//$'\n'/ }
  # Long items keep their start and their end (where expressions differ).
  [[ ${#label} -gt 120 ]] && label="${label:0:40}...${label: -77}"
  if [[ $nix_status -ne 0 && $tvix_status -ne 0 ]]; then
    echo "BOTH-ERROR $label: nix: $(first_error "$work/$safe.nix.err" "$nix_status") | tvix: $(first_error "$work/$safe.tvix.err" "$tvix_status")"
  elif [[ $nix_status -ne 0 ]]; then
    echo "NIX-ERROR $label: $(first_error "$work/$safe.nix.err" "$nix_status") (tvix succeeded)"
  elif [[ $tvix_status -ne 0 ]]; then
    echo "TVIX-ERROR $label: $(first_error "$work/$safe.tvix.err" "$tvix_status")"
  elif cmp -s "$work/$safe.nix.out" "$work/$safe.tvix.out"; then
    echo "MATCH $label"
  else
    offset=$(cmp "$work/$safe.nix.out" "$work/$safe.tvix.out" 2>&1 | grep -oE 'byte [0-9]+' | grep -oE '[0-9]+')
    echo "DIFF $label (first difference at byte ${offset:-EOF})"
    if [[ $verbose -eq 1 ]]; then
      echo "  nix:  $(cat "$work/$safe.nix.out")"
      echo "  tvix: $(cat "$work/$safe.tvix.out")"
    else
      start=$(( ${offset:-1} > 60 ? ${offset:-1} - 60 : 0 ))
      echo "  nix:  ...$(tail -c +$((start + 1)) "$work/$safe.nix.out" | head -c 160 | tr '\n' ' ')"
      echo "  tvix: ...$(tail -c +$((start + 1)) "$work/$safe.tvix.out" | head -c 160 | tr '\n' ' ')"
    fi
  fi
}

if [[ $mode == instantiate ]] && "$tvix" instantiate --help 2>&1 | grep -q 'not implemented'; then
  echo "note: 'tvix instantiate' is not implemented yet;" >&2
  echo "      every attribute will show as TVIX-ERROR, with nix-instantiate's result checked only." >&2
fi

# Each item's result goes to its own file (printed as soon as it is complete), so that
# parallel jobs neither interleave their lines nor need shared counters.
mkdir -p "$work/results"
# Parallel jobs would race to create the throw-away Nix store on first use; create it now.
[[ $jobs -gt 1 ]] && "${clean_env[@]}" nix-store --store "$work/store" --init >/dev/null 2>&1
index=0
for item in "${items[@]}"; do
  index=$((index + 1))
  while [[ $(jobs -rp | wc -l) -ge $jobs ]]; do wait -n; done
  (
    "compare_$mode" "$item" >"$work/results/$index.tmp"
    mv "$work/results/$index.tmp" "$work/results/$index"
    cat "$work/results/$index"
  ) &
done
wait

matched=0 differed=0 failed=0 both=0
for ((i = 1; i <= index; i++)); do
  case $(head -c 5 "$work/results/$i" 2>/dev/null) in
    MATCH) matched=$((matched + 1)) ;;
    DIFF*) differed=$((differed + 1)) ;;
    BOTH-) failed=$((failed + 1)); both=$((both + 1)) ;;
    *) failed=$((failed + 1)) ;;
  esac
done
echo "$matched matched, $differed differed, $failed failed ($both of them in both tools)"
[[ $differed -eq 0 && $failed -eq 0 ]]
