import random, json, subprocess, sys
# Usage: regex-nix28-gen.py SEED ALTERNATION(0|1) OUT.json  (the committed file joins
# "20261121 1" and "777 0": 600 cases each).
random.seed(int(sys.argv[1]) if len(sys.argv) > 1 else 20261121)
ALLOW_ALT = (sys.argv[2] != "0") if len(sys.argv) > 2 else True
def atom(d):
    r = random.random()
    if d < 3 and r < 0.3:
        return "(" + alt(d+1) + ")"
    if r < 0.4: return "."
    if r < 0.5: return random.choice(["[ab]", "[^a]", "[a-b]", "[[:alpha:]]"])
    return random.choice("ab")
def term(d):
    a = atom(d)
    r = random.random()
    if r < 0.15: a += "*"
    elif r < 0.25: a += "+"
    elif r < 0.35: a += "?"
    elif r < 0.40: a += random.choice(["{2}", "{1,2}", "{0,1}", "{1,}", "{0,2}"])
    elif r < 0.43: a += "*?"
    return a
def branch(d):
    n = random.randint(0, 3)
    s = "".join(term(d) for _ in range(n))
    if random.random() < 0.05: s = "^" + s
    if random.random() < 0.05: s = s + "$"
    return s
def alt(d):
    n = 1 if not ALLOW_ALT or random.random() < 0.55 else random.randint(2, 3)
    return "|".join(branch(d) for _ in range(n))
cases = []
seen = set()
while len(cases) < 600:
    p = alt(0)
    if p in seen: continue
    seen.add(p)
    for _ in range(2):
        s = "".join(random.choice("ab") for _ in range(random.randint(0, 6)))
        cases.append((p, s))
def q(x): return json.dumps(x).replace("$", "\\$")
expr = "[\n" + "\n".join(f"  {{ m = builtins.match {q(p)} {q(s)}; s = builtins.split {q(p)} {q(s)}; }}" for p, s in cases) + "\n]"
open("cases.nix", "w").write(expr)
r = subprocess.run(["nix-instantiate", "--eval", "--strict", "--json", "cases.nix"], capture_output=True, text=True)
if r.returncode != 0:
    print(r.stderr[:2000]); raise SystemExit(1)
res = json.loads(r.stdout)
out = [{"pattern": p, "subject": s, "match": x["m"], "split": x["s"]} for (p, s), x in zip(cases, res)]
json.dump({"_comment": "Random POSIX ERE cases over {a,b} evaluated by C++ Nix 2.8.0 (libstdc++ std::regex::extended): builtins.match and builtins.split results.", "cases": out}, open(sys.argv[3] if len(sys.argv) > 3 else "regex-cases.json", "w"), indent=0)
print(len(out))
