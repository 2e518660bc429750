#!/usr/bin/env bash
# The pipeline part of `make demo`: a small real ML pipeline (prepare → train → evaluate) run
# with trail repro, changed, re-run, restored from the run-cache, and run in parallel.
set -euo pipefail

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

work=$(mktemp -d "${TMPDIR:-/tmp}/trail-pipeline-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
export GIT_AUTHOR_NAME=demo GIT_AUTHOR_EMAIL=demo@example.invalid
export GIT_COMMITTER_NAME=demo GIT_COMMITTER_EMAIL=demo@example.invalid

echo "Pipeline demo repository: $work"
git init -q -b main
trail init -q
mkdir -p src

# Iris-like data, a nearest-centroid classifier and its evaluation, standard library only.
cat > src/prepare.py <<'PY'
import json, random, sys
rng = random.Random(int(sys.argv[1]))
rows = [(c, rng.gauss(m, 0.6), rng.gauss(m / 2, 0.4)) for c, m in (("a", 4), ("b", 6), ("c", 8))
        for _ in range(50)]
rng.shuffle(rows)
cut = int(len(rows) * 0.8)
import os; os.makedirs("data", exist_ok=True)
json.dump(rows[:cut], open("data/train.json", "w")); json.dump(rows[cut:], open("data/test.json", "w"))
print(f"prepared {cut} training and {len(rows) - cut} test rows")
PY
cat > src/train.py <<'PY'
import json, sys
shrink = float(sys.argv[1])
rows = json.load(open("data/train.json"))
model = {}
for c in sorted({r[0] for r in rows}):
    pts = [r[1:] for r in rows if r[0] == c]
    model[c] = [shrink * sum(p[i] for p in pts) / len(pts) for i in range(2)]
json.dump(model, open("model.json", "w"), indent=1)
print("trained", len(model), "centroids")
PY
cat > src/evaluate.py <<'PY'
import json
model, rows = json.load(open("model.json")), json.load(open("data/test.json"))
def predict(x): return min(model, key=lambda c: sum((a - b) ** 2 for a, b in zip(model[c], x)))
pairs = [(r[0], predict(r[1:])) for r in rows]
acc = sum(a == p for a, p in pairs) / len(pairs)
json.dump({"accuracy": round(acc, 4)}, open("metrics.json", "w"))
with open("confusion.csv", "w") as f:
    f.write("actual,predicted\n" + "".join(f"{a},{p}\n" for a, p in pairs))
print(f"accuracy {acc:.3f}")
PY
cat > params.yaml <<'YAML'
prepare:
  seed: 1
train:
  shrink: 1.0
YAML
cat > trail.yaml <<'YAML'
stages:
  prepare:
    cmd: python3 src/prepare.py ${prepare.seed}
    deps: [src/prepare.py]
    params: [prepare.seed]
    outs: [data]
  train:
    cmd: python3 src/train.py ${train.shrink}
    deps: [src/train.py, data]
    params: [train.shrink]
    outs: [model.json]
  evaluate:
    cmd: python3 src/evaluate.py
    deps: [src/evaluate.py, model.json, data]
    metrics:
    - metrics.json:
        cache: false
    plots:
    - confusion.csv:
        cache: false
        template: confusion
        x: actual
        y: predicted
YAML
git add -A && git commit -q -m "A pipeline"

step trail repro
step cat trail.lock
step trail repro
git add -A && git commit -q -m "First run"

echo; echo "# Change a parameter: status says why, repro runs what depends on it"
sed -i 's/shrink: 1.0/shrink: 0.9/' params.yaml
step trail status
step trail repro
step cat metrics.json

echo; echo "# Back to the old value: outputs come from the run-cache, nothing is trained again"
sed -i 's/shrink: 0.9/shrink: 1.0/' params.yaml
step trail repro
step trail logs train --rev HEAD  # the run behind the committed lock file

echo; echo "# Independent stages run side by side with -j (output prefixed with the stage name)"
cat >> trail.yaml <<'YAML'
  report_a:
    cmd: sleep 1 && echo a > report_a.txt && echo done a
    outs: [report_a.txt]
  report_b:
    cmd: sleep 1 && echo b > report_b.txt && echo done b
    outs: [report_b.txt]
YAML
step trail repro -j 2
step trail status
git add -A && git commit -q -m "Reports"

echo; echo "# Experiments: a grid queued, run two at a time, compared in a table and a plot; the best applied"
for s in 0.8 0.9 1.1; do
  step trail exp run --queue -n "shrink-$s" -S "train.shrink=$s"
done
step trail exp show --only-changed --drop 'src/|data|model'
step trail exp run --run-all -j 2
step trail exp show --only-changed --drop 'src/|data|model'
step trail exp show --sort-by accuracy --sort-order desc --csv --only-changed
step trail plots diff shrink-0.8 shrink-1.1 -o "$work/report"
best=$(trail exp show --json | python3 -c '
import json, sys
exps = [g for b in json.load(sys.stdin) for g in b["experiments"] or []]  # the shape of dvc exp show --json
acc = lambda g: g["revs"][0]["data"]["metrics"]["metrics.json"]["data"]["accuracy"]
print(max(exps, key=acc)["name"])')
step trail exp apply "$best"
step trail exp diff HEAD "$best"
git checkout -q -- . && trail checkout -q

echo; echo "# One more point, run in the workspace itself"
step trail exp run -q -n shrink-0.7 -S train.shrink=0.7
step trail exp show --only-changed --drop 'src/|data|model'
echo; echo "# Models: register the committed model, put it in production, bundle it with its lineage"
cat > src/serve.py <<'PY'
import json
class Model:  # what `trail serve` calls: predict(list of {"x": .., "y": ..}) -> list of classes
    def __init__(self, centroids): self.c = centroids
    def predict(self, records):
        return [min(self.c, key=lambda k: (self.c[k][0] - r["x"]) ** 2 + (self.c[k][1] - r["y"]) ** 2)
                for r in records]
def load(path): return Model(json.load(open(path)))
PY
step trail artifacts add classifier model.json --type model --meta serve=src/serve.py:load
git add -A && git commit -q -m "Declare the classifier"
step trail artifacts register classifier
step trail artifacts assign classifier --stage prod
step trail artifacts show
step trail bundle 'classifier#prod' -o "$work/classifier.tar.gz"
step trail bundle verify "$work/classifier.tar.gz"
echo; echo "# The web UI (trail ui): pages for all of the above; here its JSON API, asked by a script"
trail ui --no-browser --port 0 > "$work/ui.out" &
ui_pid=$!
trap 'kill $ui_pid 2>/dev/null || true; rm -rf "$work"' EXIT  # (the server may be gone already)
for _ in $(seq 100); do grep -q "^trail ui:" "$work/ui.out" && break; sleep 0.1; done
cat "$work/ui.out"
python3 - "$(sed -n 's/^trail ui: //p' "$work/ui.out")" <<'PY'
import json, sys, urllib.request
base, token = sys.argv[1].split("/?token=")
def get(path):
    request = urllib.request.Request(base + path, headers={"Authorization": "Bearer " + token})
    return json.load(urllib.request.urlopen(request, timeout=60))
nodes = get("/api/pipeline")["nodes"]
print("pipeline:", ", ".join(f"{name} ({node['state']})" for name, node in nodes.items()))
baselines = get("/api/experiments?all-commits=1")  # what `trail exp show -A --json` prints
exps = sum(len(b["experiments"] or []) for b in baselines)
print(f"experiments: {exps} on {len(baselines) - 1} commits (and the workspace), as exp show -A")
PY
kill $ui_pid && wait $ui_pid || true

echo; echo "Pipeline demo finished."
