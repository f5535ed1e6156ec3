// Taxonomy runs (back-test, re-tag): nodes marked data-run-id poll /taxonomy/runs.json while
// queued or running, update badge, bar and count, and reload pages marked
// data-reload-when-done once the run has finished.
(function () {
  "use strict";
  var ACTIVE = ["queued", "running"];
  var script = document.currentScript;
  var endpoint = (script && script.getAttribute("data-endpoint")) || "/taxonomy/runs.json";
  var nodes = Array.prototype.slice.call(document.querySelectorAll("[data-run-id]"));
  if (!nodes.length) return;

  function active() {
    return nodes.filter(function (n) { return ACTIVE.indexOf(n.getAttribute("data-status")) >= 0; });
  }

  function apply(node, info) {
    var before = node.getAttribute("data-status");
    node.setAttribute("data-status", info.status);
    var pct = info.total ? Math.round(100 * info.completed / info.total) : 0;
    var badge = node.querySelector(".badge");
    if (badge) {
      badge.className = "badge badge-" + info.status;
      badge.textContent = info.status + (info.status === "running" && info.total ? " " + pct + "%" : "");
    }
    var bar = node.querySelector(".progress > span");
    if (bar) bar.style.width = pct + "%";
    var step = node.querySelector("[data-run-step]");
    if (step) step.textContent = info.step;
    var count = node.querySelector("[data-run-count]");
    if (count) count.textContent = info.completed.toLocaleString() + " of " + info.total.toLocaleString();
    if (ACTIVE.indexOf(info.status) < 0 && before !== info.status &&
        (node.hasAttribute("data-reload-when-done"))) {
      window.location.reload();
    }
  }

  function poll() {
    var waiting = active();
    if (!waiting.length) return;
    var ids = waiting.map(function (n) { return n.getAttribute("data-run-id"); });
    fetch(endpoint + "?ids=" + ids.join(","), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : {}; })
      .then(function (data) {
        waiting.forEach(function (n) {
          var info = data[n.getAttribute("data-run-id")];
          if (info) apply(n, info);
        });
      })
      .catch(function () { /* offline for a moment: try again on the next tick */ })
      .then(function () { window.setTimeout(poll, 1500); });
  }
  window.setTimeout(poll, 1000);
})();
