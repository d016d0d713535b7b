"""Demo papers from the real public texts in ../shared/corpus (beside the repository).

Each text becomes a paper: short lines without a full stop become section headings,
the paragraphs under them the section's text. Without the corpus, short built-in texts
stand in, so the demo always loads.
"""
from __future__ import annotations

import os
import re
from html import escape
from pathlib import Path

from workspace.config import ROOT

# SAMVERKAN_CORPUS points elsewhere, e.g. from a git worktree that is not beside shared/.
CORPUS_DIR = Path(os.environ.get("SAMVERKAN_CORPUS") or ROOT.parent / "shared" / "corpus")

# file prefix → (workspace slug, title, kind, policy area)
PAPERS = {
    "001": ("sydsverige", "Om Regionsamverkan Sydsverige", "position_paper", "Infrastruktur"),
    "002": ("sydsverige", "Toppmöte om Skånes regionala utveckling", "position_paper", "Kompetensförsörjning"),
    "000": ("sosk", "Regional samverkan i sydöstra Skåne", "position_paper", "Infrastruktur"),
    "004": ("sodertorn", "Verksamhetsplan 2014", "activity_plan", "Infrastruktur"),
    "003": ("sormland", "Samverkan för hållbar utveckling av Sörmland", "position_paper", "Kultur"),
}

FALLBACK = {
    "001": "Om Regionsamverkan Sydsverige\n\nRegionsamverkan Sydsverige är ett samarbete mellan sex regioner "
           "kring infrastruktur, kollektivtrafik och kultur.\n\nMålsättning\n\nMålsättningen är att skapa en "
           "grund för ökad tillväxt och hållbar utveckling i Sydsverige och Sverige.",
    "000": "Regional samverkan\n\nKommunerna i sydöstra Skåne samverkar för hållbar utveckling.",
    "004": "Inledning\n\nSödertörns åtta kommuner är en attraktiv del av Stockholmsregionen.",
    "003": "Samverkan för hållbar utveckling av Sörmland\n\nRegion Sörmland och Länsstyrelsen arbetar gemensamt.",
    "002": "Toppmöte\n\nRegion Skåne bjuder in ledande politiker från samtliga 33 kommuner.",
}


def _is_heading(line: str) -> bool:
    return 2 < len(line) < 70 and not line.endswith((".", ":", ",", "?", "!")) and not line[0].isdigit() \
        and len(line.split()) <= 9


def text_to_sections(text: str, max_sections: int = 12) -> list[tuple[str, str]]:
    paragraphs = []
    for block in re.split(r"\n\s*\n", text):
        lines = [ln.strip() for ln in block.splitlines() if ln.strip()]
        bullets = [ln for ln in lines if ln.startswith("•")]
        if bullets and len(bullets) == len(lines):
            paragraphs.append("• " + "\n".join(ln.lstrip("• ").strip() for ln in lines))
        elif lines:
            paragraphs.append(" ".join(" ".join(lines).split()))
    sections: list[tuple[str, list[str]]] = []
    for p in paragraphs:
        if _is_heading(p):
            sections.append((p, []))
        else:
            if not sections:
                sections.append(("Inledning", []))
            sections[-1][1].append(p)
    out = []
    for title, paras in sections:
        if not paras and out:
            continue
        items = []
        for p in paras:
            if p.startswith("• "):
                items.append("<ul>" + "".join(f"<li>{escape(i)}</li>" for i in p[2:].split("\n")) + "</ul>")
            else:
                items.append(f"<p>{escape(p)}</p>")
        out.append((title, "".join(items)))
    return [s for s in out if s[1]][:max_sections] or out[:1]


def corpus_texts() -> dict[str, str]:
    texts = dict(FALLBACK)
    if CORPUS_DIR.is_dir():
        for path in sorted(CORPUS_DIR.glob("*.txt")):
            texts[path.name[:3]] = path.read_text(encoding="utf-8")
    return texts
