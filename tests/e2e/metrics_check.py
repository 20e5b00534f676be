#!/usr/bin/python3
"""Parse a /metrics scrape with the Prometheus client's own text parser and
check it, for tests/e2e/test_metrics.c.

    usage: metrics_check.py FILE [EXPECT ...]

Every scrape is checked for what the format promises: each family parses,
counters end in _total, every histogram's buckets are cumulative, end in
le="+Inf" and that bucket equals _count.  Each EXPECT is
'name{label="v",...} OP number' with OP one of = >= <= (labels optional;
without labels the sample must have none), or 'sum(name) OP number' over
every sample of that name.  Exits 0 when everything holds,
1 with one line per problem otherwise, 2 on bad usage.
"""
import re
import sys

from prometheus_client.parser import text_string_to_metric_families


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        text = f.read()
    problems = []
    samples = {}
    try:
        families = list(text_string_to_metric_families(text))
    except Exception as e:  # the parser's own error is the finding
        print(f"does not parse: {e}")
        return 1
    for fam in families:
        if fam.type == "counter" and not any(s.name.endswith("_total") for s in fam.samples):
            problems.append(f"counter {fam.name} has no _total sample")
        for s in fam.samples:
            key = (s.name, tuple(sorted(s.labels.items())))
            if key in samples:
                problems.append(f"sample {s.name}{s.labels} appears twice")
            samples[key] = s.value
        if fam.type == "histogram":
            buckets = [s for s in fam.samples if s.name.endswith("_bucket")]
            count = [s.value for s in fam.samples if s.name.endswith("_count")]
            values = [b.value for b in buckets]
            if values != sorted(values):
                problems.append(f"histogram {fam.name}: buckets are not cumulative")
            if not buckets or buckets[-1].labels.get("le") != "+Inf":
                problems.append(f"histogram {fam.name}: no le=\"+Inf\" bucket last")
            elif not count or count[0] != buckets[-1].value:
                problems.append(f"histogram {fam.name}: +Inf bucket differs from _count")
    pattern = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s*(>=|<=|=)\s*([0-9.eE+-]+)$')
    summed = re.compile(r'^sum\(([a-zA-Z_:][a-zA-Z0-9_:]*)\)\s*(>=|<=|=)\s*([0-9.eE+-]+)$')
    for expect in argv[2:]:
        m = summed.match(expect)
        if m:
            name, op, number = m.group(1), m.group(2), float(m.group(3))
            values = [v for (n, _), v in samples.items() if n == name]
            if not values:
                problems.append(f"{expect}: no such sample")
                continue
            value = sum(values)
            ok = (value == number if op == "=" else value >= number if op == ">=" else value <= number)
            if not ok:
                problems.append(f"{expect}: the scrape says {value}")
            continue
        m = pattern.match(expect)
        if not m:
            print(f"bad expectation: {expect}", file=sys.stderr)
            return 2
        name, labels, op, number = m.group(1), m.group(2), m.group(3), float(m.group(4))
        want = {}
        if labels:
            for part in re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"', labels):
                want[part[0]] = part[1]
        key = (name, tuple(sorted(want.items())))
        if key not in samples:
            problems.append(f"{expect}: no such sample")
            continue
        value = samples[key]
        ok = (value == number if op == "=" else value >= number if op == ">=" else value <= number)
        if not ok:
            problems.append(f"{expect}: the scrape says {value}")
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
