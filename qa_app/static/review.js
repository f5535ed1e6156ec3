/* callqa review page: audio synced with the transcript, evidence that plays its moment,
   keyboard shortcuts, draft autosave with conflict detection, and a local backup of the
   scorecard so an expired session never loses input. No dependencies. */
(function () {
  "use strict";

  var player = document.getElementById("player");
  var transcript = document.getElementById("transcript");
  var lines = transcript ? Array.prototype.slice.call(transcript.querySelectorAll(".line")) : [];
  var alertBox = document.getElementById("review-alert");
  var form = document.getElementById("scorecard");
  var current = null;

  function showAlert(kind, html) {
    if (!alertBox) { return; }
    alertBox.className = "flash flash-" + kind;
    alertBox.innerHTML = html;
    alertBox.hidden = false;
    alertBox.scrollIntoView({ block: "nearest" });
  }

  /* ---- transcript and audio ---- */
  function lineAt(t) {
    for (var i = 0; i < lines.length; i++) {
      var s = parseFloat(lines[i].dataset.start), e = parseFloat(lines[i].dataset.end);
      if (t >= s && t < e) { return lines[i]; }
    }
    return null;
  }

  function highlight(line, scroll) {
    if (line === current) { return; }
    if (current) { current.classList.remove("speaking"); }
    current = line;
    if (line) {
      line.classList.add("speaking");
      if (scroll) { line.scrollIntoView({ block: "nearest", behavior: "smooth" }); }
    }
  }

  function flash(line) {
    if (!line) { return; }
    line.classList.remove("evidence-hit");
    void line.offsetWidth; /* restart the animation */
    line.classList.add("evidence-hit");
  }

  function playFrom(start, line) {
    if (line) { highlight(line, true); flash(line); }
    if (player && !isNaN(start)) {
      player.currentTime = start;
      var played = player.play();
      if (played && played.catch) { played.catch(function () { /* autoplay refused */ }); }
    }
  }

  if (player) {
    player.addEventListener("timeupdate", function () { highlight(lineAt(player.currentTime), true); });
  }
  lines.forEach(function (line) {
    line.addEventListener("click", function () { playFrom(parseFloat(line.dataset.start), line); });
    line.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter") { ev.preventDefault(); line.click(); }
    });
  });
  document.querySelectorAll(".evidence-btn").forEach(function (btn) {
    btn.addEventListener("click", function () {
      var seg = btn.dataset.segment;
      var line = seg !== undefined && seg !== "" ? document.getElementById("seg-" + seg) : null;
      var start = parseFloat(btn.dataset.start);
      if (isNaN(start) && line) { start = parseFloat(line.dataset.start); }
      if (!line && !isNaN(start)) { line = lineAt(start); }
      playFrom(start, line);
    });
  });

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  document.addEventListener("keydown", function (ev) {
    if (!player || typing(ev.target) || ev.ctrlKey || ev.metaKey || ev.altKey) { return; }
    var key = ev.key.toLowerCase();
    if (key === " " || key === "k") {
      ev.preventDefault();
      if (player.paused) { player.play(); } else { player.pause(); }
    } else if (key === "j" || key === "arrowleft") {
      ev.preventDefault();
      player.currentTime = Math.max(0, player.currentTime - 5);
    } else if (key === "l" || key === "arrowright") {
      ev.preventDefault();
      player.currentTime = player.currentTime + 5;
    }
  });

  if (!form) { return; }

  /* ---- pin a comment to the current moment ---- */
  form.querySelectorAll(".pin-btn").forEach(function (btn) {
    btn.addEventListener("click", function () {
      var input = btn.parentNode.querySelector(".moment-input");
      var t = player ? player.currentTime : (current ? parseFloat(current.dataset.start) : 0);
      input.value = (Math.round(t * 10) / 10).toString();
      input.dispatchEvent(new Event("input", { bubbles: true }));
    });
  });

  /* ---- N/A disables the score ---- */
  form.querySelectorAll(".crit").forEach(function (crit) {
    var na = crit.querySelector("input[type=checkbox][name^=na_]");
    var score = crit.querySelector(".score-input");
    if (!na || !score) { return; }
    function sync() { score.disabled = na.checked; }
    na.addEventListener("change", sync);
    sync();
  });

  /* ---- local backup: survives an expired session or a closed tab ---- */
  var backupKey = form.dataset.backupKey;
  var versionInput = form.querySelector("input[name=version]");

  function fields() {
    return Array.prototype.slice.call(form.querySelectorAll("input, textarea")).filter(function (el) {
      return el.name && el.name !== "csrf_token" && el.name !== "version" && el.type !== "submit";
    });
  }

  function snapshot() {
    var values = {};
    fields().forEach(function (el) { values[el.name] = el.type === "checkbox" ? el.checked : el.value; });
    return values;
  }

  function backup() {
    try {
      localStorage.setItem(backupKey, JSON.stringify({ version: versionInput.value, values: snapshot() }));
    } catch (e) { /* storage full or disabled: autosave still runs */ }
  }

  function dropBackup() { try { localStorage.removeItem(backupKey); } catch (e) { /* ignore */ } }

  function restore() {
    var raw = null;
    try { raw = localStorage.getItem(backupKey); } catch (e) { return; }
    if (!raw) { return; }
    var saved;
    try { saved = JSON.parse(raw); } catch (e) { dropBackup(); return; }
    if (saved.version !== versionInput.value) { dropBackup(); return; } /* the server moved on */
    var changed = false;
    fields().forEach(function (el) {
      if (!(el.name in saved.values)) { return; }
      var v = saved.values[el.name];
      if (el.type === "checkbox") {
        if (el.checked !== v) { el.checked = v; changed = true; }
      } else if (el.value !== v) { el.value = v; changed = true; }
    });
    if (changed) {
      form.querySelectorAll("input[name^=na_]").forEach(function (na) { na.dispatchEvent(new Event("change")); });
      showAlert("info", "We restored the input you had not saved yet. Check it, then save or submit.");
      scheduleSave();
    } else {
      dropBackup();
    }
  }

  /* ---- autosave ---- */
  var stateLabel = document.getElementById("autosave-state");
  var timer = null, saving = false, blocked = false, inflight = null;

  function setState(text) { if (stateLabel) { stateLabel.textContent = text; } }

  function signedOut() {
    backup();
    blocked = true;
    var login = form.dataset.loginUrl;
    showAlert("warning", "Your session has expired. Your input is kept in this browser: " +
      "<a href=\"" + login + "\">sign in again</a> and it will be back in the form.");
    setState("Not saved: signed out");
  }

  function checkSession() {
    return fetch(form.dataset.sessionUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (data) { return !!data.signed_in; })
      .catch(function () { return true; });
  }

  function save() {
    if (saving || blocked) { return; }
    saving = true;
    setState("Saving…");
    var body = new FormData(form);
    body.set("action", "autosave");
    inflight = fetch(form.dataset.autosaveUrl, {
      method: "POST", body: body, credentials: "same-origin", redirect: "manual",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (r) {
      var type = r.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) { throw new Error("not json " + r.status); }
      return r.json().then(function (data) { return { status: r.status, data: data }; });
    }).then(function (res) {
      saving = false;
      if (res.data.ok) {
        versionInput.value = res.data.version;
        dropBackup();
        setState("Draft saved at " + res.data.saved_at);
        var total = document.getElementById("human-total");
        if (total) { total.textContent = res.data.total === null ? "—" : res.data.total; }
        var badge = document.getElementById("draft-badge");
        if (badge) { badge.textContent = "draft"; badge.className = "badge badge-draft"; }
      } else if (res.data.conflict) {
        blocked = true;
        backup();
        showAlert("error", res.data.error);
        setState("Not saved: conflict");
      } else {
        setState("Not saved: " + res.data.error);
      }
    }).catch(function () {
      saving = false;
      checkSession().then(function (ok) {
        if (!ok) { signedOut(); } else { setState("Not saved yet (will retry)"); scheduleSave(); }
      });
    });
  }

  function scheduleSave() {
    if (blocked || !form.dataset.autosaveUrl) { return; }
    clearTimeout(timer);
    timer = setTimeout(save, 1500);
  }

  form.addEventListener("input", function () { backup(); setState("Unsaved changes"); scheduleSave(); });
  form.addEventListener("change", function () { backup(); scheduleSave(); });

  /* Before a real submit, make sure the session is alive; otherwise keep the input. */
  var confirmed = false;
  form.addEventListener("submit", function (ev) {
    if (confirmed) { return; }
    clearTimeout(timer);
    blocked = true; /* no autosave after this point; one in flight is awaited for its version */
    backup();
    var check = !!form.dataset.sessionUrl;
    if (!check && !saving) { return; } /* a plain submit: nothing to wait for */
    ev.preventDefault();
    var submitter = ev.submitter;
    (saving ? inflight : Promise.resolve()).then(function () {
      return check ? checkSession() : true;
    }).then(function (ok) {
      if (!ok) { signedOut(); return; }
      confirmed = true;
      if (submitter && form.requestSubmit) { form.requestSubmit(submitter); } else { form.submit(); }
    });
  });

  restore();
})();
