// The planning progress page: poll the run's status until it is done or failed.
(function () {
  "use strict";
  var box = document.getElementById("run");
  if (!box) { return; }
  var labels = JSON.parse(box.dataset.phaseLabels || "{}");
  var field = function (name) { return box.querySelector('[data-field="' + name + '"]'); };
  function show(status) {
    document.getElementById("run-progress").value = status.fraction;
    field("elapsed").textContent = status.elapsed;
    field("placed").textContent = status.placed === null ? "–" : status.placed;
    field("bound").textContent = status.bound === null ? "–" : status.bound;
    if (status.phase && labels[status.phase] && field("status-label").dataset.phase !== status.phase) {
      field("status-label").dataset.phase = status.phase;
      field("status-label").textContent = labels[status.phase];
    }
    if (status.error) { field("error").textContent = status.error; field("error").hidden = false; }
    if (status.status !== box.dataset.status) {
      box.dataset.status = status.status;
      if (status.status === "done" || status.status === "failed") {
        // The finished page carries the answer in full; reload to show it.
        if (status.review_url) { window.location.assign(status.review_url); } else { window.location.reload(); }
      }
    }
  }
  function poll() {
    fetch(box.dataset.statusUrl, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) { return response.json(); })
      .then(function (status) {
        show(status);
        if (status.status === "queued" || status.status === "running") { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  if (box.dataset.status === "queued" || box.dataset.status === "running") { poll(); }
}());
