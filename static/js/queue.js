// The queue: "select all on this page", keyboard shortcuts, and pausing the auto-refresh while
// the user is working (a ticket ticked, or typing). Wired by data attributes (CSP: no inline script).
(function () {
  "use strict";
  var current = -1;

  function results() { return document.querySelector("[data-queue-results]"); }
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("[data-queue-row]")); }
  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches("[data-select-all]")) {
      document.querySelectorAll("[data-pick]").forEach(function (box) { box.checked = el.checked; });
    }
  });

  // Shortcuts are Alt+Shift+letter (by the key's place, event.code, so any layout and macOS's
  // Option work): single letters belong to a screen reader's browse mode (NVDA's k = next link,
  // x = next checkbox) and WCAG 2.1.4 asks not to take them. Listed on the page (#queue-keys).
  var KEYS = { KeyC: "search", KeyJ: "next", KeyK: "previous", KeyX: "pick" };
  document.addEventListener("keydown", function (event) {
    var what = event.altKey && event.shiftKey && !event.ctrlKey && !event.metaKey && KEYS[event.code];
    if (!what) { return; }
    var list = rows();
    if (what === "search") {
      event.preventDefault();
      document.querySelector("[data-queue-search]").focus();
    } else if ((what === "next" || what === "previous") && list.length) {
      event.preventDefault();
      current = Math.max(0, Math.min(list.length - 1, current + (what === "next" ? 1 : -1)));
      list.forEach(function (row, i) { row.classList.toggle("table-active", i === current); });
      list[current].querySelector("a").focus();
    } else if (what === "pick" && list[current]) {
      event.preventDefault();
      var box = list[current].querySelector("[data-pick]");
      box.checked = !box.checked;
    }
    // Enter on the focused row's link opens the ticket: the browser's own behaviour.
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var box = results();
    if (!box || event.detail.elt !== box) { return; }
    var active = document.activeElement;
    if (document.querySelector("[data-pick]:checked") || typing(active) || box.contains(active)) {
      event.preventDefault();  // try again at the next tick
    }
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.matches && event.detail.target.matches("[data-queue-results]")) {
      current = -1;
    }
  });
})();
