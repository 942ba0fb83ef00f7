// Sinkron: small behaviours wired by data attributes, so pages carry no inline script (CSP).
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("[data-autosubmit]")) { el.form.submit(); }
  });
  document.addEventListener("click", function (event) {
    var el = event.target.closest && event.target.closest("[data-print]");
    if (el) { event.preventDefault(); window.print(); }
    var copy = event.target.closest && event.target.closest("[data-copy-target]");
    if (copy) {
      var source = document.querySelector(copy.getAttribute("data-copy-target"));
      if (source && navigator.clipboard) { navigator.clipboard.writeText(source.textContent.trim()); }
    }
  });

  // SLA progress bars and countdowns, (re)drawn whenever htmx swaps a panel in.
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function drawProgress(root) {
    root.querySelectorAll(".progress[aria-valuenow] > .progress-bar").forEach(function (bar) {
      bar.style.width = bar.parentElement.getAttribute("aria-valuenow") + "%";
    });
  }
  function tickCountdowns() {
    document.querySelectorAll("[data-seconds-left]").forEach(function (el) {
      var left = parseInt(el.getAttribute("data-seconds-left"), 10) - 1;
      el.setAttribute("data-seconds-left", left);
      if (left <= 0) { el.textContent = el.getAttribute("data-overdue-text") || "0:00:00"; return; }
      var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
      el.textContent = h + ":" + pad(m) + ":" + pad(s) + " " + (el.getAttribute("data-suffix") || "");
    });
  }
  document.addEventListener("DOMContentLoaded", function () { drawProgress(document); });
  document.addEventListener("htmx:afterSwap", function (event) { drawProgress(document); });
  window.setInterval(tickCountdowns, 1000);

  // The sync panel refreshes parts of the ticket page out of band when the ticket moves on. In a
  // part marked data-keep-typed, what the clerk is typing (and the cursor) survives the refresh;
  // text whose field the new status no longer has moves to the field the attribute names (the
  // note), as the server does when such an action is posted.
  var refocus = null;
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    var target = event.detail.target;
    if (!target || !target.hasAttribute || !target.hasAttribute("data-keep-typed")) { return; }
    target.querySelectorAll("textarea[name], input[type=text][name]").forEach(function (field) {
      if (!field.value) { return; }
      var twin = event.detail.fragment.querySelector('[name="' + field.name + '"]');
      if (!twin) {
        var selector = target.getAttribute("data-keep-typed");
        var fallback = selector ? document.querySelector(selector) : null;
        if (fallback && !fallback.value) { fallback.value = field.value; }
        return;
      }
      twin.value = field.value;
      if (twin.tagName === "TEXTAREA") { twin.textContent = field.value; }
      if (document.activeElement === field) {
        refocus = { id: target.id, name: field.name, start: field.selectionStart, end: field.selectionEnd };
      }
    });
  });
  document.addEventListener("htmx:oobAfterSwap", function () {
    if (!refocus) { return; }
    var field = document.querySelector("#" + refocus.id + ' [name="' + refocus.name + '"]');
    if (field) { field.focus(); field.setSelectionRange(refocus.start, refocus.end); }
    refocus = null;
  });
})();
