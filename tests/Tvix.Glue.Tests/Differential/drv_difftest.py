#!/usr/bin/env python3
"""Differential check of derivation paths: random `derivation` expressions are instantiated by
C++ Nix (nix-instantiate --store TMPDIR, a throw-away local store) and by `tvix instantiate
--readonly-mode`; the printed .drv paths (and the !OUTPUT suffixes) must be identical.

Usage: drv_difftest.py --tvix PATH/TO/tvix [--cases 500] [--batch 50] [--seed 1] [--ca]
With --ca, some derivations are floating content-addressed (experimental 'ca-derivations', on
for both sides), so their dependents are deferred.
Opt-in (needs nix-instantiate 2.8 on PATH); not run by CI. Exit 1 on the first mismatch,
printing the expression that differs."""
import argparse, base64, hashlib, os, random, string, subprocess, sys, tempfile

NAME_CHARS = string.ascii_letters + string.digits + "+-._?="
ALGOS = {"md5": 16, "sha1": 20, "sha256": 32, "sha512": 64}
B32 = "0123456789abcdfghijklmnpqrsvwxyz"


def nixbase32(data: bytes) -> str:
    n = (len(data) * 8 - 1) // 5 + 1
    out = []
    for i in range(n - 1, -1, -1):
        b = i * 5
        j, k = b // 8, b % 8
        c = data[j] >> k
        if j + 1 < len(data):
            c |= data[j + 1] << (8 - k)
        out.append(B32[c & 0x1F])
    return "".join(out)


def nix_string(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("${", "\\${").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r") + '"'


class Gen:
    def __init__(self, rng: random.Random, ca: bool = False):
        self.r = rng
        self.ca = ca
        self.drvs = []  # names of earlier let-bound derivations with their outputs

    def name(self):
        first = self.r.choice(string.ascii_letters + string.digits + "+-_?=")
        return first + "".join(self.r.choice(NAME_CHARS) for _ in range(self.r.randint(0, 20)))

    def text(self):
        alphabet = string.ascii_letters + string.digits + " \"\\\n\t$/{}é😀"
        return "".join(self.r.choice(alphabet) for _ in range(self.r.randint(0, 24)))

    def scalar(self, depth=0):
        kind = self.r.randint(0, 9)
        if kind == 0: return "(" + str(self.r.randint(-10**12, 10**12)) + ")"
        if kind == 1: return self.r.choice(["true", "false", "null"])
        if kind == 2: return "(" + repr(round(self.r.uniform(-1e6, 1e6), self.r.randint(0, 7))) + ")"
        if kind == 3 and depth < 2: return "[ " + " ".join(self.scalar(depth + 1) for _ in range(self.r.randint(0, 4))) + " ]"
        if kind == 4 and self.drvs: return self.dep_ref()
        return nix_string(self.text())

    def dep_ref(self):
        var, outputs = self.r.choice(self.drvs)
        k = self.r.randint(0, 4)
        if k == 0: return var
        if k == 1: return f'"${{{var}}}/bin"'
        if k == 2: return f"{var}.{self.r.choice(outputs)}"
        if k == 3: return f"{var}.drvPath"
        return f'"x${{{var}.{self.r.choice(outputs)}}}y"'

    def outputs(self):
        if self.r.random() < 0.7: return ["out"]
        pool = ["out", "dev", "lib", "bin", "doc", "man", "o1"]
        outs = self.r.sample(pool, self.r.randint(1, 4))
        return outs

    def fixed(self):
        algo = self.r.choice(list(ALGOS))
        digest = bytes(self.r.getrandbits(8) for _ in range(ALGOS[algo]))
        enc = self.r.randint(0, 4)
        mode = self.r.choice(["flat", "recursive", None])
        attrs = []
        if enc == 0: attrs += [f'outputHash = "{digest.hex()}";', f'outputHashAlgo = "{algo}";']
        elif enc == 1: attrs += [f'outputHash = "{nixbase32(digest)}";', f'outputHashAlgo = "{algo}";']
        elif enc == 2: attrs += [f'outputHash = "{base64.b64encode(digest).decode()}";', f'outputHashAlgo = "{algo}";']
        elif enc == 3: attrs += [f'outputHash = "{algo}-{base64.b64encode(digest).decode()}";']
        else: attrs += [f'outputHash = "{algo}:{nixbase32(digest)}";']
        if mode: attrs.append(f'outputHashMode = "{mode}";')
        return attrs

    def derivation(self):
        outs = self.outputs()
        attrs = [f"name = {nix_string(self.name())};", 'system = "x86_64-linux";', 'builder = "/bin/sh";']
        structured = self.r.random() < 0.15
        if structured: attrs.append("__structuredAttrs = true;")
        if self.r.random() < 0.1: attrs.append("__ignoreNulls = true;")
        fixed = self.r.random() < 0.15
        if fixed: attrs += self.fixed()
        elif outs != ["out"] or self.r.random() < 0.2:
            attrs.append("outputs = [ " + " ".join(nix_string(o) for o in outs) + " ];")
        if fixed: outs = ["out"]
        elif self.ca and self.r.random() < 0.2:
            attrs.append("__contentAddressed = true;")
            mode = self.r.choice(["flat", "recursive", None])
            if mode: attrs.append(f'outputHashMode = "{mode}";')
            algo = self.r.choice(["sha256", "sha512", "sha1", "bogus", None])
            if algo: attrs.append(f'outputHashAlgo = "{algo}";')
        if self.r.random() < 0.5:
            attrs.append("args = [ " + " ".join(self.scalar(1) if self.r.random() < 0.8 else nix_string(self.text()) for _ in range(self.r.randint(0, 3))) + " ];")
        used = set(["name", "system", "builder", "outputs", "args", "outputHash", "outputHashAlgo", "outputHashMode", "__structuredAttrs", "__ignoreNulls", "__contentAddressed"])
        for _ in range(self.r.randint(0, 6)):
            key = self.r.choice(["a", "b", "src", "dep", "env_" + str(self.r.randint(0, 99)), "x y", "É", "passAsFile", "allowedReferences"])
            if key in used: continue
            used.add(key)
            if key == "passAsFile":
                attrs.append('passAsFile = [ "a" ];')
                if "a" not in used: attrs.append(f"a = {nix_string(self.text())};"); used.add("a")
                continue
            attrs.append(f"{nix_string(key)} = {self.scalar()};")
        if self.r.random() < 0.2:
            attrs.append(f'file = builtins.toFile {nix_string("f" + self.name())} {nix_string(self.text())};')
        return "derivation { " + " ".join(attrs) + " }", outs


def make_batch(rng, count, ca=False):
    g = Gen(rng, ca)
    lets, tops = [], []
    for i in range(count):
        expr, outs = g.derivation()
        var = f"d{i}"
        lets.append(f"  {var} = {expr};")
        g.drvs.append((var, outs))
        if rng.random() < 0.5:
            sel = var if rng.random() < 0.7 else f"{var}.{rng.choice(outs)}"
            tops.append(f"  c{i:04d} = {sel};")
    if not tops: tops.append(f"  c0000 = d0;")
    return "let\n" + "\n".join(lets) + "\nin {\n" + "\n".join(tops) + "\n}\n"


def run(cmd, cwd):
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    return p.returncode, p.stdout.strip().splitlines(), p.stderr.strip()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tvix", required=True)
    ap.add_argument("--cases", type=int, default=500)
    ap.add_argument("--batch", type=int, default=50)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--ca", action="store_true", help="also generate floating content-addressed derivations")
    a = ap.parse_args()
    features = ["--extra-experimental-features", "ca-derivations"] if a.ca else []
    rng = random.Random(a.seed)
    checked = derivs = compared = both_failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        while derivs < a.cases:
            src = make_batch(rng, a.batch, a.ca)
            path = os.path.join(tmp, "default.nix")
            with open(path, "w") as f: f.write(src)
            # A throw-away local store: --readonly-mode cannot follow drvPath contexts (it needs the closure).
            rn, on, en = run(["nix-instantiate", *features, "--store", os.path.join(tmp, "store"), path], tmp)
            rt, ot, et = run([a.tvix, "instantiate", *features, "--readonly-mode", path], tmp)
            if rn != 0 and rt != 0:
                both_failed += 1; checked += 1; derivs += a.batch
                continue
            if rn != rt or on != ot:
                print("MISMATCH", file=sys.stderr)
                print(src, file=sys.stderr)
                print("nix:", rn, on[:5], en[-500:], file=sys.stderr)
                print("tvix:", rt, ot[:5], et[-500:], file=sys.stderr)
                for x, y in zip(on, ot):
                    if x != y: print(" first difference:", x, y, file=sys.stderr); break
                return 1
            checked += 1; derivs += a.batch; compared += len(on)
    print(f"ok: {checked} batches, {derivs} random derivations (seed {a.seed}); {compared} top-level .drv paths identical; "
          f"{both_failed} batches failed in both (same error class)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
