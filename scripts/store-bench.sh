#!/usr/bin/env bash
# Side-by-side benchmark of the store (issue 6 and 7 performance bars):
#   tvix store add   vs  nix-store --add      (a fresh store each run)
#   tvix store dump  vs  nix-store --dump     (to /dev/null)
#   tvix castore import  vs  cp -r + sync
# of one tree of mixed file sizes (about 1 GiB by default; SIZE=small for about 80 MB).
# Prints the minimum wall and CPU (user+sys) time of ROUNDS alternating runs.
#
#   scripts/store-bench.sh [WORKDIR]      (default /tmp/tvix-store-bench; needs python3, nix-store, GNU time)
#
# TVIX=path/to/tvix picks the binary; TVIX_BASE=path/to/other/tvix also times a second one (e.g. a
# copy of main's build) in the same rounds, so before and after compare under the same load.
#
# Each timed run starts with nothing dirty in the page cache (an untimed `sync` first): `nix-store
# --add` returns with its 1.1 GiB still unwritten, and a durable tvix add right after it would
# otherwise wait in `syncfs` until the disk has Nix's data too, not only its own.
#
# Every run writes into a directory never used before, and nothing is deleted until the end:
# on ext4 without a journal, creating files right after many were deleted makes inode allocation
# scan the recently freed ones, which costs more than the benchmark measures (either tool).
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-/tmp/tvix-store-bench}
rounds=${ROUNDS:-3}
size=${SIZE:-1g}
tvix=${TVIX:-artifacts/bin/Tvix.Cli/release/tvix}
base=${TVIX_BASE:-}
[ -x "$tvix" ] || dotnet build src/Tvix.Cli -c Release >/dev/null
mkdir -p "$work/runs"
# Each run leaves about a tree's size on disk; all are removed at the end (not between runs, see above).
trap 'rm -rf "$work/runs"' EXIT
tree="$work/tree-$size"

if [ ! -d "$tree" ]; then
  python3 - "$tree" "$size" <<'EOF'
import os, random, sys
root, size = sys.argv[1], sys.argv[2]
rnd = random.Random(42)
# (count, size): big files, medium files, many small files (4 KiB to 256 KiB), many tiny ones.
spec = [(10, 64 << 20), (48, 4 << 20), (1500, None), (12000, 'tiny')] if size == '1g' else \
       [(2, 8 << 20), (10, 1 << 20), (400, None), (990, 'tiny')]
for k, (n, s) in enumerate(spec):
    for j in range(n):
        d = os.path.join(root, f"g{k}", f"d{j % 97:02d}", f"e{j % 7}")
        os.makedirs(d, exist_ok=True)
        length = rnd.randint(4096, 256 << 10) if s is None else rnd.randint(0, 4096) if s == 'tiny' else s
        block = rnd.randbytes(min(length, 1 << 20))
        with open(os.path.join(d, f"f{j:05d}.bin"), 'wb') as f:
            left, i = length, 0
            while left > 0:  # distinct blocks, so nothing deduplicates
                chunk = block[:min(left, len(block))]
                f.write(i.to_bytes(8, 'little') + chunk[8:] if len(chunk) >= 8 else chunk)
                left -= len(chunk); i += 1
        if j % 13 == 0: os.chmod(os.path.join(d, f"f{j:05d}.bin"), 0o755)
        if j % 50 == 0: os.symlink(f"f{j:05d}.bin", os.path.join(d, f"l{j:05d}"))
os.makedirs(os.path.join(root, "empty", "dir"))
EOF
fi
echo "tree: $(du -sh --apparent-size "$tree" | cut -f1), $(find "$tree" -type f | wc -l) files"

fresh() { echo "$work/runs/r$(date +%s%N)"; }
declare -A best_wall best_cpu
run() { # LABEL CMD...: one timed run, stdout discarded
  local label=$1; shift
  sync
  /usr/bin/time -o "$work/.time" -f "%e %U %S" "$@" >/dev/null
  read -r w u s < "$work/.time"
  local c; c=$(echo "$u + $s" | bc)
  if [ -z "${best_wall[$label]:-}" ] || (( $(echo "$w < ${best_wall[$label]}" | bc) )); then best_wall[$label]=$w; fi
  if [ -z "${best_cpu[$label]:-}" ] || (( $(echo "$c < ${best_cpu[$label]}" | bc) )); then best_cpu[$label]=$c; fi
}

nixstore=$(fresh); path=$(nix-store --store "$nixstore" --add "$tree")
tvixstore=$(fresh); "$tvix" store add --store "file://$tvixstore" "$tree" >/dev/null
cmp <(nix-store --dump "$nixstore$path") <("$tvix" store dump --store "file://$tvixstore" "$path") && echo "dumps identical: $path"
for _ in $(seq "$rounds"); do
  run "nix-store --add" nix-store --store "$(fresh)" --add "$tree"
  run "tvix store add" "$tvix" store add --store "file://$(fresh)" "$tree"
  run "nix-store --dump" nix-store --dump "$nixstore$path"
  run "tvix store dump" "$tvix" store dump --store "file://$tvixstore" "$path"
  d=$(fresh); run "cp -r + sync" sh -c "cp -r '$tree' '$d' && sync"
  run "tvix castore import" "$tvix" castore import --store "file://$(fresh)" "$tree"
  if [ -n "$base" ]; then
    run "base store add" "$base" store add --store "file://$(fresh)" "$tree"
    run "base store dump" "$base" store dump --store "file://$tvixstore" "$path"
    run "base castore import" "$base" castore import --store "file://$(fresh)" "$tree"
  fi
done
labels=("nix-store --add" "tvix store add" "nix-store --dump" "tvix store dump" "cp -r + sync" "tvix castore import")
[ -n "$base" ] && labels+=("base store add" "base store dump" "base castore import")
for label in "${labels[@]}"; do
  printf "%-20s wall %6.2f s   cpu %6.2f s   (min of %d)\n" "$label" "${best_wall[$label]}" "${best_cpu[$label]}" "$rounds"
done
