#!/usr/bin/env bash
# Re-runs the evaluator probes of docs/nixpkgs-findings.md against C++ Nix.
#
#   scripts/nixpkgs-probe.sh [--glue] [--sweep STEP] [--exclude ATTR]... NIXPKGS
#
# Without --glue the tvix side is the plain CLI (`tvix eval`, no store: probes that need
# derivationStrict show as TVIX-ERROR); with --glue it is scripts/nixpkgs-glue-tvix.sh.
# --sweep STEP also compares `drvPath` (or the type, or a tryEval failure) of every STEP-th
# top-level attribute of nixpkgs (haskell is disabled: hackage-packages.nix is not in the
# snapshot). --exclude drops attributes whose evaluation aborts uncatchably (F1: profont).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
glue=0 step=0 excludes=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --glue) glue=1; shift ;;
    --sweep) step=${2:?--sweep needs a step}; shift 2 ;;
    --exclude) excludes+=("${2:?--exclude needs an attribute}"); shift 2 ;;
    -h|--help) sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) break ;;
  esac
done
[[ $# -eq 1 ]] || { echo "usage: $0 [--glue] [--sweep STEP] [--exclude ATTR]... NIXPKGS" >&2; exit 2; }
nixpkgs=$1

work=$(mktemp -d "${TMPDIR:-/tmp}/nixpkgs-probe.XXXXXX")
trap 'rm -rf "$work"' EXIT

compare=("$here/nixpkgs-compare.sh" --timeout 600)
[[ $glue -eq 1 ]] && compare+=(--tvix "$here/nixpkgs-glue-tvix.sh")

cat >"$work/nixos-configuration.nix" <<'EOF'
{ ... }: {
  boot.loader.grub.device = "/dev/sda";
  fileSystems."/" = { device = "/dev/sda1"; fsType = "ext4"; };
  services.openssh.enable = true;
  services.nginx.enable = true;
  services.postgresql.enable = true;
}
EOF
nixos="(import <nixpkgs/nixos> { configuration = $work/nixos-configuration.nix; })"
lib="let lib = import <nixpkgs/lib>; in"

probes=(
  "$lib lib.version"
  "$lib builtins.attrNames lib"
  "$lib [ (lib.strings.hasPrefix \"fo\" \"foo\") (lib.strings.escapeShellArg \"it's\") (lib.strings.versionOlder \"1.2\" \"1.10\") (lib.strings.splitString \".\" \"a.b.c\") (lib.strings.fixedWidthNumber 5 42) (lib.strings.escapeNixString \"a\\\"\$b\") (lib.strings.sanitizeDerivationName \"foo bar!\") ]"
  "$lib [ (lib.lists.flatten [1 [2 [3]]]) (lib.lists.unique [1 2 1 3]) (lib.lists.sort (a: b: a < b) [3 1 2]) (lib.lists.range 1 5) (lib.lists.naturalSort [\"a10\" \"a2\" \"a1\"]) ]"
  "$lib [ (lib.attrsets.recursiveUpdate { a.b = 1; } { a.c = 2; }) (lib.attrsets.collect builtins.isInt { a = 1; b.c = 2; }) (lib.attrsets.zipAttrs [{a=1;} {a=2;}]) ]"
  "$lib (lib.makeExtensible (self: { a = 1; b = self.a + 1; })).extend (self: super: { a = 10; })"
  "$lib let s = lib.systems.elaborate \"x86_64-linux\"; in { inherit (s) config system isLinux is64bit libc; parsed = s.parsed; }"
  "$lib lib.systems.examples"
  "$lib (lib.evalModules { modules = [ ({ config, ... }: { options.a = lib.mkOption { type = lib.types.attrsOf lib.types.int; }; options.b = lib.mkOption { type = lib.types.int; }; config.a.x = 1; config.a.y = lib.mkForce 2; config.b = config.a.x + config.a.y; }) ]; }).config"
  "$lib [ (lib.generators.toINI {} { a = { b = 1; c = \"x\"; }; }) (lib.generators.toPretty {} { a = [1 \"x\" null true]; b = 1.5; }) ]"
  "$nixpkgs/lib/tests/misc.nix"
  "$nixpkgs/lib/tests/systems.nix"
  "(import <nixpkgs> {}).hello.name"
  "(import <nixpkgs> {}).hello.meta"
  "(import <nixpkgs> {}).hello.drvPath"
  "(import <nixpkgs> {}).stdenv.hostPlatform.config"
  "(import <nixpkgs> {}).python3Packages.requests.name"
  "(import <nixpkgs> {}).linuxPackages.kernel.version"
  "builtins.length (builtins.attrNames (import <nixpkgs> {}))"
  "$nixos.config.networking.hostName"
  "$nixos.config.fileSystems"
  "$nixos.config.environment.etc.hostname.text"
  "builtins.length (builtins.attrNames $nixos.options)"
  "$nixos.system.drvPath"
  # F1, F2, F4, F5, F6, F7 of docs/nixpkgs-findings.md:
  "{ outPath = \"/nix/store/x\"; } + /profont-x11"
  "let p = __curPos; in [ p.line p.column ]"
  "(builtins.nixVersion)"
  "builtins.attrNames builtins"
  "builtins.toJSON [ 0.1 1.0e20 100000.0 (1.0 / 3) 1.0 2.5 ]"
  "9223372036854775807 + 1"
)

if [[ $step -gt 0 ]]; then
  exclude_list=""
  for e in "${excludes[@]}"; do exclude_list+=" \"$e\""; done
  cat >"$work/sweep.nix" <<EOF
{ step, offset ? 0 }:
let
  pkgs = import <nixpkgs> { overlays = [ (self: super: {
    haskellPackages = throw "no haskell";
    haskell = super.haskell // { packages = throw "no haskell"; };
  }) ]; };
  skip = [ "haskellPackages" "haskell"$exclude_list ];
  names = builtins.filter (n: !(builtins.elem n skip)) (builtins.attrNames pkgs);
  idx = builtins.genList (i: offset + i * step) ((builtins.length names - offset) / step);
  one = n: let r = builtins.tryEval (let v = pkgs.\${n}; in
      if builtins.isAttrs v && v ? drvPath then builtins.seq v.drvPath v.drvPath else builtins.typeOf v);
    in if r.success then r.value else "tryEval-failed";
in map (i: let n = builtins.elemAt names i; in "\${n} \${one n}") idx
EOF
  probes+=("import $work/sweep.nix { step = $step; }")
fi

"${compare[@]}" --eval "$nixpkgs" "${probes[@]}"
