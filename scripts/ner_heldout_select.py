#!/usr/bin/env python3
"""The articles of issue 14's held-out news set, and their split.

usage: ner_heldout_select.py DIR   (DIR: ../shared/data's bbc-news.tar.gz and
       reuters21578.tar.gz extracted there, with reuters21578-meta.tsv)

Prints `half TAB category TAB file TAB words`, 24 lines: per BBC topic
(politics, tech, entertainment, sport) the first 3 files by name, per
Reuters category (economy, commodities, companies, politics, by the topic
lists below) the first 3 NORM articles by newid, each of 150-400 words and
with a title not seen before; then the 24 alternately dev / heldout.  The
rule was fixed before any tagger output was seen (workers/ner/README.md).
"""
import csv, os, sys
D = sys.argv[1]  # dir holding bbc/ and reuters21578/
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
            out.append((f'bbc-{cat}', p)); k += 1
            if k == 3: break
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
    if len(hit) != 1 or len(cats[hit[0]]) == 3: continue
    p = 'reuters21578/%05d.txt' % int(r['newid'])
    if 150 <= words(f'{D}/{p}') <= 400 and fresh(p):
        cats[hit[0]].append(p)
for c, l in cats.items():
    out += [(f'reuters-{c}', p) for p in l]
for i, (c, p) in enumerate(out):
    print('dev' if i % 2 == 0 else 'heldout', c, p, words(f'{D}/{p}'), sep='\t')
