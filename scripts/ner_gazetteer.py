#!/usr/bin/env python3
"""Write a typed gazetteer for the NER tagger from data Debian packages ship.

    scripts/ner_gazetteer.py [--sources S,S,...] [--text-dir DIR] OUT

(default sources: countries,languages,tz,cities,firstnames, variant C of
workers/ner/README.md's third round, not shipped because miscfiles is
GPL-2+; needs the Debian packages iso-codes, tzdata and miscfiles.  The
licence-clean variant that matches it on validation is
countries,languages,tz,wn-loc,wn-misc,scowl-forenames,scowl-surnames;
needs iso-codes, tzdata, wordnet-base, scowl and python3-fake-factory.)

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
    wn-loc      LOC  wordnet-base (the WordNet 3.0 licence, permissive):
                     the capitalised noun instances under location, body
                     of water or geological formation (cities, countries,
                     states, rivers, mountains; not stars or planets)
    wn-per      PER  wordnet-base: the instances under person ("Albert
                     Einstein", "Einstein")
    wn-surnames PER  wordnet-base: the last word of those of two words or more
    wn-org      ORG  wordnet-base: the capitalised nouns under organization
    wn-misc     MISC wordnet-base: the capitalised adjectives ("French",
                     "Christian") and the nouns under inhabitant ("American")
    wn-loc-common, wn-per-common: wn-loc, wn-per with only the names all of
                     whose capitalised words SCOWL lists (below)
    scowl-forenames PER  Faker's first names (as forenames) that SCOWL
                     (package scowl, permissive: Kevin Atkinson's notice,
                     public-domain and BSD-style parts) lists in its English
                     proper-names or upper lists up to size 50: the common
                     first names
    scowl-surnames  PER  Faker's last names the same way
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


WORDNET = "/usr/share/wordnet"
# WordNet 3.0 synsets (data.noun offsets) whose descendants are typed.
WN_PERSON = "00007846"          # person, individual
WN_LOCATION = "00027167"        # location
WN_WATER = "09225146"           # body of water
WN_FORMATION = "09287968"       # geological formation
WN_CELESTIAL = "09239740"       # celestial body: stars, planets (not LOC)
WN_ORGANIZATION = "08008335"    # organization, organisation
WN_INHABITANT = "09620078"      # inhabitant ("American", "Parisian")
_wn_cache = {}


def wn_nouns():
    """data.noun read once: {offset: (lemmas, is_instance, hypernyms)}."""
    if "noun" in _wn_cache:
        return _wn_cache["noun"]
    syn = {}
    with open(os.path.join(WORDNET, "data.noun"), encoding="utf-8") as f:
        for line in f:
            if line.startswith(" "):
                continue                # the licence header
            t = line.split(" | ", 1)[0].split()
            n = int(t[3], 16)
            lemmas = [t[4 + 2 * i] for i in range(n)]
            i = 4 + 2 * n
            p = int(t[i])
            hyper, inst = [], False
            for j in range(p):
                sym, off, pos = t[i + 1 + 4 * j:i + 4 + 4 * j]
                if sym in ("@", "@i") and pos == "n":
                    hyper.append(off)
                    inst = inst or sym == "@i"
            syn[t[0]] = (lemmas, inst, hyper)
    _wn_cache["noun"] = syn
    return syn


def wn_ancestors(syn, off):
    seen, todo = set(), [off]
    while todo:
        o = todo.pop()
        for h in syn[o][2]:
            if h not in seen:
                seen.add(h)
                todo.append(h)
    return seen


def wn_name(lemma):
    """A WordNet lemma as written: "New_York" -> "New York"; None for a
    common noun (lower-case first letter)."""
    lemma = re.sub(r"\([a-z]+\)$", "", lemma)    # adjective markers "(a)"
    if not lemma[:1].isupper():
        return None
    name = lemma.replace("_", " ").split(",")[0].strip()  # "Washington, D.C."
    return name or None


def wn_typed(want):
    """The capitalised noun lemmas of WordNet 3.0 of one type, by the
    synsets above them (hypernyms and instance hypernyms)."""
    syn = wn_nouns()
    for off in sorted(syn):
        lemmas, inst, _ = syn[off]
        names = [x for x in map(wn_name, lemmas) if x]
        if not names:
            continue
        up = wn_ancestors(syn, off)
        if want == "PER":
            ok = inst and WN_PERSON in up
        elif want == "LOC":
            ok = (inst and WN_CELESTIAL not in up
                  and bool(up & {WN_LOCATION, WN_WATER, WN_FORMATION}))
        elif want == "ORG":
            ok = WN_ORGANIZATION in up
        else:                           # MISC: peoples, not persons
            ok = not inst and WN_INHABITANT in up
        if ok:
            for name in names:
                yield want, name


def src_wn_loc():
    for x in wn_typed("LOC"):
        yield x


def src_wn_per():
    for x in wn_typed("PER"):
        yield x


def src_wn_surnames():
    """The last word of WordNet's persons of more than one word ("Albert
    Einstein" gives "Einstein")."""
    for typ, name in wn_typed("PER"):
        ws = name.split()
        if len(ws) > 1 and ws[-1][:1].isupper() and ws[-1] not in ("Jr", "Jr."):
            yield typ, ws[-1]


def src_wn_org():
    for x in wn_typed("ORG"):
        yield x


def src_wn_misc():
    """Capitalised adjectives of data.adj ("French", "Christian") and the
    peoples of data.noun ("American", "Parisian")."""
    with open(os.path.join(WORDNET, "data.adj"), encoding="utf-8") as f:
        for line in f:
            if line.startswith(" "):
                continue
            t = line.split(" | ", 1)[0].split()
            for i in range(int(t[3], 16)):
                name = wn_name(t[4 + 2 * i])
                if name:
                    yield "MISC", name
    for x in wn_typed("MISC"):
        yield x


SCOWL = "/usr/share/dict/scowl"
SCOWL_SIZE = 50     # SCOWL's size 50: the words of a medium dictionary


def scowl_names(size=SCOWL_SIZE):
    """The capitalised words of SCOWL's English lists (proper-names and
    upper) up to one size, without the possessive "'s": common names of
    every kind, untyped; used to keep the common names of a typed list."""
    out = set()
    for f in sorted(os.listdir(SCOWL)):
        m = re.fullmatch(r"english-(proper-names|upper)\.(\d+)", f)
        if not m or int(m.group(2)) > size:
            continue
        with open(os.path.join(SCOWL, f), encoding="latin-1") as fh:
            for w in fh:
                w = w.strip()
                out.add(w[:-2] if w.endswith("'s") else w)
    return out


def common(names, known):
    """The names each of whose capitalised words is in `known`."""
    for typ, name in names:
        ws = [w for w in name.split() if w[:1].isupper()]
        if ws and all(w in known for w in ws):
            yield typ, name


def src_scowl_forenames():
    known = scowl_names()
    for name in faker_names("first_names"):
        if name in known:
            yield "PER", name


def src_scowl_surnames():
    known = scowl_names()
    for name in faker_names("last_names"):
        if name in known:
            yield "PER", name


def src_wn_loc_common():
    return common(wn_typed("LOC"), scowl_names())


def src_wn_per_common():
    return common(wn_typed("PER"), scowl_names())


SOURCES = {
    "countries": src_countries, "regions": src_regions,
    "languages": src_languages, "tz": src_tz,
    "cities": src_cities, "firstnames": src_firstnames,
    "forenames": src_forenames, "surnames": src_surnames,
    "wn-loc": src_wn_loc, "wn-per": src_wn_per,
    "wn-surnames": src_wn_surnames, "wn-org": src_wn_org,
    "wn-misc": src_wn_misc,
    "scowl-forenames": src_scowl_forenames,
    "scowl-surnames": src_scowl_surnames,
    "wn-loc-common": src_wn_loc_common, "wn-per-common": src_wn_per_common,
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
