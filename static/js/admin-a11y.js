// The Django admin's widgets that its own scripts build without an accessible name (axe-core,
// WCAG 4.1.2): the autocomplete's select2 combobox gets its field's label, and the search icon of
// the two-list group picker (a span with aria-label) the role that lets it carry one. Widgets
// added later (inline rows) are named as they appear; a split date/time field's inputs get its label.
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
    // A split date/time field: its label points at neither input (Django's MultiWidget).
    root.querySelectorAll("p.datetime").forEach(function (p) {
      var label = p.closest(".form-row, .fieldBox") && p.closest(".form-row, .fieldBox").querySelector("label");
      var text = label ? label.textContent.replace(/[:*]\s*$/, "").trim() : "";
      p.querySelectorAll("input.vDateField:not([aria-label])").forEach(function (el) { if (text) { el.setAttribute("aria-label", text + " (tanggal)"); } });
      p.querySelectorAll("input.vTimeField:not([aria-label])").forEach(function (el) { if (text) { el.setAttribute("aria-label", text + " (jam)"); } });
    });
    root.querySelectorAll(".help-tooltip[aria-label]:not([role])").forEach(function (el) { el.setAttribute("role", "img"); });
  }
  function start() {
    name(document);
    new MutationObserver(function () { name(document); }).observe(document.body, { childList: true, subtree: true });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
