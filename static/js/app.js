// Samverkan's own behaviour on top of htmx. No inline scripts (the CSP forbids them).
(function () {
  "use strict";

  // Ask before htmx requests that carry data-confirm-like hx-confirm (htmx does it itself);
  // show a message when a request fails so that nothing fails silently.
  document.addEventListener("htmx:responseError", function (evt) {
    showFlash(document.body.dataset.errorMessage || "Error", "error");
  });
  document.addEventListener("htmx:sendError", function () {
    showFlash(document.body.dataset.errorMessage || "Error", "error");
  });

  function showFlash(message, category) {
    var area = document.getElementById("flash");
    if (!area) return;
    var p = document.createElement("p");
    p.className = "flash flash-" + category;
    p.textContent = message;
    area.replaceChildren(p);
  }

  // After a swap, move focus to the first error so keyboard and screen-reader users hear it.
  document.addEventListener("htmx:afterSwap", function (evt) {
    var target = evt.detail.target;
    if (!target || !target.querySelector) return;
    var invalid = target.querySelector("[aria-invalid=true], .field-error[role=alert]");
    if (invalid && typeof invalid.focus === "function") {
      if (!invalid.hasAttribute("tabindex") && invalid.tagName === "P") invalid.setAttribute("tabindex", "-1");
      invalid.focus();
    }
  });

  // Close an open <details> menu with Escape and when clicking elsewhere.
  document.addEventListener("keydown", function (evt) {
    if (evt.key !== "Escape") return;
    document.querySelectorAll("details.menu[open]").forEach(function (d) {
      d.removeAttribute("open");
      var s = d.querySelector("summary");
      if (s) s.focus();
    });
  });
  document.addEventListener("click", function (evt) {
    document.querySelectorAll("details.menu[open]").forEach(function (d) {
      if (!d.contains(evt.target)) d.removeAttribute("open");
    });
  });

  // Error summaries at page load take focus, as GOV.UK-style forms do.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector(".error-summary");
    if (summary) summary.focus();
  });
})();
