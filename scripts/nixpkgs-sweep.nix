# A sweep over one package set of nixpkgs, for comparing tvix with nix-instantiate in one
# evaluation: every STEP-th attribute (from OFFSET) of the set at the attribute path SET gives
# its .drv path, or its type when it is not a derivation, or false when evaluating it throws
# (a catchable error: broken, unfree, assertion). An uncatchable error (a missing file) would end
# the whole sweep, so haskell, whose hackage-packages.nix the snapshot lacks, is replaced by a
# throw (noHaskell): whatever needs it shows as false in both tools.
#   scripts/nixpkgs-compare.sh --eval NIXPKGS 'import @here@/nixpkgs-sweep.nix { set = "emacsPackages"; step = 3; }'
{ set, step ? 1, offset ? 0, args ? { }, skip ? [ ], noHaskell ? true }:
let
  withoutHaskell = self: super: {
    haskellPackages = throw "no haskell";
    haskell = super.haskell // { packages = throw "no haskell"; };
  };
  pkgs = import <nixpkgs> (args // lib.optionalAttrs noHaskell {
    overlays = (args.overlays or [ ]) ++ [ withoutHaskell ];
  });
  lib = import <nixpkgs/lib>;
  target = lib.attrByPath (lib.splitString "." set) (throw "no attribute ${set}") pkgs;
  names = builtins.filter (n: !(builtins.elem n skip)) (builtins.attrNames target);
  picked = builtins.genList (i: builtins.elemAt names (offset + i * step))
    ((builtins.length names - offset + step - 1) / step);
  probe = n:
    let r = builtins.tryEval (
      let v = target.${n}; in
      if lib.isDerivation v then builtins.seq v.drvPath v.drvPath else builtins.typeOf v);
    in if r.success then r.value else false;
in
map (n: [ n (probe n) ]) picked
