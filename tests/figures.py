"""Figures the reliability tests record for docs/reliability.md."""
from __future__ import annotations

import json
import os
from pathlib import Path


def record_figures(tmp_path_factory, section: str, **values) -> None:
    """Add figures of this run under `section` in reliability-figures.json (in pytest's base
    temp folder, or at $LINER_RELIABILITY_FIGURES); docs/reliability.md quotes them."""
    path = Path(os.environ.get("LINER_RELIABILITY_FIGURES") or tmp_path_factory.getbasetemp() / "reliability-figures.json")
    figures = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    figures.setdefault(section, {}).update(values)
    path.write_text(json.dumps(figures, indent=1, sort_keys=True), encoding="utf-8")
    print(f"[figures] {section}: {values}")
