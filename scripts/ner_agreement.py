#!/usr/bin/env python3
"""Agreement of two labellings of the same articles (issue 14).

usage: ner_agreement.py A.tsv B.tsv

A and B are label files in the committed form (clip ner eval --hashed
reads them: file, start, end, type, xxh64, canonical).  Prints, per type
and over all seven, how many labels each has and how many are the same
span with the same type, and F1 = 2 * same / (|A| + |B|): the score one
labeller would get against the other, the ceiling a tagger's figure on
either is read against.  Canonical names are compared on the spans both
share, for PER, ORG, LOC and MISC.  Only articles present in both files
count; the others are listed.
"""
import collections, sys

TYPES = ['PER', 'ORG', 'LOC', 'MISC', 'MONEY', 'DATE', 'PERCENT']


def read(path):
    labels = {}
    for line in open(path, encoding='utf-8'):
        if line.startswith('#') or not line.strip():
            continue
        f, s, e, t, _h, c = line.rstrip('\n').split('\t')
        labels.setdefault(f, {})[(int(s), int(e))] = (t, c)
    return labels


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().splitlines()[2])
    a, b = read(sys.argv[1]), read(sys.argv[2])
    only = sorted(set(a) ^ set(b))
    if only:
        print('articles in one file only (not counted):', ' '.join(only))
    na, nb, same = collections.Counter(), collections.Counter(), collections.Counter()
    canon_same = canon_all = 0
    for f in sorted(set(a) & set(b)):
        for span, (t, c) in a[f].items():
            na[t] += 1
            if b[f].get(span, (None,))[0] == t:
                same[t] += 1
                if t in TYPES[:4]:
                    canon_all += 1
                    canon_same += b[f][span][1] == c
        for span, (t, c) in b[f].items():
            nb[t] += 1
    print(f'{"type":8} {"A":>5} {"B":>5} {"same":>5} {"F1":>7}')
    for t in TYPES + ['all']:
        x, y, z = ((sum(na.values()), sum(nb.values()), sum(same.values())) if t == 'all'
                   else (na[t], nb[t], same[t]))
        f1 = 200.0 * z / (x + y) if x + y else 0.0
        print(f'{t:8} {x:5} {y:5} {z:5} {f1:7.2f}')
    if canon_all:
        print(f'canonical {canon_same} of {canon_all} {100.0 * canon_same / canon_all:.2f}')


if __name__ == '__main__':
    main()
