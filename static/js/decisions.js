// Decision and ratification forms: once someone starts typing, live refreshes of the
// surrounding region wait (live.js leaves regions containing .is-editing alone).
(function () {
  "use strict";
  document.addEventListener("input", function (evt) {
    var form = evt.target.closest && evt.target.closest("form[data-keep-while-typing]");
    if (form) form.classList.add("is-editing");
  });
})();
