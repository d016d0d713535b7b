"""PDF through LibreOffice headless, where it is installed.

Each conversion gets its own LibreOffice profile directory: two conversions sharing one
profile (parallel requests, several processes) lock each other out or crash.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from flask import current_app, has_app_context
from flask_babel import gettext as _

DEFAULT_TIMEOUT = 120


class PdfError(RuntimeError):
    """The conversion failed; the message is for the user."""


def soffice_path() -> str | None:
    configured = current_app.config.get("EXPORT_SOFFICE") if has_app_context() else None
    if configured is None:
        configured = os.environ.get("EXPORT_SOFFICE")
    if configured is not None:  # "" switches PDF off
        return shutil.which(configured) if configured else None
    return _installed_soffice()


_FOUND: tuple[float, str | None] | None = None
_LOOK_AGAIN_AFTER = 60.0  # seconds: LibreOffice installed while the server runs shows up soon


def _installed_soffice() -> str | None:
    """LibreOffice on the PATH, looked up at most once a minute: every paper page asks (its
    export card offers PDF only where it can be made), and a PATH search stats several files."""
    global _FOUND
    now = time.monotonic()
    if _FOUND is None or now - _FOUND[0] > _LOOK_AGAIN_AFTER:
        _FOUND = (now, shutil.which("soffice") or shutil.which("libreoffice"))
    return _FOUND[1]


def pdf_available() -> bool:
    return soffice_path() is not None


def docx_to_pdf(docx: bytes, *, timeout: int | None = None) -> bytes:
    exe = soffice_path()
    if exe is None:
        raise PdfError(_("PDF kan inte skapas här: LibreOffice är inte installerat."))
    if timeout is None:
        configured = current_app.config.get("EXPORT_PDF_TIMEOUT") if has_app_context() else None
        timeout = int(configured or os.environ.get("EXPORT_PDF_TIMEOUT") or DEFAULT_TIMEOUT)
    with tempfile.TemporaryDirectory(prefix="samverkan-pdf-") as tmp:
        work = Path(tmp)
        src = work / "export.docx"
        src.write_bytes(docx)
        profile = (work / "profile").as_uri()
        cmd = [exe, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--nolockcheck",
               "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(work), str(src)]
        # Its own process group: on timeout the whole LibreOffice tree is ended, not just the wrapper.
        proc = subprocess.Popen(cmd, cwd=work, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise PdfError(_("PDF-konverteringen tog för lång tid och avbröts. Försök igen eller hämta Word-filen."))
        out = work / "export.pdf"
        if not out.exists() or out.stat().st_size == 0:
            raise PdfError(_("PDF-konverteringen misslyckades. Hämta Word-filen i stället."))
        return out.read_bytes()
