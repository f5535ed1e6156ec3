/* callqa tag panel: confirm / reject / undo / add a tag without leaving the page (the review
   scorecard keeps its unsaved input), evidence that scrolls to its segment, and tag
   suggestions for reviewers' comments. No dependencies. */
(function () {
  "use strict";

  var panel = document.getElementById("tag-panel");
  if (!panel) { return; }
  var synced = document.querySelector("#transcript.synced"); /* review.js plays evidence there */

  function status(text) {
    var box = panel.querySelector(".tag-status");
    if (box) { box.textContent = text; }
  }

  function refresh(message) {
    var url = panel.dataset.panelUrl + "?back=" + encodeURIComponent(location.pathname);
    return fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.text(); })
      .then(function (html) { panel.innerHTML = html; if (message) { status(message); } });
  }

  panel.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form.matches(".tag-actions, .tag-add")) { return; }
    ev.preventDefault();
    var body = new FormData(form);
    if (ev.submitter && ev.submitter.name) { body.set(ev.submitter.name, ev.submitter.value); }
    status("Saving…");
    fetch(form.action, {
      method: "POST", body: body, credentials: "same-origin", redirect: "manual",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (r) {
      var type = r.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) { throw new Error("signed out or expired"); }
      return r.json();
    }).then(function (data) {
      if (data.ok) { return refresh(data.message); }
      status(data.message);
    }).catch(function (err) { status("Not saved: " + err.message + ". Reload the page."); });
  });

  /* Evidence goes to its transcript line: on the review page a click on the line plays the
     audio from there (review.js); elsewhere the line scrolls into view and lights up. */
  panel.addEventListener("click", function (ev) {
    var btn = ev.target.closest(".tag-evidence");
    if (!btn) { return; }
    var line = document.getElementById("seg-" + btn.dataset.segment);
    if (!line) { return; }
    if (synced) { line.click(); return; }
    line.scrollIntoView({ block: "center", behavior: "smooth" });
    line.classList.remove("evidence-hit");
    void line.offsetWidth; /* restart the animation */
    line.classList.add("evidence-hit");
  });

  /* ---- tags on reviewers' comments: picked from the taxonomy, with suggestions; stored
     with the scorecard (a hidden comment_tags_<criterion> field autosave sends) ---- */
  var scorecard = document.getElementById("scorecard");
  var data = panel.dataset.commentTags ? JSON.parse(panel.dataset.commentTags) : null;
  if (!scorecard || !data || !Object.keys(data.names).length) { return; }
  var suggestUrl = panel.dataset.suggestUrl;

  function chip(label, title, onClick, extraClass) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "tag-chip " + (extraClass || "");
    b.textContent = label;
    if (title) { b.title = title; }
    b.addEventListener("click", onClick);
    return b;
  }

  scorecard.querySelectorAll(".crit[data-criterion]").forEach(function (crit) {
    var id = crit.dataset.criterion;
    var area = crit.querySelector("textarea[name=comment_" + id + "]");
    if (!area) { return; }
    var hidden = document.createElement("input");
    hidden.type = "hidden";
    hidden.name = "comment_tags_" + id;
    hidden.value = (data.chosen[id] || []).join(",");
    scorecard.appendChild(hidden);
    var box = document.createElement("div");
    box.className = "comment-tags";
    var chosenRow = document.createElement("div");
    chosenRow.className = "tag-picked";
    var suggestRow = document.createElement("div");
    suggestRow.className = "tag-suggest muted small";
    suggestRow.setAttribute("aria-live", "polite");
    var picker = document.createElement("select");
    picker.className = "input input-sm tag-picker";
    picker.setAttribute("aria-label", "Tag this comment");
    box.appendChild(chosenRow);
    box.appendChild(suggestRow);
    area.parentNode.insertBefore(box, area.nextSibling);

    function keys() { return hidden.value ? hidden.value.split(",") : []; }
    function setKeys(list) {
      hidden.value = list.join(",");
      render();
      hidden.dispatchEvent(new Event("change", { bubbles: true })); /* autosave picks it up */
    }
    function add(key) { if (keys().indexOf(key) === -1) { setKeys(keys().concat([key])); } }
    function remove(key) { setKeys(keys().filter(function (k) { return k !== key; })); }

    function render() {
      chosenRow.textContent = "";
      var label = document.createElement("span");
      label.className = "muted small";
      label.textContent = "Comment tags:";
      chosenRow.appendChild(label);
      keys().forEach(function (key) {
        chosenRow.appendChild(chip((data.names[key] || key) + " ×", "Remove this tag",
          function () { remove(key); }, "tag-chip-on"));
      });
      picker.textContent = "";
      var first = document.createElement("option");
      first.value = ""; first.textContent = "+ add tag";
      picker.appendChild(first);
      Object.keys(data.names).forEach(function (key) {
        if (keys().indexOf(key) !== -1) { return; }
        var o = document.createElement("option");
        o.value = key; o.textContent = data.names[key];
        picker.appendChild(o);
      });
      chosenRow.appendChild(picker);
    }
    picker.addEventListener("change", function (ev) {
      ev.stopPropagation(); /* the hidden field's change triggers the save */
      if (picker.value) { add(picker.value); }
    });
    render();

    var timer = null;
    area.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var text = area.value.trim();
        if (text.length < 12) { suggestRow.textContent = ""; return; }
        fetch(suggestUrl + "?text=" + encodeURIComponent(text), { credentials: "same-origin" })
          .then(function (r) { return r.json(); })
          .then(function (res) {
            suggestRow.textContent = "";
            var list = (res.suggestions || []).filter(function (s) {
              return s.confidence >= 0.2 && keys().indexOf(s.key) === -1;
            });
            if (!list.length) { return; }
            suggestRow.appendChild(document.createTextNode("Suggested:"));
            list.slice(0, 3).forEach(function (s) {
              suggestRow.appendChild(chip("+ " + s.name + " " + Math.round(s.confidence * 100) + "%",
                "Add this tag to the comment", function () { add(s.key); suggestRow.textContent = ""; }));
            });
          }).catch(function () { suggestRow.textContent = ""; });
      }, 700);
    });
  });
})();
