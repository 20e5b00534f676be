#!/usr/bin/env python3
"""Turn hand annotations into the committed held-out label files.

usage: ner_heldout_labels.py SPLIT_TSV DATA_DIR OUT_DIR ANN...

SPLIT_TSV  the list written by ner_heldout_select.py (split, category, file, words)
DATA_DIR   where bbc-news.tar.gz and reuters21578.tar.gz were extracted
ANN        annotation files: "=== FILE" starts an article, then one entity a
           line in text order, "TYPE|surface|canonical" (canonical defaults to
           the surface).  A space in the surface matches any run of white space
           (wire copy is hard-wrapped); a surface must start and end on a word
           boundary and is searched from the end of the entity before it.

Writes OUT_DIR/SPLIT.tsv for each split the list names (dev and heldout;
dev2 for ner_heldout_select.py --round2) in the form clip ner eval
--hashed reads (file, start, end, type, xxh64 of the span's bytes, canonical:
no text of the article), and prints, per article, the capitalised words and
numbers outside every label so that the labeller can check what was left out.
The annotations quote the articles' names, so they stay out of the repository.
"""
import ctypes, re, sys

xxh = ctypes.CDLL('libxxhash.so.0')
xxh.XXH64.restype = ctypes.c_uint64
xxh.XXH64.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint64]
TYPES = {'PER', 'ORG', 'LOC', 'MISC', 'MONEY', 'DATE', 'PERCENT'}
NAMES = {'PER', 'ORG', 'LOC', 'MISC'}


def main():
    split_tsv, data, out = sys.argv[1:4]
    split = {}
    order = []
    for line in open(split_tsv):
        s, cat, f = line.split('\t')[:3]
        split[f] = s
        order.append(f)
    anns = {}
    cur = None
    for path in sys.argv[4:]:
        for n, line in enumerate(open(path, encoding='utf-8'), 1):
            line = line.rstrip('\n')
            if not line:
                continue
            if line.startswith('=== '):
                cur = line[4:].strip()
                anns[cur] = []
                continue
            f = line.split('|')
            if len(f) not in (2, 3) or f[0] not in TYPES or cur is None:
                sys.exit(f'{path}:{n}: bad line {line!r}')
            anns[cur].append((f[0], f[1], f[2] if len(f) == 3 else None, f'{path}:{n}'))
    missing = [f for f in order if f not in anns]
    if missing:
        sys.exit(f'no annotations for {missing}')
    rows = {s: [] for s in dict.fromkeys(split[f] for f in order)}
    for f in order:
        text = open(f'{data}/{f}', 'rb').read()
        pos = 0
        spans = []
        for typ, surface, canon, where in anns[f]:
            pat = r'\s+'.join(re.escape(w) for w in surface.encode().split(b' ') for w in [w.decode()])
            rx = re.compile((r'(?<![0-9A-Za-z])' + pat + r'(?![0-9A-Za-z])').encode())
            m = rx.search(text, pos)
            if not m:
                sys.exit(f'{where}: {surface!r} not found in {f} after byte {pos}')
            a, b = m.span()
            pos = b
            if canon is None:
                canon = ' '.join(surface.split()) if typ in NAMES else '-'
            if typ not in NAMES:
                canon = '-'
            h = '%016x' % xxh.XXH64(text[a:b], b - a, 0)
            spans.append((a, b))
            rows[split[f]].append(f'{f}\t{a}\t{b}\t{typ}\t{h}\t{canon}')
        # What no label covers: capitalised words and numbers, for review.
        left = []
        for m in re.finditer(rb"[A-Z][\w'.&-]*|\d[\d.,/]*", text):
            if not any(a <= m.start() < b for a, b in spans):
                left.append(m.group().decode(errors='replace'))
        print(f'{f} ({split[f]}, {len(spans)} labels) unlabelled: {" ".join(left)}')
    for s in rows:
        with open(f'{out}/{s}.tsv', 'w') as o:
            o.write(f'# {s} part of the held-out news labels (workers/ner/README.md, issue 14).\n'
                    '# file (under the extracted bbc-news / reuters21578 archives of ../shared/data)\n'
                    '# TAB start TAB end (bytes, end exclusive) TAB type TAB xxh64 of the bytes\n'
                    '# [start, end) (seed 0, hex) TAB canonical name (- for MONEY DATE PERCENT)\n')
            o.write('\n'.join(rows[s]) + '\n')


main()
