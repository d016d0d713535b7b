"""Word export of a 100-page paper, beside pandoc converting the same content (Markdown →
DOCX) in the same run.

The paper is made from the real texts in ../shared/corpus (paragraphs, bulleted and
numbered lists, a table and a link per section) until it fills about 100 pages; the page
count is checked by converting our file to PDF with LibreOffice once (not timed).

    .venv/bin/python -m bench.export_bench [--pages 100] [--runs 5]
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from html import escape
from pathlib import Path

from bench.harness import ROOT

WORDS_PER_PAGE = 250  # measured: about 100 A4 pages in LibreOffice (185 gave 76 pages: the lists and tables take room)


def corpus_paragraphs() -> list[str]:
    texts = sorted((ROOT.parent / "shared" / "corpus").glob("*.txt"))
    paras = []
    for f in texts:
        for block in f.read_text(encoding="utf-8").split("\n\n"):
            text = " ".join(block.split())
            if len(text.split()) >= 12:
                paras.append(text)
    if not paras:
        paras = ["Regionsamverkan Sydsverige är ett samarbete mellan sex regioner kring infrastruktur, "
                 "kollektivtrafik och kultur för ökad tillväxt och hållbar utveckling."] * 10
    return paras


def make_paper(pages: int):
    """(sections as (title, html), the same as Markdown)."""
    paras = corpus_paragraphs()
    sections, md = [], []
    words, i, n = 0, 0, 0
    while words < pages * WORDS_PER_PAGE:
        n += 1
        title = f"Avsnitt {n}: {' '.join(paras[i % len(paras)].split()[:4])}"
        html, mdp = [], [f"# {title}", ""]
        for _ in range(4):
            p = paras[i % len(paras)]
            i += 1
            first, rest = p.split(" ", 1) if " " in p else (p, "")
            html.append(f"<p><strong>{escape(first)}</strong> {escape(rest)}</p>")
            mdp += [f"**{first}** {rest}", ""]
            words += len(p.split())
        items = [" ".join(paras[(i + k) % len(paras)].split()[:10]) for k in range(3)]
        html.append("<ul>" + "".join(f"<li>{escape(t)}</li>" for t in items) + "</ul>")
        mdp += [f"- {t}" for t in items] + [""]
        html.append("<ol>" + "".join(f"<li><em>{escape(t)}</em></li>" for t in items) + "</ol>")
        mdp += [f"{k + 1}. *{t}*" for k, t in enumerate(items)] + [""]
        html.append('<p>Läs mer hos <a href="https://www.trafikverket.se/">Trafikverket</a>.</p>')
        mdp += ["Läs mer hos [Trafikverket](https://www.trafikverket.se/).", ""]
        html.append("<table><thead><tr><th>Region</th><th>Insats</th></tr></thead><tbody>"
                    "<tr><td>Skåne</td><td>Stambanor</td></tr><tr><td>Blekinge</td><td>Sydostlänken</td></tr>"
                    "</tbody></table>")
        mdp += ["| Region | Insats |", "|---|---|", "| Skåne | Stambanor |", "| Blekinge | Sydostlänken |", ""]
        words += 3 * 10 * 2 + 10
        sections.append((title, "".join(html)))
        md += mdp
    return sections, "\n".join(md)


def page_count(docx: bytes) -> int | None:
    if not (shutil.which("soffice") and shutil.which("pdfinfo")):
        return None
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "paper.docx"
        src.write_bytes(docx)
        subprocess.run(["soffice", f"-env:UserInstallation={(Path(tmp) / 'p').as_uri()}", "--headless",
                        "--convert-to", "pdf", "--outdir", tmp, str(src)], capture_output=True, timeout=300)
        info = subprocess.run(["pdfinfo", str(Path(tmp) / "paper.pdf")], capture_output=True, text=True)
        for line in info.stdout.splitlines():
            if line.startswith("Pages:"):
                return int(line.split()[1])
    return None


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=100)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()

    from workspace import create_app
    from workspace.export.builder import build_paper_docx
    from workspace.export.demo import demo_template_docx
    from workspace.export.document import ExportDocument, ExportSection
    from workspace.export.template import normalise_template

    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                      "INSTANCE_PATH": tempfile.mkdtemp(prefix="samverkan-export-bench-")})
    sections, markdown = make_paper(args.pages)
    template = normalise_template(demo_template_docx("Regionsamverkan Sydsverige"), "mall.docx")
    doc = ExportDocument(title="Hundra sidor om Sydsverige", body_name="Regionsamverkan Sydsverige",
                         kind_label="Positionspapper", status_label="Utkast", adopted=False,
                         sections=[ExportSection(n, t, h) for n, (t, h) in enumerate(sections)])
    ours, ours_cpu, theirs, theirs_cpu = [], [], [], []
    with app.app_context():
        data = build_paper_docx(doc, template)  # warm-up (imports, templates)
        for _ in range(args.runs):
            t, c = time.perf_counter(), time.process_time()
            data = build_paper_docx(doc, template)
            ours.append(time.perf_counter() - t)
            ours_cpu.append(time.process_time() - c)
    pandoc = shutil.which("pandoc")
    with tempfile.TemporaryDirectory() as tmp:
        md = Path(tmp) / "paper.md"
        md.write_text(markdown, encoding="utf-8")
        for _ in range(args.runs if pandoc else 0):
            t, before = time.perf_counter(), os.times()
            subprocess.run([pandoc, "-f", "markdown", "-t", "docx", "--toc", "-o", str(Path(tmp) / "p.docx"),
                            str(md)], check=True, capture_output=True)
            theirs.append(time.perf_counter() - t)
            after = os.times()
            theirs_cpu.append((after.children_user - before.children_user)
                              + (after.children_system - before.children_system))
        pandoc_size = (Path(tmp) / "p.docx").stat().st_size if theirs else 0
    pages = page_count(data)
    words = len(markdown.split())
    print(f"paper: {len(sections)} sections, {words} words, {pages if pages else '?'} pages (LibreOffice)")
    print(f"samverkan DOCX : wall median {statistics.median(ours) * 1000:7.1f} ms  max {max(ours) * 1000:7.1f} ms"
          f"  CPU median {statistics.median(ours_cpu) * 1000:7.1f} ms  {len(data) // 1024} kB  (n={len(ours)})")
    if theirs:
        print(f"pandoc md→docx : wall median {statistics.median(theirs) * 1000:7.1f} ms  max {max(theirs) * 1000:7.1f} ms"
              f"  CPU median {statistics.median(theirs_cpu) * 1000:7.1f} ms  {pandoc_size // 1024} kB  (n={len(theirs)})")
    else:
        print("pandoc         : not installed")
    print(f"target < 1 s   : {'met' if statistics.median(ours) < 1 else 'NOT met'} (wall median)"
          f"; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
