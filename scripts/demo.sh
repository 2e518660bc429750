#!/usr/bin/env bash
# A small end-to-end tour of trail, run by `make demo`: a throwaway Git repository in a temp
# directory, a data set versioned beside Git, changed, compared, restored, pushed to a remote
# and pulled into a colleague's clone.
set -euo pipefail

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

work=$(mktemp -d "${TMPDIR:-/tmp}/trail-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
export GIT_AUTHOR_NAME=demo GIT_AUTHOR_EMAIL=demo@example.invalid
export GIT_COMMITTER_NAME=demo GIT_COMMITTER_EMAIL=demo@example.invalid

mkdir "$work/repo" && cd "$work/repo"
echo "Demo repository: $work/repo"
step git init -q -b main
step trail init
step git commit -q -m "Initialize trail"

# A small data set: a CSV and a folder of "images".
mkdir -p data/images
python3 - <<'PY'
import random
rng = random.Random(0)
with open("data/iris.csv", "w") as f:
    f.write("sepal_length,sepal_width,label\n")
    for _ in range(150):
        f.write(f"{rng.uniform(4, 8):.1f},{rng.uniform(2, 4.5):.1f},{rng.choice('abc')}\n")
for i in range(20):
    with open(f"data/images/img{i:02d}.bin", "wb") as f:
        f.write(rng.randbytes(2048))
PY

step trail add data
step cat data.trail
step git add data.trail .gitignore
step git commit -q -m "Track data v1"
step trail status

echo; echo "# Change the data: edit a row, add an image"
sed -i '2s/.*/5.0,3.0,a/' data/iris.csv
python3 -c "open('data/images/new.bin','wb').write(b'x' * 100)"
step trail status
step trail data status --granular
step trail add data
step trail diff
step git commit -q -am "Track data v2"

echo; echo "# Go back in time: Git restores the pointer file, trail the data"
step git checkout -q HEAD~1 -- data.trail
step trail checkout
step trail diff HEAD
step git checkout -q HEAD -- data.trail
step trail checkout

echo; echo "# Lose the workspace copy entirely, then restore it from the cache"
rm -rf data
step trail checkout
step trail fsck
step trail status

echo; echo "# Share it: push to a remote (a folder here; S3, SSH and HTTP work the same way),"
echo "# then a colleague's fresh clone pulls the data"
step trail remote add -d storage "$work/storage"
git add .trail/config && git commit -q -m "Add a remote"
step trail push
step trail push
step git clone -q "$work/repo" "$work/colleague"
cd "$work/colleague"
step trail pull
step trail status
echo; echo "Demo finished: every step above ran for real."
