"""Why this answer (`liner ask --explain`): the question as Liner read it, the passages and the
candidates with what each feature added to their score, and the decision to answer or abstain.

Built from what the pipeline computed anyway; asking for it costs only the formatting.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from search.model import Model
from search.questions import Question
from search.retrieval import ScoredPassage
from search.values import Candidate

# How many passages and candidates an explanation shows, and how many features of each.
SHOWN_PASSAGES = 5
SHOWN_CANDIDATES = 8
SHOWN_FEATURES = 5


@dataclass
class Explanation:
    question: dict
    passages: list[dict] = field(default_factory=list)
    candidates: list[dict] = field(default_factory=list)
    decision: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"question": self.question, "passages": self.passages, "candidates": self.candidates,
                "decision": self.decision}


def explain(question: Question, weights: dict[str, float], corrections: dict, synonyms: dict,
            passages: list[ScoredPassage], candidates: list[Candidate], model: Model, decision: dict,
            decision_features: dict[str, float]) -> Explanation:
    if decision_features:
        decision = {**decision, "because": _strongest(model.confidence.contributions(decision_features))}
    return Explanation(
        question={"kind": question.kind, "answer_type": question.answer_type, "wants_list": question.wants_list,
                  "head_noun": question.head_noun, "searched_for": question.search_text,
                  "word_weights": {word: round(weight, 3) for word, weight in weights.items()},
                  "corrections": corrections, "synonyms": synonyms},
        passages=[_passage(passage, model) for passage in passages[:SHOWN_PASSAGES]],
        candidates=[_candidate(candidate, model) for candidate in candidates[:SHOWN_CANDIDATES]],
        decision=decision,
    )


def _passage(passage: ScoredPassage, model: Model) -> dict:
    return {"citation": f"{passage.path}:L{passage.passage.line_start}-L{passage.passage.line_end}",
            "score": round(passage.score, 3), "bm25": round(passage.bm25, 3),
            "because": _strongest(model.ranker.contributions(passage.features))}


def _candidate(candidate: Candidate, model: Model) -> dict:
    return {"text": candidate.text, "source": candidate.source, "score": round(candidate.score, 3),
            "citation": f"{candidate.passage.path}:L{candidate.unit.line_start}-L{candidate.unit.line_end}",
            "because": _strongest(model.selector.contributions(candidate.features))}


def _strongest(contributions: dict[str, float]) -> dict[str, float]:
    """The features that moved the score most, either way."""
    ranked = sorted(contributions.items(), key=lambda item: -abs(item[1]))[:SHOWN_FEATURES]
    return {name: round(value, 3) for name, value in ranked}


def render_explanation(explanation: Explanation) -> str:
    """The explanation as text for a terminal."""
    q = explanation.question
    lines = ["", "Why this answer:",
             f"  question: {q['kind']}, expects {q['answer_type']}{' (a list)' if q['wants_list'] else ''}; "
             f"searched for “{q['searched_for']}”",
             "  word weights: " + ", ".join(f"{w} {v}" for w, v in q["word_weights"].items())]
    if q["corrections"]:
        lines.append("  typos corrected: " + ", ".join(f"{w} -> {'/'.join(o)}" for w, o in q["corrections"].items()))
    if q["synonyms"]:
        lines.append("  synonyms: " + ", ".join(f"{w} ~ {'/'.join(o)}" for w, o in q["synonyms"].items()))
    lines.append("  passages (ranker score; the features that moved it most):")
    for p in explanation.passages:
        lines.append(f"    {p['score']:+.2f}  {p['citation']}  " + _because(p["because"]))
    lines.append("  candidates (selector score; source; the features that moved it most):")
    for c in explanation.candidates:
        lines.append(f"    {c['score']:+.2f}  “{c['text'][:60]}” ({c['source']})  " + _because(c["because"]))
    d = explanation.decision
    lines.append(f"  decision: {d.get('outcome')}"
                 + (f" (confidence {d['confidence']:.2f}, bar {d['bar']:.2f})" if d.get("confidence") is not None else "")
                 + (f"; {d['reason']}" if d.get("reason") else ""))
    if d.get("because"):
        lines.append("    the confidence moved most by: " + _because(d["because"]))
    return "\n".join(lines)


def _because(features: dict[str, float]) -> str:
    return ", ".join(f"{name} {value:+.2f}" for name, value in features.items())
