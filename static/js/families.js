// Sinkron families: the family form's member rows, wired by data attributes (no inline script, CSP).
(function () {
  "use strict";

  function rowsBox() { return document.getElementById("member-rows"); }
  function totalInput() { return document.querySelector('input[name$="-TOTAL_FORMS"]'); }

  function field(row, name) { return row.querySelector('[name$="-' + name + '"]'); }

  function isEmpty(row) {
    return ["nik", "full_name", "birth_date", "citizen"].every(function (name) {
      var el = field(row, name);
      return !el || !el.value;
    });
  }

  // Append a blank member row from the <template>, numbering it after the last one.
  function addRow() {
    var template = document.getElementById("member-empty-form");
    var total = totalInput();
    var max = document.querySelector('input[name$="-MAX_NUM_FORMS"]');
    if (!template || !total || !rowsBox()) { return null; }
    var index = parseInt(total.value, 10);
    if (max && index >= parseInt(max.value, 10)) { return null; }
    var holder = document.createElement("div");
    holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index)).trim();
    var row = holder.firstElementChild;
    rowsBox().appendChild(row);
    if (window.htmx) { window.htmx.process(row); }  // its as-you-type member check
    total.value = index + 1;
    return row;
  }

  // A blank row to fill: the first untouched one, or a new one.
  function blankRow() {
    var rows = rowsBox() ? rowsBox().querySelectorAll("[data-member-row]") : [];
    for (var i = 0; i < rows.length; i++) { if (isEmpty(rows[i])) { return rows[i]; } }
    return addRow();
  }

  function alreadyAdded(citizenId) {
    var inputs = document.querySelectorAll('#member-rows input[name$="-citizen"]');
    for (var i = 0; i < inputs.length; i++) { if (inputs[i].value === citizenId) { return true; } }
    return false;
  }

  function addKnown(button) {
    var data = button.dataset;
    if (alreadyAdded(data.citizen)) { return; }
    var row = blankRow();
    if (!row) { return; }
    field(row, "citizen").value = data.citizen;
    field(row, "nik").value = "";
    field(row, "full_name").value = data.name || "";
    field(row, "birth_date").value = data.birthDate || "";
    field(row, "sex").value = data.sex || "";
    row.querySelector("[data-member-nik]").classList.add("d-none");
    var known = row.querySelector("[data-member-known]");
    known.classList.remove("d-none");
    known.querySelector("input").value = data.maskedNik || "";
    button.disabled = true;
    if (data.addedText) { button.textContent = data.addedText; }
    var relation = field(row, "relation");
    if (relation) { relation.focus(); }
  }

  document.addEventListener("click", function (event) {
    if (!event.target.closest) { return; }
    var add = event.target.closest("[data-family-add-row]");
    if (add) {
      event.preventDefault();
      var row = addRow();
      var nik = row && field(row, "nik");
      if (nik) { nik.focus(); }
      return;
    }
    var known = event.target.closest("[data-family-add-known]");
    if (known) { event.preventDefault(); addKnown(known); }
  });
})();
