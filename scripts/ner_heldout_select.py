#!/usr/bin/env python3
"""The articles of issue 14's held-out news set, and their split.

usage: ner_heldout_select.py [--roundN] DIR   (DIR: ../shared/data's
       bbc-news.tar.gz and reuters21578.tar.gz extracted there, with
       reuters21578-meta.tsv)

Prints `half TAB category TAB file TAB words`, 24 lines: per BBC topic
(politics, tech, entertainment, sport) the first 3 files by name, per
Reuters category (economy, commodities, companies, politics, by the topic
lists below) the first 3 NORM articles by newid, each of 150-400 words and
with a title not seen before; then the 24 alternately dev / heldout.  The
rule was fixed before any tagger output was seen (workers/ner/README.md).

--round2 prints the second development set instead (dev2, 16 lines): by the
same rules, the next 2 articles of each topic after those 3, all for
development, chosen before any of them was read or tagged.

--round3 prints the third (dev3, 16 lines): the next 2 of each topic after
those 5, by the same rules, chosen before any of them was read or tagged;
--round4 the fourth (dev4), the next 2 after those 7; --round5 the fifth
(dev5), the next 2 after those 9; --round6 the sixth (dev6), the next 2
after those 11; and so on: --roundN (N >= 2) the next 2 of each topic after
the 2N - 1 of the rounds before it.
"""
import csv, os, sys
ROUND = next((int(a[7:]) for a in sys.argv[1:] if a.startswith('--round') and a[7:].isdigit()), 1)
D = [a for a in sys.argv[1:] if not a.startswith('--round')][0]  # holds bbc/ and reuters21578/
if ROUND < 1: sys.exit('ner_heldout_select.py: --roundN needs N >= 1 (1 is the first round)')
SKIP, TAKE = (0, 3) if ROUND == 1 else (2 * ROUND - 1, 2)
def words(p):
    return len(open(p, 'rb').read().split())
out = []
titles = set()
def fresh(p):
    t = open(f'{D}/{p}', 'rb').readline().strip().lower()
    if t in titles: return False
    titles.add(t); return True
for cat in ['politics', 'tech', 'entertainment', 'sport']:
    k = 0
    for f in sorted(os.listdir(f'{D}/bbc/{cat}')):
        p = f'bbc/{cat}/{f}'
        if 150 <= words(f'{D}/{p}') <= 400 and fresh(p):
            if k >= SKIP: out.append((f'bbc-{cat}', p))
            k += 1
            if k == SKIP + TAKE: break
ECON = set('money-fx interest trade gnp cpi bop jobs ipi money-supply reserves retail wpi housing income lei instal-debt dlr yen dmk'.split())
COMM = set('grain wheat corn crude coffee sugar cocoa gold silver copper cotton oilseed soybean veg-oil livestock rubber tin zinc lead nat-gas palm-oil iron-steel alum nickel rice barley sorghum oat carcass heat gas fuel meal-feed orange tea lumber wool pet-chem strategic-metal platinum'.split())
COMP = set('earn acq'.split())
rows = list(csv.DictReader(open(f'{D}/reuters21578-meta.tsv'), delimiter='\t'))
cats = {'economy': [], 'commodities': [], 'companies': [], 'politics': []}
for r in sorted(rows, key=lambda r: int(r['newid'])):
    if r['type'] != 'NORM': continue
    t = set(r['topics'].split())
    hit = [c for c, s in (('economy', ECON), ('commodities', COMM), ('companies', COMP)) if t & s]
    if not t and r['people'].strip(): hit = ['politics']
    if len(hit) != 1 or len(cats[hit[0]]) == SKIP + TAKE: continue
    p = 'reuters21578/%05d.txt' % int(r['newid'])
    if 150 <= words(f'{D}/{p}') <= 400 and fresh(p):
        cats[hit[0]].append(p)
for c, l in cats.items():
    out += [(f'reuters-{c}', p) for p in l[SKIP:]]
for i, (c, p) in enumerate(out):
    half = f'dev{ROUND}' if ROUND > 1 else ('dev' if i % 2 == 0 else 'heldout')
    print(half, c, p, words(f'{D}/{p}'), sep='\t')
