// Drag-and-drop onto a document field: the dropped file becomes the field's file, and the form is
// sent as without JavaScript (the server checks the content either way).
(function () {
  "use strict";
  document.querySelectorAll("[data-doc-drop]").forEach(function (zone) {
    if (zone.dataset.docDropWired) return;
    zone.dataset.docDropWired = "1";
    var input = zone.querySelector("input[type=file]");
    if (!input) return;
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) {
        event.preventDefault();
        zone.classList.add("doc-drop-over");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () {
        zone.classList.remove("doc-drop-over");
      });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files.length) {
        input.files = event.dataTransfer.files;
        input.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
  });
})();
