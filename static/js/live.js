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

  // A region is busy while someone types in it or a request made inside it is in flight
  // (a save, a comment): refreshing it then would swap in text rendered before that request.
  function busy(el) {
    return el.matches(".is-editing, .is-editing *") || !!el.querySelector(".is-editing, .htmx-request");
  }

  // Refresh one region: with `html` (the part came with the event, see below) by swapping it
  // in, else by having the region fetch itself. Not htmx.trigger: its events bubble, and htmx
  // fires an element's hx-trigger for events from its descendants too, so every enclosing
  // region (the section list around a section, the section around its comments) would reload
  // as well — past the busy check, racing a save made inside it.
  function refresh(el, detail, html) {
    if (!el.isConnected) return;
    if (busy(el)) {
      el.classList.add("live-stale"); // caught up once it is free again
      return;
    }
    el.classList.remove("live-stale");
    el.setAttribute("data-live-updated", "1");
    // A request of the region's own in flight: it fetches again after it (htmx queues it).
    if (typeof html === "string" && !el.classList.contains("htmx-request")) swapPushed(el, html, detail || {});
    else {
      // A region swapped in a moment ago is processed by htmx only when it settles: until then
      // nothing listens for the event, and the refresh was lost. Processing is idempotent.
      htmx.process(el);
      el.dispatchEvent(new CustomEvent("live-refresh", { bubbles: false, detail: detail || {} }));
    }
  }

  // The stream of a paper's page sends the parts an event changed, rendered for me, by the
  // URL the region would fetch (papers/live_parts.py). They are swapped in as a fetched
  // answer would be, through the same htmx events (busy and focus checks below, comments.js
  // keeping what is being typed), without a request per open page.
  function pushedPart(el, data) {
    var url = el.getAttribute("hx-get");
    if (!data.parts || !url || !Object.prototype.hasOwnProperty.call(data.parts, url)) return null;
    return data.parts[url];
  }

  function swapPushed(el, html, detail) {
    var info = { elt: el, target: el, xhr: {}, etc: {}, pathInfo: {}, shouldSwap: true, serverResponse: html,
                 requestConfig: { elt: el, triggeringEvent: { type: "live-refresh", detail: detail } } };
    if (!htmx.trigger(el, "htmx:beforeSwap", info) || !info.shouldSwap) return;
    htmx.swap(el, info.serverResponse, { swapStyle: "outerHTML", swapDelay: 0, settleDelay: 20 },
              { eventInfo: info, contextElement: el });
  }

  function isLiveRefresh(evt) {
    var cfg = evt.detail.requestConfig;
    return !!(cfg && cfg.triggeringEvent && cfg.triggeringEvent.type === "live-refresh");
  }

  // At swap time the region may have become busy (an editor opened, a save sent) or been
  // replaced meanwhile: then the refreshed copy is older than what the page shows or is about
  // to show, and is dropped; the region catches up when it is free.
  document.addEventListener("htmx:beforeSwap", function (evt) {
    if (!isLiveRefresh(evt)) return;
    var target = evt.detail.target;
    if (!target || !target.isConnected) { evt.detail.shouldSwap = false; return; }
    if (busy(target)) {
      evt.detail.shouldSwap = false;
      target.classList.add("live-stale");
    }
  });

  // A live refresh keeps what the region's status lines say (role=status, found by id): the
  // person's own move comes back over the stream a moment after its answer, and the fresh copy
  // of the list would wipe "Ordningen är sparad" before a screen reader or the eye got to it.
  // The text goes into the new copy before it is swapped in, so it is not announced twice.
  document.addEventListener("htmx:beforeSwap", function (evt) {
    if (!isLiveRefresh(evt) || evt.detail.shouldSwap === false) return;
    var target = evt.detail.target, html = evt.detail.serverResponse;
    if (!target || typeof html !== "string") return;
    var said = Array.prototype.filter.call(target.querySelectorAll("[role=status][id]"),
                                           function (el) { return el.textContent.trim() !== ""; });
    if (!said.length) return;
    var copy = document.createElement("template");
    copy.innerHTML = html;
    var kept = 0;
    said.forEach(function (el) {
      var fresh = copy.content.getElementById(el.id);
      if (fresh && fresh.textContent.trim() === "") { fresh.textContent = el.textContent; kept++; }
    });
    if (kept) evt.detail.serverResponse = copy.innerHTML;
  });

  // A live refresh must not take keyboard focus away (WCAG 2.4.3): someone who just moved a
  // section with the keyboard gets their own event a moment later, and its refresh replaced
  // the button they were on. The focused element is found again in the new copy by its id,
  // or by its nearest ancestor with an id and its identifying attributes.
  var focusBefore = new WeakMap(); // the request (xhr) → where focus was
  function focusKey(el, region) {
    if (el.id) return { id: el.id };
    var anchor = el.parentElement && el.parentElement.closest("[id]");
    if (!anchor || !(region === anchor || region.contains(anchor))) anchor = region;
    var selector = el.tagName.toLowerCase();
    ["data-move", "name", "value", "href", "type"].forEach(function (a) {
      var v = el.getAttribute(a);
      if (v !== null) selector += "[" + a + '="' + CSS.escape(v) + '"]';
    });
    return { anchor: anchor.id, selector: selector };
  }
  function findByKey(key) {
    if (key.id) return document.getElementById(key.id);
    var anchor = key.anchor && document.getElementById(key.anchor);
    return anchor ? anchor.querySelector(key.selector) : null;
  }
  document.addEventListener("htmx:beforeSwap", function (evt) {
    if (!isLiveRefresh(evt) || evt.detail.shouldSwap === false) return;
    var active = document.activeElement, target = evt.detail.target;
    if (active && active !== document.body && target && target.contains(active)) {
      focusBefore.set(evt.detail.xhr, focusKey(active, target));
    }
  });
  document.addEventListener("htmx:afterSwap", function (evt) {
    var key = evt.detail.xhr && focusBefore.get(evt.detail.xhr);
    if (!key) return;
    focusBefore.delete(evt.detail.xhr);
    var lost = !document.activeElement || document.activeElement === document.body;
    var el = lost && findByKey(key);
    if (!el) return;
    // It had focus, so the <details> around it were open (a comment being written): the new
    // copy comes closed.
    for (var d = el.closest("details"); d; d = d.parentElement && d.parentElement.closest("details")) d.open = true;
    el.focus({ preventScroll: true });
  });

  var catchUpTimer = null;
  function catchUp() {
    clearTimeout(catchUpTimer);
    catchUpTimer = setTimeout(function () {
      document.querySelectorAll(".live-stale").forEach(function (el) {
        if (!busy(el) && !el.classList.contains("htmx-request")) refresh(el, {});
      });
    }, 50);
  }
  document.addEventListener("htmx:afterSettle", catchUp);
  document.addEventListener("htmx:afterRequest", catchUp);
  document.addEventListener("samverkan:editing", catchUp);

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
    regionsFor(data).forEach(function (el) { refresh(el, detail, pushedPart(el, data)); });
    if (data.verb !== "presence-changed" && data.actor_id !== Number(document.body.dataset.userId)) {
      announce(data.message);
    }
  }

  window.SamverkanLive = { refresh: refresh, regionsFor: regionsFor };

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
