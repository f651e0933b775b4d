#!/usr/bin/env bash
# tvix nar dump side by side with nix-store --dump: CPU (user+sys), wall and max RSS of the
# dumping process, writing to /dev/null, through a pipe to cat, and through a pipe to sha256sum.
# Reports the minimum CPU and wall of N runs (the machine is shared: wall time is noisy).
#
#   benchmarks/Tvix.Benchmarks/nar-dump-vs-nix.sh [TREE] [RUNS]
#
# Without TREE it generates one under /tmp: ~1.1 GiB in 10,000 files of mixed sizes (70 % up to
# 16 KiB, 25 % up to 256 KiB, a few MiB-sized and a few tens of MiB), executables and symlinks.
# Needs nix-store (C++ Nix), GNU time and a Release build of the CLI.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
tvix=${TVIX:-$repo/artifacts/bin/Tvix.Cli/release/tvix}
tree=${1:-/tmp/tvix-nar-bench-tree}
runs=${2:-5}
export NIX_REMOTE=${NIX_REMOTE:-dummy://}

if [ ! -e "$tree" ]; then
  python3 - "$tree" <<'PY'
import os, random, sys
root = sys.argv[1]
rnd = random.Random(1234)
blob = os.urandom(64 << 20)
for i in range(10000):
    d = os.path.join(root, "d%02d" % (i % 100), "s%d" % (i % 7))
    os.makedirs(d, exist_ok=True)
    r = rnd.random()
    if r < 0.70: size = rnd.randint(0, 16 << 10)
    elif r < 0.95: size = rnd.randint(16 << 10, 256 << 10)
    elif r < 0.999: size = rnd.randint(256 << 10, 2 << 20)
    else: size = rnd.randint(10 << 20, 30 << 20)
    off = rnd.randint(0, len(blob) - size)
    p = os.path.join(d, "f%05d.dat" % i)
    with open(p, "wb") as f: f.write(blob[off:off + size])
    if i % 13 == 0: os.chmod(p, 0o755)
    if i % 50 == 0: os.symlink("f%05d.dat" % i, os.path.join(d, "l%05d" % i))
PY
fi

[ "$(nix-store --dump "$tree" | sha256sum)" = "$("$tvix" nar dump "$tree" | sha256sum)" ] || { echo "NARs differ" >&2; exit 1; }
find "$tree" -type f -exec cat {} + > /dev/null  # warm the page cache

times=$(mktemp)
trap 'rm -f "$times"' EXIT
measure() { # label mode command...
  local label=$1 mode=$2; shift 2
  for _ in $(seq "$runs"); do
    local start end
    start=$(date +%s.%N)
    case $mode in
      null) /usr/bin/time -o "$times" -f '%U %S %M' "$@" > /dev/null ;;
      pipe) /usr/bin/time -o "$times" -f '%U %S %M' "$@" | cat > /dev/null ;;
      sha256sum) /usr/bin/time -o "$times" -f '%U %S %M' "$@" | sha256sum > /dev/null ;;
    esac
    end=$(date +%s.%N)
    echo "$(echo "$end - $start" | bc) $(cat "$times")"
  done | awk -v l="$label" -v m="$mode" '
    { c = $2 + $3; if (NR == 1 || c < cpu) cpu = c; if (NR == 1 || $1 < wall) wall = $1; if ($4 > rss) rss = $4 }
    END { printf "%-10s %-10s cpu %.2f s  wall %.2f s  max RSS %d MB\n", l, m, cpu, wall, rss / 1024 }'
}
for mode in null pipe sha256sum; do
  measure nix-store "$mode" nix-store --dump "$tree"
  measure tvix "$mode" "$tvix" nar dump "$tree"
done
