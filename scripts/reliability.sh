#!/usr/bin/env bash
# Renders README.md's "Reliability" section from the last run's results:
# every *.json in the given folders (default: build-test/reliability and
# build-sanitize/reliability, where scripts/test.sh's two suites, the
# valgrind run and the fuzzers write them), between the markers
# <!-- reliability:begin --> and <!-- reliability:end -->.  Nothing else of
# README.md is touched; with no results the section is left empty.
#
# Each file holds one JSON object per line with at least
#   {"proof": "crash_model" | "valgrind" | "fuzz_<harness>" | ..., "summary": "one sentence with the figures"}
# and optionally "build" (e.g. "asan+ubsan").  Lines that are not such an
# object are skipped with a warning.
#   usage: scripts/reliability.sh [DIR...]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -eq 0 ]; then
  set -- build-test/reliability build-sanitize/reliability
fi
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
python3 - README.md "$commit" "$@" <<'EOF'
import glob, json, os, sys

import datetime
readme, commit, dirs = sys.argv[1], sys.argv[2], sys.argv[3:]
BEGIN, END = "<!-- reliability:begin -->", "<!-- reliability:end -->"

def rank(entry):
    proof = entry["proof"]
    group = 0 if proof == "crash_model" else 1 if not proof.startswith("fuzz_") else 2
    return (group, proof, entry.get("build") != "normal", entry.get("build", ""))

def title(entry):
    proof = entry["proof"]
    names = {"crash_model": "Crash model test", "valgrind": "Valgrind"}
    if proof in names:
        name = names[proof]
    elif proof.startswith("fuzz_"):
        name = "Fuzzing `%s`" % proof
    else:
        name = proof
    build = entry.get("build")
    return "%s (%s build)" % (name, build) if build else name

entries = []
for d in dirs:
    for path in sorted(glob.glob(os.path.join(d, "*.json"))):
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    o = json.loads(line)
                except ValueError as e:
                    print("reliability: %s:%d: not JSON (%s), skipped" % (path, n, e), file=sys.stderr)
                    continue
                if not isinstance(o, dict) or not isinstance(o.get("proof"), str) \
                        or not isinstance(o.get("summary"), str):
                    print("reliability: %s:%d: no proof and summary, skipped" % (path, n), file=sys.stderr)
                    continue
                entries.append(o)
entries.sort(key=rank)

lines = []
if entries:
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines.append("Written by `scripts/reliability.sh` from the last run of `scripts/test.sh` "
                 "(%s, commit %s):" % (when, commit))
    lines.append("")
    for o in entries:
        summary = " ".join(o["summary"].split())
        lines.append("- **%s**: %s" % (title(o), summary))

with open(readme, encoding="utf-8") as f:
    text = f.read()
start, end = text.find(BEGIN), text.find(END)
if start < 0 or end < start:
    sys.exit("reliability: %s has no %s ... %s markers" % (readme, BEGIN, END))
body = "\n" + ("\n".join(lines) + "\n" if lines else "")
new = text[:start + len(BEGIN)] + body + text[end:]
if new != text:
    tmp = readme + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(new)
    os.replace(tmp, readme)
print("reliability: %d results rendered into %s" % (len(entries), readme))
EOF
