// Live processing status: rows and pages marked data-poll-id show status and percent while
// calls are transcribed and scored. Pages marked data-reload-when-done reload once finished.
(function () {
  "use strict";
  var ACTIVE = ["received", "transcribing", "transcribed", "scoring"];
  var nodes = Array.prototype.slice.call(document.querySelectorAll("[data-poll-id]"));
  if (!nodes.length) return;
  var url = document.body.querySelector("[data-status-url]");
  var endpoint = url ? url.getAttribute("data-status-url") : "/calls/status.json";

  function label(info) {
    return info.status === "transcribing" ? "transcribing " + info.progress + "%" : info.status;
  }

  function active() {
    return nodes.filter(function (n) { return ACTIVE.indexOf(n.getAttribute("data-status")) >= 0; });
  }

  function apply(node, info) {
    var before = node.getAttribute("data-status");
    node.setAttribute("data-status", info.status);
    var badge = node.querySelector(".badge") || (node.classList.contains("badge") ? node : null);
    if (badge) {
      badge.className = "badge badge-" + info.status;
      badge.textContent = label(info);
    }
    var bar = node.querySelector(".progress > span");
    if (bar) bar.style.width = (info.status === "transcribing" ? info.progress : 0) + "%";
    var done = ACTIVE.indexOf(info.status) < 0;
    if (done && before !== info.status && node.hasAttribute("data-reload-when-done")) {
      window.location.reload();
    }
  }

  function poll() {
    var waiting = active();
    if (!waiting.length) return;
    var ids = waiting.map(function (n) { return n.getAttribute("data-poll-id"); });
    fetch(endpoint + "?ids=" + ids.join(","), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : {}; })
      .then(function (data) {
        waiting.forEach(function (n) {
          var info = data[n.getAttribute("data-poll-id")];
          if (info) apply(n, info);
        });
      })
      .catch(function () { /* offline for a moment: try again on the next tick */ })
      .then(function () { window.setTimeout(poll, 2000); });
  }
  window.setTimeout(poll, 1500);
})();
