// The dashboard's charts, drawn from the JSON the page carries (no inline script: CSP).
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || !window.Chart) { return; }
  var data = JSON.parse(source.textContent);
  // Every colour at 3:1 or more against the white card (WCAG 1.4.11), text in the body colour;
  // each chart also has its data as a table under it (templates/desk/includes/chart_table.html).
  var colors = ["#0d6efd", "#198754", "#a15c00", "#dc3545", "#6f42c1", "#0f7b6c", "#c4510c", "#6c757d", "#087990", "#d63384"];
  window.Chart.defaults.color = "#212529";
  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) { canvas.chart = new window.Chart(canvas, config); }
  }
  function pairs(list) { return { labels: list.map(function (p) { return p[0]; }), values: list.map(function (p) { return p[1]; }) }; }
  // A fresh options object per chart: Chart.js writes into the one it is given.
  function options(extra) {
    return Object.assign({ responsive: true, animation: false, plugins: { legend: { position: "bottom" } } }, extra || {});
  }
  var noLegend = { plugins: { legend: { display: false } } };
  // Counts are whole tickets: integer ticks from zero, with headroom, so 1 or 2 tickets read clearly.
  function countAxis(axis) {
    var scales = {};
    scales[axis || "y"] = { beginAtZero: true, grace: "10%", ticks: { precision: 0 } };
    return { scales: scales };
  }
  function merged() { return Object.assign.apply(null, [{}].concat(Array.prototype.slice.call(arguments))); }

  draw("chart-flow", { type: "bar", options: options(countAxis()), data: { labels: data.flow.labels, datasets: [
    { label: data.labels.opened, data: data.flow.opened, backgroundColor: colors[0] },
    { label: data.labels.resolved, data: data.flow.resolved, backgroundColor: colors[1] }] } });

  // Bars, not lines: with a new office only today has a count, and a lone line point is easy to miss.
  var history = Object.keys(data.history.series).map(function (name, i) {
    return { label: name, data: data.history.series[name], backgroundColor: colors[i], maxBarThickness: 48 };
  });
  draw("chart-history", { type: "bar", options: options(countAxis()), data: { labels: data.history.labels, datasets: history } });

  var category = pairs(data.category), service = pairs(data.service), spread = pairs(data.distribution);
  draw("chart-category", { type: "bar", options: options(merged({ indexAxis: "y" }, noLegend, countAxis("x"))), data: { labels: category.labels,
    datasets: [{ label: data.labels.tickets, data: category.values, backgroundColor: colors[0] }] } });
  draw("chart-service", { type: "doughnut", options: options(), data: { labels: service.labels,
    datasets: [{ data: service.values, backgroundColor: colors }] } });
  draw("chart-distribution", { type: "bar", options: options(merged(noLegend, countAxis())),
    data: { labels: spread.labels, datasets: [{ label: data.labels.tickets, data: spread.values, backgroundColor: colors[4] }] } });
  draw("chart-workload", { type: "bar", options: options(countAxis()), data: { labels: data.workload.map(function (r) { return r.name; }),
    datasets: [{ label: data.labels.open, data: data.workload.map(function (r) { return r.open; }), backgroundColor: colors[2] },
               { label: data.labels.opened_period, data: data.workload.map(function (r) { return r.opened; }), backgroundColor: colors[0] }] } });
})();
