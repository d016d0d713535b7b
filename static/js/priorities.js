// Priority lists: drag-and-drop ordering (SortableJS) of the list's items and of a
// politician's ranking. Each drop sends the whole new order, so the server can refuse an
// order built on a list that changed meanwhile instead of losing an item. The arrow
// buttons are plain forms and work without this file.
(function () {
  "use strict";

  function setupSortable(list) {
    if (list.dataset.sortableReady || typeof Sortable === "undefined") return;
    list.dataset.sortableReady = "1";
    Sortable.create(list, {
      handle: ".drag-handle",
      animation: 150,
      onEnd: function (evt) {
        if (evt.oldIndex === evt.newIndex) return;
        var ids = Array.prototype.map.call(list.querySelectorAll(":scope > li[data-item-id]"), function (li) {
          return li.dataset.itemId;
        });
        // After Sortable has finished with the element it dragged, not during.
        setTimeout(function () {
          htmx.ajax("POST", list.dataset.orderUrl, {
            target: list.dataset.orderTarget, swap: "outerHTML", values: { item: ids }
          });
        }, 0);
      }
    });
  }

  function init(root) {
    (root || document).querySelectorAll("[data-sortable-order]").forEach(setupSortable);
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (evt) { init(evt.detail.elt); });

  // My own change comes back over the live stream a moment later. The region I changed
  // already shows it (with its spoken message and my focus inside), so refreshing it again
  // would only wipe both; the page's other regions still refresh.
  var mine = { target: null, at: 0 };
  document.addEventListener("htmx:afterRequest", function (evt) {
    var cfg = evt.detail.requestConfig || {};
    if ((cfg.verb || "").toLowerCase() !== "post" || !evt.detail.successful) return;
    var target = evt.detail.target;
    if (target && target.closest && target.closest("#priority-items, #my-ranking")) {
      mine = { target: target.id, at: Date.now() };
    }
  });
  document.addEventListener("live:event", function (evt) {
    var d = evt.detail;
    if (d.actor_id !== Number(document.body.dataset.userId) || !mine.target || Date.now() - mine.at > 5000) return;
    evt.preventDefault();
    window.SamverkanLive.regionsFor(d).forEach(function (el) {
      if (el.id !== mine.target) window.SamverkanLive.refresh(el, d);
    });
  });

  // Keep keyboard focus on the moved item's arrow button after a move.
  document.addEventListener("htmx:afterSwap", function () {
    var moved = document.querySelector("[data-sortable-order] [data-focus-after-move]");
    if (moved) moved.focus();
  });
})();
