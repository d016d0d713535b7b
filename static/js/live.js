// Live updates: the htmx SSE extension holds the connection; this file turns each event
// into a refresh of the page regions that care, and keeps presence heartbeats going.
(function () {
  "use strict";

  var lastId = null;

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; }
    catch (e) { return ""; }
  }

  function announce(text) {
    var status = document.getElementById("live-status");
    if (status && text) status.textContent = text;
  }

  function regionsFor(data) {
    var out = [];
    document.querySelectorAll("[data-live-on]").forEach(function (el) {
      var verbs = el.getAttribute("data-live-on").split(/\s+/);
      if (verbs.indexOf(data.verb) === -1 && verbs.indexOf("*") === -1) return;
      var key = el.getAttribute("data-live-key") || "workspace";
      if (data.keys.indexOf(key) === -1) return;
      out.push(el);
    });
    return out;
  }

  function handle(verb, msg) {
    var data;
    try { data = JSON.parse(msg.data); } catch (e) { return; }
    if (lastId !== null && data.id <= lastId) return; // never apply an event twice
    lastId = data.id;
    var conn = document.getElementById("live-connection");
    if (conn) {
      // If htmx must re-create the connection it resumes from here, with no gap.
      var url = conn.getAttribute("sse-connect").replace(/([?&])after=\d*/, "$1after=" + data.id);
      if (url.indexOf("after=") === -1) url += (url.indexOf("?") === -1 ? "?" : "&") + "after=" + data.id;
      conn.setAttribute("sse-connect", url);
    }
    var detail = data;
    var ev = new CustomEvent("live:event", { detail: detail, cancelable: true });
    if (!document.dispatchEvent(ev)) return; // a page script handled it itself
    regionsFor(data).forEach(function (el) {
      if (el.matches(".is-editing, .is-editing *") || el.querySelector(".is-editing")) {
        el.classList.add("live-stale"); // never replace what someone is typing
        return;
      }
      el.setAttribute("data-live-updated", "1");
      htmx.trigger(el, "live-refresh", detail);
    });
    if (data.verb !== "presence-changed" && data.actor_id !== Number(document.body.dataset.userId)) {
      announce(data.message);
    }
  }

  document.addEventListener("htmx:sseOpen", function (evt) {
    var el = evt.target;
    if (!el || el.id !== "live-connection") return;
    var source = evt.detail.source;
    if (source.__samverkanBound) return;
    source.__samverkanBound = true;
    (el.getAttribute("data-live-events") || "").split(/\s+/).forEach(function (verb) {
      if (verb) source.addEventListener(verb, function (msg) { handle(verb, msg); });
    });
  });

  // Briefly highlight regions that changed because of someone else.
  document.addEventListener("htmx:afterSettle", function (evt) {
    var el = evt.detail.elt;
    if (!el || !el.querySelectorAll) return;
    var marked = [];
    if (el.getAttribute && el.getAttribute("data-live-updated") && !el.classList.contains("presence")) marked.push(el);
    marked.forEach(function (m) {
      m.classList.add("live-updated");
      setTimeout(function () { m.classList.remove("live-updated"); }, 2000);
    });
  });

  // --- presence ---------------------------------------------------------------------
  function clientId() {
    var id = sessionStorage.getItem("samverkan-client-id");
    if (!id) {
      id = (crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2)).replace(/[^a-zA-Z0-9-]/g, "");
      sessionStorage.setItem("samverkan-client-id", id);
    }
    return id;
  }

  function presenceForm(sectionId) {
    var fd = new FormData();
    fd.append("client_id", clientId());
    fd.append("section_id", sectionId || "");
    fd.append("csrf_token", csrfToken());
    return fd;
  }

  function startPresence(box) {
    var url = box.getAttribute("data-presence-url");
    var editing = null;
    function beat() {
      fetch(url, { method: "POST", body: presenceForm(editing), credentials: "same-origin",
                   headers: { "X-CSRFToken": csrfToken() } }).catch(function () {});
    }
    beat();
    var timer = setInterval(beat, 20000);
    document.addEventListener("samverkan:editing", function (evt) {
      editing = evt.detail && evt.detail.sectionId ? evt.detail.sectionId : null;
      beat();
    });
    window.addEventListener("pagehide", function () {
      clearInterval(timer);
      navigator.sendBeacon(url + "/leave", presenceForm(null));
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.querySelector("[data-presence-url]");
    if (box) startPresence(box);
  });
})();
