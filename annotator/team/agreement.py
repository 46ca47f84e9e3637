"""Agreement between annotators' project files, on the documents they share.

Decisions (docs/team.md says the same for users):

* **An annotator's annotation** of a document is their confirmed spans (accepted, edited,
  manual) once they marked it done; open suggestions and rejected spans are not. With
  ``status="any"`` every document that is not skipped counts as it stands.
* **Documents are matched by text** (the content hash), whatever their ids or order.
* **Entity F1** is exact: same start, end and label. Taking either annotator as the
  reference gives the same figure, 2·both / (a + b); with no entity on either side it is
  undefined (None).
* **Token kappa.** The items are the document's newmm words, split at every span edge of
  the annotators being compared (so each item is wholly inside or outside each entity),
  whitespace-only words left out. Each annotator gives an item the label of their entity
  covering it, or ``O``. Cohen's kappa for each pair (over all shared documents at once),
  Fleiss' kappa for three or more annotators over the documents all of them share. Per
  label: the same on "this label or not" (one against the rest). Kappa is undefined
  (None) when chance agreement is already total (everyone put everything in one class).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any, Callable, Sequence

from annotator.core.model import CONFIRMED_STATES, DONE, DOC_STATUSES, SKIPPED
from annotator.evaluation.metrics import Entity, exact_scores
from annotator.nlp.tokenizer import split_at

OUTSIDE = "O"
Tokenize = Callable[[str], list[tuple[int, int]]]


@dataclass
class Annotation:
    """One annotator's finished documents, by content hash."""

    name: str
    path: str
    entities: dict[str, list[Entity]] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)


def load(path: str | Path, status: str = "done") -> Annotation:
    """Read an annotator's project file (read-only)."""
    from annotator.formats.annot import open_foreign

    if status not in ("done", "any"):
        raise ValueError("status must be 'done' or 'any'")
    project, deadline = open_foreign(path)  # another person's file: a time limit on reading it
    with project, deadline.stopping():
        found = Annotation(project.annotator, str(path))
        statuses = [DONE] if status == "done" else [s for s in DOC_STATUSES if s != SKIPPED]
        for doc_id in project.document_ids(statuses):
            deadline.check()
            doc = project.document(doc_id)
            spans = project.span_data(doc_id, CONFIRMED_STATES)
            found.entities[doc.content_hash] = [(s.start, s.end, s.label) for s in spans]
            found.texts[doc.content_hash] = doc.text
            found.titles[doc.content_hash] = doc.title or doc.text.strip().split("\n", 1)[0][:80]
    return found


def load_all(paths: Sequence[str | Path], status: str = "done") -> list[Annotation]:
    """Read every file; two files of the same annotator are told apart by file name."""
    found = [load(p, status) for p in paths]
    counts = Counter(a.name for a in found)
    seen: set[str] = set()
    for a in found:
        if counts[a.name] > 1:
            a.name = f"{a.name} ({Path(a.path).stem})"
        while a.name in seen:
            a.name += "'"
        seen.add(a.name)
    return found


# ---------------------------------------------------------------------- statistics
def cohen_kappa(a: Sequence[str], b: Sequence[str]) -> float | None:
    """Cohen's kappa of two raters' labels for the same items: (po - pe) / (1 - pe)."""
    if len(a) != len(b):
        raise ValueError("both raters must label the same items")
    n = len(a)
    if n == 0:
        return None
    po = sum(x == y for x, y in zip(a, b)) / n
    ca, cb = Counter(a), Counter(b)
    pe = sum(ca[k] * cb[k] for k in ca) / (n * n)
    if pe >= 1 - 1e-12:
        return None
    return (po - pe) / (1 - pe)


def fleiss_kappa(ratings: Sequence[Sequence[str]]) -> float | None:
    """Fleiss' kappa; ``ratings`` has one row per item holding each rater's label."""
    if not ratings:
        return None
    m = len(ratings[0])
    if m < 2 or any(len(row) != m for row in ratings):
        raise ValueError("every item needs the same number (two or more) of ratings")
    n_items = len(ratings)
    totals: Counter[str] = Counter()
    p_sum = 0.0
    for row in ratings:
        counts = Counter(row)
        totals.update(counts)
        p_sum += (sum(c * c for c in counts.values()) - m) / (m * (m - 1))
    p_bar = p_sum / n_items
    pe = sum((c / (n_items * m)) ** 2 for c in totals.values())
    if pe >= 1 - 1e-12:
        return None
    return (p_bar - pe) / (1 - pe)


def entity_f1(tp: int, a: int, b: int) -> float | None:
    """2·tp / (a + b): F1 with either side as the reference; None without any entity."""
    return 2 * tp / (a + b) if a + b else None


def token_items(text: str, tokens: Sequence[tuple[int, int]], entity_sets: Sequence[Sequence[Entity]]
                ) -> list[tuple[int, int]]:
    """Words split at every entity edge of every annotator, whitespace-only words left out."""
    cuts = {e[0] for ents in entity_sets for e in ents} | {e[1] for ents in entity_sets for e in ents}
    return [(s, e) for s, e in split_at(list(tokens), cuts) if text[s:e].strip()]


def token_tags(items: Sequence[tuple[int, int]], entities: Sequence[Entity]) -> list[str]:
    """The label of the entity covering each item (the earliest, longest if several), or O."""
    tags = [OUTSIDE] * len(items)
    starts = [s for s, _ in items]
    for start, end, label in sorted(entities, key=lambda e: (e[0], -e[1])):
        i = bisect_left(starts, start)
        while i < len(items) and items[i][0] < end:
            if tags[i] == OUTSIDE:
                tags[i] = label
            i += 1
    return tags


def _one_vs_rest(tags: Sequence[str], label: str) -> list[str]:
    return [label if t == label else OUTSIDE for t in tags]


# ------------------------------------------------------------------------ report
def compare(annotations: Sequence[Annotation], tokenize: Tokenize | None = None) -> dict[str, Any]:
    """Pairwise entity F1 and Cohen's kappa, Fleiss' kappa for three or more, per label
    and per document. The result is plain JSON-ready data (``--json`` prints it)."""
    if len(annotations) < 2:
        raise ValueError("agreement needs two or more annotators")
    if tokenize is None:
        from annotator.nlp.tokenizer import tokenize
    tokens_of: dict[str, list[tuple[int, int]]] = {}

    def words(h: str, text: str) -> list[tuple[int, int]]:
        if h not in tokens_of:
            tokens_of[h] = tokenize(text)  # type: ignore[misc]
        return tokens_of[h]

    order = list(dict.fromkeys(h for a in annotations for h in a.entities))  # first file's order first
    documents: dict[str, dict[str, Any]] = {}
    pairs = []
    for x, y in combinations(annotations, 2):
        shared = [h for h in order if h in x.entities and h in y.entities]
        gold = [x.entities[h] for h in shared]
        pred = [y.entities[h] for h in shared]
        tags_x: list[str] = []
        tags_y: list[str] = []
        for h, ex, ey in zip(shared, gold, pred):
            items = token_items(x.texts[h], words(h, x.texts[h]), [ex, ey])
            tx, ty = token_tags(items, ex), token_tags(items, ey)
            tags_x += tx
            tags_y += ty
            tp = sum((Counter(ex) & Counter(ey)).values())
            doc = documents.setdefault(h, {"hash": h, "title": x.titles[h], "annotators": [], "pairs": []})
            doc["pairs"].append({"a": x.name, "b": y.name, "entity_f1": entity_f1(tp, len(ex), len(ey)),
                                 "token_kappa": cohen_kappa(tx, ty)})
        scores = exact_scores(gold, pred).per_label
        per_label = {}
        for label, c in scores.items():
            per_label[label] = {
                "entity_f1": entity_f1(c.tp, c.tp + c.fn, c.tp + c.fp),
                "token_kappa": cohen_kappa(_one_vs_rest(tags_x, label), _one_vs_rest(tags_y, label)),
                "a": c.tp + c.fn, "b": c.tp + c.fp, "agreed": c.tp,
            }
        tp = sum(c.tp for c in scores.values())
        n_a, n_b = sum(len(e) for e in gold), sum(len(e) for e in pred)
        pairs.append({
            "a": x.name, "b": y.name, "documents": len(shared),
            "entity_f1": entity_f1(tp, n_a, n_b), "token_kappa": cohen_kappa(tags_x, tags_y),
            "tokens": len(tags_x), "entities": {"a": n_a, "b": n_b, "agreed": tp},
            "per_label": per_label,
        })
    for h, doc in documents.items():
        doc["annotators"] = [a.name for a in annotations if h in a.entities]
    fleiss = _fleiss(annotations, order, words, documents) if len(annotations) >= 3 else None
    return {
        "annotators": [{"name": a.name, "project": a.path, "documents": len(a.entities)} for a in annotations],
        "pairs": pairs,
        "fleiss": fleiss,
        "documents": [documents[h] for h in order if h in documents],
    }


def _fleiss(annotations, order, words, documents) -> dict[str, Any]:
    shared = [h for h in order if all(h in a.entities for a in annotations)]
    rows: list[tuple[str, ...]] = []
    labels: set[str] = set()
    for h in shared:
        sets = [a.entities[h] for a in annotations]
        text = annotations[0].texts[h]
        items = token_items(text, words(h, text), sets)
        here = list(zip(*(token_tags(items, ents) for ents in sets)))
        rows += here
        labels |= {e[2] for ents in sets for e in ents}
        documents[h]["fleiss_kappa"] = fleiss_kappa(here)
    return {
        "annotators": [a.name for a in annotations],
        "documents": len(shared),
        "tokens": len(rows),
        "kappa": fleiss_kappa(rows),
        "per_label": {label: fleiss_kappa([tuple(_one_vs_rest(r, label)) for r in rows]) for label in sorted(labels)},
    }


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def format_report(report: dict[str, Any], per_document: bool = True) -> str:
    """The report as plain-text tables."""
    lines = ["annotator            documents  project"]
    for a in report["annotators"]:
        lines.append(f"{a['name']:<20} {a['documents']:>9}  {a['project']}")
    lines += ["", f"{'pair':<28}{'docs':>6}{'a':>7}{'b':>7}{'both':>7}{'entity F1':>11}{'token κ':>9}"]
    for p in report["pairs"]:
        e = p["entities"]
        lines.append(f"{p['a'] + ' ~ ' + p['b']:<28}{p['documents']:>6}{e['a']:>7}{e['b']:>7}{e['agreed']:>7}"
                     f"{_num(p['entity_f1']):>11}{_num(p['token_kappa']):>9}")
    fleiss = report["fleiss"]
    if fleiss is not None:
        lines += ["", f"Fleiss' kappa ({', '.join(fleiss['annotators'])}): {_num(fleiss['kappa'])}"
                      f" on {fleiss['documents']} documents all of them did ({fleiss['tokens']} words)"]
    for p in report["pairs"]:
        if p["per_label"]:
            lines += ["", f"per label, {p['a']} ~ {p['b']}",
                      f"{'label':<16}{'a':>6}{'b':>6}{'both':>6}{'F1':>8}{'κ':>8}"]
            for label, s in p["per_label"].items():
                lines.append(f"{label:<16}{s['a']:>6}{s['b']:>6}{s['agreed']:>6}"
                             f"{_num(s['entity_f1']):>8}{_num(s['token_kappa']):>8}")
    if fleiss is not None and fleiss["per_label"]:
        lines += ["", "Fleiss' kappa per label"]
        lines += [f"{label:<16}{_num(k):>8}" for label, k in fleiss["per_label"].items()]
    if per_document and report["documents"]:
        lines += ["", "per document (entity F1 / token κ)"]
        for d in report["documents"]:
            cells = "   ".join(f"{p['a']}~{p['b']} {_num(p['entity_f1'])}/{_num(p['token_kappa'])}" for p in d["pairs"])
            if "fleiss_kappa" in d:
                cells += f"   Fleiss {_num(d['fleiss_kappa'])}"
            lines.append(f"{d['title'][:40]:<42}{cells}")
    return "\n".join(lines)


__all__ = ["Annotation", "cohen_kappa", "compare", "entity_f1", "fleiss_kappa", "format_report", "load",
           "load_all", "token_items", "token_tags"]
