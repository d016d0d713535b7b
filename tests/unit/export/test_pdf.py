"""Where LibreOffice is: looked up on the PATH at most once a minute (every paper page asks)."""
from workspace.export import pdf


def test_installed_soffice_is_looked_up_again_after_a_minute(monkeypatch):
    looked = []
    found = {"soffice": None, "libreoffice": "/usr/bin/libreoffice"}

    def which(name):
        looked.append(name)
        return found[name]

    clock = [1000.0]
    monkeypatch.setattr(pdf.shutil, "which", which)
    monkeypatch.setattr(pdf.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(pdf, "_FOUND", None)
    assert pdf._installed_soffice() == "/usr/bin/libreoffice"
    assert looked == ["soffice", "libreoffice"]
    found["libreoffice"] = None  # removed: still remembered within the minute
    clock[0] += 30
    assert pdf._installed_soffice() == "/usr/bin/libreoffice" and len(looked) == 2
    clock[0] += 31
    assert pdf._installed_soffice() is None and len(looked) == 4
    found["soffice"] = "/opt/lo/soffice"  # installed while the server runs
    clock[0] += 61
    assert pdf._installed_soffice() == "/opt/lo/soffice"
