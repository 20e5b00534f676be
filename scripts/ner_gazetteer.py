#!/usr/bin/env python3
"""Write a typed gazetteer for the NER tagger from data Debian packages ship.

    scripts/ner_gazetteer.py [--sources S,S,...] [--text-dir DIR] OUT

(default sources: countries,languages,tz,cities,firstnames, the best
variant of workers/ner/README.md's third round, not shipped because
miscfiles is GPL-2+; needs the Debian packages iso-codes, tzdata and
miscfiles.)

OUT gets one name a line, `TYPE TAB words`, the words separated by single
spaces, ASCII letters lower-cased (the form of workers/ner/model/
gazetteer.tsv, read by clip_tagger__gaz_load), sorted, no duplicates.
`clip ner train --names OUT` trains with it as the tagger's second
gazetteer (the T_UGAZ features); workers/ner/README.md says what each
source was measured to give.

Sources (package, licence of the data):
    countries   LOC  iso-codes (LGPL-2.1+): ISO 3166-1 names, common and
                     official names; ISO 3166-3 former countries
    regions     LOC  iso-codes: ISO 3166-2 subdivisions
    languages   MISC iso-codes: ISO 639-2 language names ("French", ...)
    tz          LOC  tzdata (public domain): the cities of zone.tab
    cities      LOC  miscfiles (GPL-2+): cities.dat names, airport cities
    firstnames  PER  miscfiles: dict/propernames (first names)
    forenames   PER  python3-fake-factory (Faker's data, Expat): the first
                     names of every locale's person provider, Latin script
    surnames    PER  python3-fake-factory: the last names, the same way
    news        ORG  from unlabeled news (--text-dir, the extracted
                LOC  Reuters-21578 and BBC News of ../shared/data), by two
                     patterns and no model: capitalised words before a
                     company suffix ("Pirelli SpA" gives "pirelli spa" and
                     "pirelli"), seen at least twice; the place of a
                     Reuters dateline ("RIO DE JANEIRO, Feb 26 -")

Deterministic: the same packages give a byte-identical file.
"""
import argparse
import ast
import gzip
import json
import os
import re
import sys
import unicodedata

ISO = "/usr/share/iso-codes/json"
MAX_WORDS = 6   # GAZ_MAX_WORDS in clip_tagger_int.h


def ascii_lower(s):
    return "".join(c.lower() if "A" <= c <= "Z" else c for c in s)


def fold(s):
    """The name without accents ("Sao Paulo" for "São Paulo"), as news
    in ASCII writes it."""
    return "".join(c for c in unicodedata.normalize("NFKD", s)
                   if not unicodedata.combining(c))


def forms(name):
    """The written forms of one name: "Korea, Republic of" also as
    "Republic of Korea"; parenthesised parts dropped; alternatives after
    ";" apart."""
    out = []
    for part in name.split(";"):
        part = re.sub(r"\([^)]*\)", " ", part).strip()
        if not part:
            continue
        m = re.fullmatch(r"([^,]+),\s*([^,]+)", part)
        if m:
            head, tail = m.group(1).strip(), m.group(2).strip()
            out.append(head)
            out.append(tail + " " + head)   # "British Virgin Islands" too
            continue
        if "," in part:
            continue
        out.append(part)
    return out


def words(form):
    ws = form.split()
    if not ws or len(ws) > MAX_WORDS:
        return None
    if any(re.search(r"[/\[\]{}<>=\"]", w) for w in ws):
        return None
    return ws


def load_json(name, key):
    with open(os.path.join(ISO, name), encoding="utf-8") as f:
        return json.load(f)[key]


def src_countries():
    for c in load_json("iso_3166-1.json", "3166-1"):
        for k in ("name", "common_name", "official_name"):
            if k in c:
                yield "LOC", c[k]
    for c in load_json("iso_3166-3.json", "3166-3"):
        yield "LOC", c["name"]


def src_regions():
    for c in load_json("iso_3166-2.json", "3166-2"):
        yield "LOC", c["name"]


def src_languages():
    for c in load_json("iso_639-2.json", "639-2"):
        for k in ("name", "common_name"):
            if k in c:
                yield "MISC", c[k]


def src_tz():
    with open("/usr/share/zoneinfo/zone.tab", encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                continue
            cols = line.rstrip("\n").split("\t")
            if len(cols) >= 3:
                yield "LOC", cols[2].split("/")[-1].replace("_", " ")


def src_cities():
    with gzip.open("/usr/share/misc/cities.dat.gz", "rt", encoding="latin-1") as f:
        for line in f:
            m = re.match(r"Name\s*:\s*(.+?)\s*$", line)
            if m:
                yield "LOC", m.group(1)
    with gzip.open("/usr/share/misc/airport.gz", "rt", encoding="latin-1") as f:
        for line in f:
            if line.startswith("#"):
                continue
            cols = line.rstrip("\n").split(":")
            if len(cols) >= 5:
                for city in cols[4].split(","):
                    yield "LOC", city


def src_firstnames():
    with gzip.open("/usr/share/dict/propernames.gz", "rt", encoding="utf-8") as f:
        for line in f:
            yield "PER", line.strip()


FAKER = "/usr/lib/python3/dist-packages/faker/providers/person"


def faker_names(prefix):
    """The names of one kind (variables first_names*, last_names*) of each
    locale of Faker's person provider, read as data (ast), not imported:
    the package's module needs its own dependencies and Python."""
    for loc in sorted(os.listdir(FAKER)):
        path = os.path.join(FAKER, loc, "__init__.py")
        if not os.path.isfile(path):
            continue
        with open(path, encoding="utf-8") as f:
            tree = ast.parse(f.read())
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Assign) and len(node.targets) == 1
                    and isinstance(node.targets[0], ast.Name)
                    and node.targets[0].id.startswith(prefix)):
                continue
            try:
                v = ast.literal_eval(node.value)
            except ValueError:
                continue
            if not isinstance(v, (dict, tuple, list, set)):
                continue
            for name in sorted(x for x in v if isinstance(x, str)):
                if all(ord(c) < 0x250 for c in name):    # Latin script
                    yield name


def src_forenames():
    for name in faker_names("first_names"):
        yield "PER", name


def src_surnames():
    for name in faker_names("last_names"):
        yield "PER", name


SUFFIXES = ("Inc", "Corp", "Co", "Ltd", "Plc", "PLC", "plc", "AG", "SA", "SpA",
            "NV", "N.V.", "BV", "AB", "Bancorp", "Holdings", "Cos", "GmbH",
            "Pty", "Limited", "Corporation", "Incorporated")
# Capitalised words that open a sentence or a phrase, never a company's name.
LEAD_STOP = {"The", "A", "An", "And", "But", "In", "Of", "For", "Its", "His",
             "Her", "Their", "Our", "Shares", "Unit", "At", "On", "By", "To",
             "With", "From", "As", "That", "This", "Both", "Said", "Under",
             "Subsidiary", "Rival", "Parent", "Analysts", "Says", "After",
             "Chairman", "President", "Officials", "Spokesman", "Mr", "Mrs"}
NAME_WORD = r"[A-Z][A-Za-z&'.-]*"


def news_files(text_dir):
    for sub in ("reuters21578", "bbc"):
        top = os.path.join(text_dir, sub)
        for root, dirs, files in os.walk(top):
            dirs.sort()
            for f in sorted(files):
                if f.endswith(".txt"):
                    with open(os.path.join(root, f), encoding="utf-8",
                              errors="replace") as fh:
                        yield sub, fh.read()


def src_news(text_dir):
    suffix = "|".join(re.escape(x) for x in SUFFIXES)
    company = re.compile(r"((?:%s[ \t]*\n?[ \t]*){1,4}?)(%s)\b\.?" % (NAME_WORD, suffix))
    dateline = re.compile(r"^([A-Z][A-Z .'-]+[A-Z]), [A-Z][a-z]{2} \d+ -", re.M)
    counts = {}
    for sub, text in news_files(text_dir):
        if sub == "reuters21578":
            for m in dateline.finditer(text):
                yield "LOC", m.group(1)
        for m in company.finditer(text):
            before = text[max(0, m.start() - 4):m.start()].split()
            if before and before[-1] in ("of", "de", "and", "&"):
                continue        # "Bank of New York Co": not "New York"
            ws = m.group(1).split()
            while ws and ws[0].rstrip(".") in LEAD_STOP:
                ws = ws[1:]
            if not ws or all(w.isupper() and len(w) > 4 for w in ws):
                continue        # a headline in capitals
            key = " ".join(ws)
            counts[key] = counts.get(key, 0) + 1
            full = key + " " + m.group(2)
            counts[full] = counts.get(full, 0) + 1
    for name, c in sorted(counts.items()):
        if c >= 2:
            yield "ORG", name


SOURCES = {
    "countries": src_countries, "regions": src_regions,
    "languages": src_languages, "tz": src_tz,
    "cities": src_cities, "firstnames": src_firstnames,
    "forenames": src_forenames, "surnames": src_surnames,
    "news": None,
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sources", default="countries,languages,tz,cities,firstnames",
                    help="comma-separated, of: " + ", ".join(SOURCES))
    ap.add_argument("--text-dir", help="for the news source: the directory "
                    "holding reuters21578/ and bbc/ extracted")
    ap.add_argument("out")
    args = ap.parse_args()
    lines = set()
    for s in args.sources.split(","):
        if s not in SOURCES:
            ap.error("unknown source %r" % s)
        try:
            if s == "news":
                if not args.text_dir:
                    ap.error("the news source needs --text-dir")
                gen = src_news(args.text_dir)
            else:
                gen = SOURCES[s]()
            for typ, name in gen:
                for form in forms(name):
                    for variant in {form, fold(form)}:
                        ws = words(variant)
                        if ws:
                            lines.add("%s\t%s" % (typ, ascii_lower(" ".join(ws))))
        except OSError as e:
            sys.exit("ner_gazetteer.py: source %s: %s (install its Debian package)" % (s, e))
    with open(args.out, "w", encoding="utf-8") as f:
        for line in sorted(lines):
            f.write(line + "\n")
    print("%s: %d names" % (args.out, len(lines)), file=sys.stderr)


if __name__ == "__main__":
    main()
