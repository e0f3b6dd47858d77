// The message log's live update: every two seconds the page asks the
// server for the messages after the newest one it shows
// (/ui/s/{session}/rows?after=N), an HTML fragment the server renders with
// the page's own row template, and puts them at the top of the log with
// the session's summary (204 No Content when nothing has arrived). Without scripts the page shows the log as it was
// when loaded.
(function () {
  "use strict";
  var log = document.getElementById("log");
  if (!log || log.getAttribute("data-static")) return;
  var url = log.getAttribute("data-rows");
  var last = parseInt(log.getAttribute("data-last"), 10) || 0;
  var live = document.getElementById("live");
  var body = log.tBodies[0];
  var busy = false;
  if (live) live.hidden = false;

  function apply(html) {
    var t = document.createElement("template");
    t.innerHTML = html;
    var rows = t.content.getElementById("new-rows");
    if (!rows) return;
    if (rows.getAttribute("data-reload")) {
      window.location.reload();
      return;
    }
    var fresh = Array.prototype.slice.call(rows.rows);
    if (fresh.length) {
      var empty = body.querySelector(".empty-row");
      if (empty) empty.remove();
      var waiting = document.getElementById("waiting");
      if (waiting) waiting.remove();
      var first = body.firstChild;
      fresh.forEach(function (r) {
        r.classList.add("fresh");
        body.insertBefore(r, first);
      });
    }
    last = parseInt(rows.getAttribute("data-last"), 10) || last;
    log.setAttribute("data-last", String(last));
    var summary = t.content.getElementById("summary"), old = document.getElementById("summary");
    if (summary && old) old.replaceWith(summary);
  }

  function poll() {
    if (busy || document.hidden) return;
    busy = true;
    fetch(url + "?after=" + last, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.status === 204 ? "" : r.text();
      })
      .then(function (html) {
        if (html) apply(html);
        if (live) { live.textContent = "Uudet sanomat tulevat näkyviin itsestään."; live.classList.remove("lost"); }
      })
      .catch(function () {
        if (live) { live.textContent = "Yhteys palvelimeen katkesi; yritetään uudelleen."; live.classList.add("lost"); }
      })
      .finally(function () { busy = false; });
  }
  window.setInterval(poll, 2000);
  document.addEventListener("visibilitychange", poll);
})();
