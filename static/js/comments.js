// Comments: quoting a selected passage, @mention suggestions, and keeping what someone
// types while others' comments arrive live.
(function () {
  "use strict";

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; }
    catch (e) { return ""; }
  }

  // --- quoting a selected passage ----------------------------------------------------
  var quoteButton = null;
  var pending = null; // {sectionId, text, block}

  function blockIndex(textRoot, node) {
    // The index of the block (paragraph, list item, heading …) as the server splits them.
    var blocks = [];
    Array.prototype.forEach.call(textRoot.children, function (el) {
      if (el.tagName === "UL" || el.tagName === "OL") {
        Array.prototype.forEach.call(el.children, function (li) { if (li.tagName === "LI") blocks.push(li); });
      } else {
        blocks.push(el);
      }
    });
    var el = node.nodeType === 1 ? node : node.parentElement;
    for (var i = 0; i < blocks.length; i++) if (blocks[i].contains(el)) return i;
    return "";
  }

  function hideQuoteButton() {
    if (quoteButton) quoteButton.hidden = true;
  }

  function ensureQuoteButton() {
    if (quoteButton) return quoteButton;
    quoteButton = document.createElement("button");
    quoteButton.type = "button";
    quoteButton.className = "button small primary quote-button";
    quoteButton.textContent = document.body.dataset.quoteLabel || "Kommentera markeringen";
    quoteButton.hidden = true;
    quoteButton.addEventListener("mousedown", function (evt) { evt.preventDefault(); }); // keep the selection
    quoteButton.addEventListener("click", function () {
      if (!pending) return;
      var form = document.querySelector(".new-thread-form[data-section-id='" + pending.sectionId + "']");
      hideQuoteButton();
      if (!form) return;
      var details = form.closest("details");
      if (details) details.open = true;
      form.querySelector("input[name=quote]").value = pending.text;
      form.querySelector("input[name=block]").value = pending.block;
      var box = form.querySelector("textarea[name=body]");
      box.focus();
    });
    document.body.appendChild(quoteButton);
    return quoteButton;
  }

  function onSelection() {
    var sel = window.getSelection();
    if (!sel || sel.isCollapsed || !sel.rangeCount) { hideQuoteButton(); return; }
    var range = sel.getRangeAt(0);
    var start = range.startContainer.nodeType === 1 ? range.startContainer : range.startContainer.parentElement;
    var textRoot = start && start.closest(".section-text");
    if (!textRoot || !textRoot.contains(range.endContainer)) { hideQuoteButton(); return; }
    var section = textRoot.closest("[data-section-id]");
    var text = sel.toString().replace(/\s+/g, " ").trim();
    if (!section || !text || !document.querySelector(".new-thread-form[data-section-id='" + section.dataset.sectionId + "']")) {
      hideQuoteButton();
      return;
    }
    pending = { sectionId: section.dataset.sectionId, text: text.slice(0, 1000), block: blockIndex(textRoot, range.startContainer) };
    var b = ensureQuoteButton();
    var rect = range.getBoundingClientRect();
    b.style.top = (window.scrollY + rect.bottom + 6) + "px";
    b.style.left = (window.scrollX + Math.max(rect.left, 8)) + "px";
    b.hidden = false;
  }

  document.addEventListener("mouseup", function (evt) {
    if (quoteButton && evt.target === quoteButton) return;
    setTimeout(onSelection, 0);
  });
  document.addEventListener("keyup", function (evt) {
    if (evt.shiftKey || evt.key === "Shift") setTimeout(onSelection, 0);
    if (evt.key === "Escape") hideQuoteButton();
  });

  // --- @mentions ------------------------------------------------------------------------
  var MENTION = /(^|\s)@([^\s@][^@\n]{0,39})?$/;

  function listFor(box) {
    var id = box.id + "-mentions";
    var list = document.getElementById(id);
    if (!list) {
      list = document.createElement("ul");
      list.id = id;
      list.className = "mention-options";
      list.setAttribute("role", "listbox");
      list.setAttribute("aria-label", document.body.dataset.mentionLabel || "Personer");
      list.hidden = true;
      box.insertAdjacentElement("afterend", list);
      box.setAttribute("aria-controls", id);
      box.setAttribute("aria-autocomplete", "list");
    }
    return list;
  }

  function options(list) {
    return Array.prototype.slice.call(list.querySelectorAll("[role=option][data-name]"));
  }

  function closeList(box) {
    var list = document.getElementById(box.id + "-mentions");
    if (list) { list.hidden = true; list.replaceChildren(); }
    box.removeAttribute("aria-activedescendant");
  }

  function highlight(box, list, index) {
    var opts = options(list);
    opts.forEach(function (o, i) { o.setAttribute("aria-selected", i === index ? "true" : "false"); });
    if (opts[index]) {
      box.setAttribute("aria-activedescendant", opts[index].id);
      opts[index].scrollIntoView({ block: "nearest" });
    }
  }

  function choose(box, option) {
    var before = box.value.slice(0, box.selectionStart);
    var after = box.value.slice(box.selectionStart);
    var m = before.match(MENTION);
    if (!m) return;
    var start = before.length - m[0].length + m[1].length;
    var inserted = "@" + option.dataset.name + " ";
    box.value = before.slice(0, start) + inserted + after;
    var pos = start + inserted.length;
    box.setSelectionRange(pos, pos);
    closeList(box);
    box.dispatchEvent(new Event("input", { bubbles: true }));
    box.focus();
  }

  var timers = new WeakMap();
  document.addEventListener("input", function (evt) {
    var box = evt.target;
    if (!box.matches || !box.matches("textarea.comment-input")) return;
    var m = box.value.slice(0, box.selectionStart).match(MENTION);
    if (!m) { closeList(box); return; }
    clearTimeout(timers.get(box));
    timers.set(box, setTimeout(function () {
      var list = listFor(box);
      var url = box.dataset.mentionUrl + "?q=" + encodeURIComponent(m[2] || "");
      htmx.ajax("GET", url, { target: list, swap: "innerHTML", source: box }).then(function () {
        list.hidden = list.children.length === 0;
        if (options(list).length) highlight(box, list, 0);
      });
    }, 150));
  });

  document.addEventListener("keydown", function (evt) {
    var box = evt.target;
    if (!box.matches || !box.matches("textarea.comment-input")) return;
    var list = document.getElementById(box.id + "-mentions");
    if (!list || list.hidden) return;
    var opts = options(list);
    var current = opts.findIndex(function (o) { return o.getAttribute("aria-selected") === "true"; });
    if (evt.key === "ArrowDown" || evt.key === "ArrowUp") {
      if (!opts.length) return;
      evt.preventDefault();
      var next = evt.key === "ArrowDown" ? current + 1 : current - 1;
      highlight(box, list, (next + opts.length) % opts.length);
    } else if ((evt.key === "Enter" || evt.key === "Tab") && current >= 0) {
      evt.preventDefault();
      choose(box, opts[current]);
    } else if (evt.key === "Escape") {
      evt.preventDefault();
      evt.stopPropagation();
      closeList(box);
    }
  });

  document.addEventListener("mousedown", function (evt) {
    var option = evt.target.closest && evt.target.closest(".mention-options [role=option][data-name]");
    if (!option) return;
    evt.preventDefault();
    var list = option.closest(".mention-options");
    var box = document.querySelector("[aria-controls='" + list.id + "']");
    if (box) choose(box, option);
  });

  document.addEventListener("focusout", function (evt) {
    var box = evt.target;
    if (box.matches && box.matches("textarea.comment-input")) setTimeout(function () {
      if (document.activeElement !== box) closeList(box);
    }, 150);
  });

  // --- never lose what someone is typing -------------------------------------------------
  // A live refresh replaces the comment panel (or the whole section); text being written
  // in it is put back into the new panel. Fields of the form just sent are not: the
  // server answers for those.
  var stash = {}; // element id -> text being written, across overlapping swaps

  document.addEventListener("htmx:beforeSwap", function (evt) {
    var target = evt.detail.target;
    if (!target || !target.querySelectorAll) return;
    var sending = evt.detail.requestConfig && evt.detail.requestConfig.elt;
    var sentForm = sending && sending.closest ? sending.closest("form") : null;
    target.querySelectorAll("textarea.comment-input, input.quote-input").forEach(function (el) {
      if (!el.id || !el.value.trim() || (sentForm && sentForm.contains(el))) return;
      stash[el.id] = el.value;
    });
  });

  document.addEventListener("htmx:afterSettle", function (evt) {
    Object.keys(stash).forEach(function (id) {
      var el = document.getElementById(id);
      if (el && !el.value.trim()) {
        el.value = stash[id];
        var details = el.closest("details");
        if (details) details.open = true;
      }
      if (!el || el.value === stash[id]) delete stash[id];
    });
    var root = evt.detail.elt;
    var focus = root && root.querySelector ? root.querySelector("[data-focus-after-swap]") : null;
    if (focus) { focus.removeAttribute("data-focus-after-swap"); focus.focus(); }
  });

  // --- notifications: opening one marks it read ------------------------------------------
  document.addEventListener("click", function (evt) {
    var link = evt.target.closest && evt.target.closest("a[data-read-url]");
    if (!link) return;
    var fd = new FormData();
    fd.append("csrf_token", csrfToken());
    navigator.sendBeacon(link.dataset.readUrl, fd);
  });
})();
