"""Hostile input shared by the unit, HTTP and browser tests."""
from __future__ import annotations

from pathlib import Path

PAYLOAD_FILE = Path(__file__).parent / "data" / "xss_payloads.txt"


def payloads() -> list[str]:
    lines = PAYLOAD_FILE.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("# ")]


# Run in the page after it has loaded: anything in the DOM that could run script.
DOM_CHECK = r"""() => {
  const bad = [];
  const urlAttrs = ["href", "src", "action", "formaction", "data", "background", "poster", "xlink:href", "dynsrc", "lowsrc"];
  for (const el of document.querySelectorAll("*")) {
    for (const a of el.attributes) {
      const name = a.name.toLowerCase();
      const value = (a.value || "").replace(/[\u0000-\u0020]/g, "").toLowerCase();
      if (name.startsWith("on")) bad.push(el.tagName + " " + name);
      if (name.startsWith("hx-on") || name.startsWith("data-hx-on")) bad.push(el.tagName + " " + name);
      if ((name === "hx-get" || name === "data-hx-get") && value.includes("/logout")) bad.push(el.tagName + " " + name);
      if (name === "srcdoc") bad.push(el.tagName + " srcdoc");
      if (urlAttrs.includes(name) && (value.startsWith("javascript:") || value.startsWith("vbscript:") ||
          (value.startsWith("data:") && !value.startsWith("data:,") && el.tagName !== "IMG"))) {
        bad.push(el.tagName + " " + name + "=" + a.value.slice(0, 60));
      }
    }
    if (["IFRAME", "FRAME", "OBJECT", "EMBED", "BASE"].includes(el.tagName)) bad.push(el.tagName);
    if (el.tagName === "SCRIPT" && !(el.getAttribute("src") || "").startsWith("/static/")) bad.push("inline SCRIPT");
  }
  return bad;
}"""
