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
    if (copy) { copyMessage(copy); }
  });

  // "Salin pesan": copy the full message only (data-full="1", after the recorded reveal), then
  // say so in the button's aria-live status.
  function copyMessage(button) {
    var source = document.querySelector(button.getAttribute("data-copy-target"));
    var status = document.querySelector(button.getAttribute("data-copy-status"));
    if (!source || source.getAttribute("data-full") !== "1") { return; }
    var text = source.textContent.trim();
    function say(ok) {
      if (status) { status.textContent = status.getAttribute(ok ? "data-copied-text" : "data-failed-text"); }
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { say(true); }, function () { say(copyBySelection(source)); });
    } else {
      say(copyBySelection(source));
    }
  }
  function copyBySelection(source) {
    var range = document.createRange();
    range.selectNodeContents(source);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    try { return document.execCommand("copy"); } catch (e) { return false; }
  }
  function enableCopyButtons(root) {
    root.querySelectorAll("[data-copy-target][disabled]").forEach(function (button) {
      var source = document.querySelector(button.getAttribute("data-copy-target"));
      if (source && source.getAttribute("data-full") === "1") {
        button.disabled = false;
        button.removeAttribute("aria-describedby");
        var hint = document.querySelector("[data-copy-hint='" + button.getAttribute("data-copy-target") + "']");
        if (hint) { hint.remove(); }
      }
    });
  }

  // A download form carries hidden copies of a filter form's fields: take the values as shown now.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var filter = form.matches("[data-filter-form]") && document.querySelector(form.getAttribute("data-filter-form"));
    if (!filter) { return; }
    form.querySelectorAll("input[type=hidden][name]").forEach(function (hidden) {
      var field = filter.elements[hidden.name];
      if (field) { hidden.value = field.value; }
    });
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
  // Intake: once the NIK hint arrives, fill an empty birth date and sex from what the NIK encodes.
  // Values typed by the clerk are never overwritten; a later change re-checks them against the NIK.
  function prefillFromNik(hint) {
    var form = hint.closest("form");
    if (!form) { return; }
    var filled = false;
    var birthDate = form.querySelector('input[name="birth_date"]');
    if (birthDate && !birthDate.value && hint.getAttribute("data-birth-date")) {
      birthDate.value = hint.getAttribute("data-birth-date");
      filled = true;
    }
    var sexes = form.querySelectorAll('input[name="sex"]');
    var chosen = Array.prototype.some.call(sexes, function (radio) { return radio.checked; });
    if (!chosen) {
      sexes.forEach(function (radio) {
        if (radio.value === hint.getAttribute("data-sex")) { radio.checked = true; filled = true; }
      });
    }
    var note = hint.querySelector("[data-nik-prefilled]");
    if (filled && note) { note.classList.remove("d-none"); }
  }

  // The sync panel is swapped in whole every few seconds: announce its state politely, only when
  // it changes (a live region on the panel itself would repeat it all at every refresh).
  var syncState = null;
  function announceSync() {
    var state = document.getElementById("sync-state");
    var region = document.getElementById("sync-announce");
    if (!state || !region) { return; }
    var now = state.textContent.trim();
    if (syncState !== null && now !== syncState) { region.textContent = region.getAttribute("data-label") + ": " + now; }
    syncState = now;
  }
  // Form errors after a post: take the keyboard (and a screen reader) to the first field marked
  // invalid; its label, value and error (aria-describedby) are read together.
  function focusFirstError() {
    var field = document.querySelector("main [aria-invalid=true]");
    if (field && !document.querySelector("main [autofocus]")) { field.focus(); }
  }

  document.addEventListener("DOMContentLoaded", function () { drawProgress(document); focusFirstError(); });
  document.addEventListener("htmx:afterSettle", announceSync);
  document.addEventListener("htmx:afterSwap", function (event) {
    var hint = event.target.querySelector && event.target.querySelector("[data-nik-prefill]");
    if (hint) { prefillFromNik(hint); }
  });
  document.addEventListener("htmx:afterSwap", function (event) { drawProgress(document); enableCopyButtons(document); });
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
