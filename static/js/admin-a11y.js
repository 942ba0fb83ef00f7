// The Django admin's widgets that its own scripts build without an accessible name (axe-core,
// WCAG 4.1.2): the autocomplete's select2 combobox gets its field's label, and the search icon of
// the two-list group picker (a span with aria-label) the role that lets it carry one. Widgets
// added later (inline rows) are named as they appear.
(function () {
  "use strict";
  function labelOf(select) {
    var label = select.id && document.querySelector('label[for="' + select.id + '"]');
    return label ? label.textContent.replace(/[:*]\s*$/, "").trim() : "";
  }
  function name(root) {
    root.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var widget = select.nextElementSibling;
      var text = labelOf(select);
      if (!widget || !text) { return; }
      widget.querySelectorAll(".select2-selection[role=combobox], .select2-selection__rendered[role=textbox]").forEach(function (el) {
        el.setAttribute("aria-label", text);
      });
    });
    root.querySelectorAll(".help-tooltip[aria-label]:not([role])").forEach(function (el) { el.setAttribute("role", "img"); });
  }
  function start() {
    name(document);
    new MutationObserver(function () { name(document); }).observe(document.body, { childList: true, subtree: true });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
