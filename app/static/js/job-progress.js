// Follow a background job without reloading: poll its JSON and update the progress bar.
// The page works without this script (it reloads itself through <noscript> meta refresh).
(function () {
  "use strict";
  var root = document.getElementById("job");
  if (!root || root.dataset.finished === "true") { return; }
  var url = root.dataset.statusUrl;
  var bar = document.getElementById("job-progress");
  var state = document.getElementById("job-state");
  var count = document.getElementById("job-count");
  var errorBox = document.getElementById("job-error");
  var errorText = document.getElementById("job-error-text");
  var download = document.getElementById("job-download");

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (body) {
        var job = body.job;
        bar.value = job.percent;
        bar.textContent = job.percent + " %";
        state.textContent = job.state_label;
        count.textContent = job.progress_done + " av " + job.progress_total + " klara";
        if (job.state === "done") { download.hidden = false; return; }
        if (job.stuck) { window.location.reload(); return; }  // shows why, and the retry button
        if (job.state === "failed") {
          errorText.textContent = job.error || "Jobbet misslyckades.";
          errorBox.hidden = false;
          window.location.reload();  // shows the retry button
          return;
        }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();
