"""`liner eval`: score the engine on a QA set, per question type.

Metrics (answerable questions unless said otherwise):
  hit@1, hit@5   a passage among the top k contains one of the accepted answers
  mrr@10         mean reciprocal rank of the first such passage
  answer         the short answer contains an accepted answer (or is contained in a long one)
  abstention     unanswerable questions: the engine gave no answer
  attribution    share of the top-5 passages whose text stands verbatim at the cited lines
and a calibration table: how often answers are right, by confidence band.
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from pathlib import Path

from indexer.documents import split_lines
from search.engine import Engine

CONFIDENCE_BANDS = ((0.0, 0.5), (0.5, 0.8), (0.8, 0.95), (0.95, 1.01))
METRICS = ("hit@1", "hit@5", "mrr@10", "answer", "abstention", "attribution")


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    for a, b in (("’", "'"), ("‘", "'"), ("“", '"'), ("”", '"'), ("–", "-"), ("—", "-")):
        text = text.replace(a, b)
    return re.sub(r"\s+", " ", text).strip()


def answer_is_right(answer_text: str | None, accepted: list[str]) -> bool:
    if not answer_text:
        return False
    got = normalize(answer_text)
    return any(normalize(a) in got or (len(got) >= 4 and got in normalize(a)) for a in accepted)


def stands_at_lines(result: dict, file_lines: dict[str, list[str]]) -> bool:
    path = result["path"]
    if path not in file_lines:
        try:
            file_lines[path] = split_lines(Path(path).read_text(encoding="utf-8"))
        except OSError:
            file_lines[path] = []
    lines = file_lines[path][result["line_start"] - 1 : result["line_end"]]
    return bool(result["text"].strip()) and normalize(result["text"]) in normalize(" ".join(lines))


def evaluate_file(engine: Engine, qa_file: Path) -> dict:
    rows = [json.loads(line) for line in Path(qa_file).read_text(encoding="utf-8").splitlines() if line.strip()]
    return evaluate(engine, rows)


def evaluate(engine: Engine, rows: list[dict]) -> dict:
    per_kind: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    calibration: dict[tuple, list[bool]] = defaultdict(list)
    file_lines: dict[str, list[str]] = {}
    misses = []
    for row in rows:
        response = engine.ask(row["question"]).to_dict()
        accepted = row["answers"]
        scores = per_kind[row["kind"]]
        answer = response["answer"]
        results = response["results"]
        if accepted:
            ranks = [i for i, r in enumerate(results[:10], 1) if any(normalize(a) in normalize(r["text"]) for a in accepted)]
            first = ranks[0] if ranks else None
            scores["hit@1"].append(float(first == 1))
            scores["hit@5"].append(float(first is not None and first <= 5))
            scores["mrr@10"].append(1.0 / first if first else 0.0)
            right = answer_is_right(answer and answer["text"], accepted)
            scores["answer"].append(float(right))
            if answer:
                band = next(b for b in CONFIDENCE_BANDS if b[0] <= answer["confidence"] < b[1])
                calibration[band].append(right)
            if not right or first != 1:
                misses.append(f"{row['id']} [{row['kind']}] {row['question']!r} -> {answer and answer['text']!r} hit@1={first == 1}")
        else:
            scores["abstention"].append(float(answer is None))
            if answer is not None:
                calibration[next(b for b in CONFIDENCE_BANDS if b[0] <= answer["confidence"] < b[1])].append(False)
                misses.append(f"{row['id']} [{row['kind']}] {row['question']!r} -> should abstain, said {answer['text']!r}")
        if results:
            scores["attribution"].append(sum(stands_at_lines(r, file_lines) for r in results[:5]) / len(results[:5]))
    overall: dict[str, list[float]] = defaultdict(list)
    for scores in per_kind.values():
        for metric, values in scores.items():
            overall[metric].extend(values)
    return {
        "questions": len(rows),
        "overall": {m: _mean(overall[m]) for m in METRICS if overall[m]},
        "per_kind": {k: {"n": _count(v), **{m: _mean(v[m]) for m in METRICS if v[m]}} for k, v in sorted(per_kind.items())},
        "calibration": [
            {"confidence": f"{low:.2f}-{min(high, 1):.2f}", "answers": len(v), "right": round(sum(v) / len(v), 3) if v else None}
            for (low, high), v in sorted(calibration.items())
        ],
        "misses": misses,
    }


def format_report(report: dict) -> str:
    lines = [f"{'kind':<14}{'n':>4}" + "".join(f"{m:>12}" for m in METRICS)]
    for kind, scores in report["per_kind"].items():
        lines.append(f"{kind:<14}{scores['n']:>4}" + "".join(
            f"{scores[m]:>12.3f}" if m in scores else f"{'-':>12}" for m in METRICS))
    overall = report["overall"]
    lines.append(f"{'all':<14}{report['questions']:>4}" + "".join(
        f"{overall[m]:>12.3f}" if m in overall else f"{'-':>12}" for m in METRICS))
    lines += ["", "calibration (answers given, share right):"]
    for row in report["calibration"]:
        lines.append(f"  confidence {row['confidence']}: {row['answers']:>3} answers, {row['right']:.0%} right")
    if report["misses"]:
        lines += ["", "misses:"] + [f"  {miss}" for miss in report["misses"]]
    return "\n".join(lines)


def _mean(values: list[float]) -> float:
    return round(sum(values) / len(values), 3) if values else float("nan")


def _count(scores: dict[str, list[float]]) -> int:
    return max((len(v) for v in scores.values()), default=0)
