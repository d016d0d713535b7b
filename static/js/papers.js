// The paper page: the WYSIWYG editor (Quill from npm), drafts kept in the browser,
// drag-and-drop ordering (SortableJS) and notices when others save what you edit.
(function () {
  "use strict";

  var editors = new Map(); // form element -> {quill, textarea}

  function labels(textarea) {
    try { return JSON.parse(textarea.getAttribute("data-labels")) || {}; } catch (e) { return {}; }
  }

  function editorHtml(entry) {
    var html = entry.quill.getSemanticHTML().replace(/&nbsp;/g, " ");
    return html === "<p></p>" ? "" : html;
  }

  function setupEditor(textarea) {
    if (textarea.dataset.ready) return;
    textarea.dataset.ready = "1";
    var form = textarea.closest("form");
    if (typeof Quill === "undefined") return; // without the editor, the textarea still saves
    var l = labels(textarea);
    var holder = document.createElement("div");
    holder.className = "quill-holder";
    textarea.parentNode.insertBefore(holder, textarea);
    textarea.hidden = true;
    var quill = new Quill(holder, {
      theme: "snow",
      modules: {
        toolbar: [[{ header: 2 }, { header: 3 }], ["bold", "italic"], [{ list: "ordered" }, { list: "bullet" }], ["link"], ["clean"]],
        table: true, // keeps tables (from Word) intact while editing
        keyboard: { bindings: { tab: { key: 9, handler: function () { return true; } } } } // Tab leaves the editor
      }
    });
    quill.clipboard.dangerouslyPasteHTML(textarea.value || ""); // the server sanitised it
    var toolbar = holder.previousElementSibling;
    if (toolbar && toolbar.classList.contains("ql-toolbar")) {
      toolbar.setAttribute("role", "toolbar");
      toolbar.setAttribute("aria-label", l.toolbar || "Formatting");
      toolbar.querySelectorAll("button").forEach(function (b) {
        var name = b.className.replace("ql-", "").split(" ")[0];
        var key = name === "header" ? "h" + b.value : (name === "list" ? b.value : name);
        if (l[key]) { b.setAttribute("aria-label", l[key]); b.title = l[key]; }
      });
    }
    var editorRoot = holder.querySelector(".ql-editor");
    editorRoot.setAttribute("role", "textbox");
    editorRoot.setAttribute("aria-multiline", "true");
    editorRoot.setAttribute("aria-label", document.querySelector('label[for="' + textarea.id + '"]').textContent);
    var entry = { quill: quill, textarea: textarea, initial: null, form: form };
    entry.initial = editorHtml(entry);
    editors.set(form, entry);

    // A draft left from before a reload comes back.
    var key = form.dataset.draftKey;
    var saved = key && localStorage.getItem(key);
    if (saved && saved !== entry.initial) {
      quill.clipboard.dangerouslyPasteHTML(saved);
      var note = form.querySelector(".draft-notice");
      if (note) note.hidden = false;
    }
    quill.on("text-change", function () {
      if (key) localStorage.setItem(key, editorHtml(entry));
    });
    quill.focus();
    document.dispatchEvent(new CustomEvent("samverkan:editing", { detail: { sectionId: form.dataset.sectionId } }));
  }

  function dirty(entry) {
    return editorHtml(entry) !== entry.initial;
  }

  // Before an editor form is sent, put the editor's HTML into the textarea.
  document.addEventListener("htmx:configRequest", function (evt) {
    var form = evt.detail.elt.closest ? evt.detail.elt.closest("form.section-editor") : null;
    var entry = form && editors.get(form);
    if (entry && evt.detail.elt === form) {
      entry.textarea.value = editorHtml(entry);
      evt.detail.parameters.html = entry.textarea.value;
    }
  });
  document.addEventListener("submit", function (evt) {
    var entry = editors.get(evt.target);
    if (entry) entry.textarea.value = editorHtml(entry);
  }, true);

  // A successful save clears the draft.
  document.addEventListener("htmx:afterRequest", function (evt) {
    var form = evt.detail.elt;
    var entry = editors.get(form);
    if (!entry) return;
    var status = evt.detail.xhr ? evt.detail.xhr.status : 0;
    if (status === 200 || status === 409) {
      if (status === 200 && form.dataset.draftKey) localStorage.removeItem(form.dataset.draftKey);
      editors.delete(form);
      document.dispatchEvent(new CustomEvent("samverkan:editing", { detail: { sectionId: null } }));
    }
  });
  document.addEventListener("click", function (evt) {
    var cancel = evt.target.closest && evt.target.closest("[data-cancel-edit]");
    if (!cancel) return;
    var form = cancel.closest("form");
    var entry = editors.get(form);
    if (entry) {
      if (form.dataset.draftKey) localStorage.removeItem(form.dataset.draftKey);
      editors.delete(form);
    }
    document.dispatchEvent(new CustomEvent("samverkan:editing", { detail: { sectionId: null } }));
  }, true);

  // Ctrl+S / Cmd+S saves the section being edited.
  document.addEventListener("keydown", function (evt) {
    if ((evt.ctrlKey || evt.metaKey) && evt.key === "s") {
      var form = document.activeElement && document.activeElement.closest("form.section-editor");
      if (form) { evt.preventDefault(); htmx.trigger(form, "submit"); }
    }
  });

  // Leaving with unsaved edits asks first.
  window.addEventListener("beforeunload", function (evt) {
    var unsaved = false;
    editors.forEach(function (entry) { if (document.body.contains(entry.form) && dirty(entry)) unsaved = true; });
    if (unsaved) { evt.preventDefault(); evt.returnValue = ""; }
  });

  // Someone else saved the section I am editing: tell me now, not at save time.
  document.addEventListener("live:event", function (evt) {
    var d = evt.detail;
    if (d.verb !== "section-saved" || d.actor_id === Number(document.body.dataset.userId)) return;
    editors.forEach(function (entry) {
      if (String(entry.form.dataset.sectionId) === String(d.payload.section_id)) {
        var note = entry.form.querySelector(".live-notice");
        if (note) {
          note.textContent = (entry.form.dataset.mergeNote || "").replace("%(name)s", d.actor || "?");
          note.hidden = false;
        }
      }
    });
  });

  function setupSortable(list) {
    if (list.dataset.sortableReady || typeof Sortable === "undefined") return;
    list.dataset.sortableReady = "1";
    Sortable.create(list, {
      handle: ".drag-handle",
      animation: 150,
      onEnd: function () {
        var ids = Array.prototype.map.call(list.querySelectorAll(":scope > li[data-section-id]"), function (li) {
          return li.dataset.sectionId;
        });
        var body = new URLSearchParams();
        ids.forEach(function (id) { body.append("section", id); });
        // After Sortable has finished with the element it dragged, not during.
        setTimeout(function () {
          htmx.ajax("POST", list.dataset.orderUrl, { target: "#paper-sections", swap: "outerHTML", values: { section: ids } });
        }, 0);
      }
    });
  }

  function init(root) {
    (root || document).querySelectorAll("textarea[data-editor]").forEach(setupEditor);
    (root || document).querySelectorAll("[data-sortable]").forEach(setupSortable);
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (evt) { init(evt.detail.elt); });

  // Keep keyboard focus on the moved section's button after a move.
  document.addEventListener("htmx:afterSwap", function (evt) {
    var moved = document.querySelector("#section-list [data-focus-after-move]");
    if (moved) moved.focus();
  });
})();
