// The requirement table's filter (status, area, text) and sort. Without
// this script every row is shown in the order the report wrote them. The
// filter is kept in the address as #status=failed&area=…&q=…, so that a
// filtered view can be linked and checked (docs/screenshot.sh --check).
(function () {
  "use strict";
  var table = document.getElementById("req-table");
  var controls = document.getElementById("req-controls");
  if (!table || !controls) return;
  controls.hidden = false;
  var status = document.getElementById("f-status");
  var area = document.getElementById("f-area");
  var text = document.getElementById("f-text");
  var count = document.getElementById("f-count");
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);

  function apply() {
    var s = status.value, a = area.value, t = text.value.trim().toLowerCase(), shown = 0;
    rows.forEach(function (r) {
      var show = (!s || r.getAttribute("data-status") === s) &&
        (!a || r.getAttribute("data-area") === a) &&
        (!t || r.textContent.toLowerCase().indexOf(t) >= 0);
      r.hidden = !show;
      if (show) shown++;
    });
    count.textContent = shown + " of " + rows.length + " requirements shown";
    Array.prototype.forEach.call(document.querySelectorAll("[data-filter-status]"), function (el) {
      el.classList.toggle("on", el.getAttribute("data-filter-status") === s);
    });
  }

  function save() {
    var p = [];
    if (status.value) p.push("status=" + encodeURIComponent(status.value));
    if (area.value) p.push("area=" + encodeURIComponent(area.value));
    if (text.value.trim()) p.push("q=" + encodeURIComponent(text.value.trim()));
    history.replaceState(null, "", p.length ? "#" + p.join("&") : location.pathname + location.search);
  }

  function load() {
    var h = location.hash.replace(/^#/, "");
    if (h.indexOf("=") < 0) return false;
    var p = {};
    h.split("&").forEach(function (kv) {
      var i = kv.indexOf("=");
      if (i > 0) p[kv.slice(0, i)] = decodeURIComponent(kv.slice(i + 1).replace(/\+/g, " "));
    });
    status.value = p.status || "";
    area.value = p.area || "";
    text.value = p.q || "";
    apply();
    return true;
  }

  status.addEventListener("change", function () { apply(); save(); });
  area.addEventListener("change", function () { apply(); save(); });
  text.addEventListener("input", function () { apply(); save(); });
  document.getElementById("f-clear").addEventListener("click", function () {
    status.value = ""; area.value = ""; text.value = ""; apply(); save();
  });
  Array.prototype.forEach.call(document.querySelectorAll("[data-filter-status]"), function (el) {
    el.addEventListener("click", function (e) {
      e.preventDefault();
      var s = el.getAttribute("data-filter-status");
      status.value = status.value === s ? "" : s;
      apply(); save();
      document.getElementById("requirements").scrollIntoView();
    });
  });

  // Sorting: a click on a header sorts by that column, again reverses.
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
    var key = th.getAttribute("data-sort");
    if (!key) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "sort";
    button.textContent = th.textContent;
    th.textContent = "";
    th.appendChild(button);
    button.addEventListener("click", function () {
      var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) { c.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", dir > 0 ? "ascending" : "descending");
      var value = function (r) {
        var c = r.cells[col];
        var v = c.getAttribute("data-key");
        return v !== null ? v : c.textContent.trim().toLowerCase();
      };
      rows.sort(function (a, b) {
        var x = value(a), y = value(b);
        var nx = Number(x), ny = Number(y);
        if (x !== "" && y !== "" && !isNaN(nx) && !isNaN(ny)) return dir * (nx - ny);
        return dir * x.localeCompare(y, "en", { numeric: true });
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });

  window.addEventListener("hashchange", load);
  if (load()) document.getElementById("requirements").scrollIntoView();
  else apply();
})();
