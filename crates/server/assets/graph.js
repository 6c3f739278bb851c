// cablescope: the citation graph. Reads the neighbourhood from
// <script type="application/json" id="graph-data"> and draws it into #graph as an SVG
// timeline, laid out the same way every time:
//   x  the cable's creation date, on a linear scale between the earliest and the
//      latest dated cable, with an axis at the bottom (years, or months when the
//      span is short). A cable without a date (a cited cable the archive lacks) sits
//      in the year its id names (the server reads it: id_year), in the middle of the
//      year when its row has room there, else as near as fits within that year
//      (italic label); when the id names no year, in an "undated" column at the right.
//   y  a row (lane): the start cable is placed first, in row 0 (the middle); then, in
//      date order, each cable takes the free row nearest to the rows of the cables it
//      is linked to that are already placed, a free row being one where its label
//      keeps a gap from every other label. Labels never overlap.
// When the rows would stack too high (many cables close in time) the drawing grows
// wider than its box, which then scrolls sideways; labels keep their size. Citations
// are curves from the citing cable to the cited one, arrow at the cited end, so they
// mostly point back in time (right to left). Nodes are links (Tab reaches them, in
// date order; Enter opens them) and show the subject on hover. The drawing is laid
// out again when its box changes width. Without this script the page shows the same
// data as tables.
(function () {
  "use strict";

  var SVGNS = "http://www.w3.org/2000/svg";
  var DAY = 86400000;
  var YEAR = 365.25 * DAY;
  var MONTH = YEAR / 12;
  var ROW = 42; // lane height
  var TOP = 16; // space above the first lane
  var AXIS = 34; // space below the last lane, for the axis (month ticks: +14)
  var GAP = 12; // least space between two labels in a lane
  var PAD = 10; // space between the drawing's edge and a label
  var CHAR = 6.6; // a label's width per character, when it cannot be measured
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  function el(name, attrs, parent) {
    var e = document.createElementNS(SVGNS, name);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    }
    if (parent) parent.appendChild(e);
    return e;
  }

  function px(v) { return v.toFixed(1); }

  function radius(n) { return n.center ? 11 : n.present ? 7 : 6; }

  // Milliseconds since 1970 of an ISO date or time ("2008-06-05T11:19:00Z"), or NaN.
  function parseTime(s) {
    var m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?/.exec(s || "");
    if (!m) return NaN;
    return Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] || 0), +(m[5] || 0));
  }

  function byId(a, b) { return a.id < b.id ? -1 : a.id > b.id ? 1 : 0; }

  function start() {
    var dataEl = document.getElementById("graph-data");
    var box = document.getElementById("graph");
    if (!dataEl || !box) return;
    var data;
    try {
      data = JSON.parse(dataEl.textContent);
    } catch (err) {
      return;
    }
    if (!data || !data.nodes || data.nodes.length === 0) return;

    box.hidden = false;
    var help = document.getElementById("graph-help");
    if (help) help.hidden = false;

    // --- model -------------------------------------------------------------
    var index = {};
    var nodes = data.nodes.map(function (n) {
      var t = parseTime(n.created);
      // Without a date, the middle of the year the id names, if it names one.
      var year = isNaN(t) && typeof n.id_year === "number" ? n.id_year : null;
      if (year !== null) t = Date.UTC(year, 6, 1);
      var node = {
        id: n.id,
        depth: n.depth,
        present: n.present,
        subject: n.subject || "",
        created: n.created || "",
        url: n.url,
        t: t,
        approx: year !== null,
        year: year,
        undated: isNaN(t),
        center: n.id === data.center,
        width: 0,
        links: []
      };
      index[n.id] = node;
      return node;
    });
    var edges = data.edges
      .filter(function (e) { return index[e.from] && index[e.to] && e.from !== e.to; })
      .map(function (e) { return { a: index[e.from], b: index[e.to], label: e.label }; });
    edges.forEach(function (e) {
      e.a.links.push(e.b);
      e.b.links.push(e.a);
    });
    var dated = nodes.filter(function (n) { return !n.undated; });
    var undated = nodes.filter(function (n) { return n.undated; });

    // The time domain: the dated cables' span, at least about three months.
    var t0 = Infinity, t1 = -Infinity;
    dated.forEach(function (n) { t0 = Math.min(t0, n.t); t1 = Math.max(t1, n.t); });
    if (dated.length && t1 - t0 < 100 * DAY) {
      var mid = (t0 + t1) / 2;
      t0 = mid - 50 * DAY;
      t1 = mid + 50 * DAY;
    }

    // Month ticks (a second line of years under them) when the span is short.
    var months = t1 - t0 < 2 * YEAR;
    var axisH = AXIS + (months ? 14 : 0);

    if (nodes.some(function (n) { return n.approx; })) {
      var legend = document.querySelector("ul.legend");
      if (legend && !legend.querySelector(".legend-approx")) {
        var li = document.createElement("li");
        li.className = "legend-approx";
        var sample = document.createElement("i");
        sample.textContent = "italic";
        li.appendChild(sample);
        li.appendChild(document.createTextNode(": no date, placed in the year its id names"));
        legend.appendChild(li);
      }
    }

    // --- drawing -----------------------------------------------------------
    var lastWidth = -1;

    function render() {
      var avail = Math.max(280, Math.floor(box.clientWidth));
      lastWidth = box.clientWidth;
      while (box.firstChild) box.removeChild(box.firstChild);

      var svg = el("svg", {
        "class": "graph-svg timeline",
        role: "group",
        "aria-label": "Citation graph of " + data.center + ": " + nodes.length +
          " cables by date, the oldest at the left"
      }, box);
      var defs = el("defs", null, svg);
      var marker = el("marker", {
        id: "arrow", viewBox: "0 0 10 10", refX: "10", refY: "5",
        markerWidth: "7", markerHeight: "7", orient: "auto-start-reverse"
      }, defs);
      el("path", { d: "M0,0 L10,5 L0,10 z", "class": "arrow-head" }, marker);
      var gridLayer = el("g", { "class": "grid", "aria-hidden": "true" }, svg);
      var edgeLayer = el("g", { "class": "edges" }, svg);
      // Labels lie over the edges (their halo keeps them readable), circles on top.
      var labelLayer = el("g", { "class": "labels", "aria-hidden": "true" }, svg);
      var nodeLayer = el("g", { "class": "nodes" }, svg);

      // Labels first: their widths decide the layout.
      nodes.forEach(function (n) {
        var cls = "label" + (n.present ? "" : " missing") + (n.center ? " center" : "") +
          (n.approx ? " approx" : "");
        n.label = el("text", { "class": cls, "text-anchor": "middle" }, labelLayer);
        n.label.textContent = n.id;
        var w = 0;
        try { w = n.label.getComputedTextLength(); } catch (err) { w = 0; }
        n.width = w > 0 ? w : n.id.length * CHAR;
      });
      function half(n) { return Math.max(n.width / 2, radius(n)); }

      // Room at the sides for the outermost labels, and the undated column.
      var maxHalf = 0;
      nodes.forEach(function (n) { maxHalf = Math.max(maxHalf, half(n)); });
      var colW = undated.length ? 2 * maxHalf + 2 * GAP : 0;
      var margin = PAD + maxHalf;

      var W, x0, x1, lo, hi;
      function xOf(t) { return x0 + ((t - t0) / (t1 - t0)) * (x1 - x0); }
      function tOf(x) { return t0 + ((x - x0) / (x1 - x0)) * (t1 - t0); }

      // Rows for width w; returns how many there are. The start cable goes first,
      // in row 0; then the dated cables in date order, then those placed by the year
      // in their id, then the undated ones. Each takes the free row nearest to the
      // mean row of its neighbours placed so far (row 0 when none is), the side
      // nearer the middle first. A row is free when the label fits there keeping GAP
      // from every other label: at the cable's date; for a cable placed by its id's
      // year, as near the middle of that year as the row allows, within the year.
      function place(w) {
        W = w;
        x0 = margin;
        x1 = Math.max(x0 + 1, W - colW - margin);
        nodes.forEach(function (n) {
          if (n.undated) {
            n.x = n.lo = n.hi = W - colW / 2;
          } else if (n.approx) {
            n.x = xOf(n.t);
            n.lo = Math.min(n.x, Math.max(x0, xOf(Date.UTC(n.year, 0, 1))));
            n.hi = Math.max(n.x, Math.min(x1, xOf(Date.UTC(n.year + 1, 0, 1) - DAY)));
          } else {
            n.x = n.lo = n.hi = xOf(n.t);
          }
          n.row = null;
        });
        var rows = {};
        lo = 0;
        hi = 0;
        function free(lane, s, e) {
          for (var i = 0; i < lane.length; i++) {
            if (s < lane[i][1] + GAP && lane[i][0] < e + GAP) return false;
          }
          return true;
        }
        // Where n's label fits in row r, nearest n.x; null when it does not.
        function slot(r, n) {
          var h = half(n), lane = rows[r] || [], at = null;
          var tries = [n.x];
          if (n.hi > n.lo) {
            lane.forEach(function (iv) { tries.push(iv[0] - GAP - h - 0.01, iv[1] + GAP + h + 0.01); });
          }
          tries.forEach(function (x) {
            if (x < n.lo || x > n.hi || !free(lane, x - h, x + h)) return;
            if (at === null || Math.abs(x - n.x) < Math.abs(at - n.x)) at = x;
          });
          return at;
        }
        function rank(n) { return n.center ? 0 : n.undated ? 3 : n.approx ? 2 : 1; }
        var order = nodes.slice().sort(function (a, b) {
          return rank(a) - rank(b) || a.x - b.x || a.depth - b.depth || byId(a, b);
        });
        order.forEach(function (n) {
          var sum = 0, count = 0;
          n.links.forEach(function (m) {
            if (m.row !== null) { sum += m.row; count++; }
          });
          var pref = count ? Math.round(sum / count) : 0;
          var toward = pref < 0 ? 1 : -1; // the side nearer the middle first
          for (var d = 0; ; d++) {
            var r = pref + toward * d;
            var x = slot(r, n);
            if (x === null && d > 0) {
              r = pref - toward * d;
              x = slot(r, n);
            }
            if (x !== null) {
              n.x = x;
              (rows[r] = rows[r] || []).push([x - half(n), x + half(n)]);
              n.row = r;
              lo = Math.min(lo, r);
              hi = Math.max(hi, r);
              return;
            }
          }
        });
        return hi - lo + 1;
      }

      // Widen the drawing (the box then scrolls sideways) while its rows would not
      // fit in three quarters of the window's height and widening still saves rows.
      var maxLanes = Math.max(6, Math.floor((window.innerHeight * 0.75 - TOP - AXIS) / ROW));
      var cap = Math.max(avail, Math.min(12000, nodes.length * 110));
      var best = { w: avail, lanes: Infinity };
      var stale = 0;
      for (var w = avail, i = 0; i < 24; i++) {
        var l = place(w);
        if (l < best.lanes) {
          best = { w: w, lanes: l };
          stale = 0;
        } else {
          stale++;
        }
        if (l <= maxLanes || stale >= 3 || w >= cap) break;
        w = Math.min(cap, Math.round(w * 1.25));
      }
      var lanes = place(best.w);

      nodes.forEach(function (n) { n.y = TOP + (n.row - lo) * ROW + 12; });
      var axisY = TOP + lanes * ROW + 4;
      var H = axisY + axisH;
      svg.setAttribute("viewBox", "0 0 " + W + " " + H);
      svg.setAttribute("width", String(W));
      svg.setAttribute("height", String(H));

      // --- the time axis ---
      var axis = el("g", { "class": "time-axis" }, svg);
      if (dated.length) {
        var left = PAD, right = W - colW - PAD;
        el("line", { "class": "axis-line", x1: px(left), y1: px(axisY), x2: px(right), y2: px(axisY) }, axis);
        var ticks = timeTicks(tOf(left), tOf(right), (x1 - x0) / (t1 - t0), months);
        ticks.forEach(function (tk) {
          var x = xOf(tk.t);
          if (x < left || x > right) return;
          el("line", { "class": "grid-line" + (tk.label ? "" : " minor"), x1: px(x), y1: px(TOP - 8), x2: px(x), y2: px(axisY) }, gridLayer);
          el("line", { "class": "tick" + (tk.label ? "" : " minor"), x1: px(x), y1: px(axisY), x2: px(x), y2: px(axisY + (tk.label ? 6 : 3)) }, axis);
          if (tk.label) {
            el("text", { "class": "tick-label", x: px(x), y: px(axisY + 18), "text-anchor": "middle" }, axis)
              .textContent = tk.label;
          }
          if (tk.year) {
            el("text", { "class": "tick-label tick-year", x: px(x), y: px(axisY + 32), "text-anchor": "middle" }, axis)
              .textContent = tk.year;
          }
        });
      }
      if (undated.length) {
        var sx = W - colW;
        el("line", { "class": "undated-line", x1: px(sx), y1: px(TOP - 8), x2: px(sx), y2: px(axisY + 6) }, gridLayer);
        el("text", { "class": "undated-label", x: px(W - colW / 2), y: px(axisY + 18), "text-anchor": "middle" }, axis)
          .textContent = "undated";
      }
      var c = nodes.filter(function (n) { return n.center; })[0];
      if (c) {
        el("line", { "class": "center-line", x1: px(c.x), y1: px(TOP - 8), x2: px(c.x), y2: px(axisY) }, gridLayer);
      }

      // --- edges ---
      edges.forEach(function (e) {
        var a = e.a, b = e.b;
        var dx = b.x - a.x, dy = b.y - a.y;
        var len = Math.sqrt(dx * dx + dy * dy) || 1;
        // Bend to the left of the direction of travel: right-to-left edges (the
        // usual, back in time) arc upwards, the odd forward one downwards.
        // Less bend where the curve would leave the drawing (above the top, into
        // the axis, past a side).
        var bend = Math.min(80, 10 + len * 0.18);
        var cx, cy;
        for (var k = 0; ; k++) {
          cx = (a.x + b.x) / 2 + (-dy / len) * bend;
          cy = (a.y + b.y) / 2 + (dx / len) * bend;
          if (k === 6 || (inside(a.x, cx, b.x, 2, W - 2) && inside(a.y, cy, b.y, 2, axisY - 4))) break;
          bend = k === 5 ? 0 : bend * 0.6;
        }
        var sa = toward(a, cx, cy, radius(a) + 1);
        var eb = toward(b, cx, cy, radius(b) + 2);
        e.path = el("path", {
          "class": "edge" + (a.center || b.center ? " center-edge" : ""),
          d: "M" + px(sa.x) + "," + px(sa.y) + " Q" + px(cx) + "," + px(cy) + " " + px(eb.x) + "," + px(eb.y),
          "marker-end": "url(#arrow)"
        }, edgeLayer);
      });

      // --- nodes, in date order (the Tab order) ---
      nodes.slice().sort(function (a, b) { return a.x - b.x || a.y - b.y; }).forEach(function (n) {
        var href = n.url || "/search?q=" + encodeURIComponent("cites:" + n.id);
        var cls = "node" + (n.center ? " center" : "") + (n.present ? "" : " missing") +
          (n.approx ? " approx" : "");
        var a = el("a", { href: href, "class": cls, "data-id": n.id, transform: "translate(" + px(n.x) + "," + px(n.y) + ")" }, nodeLayer);
        var when = n.created ? " (" + n.created.slice(0, 10) + ")" :
          n.approx ? " (no date; placed in " + n.year + ", the year its id names)" : " (no date)";
        var words = n.id + (n.present ? "" : " (not in archive; follow to see the cables citing it)") +
          (n.subject ? " \u2014 " + n.subject : "") + when;
        a.setAttribute("aria-label", words);
        el("title", null, a).textContent = words;
        el("circle", { r: String(radius(n)) }, a);
        n.el = a;
        n.label.setAttribute("x", px(n.x));
        n.label.setAttribute("y", px(n.y + radius(n) + 12));
        a.addEventListener("dragstart", function (evt) { evt.preventDefault(); });
        ["pointerenter", "focus"].forEach(function (t) {
          a.addEventListener(t, function () { highlight(n, true); });
        });
        ["pointerleave", "blur"].forEach(function (t) {
          a.addEventListener(t, function () { highlight(n, false); });
        });
      });

      // The start cable in view when the drawing scrolls.
      if (c && W > box.clientWidth) {
        box.scrollLeft = Math.max(0, c.x - box.clientWidth / 2);
      }
    }

    // Whether the quadratic curve p0 (control c) p2 stays within [lo, hi] on one axis.
    function inside(p0, c, p2, lo, hi) {
      var den = p0 - 2 * c + p2;
      var t = den ? (p0 - c) / den : -1;
      var v = t > 0 && t < 1 ? (1 - t) * (1 - t) * p0 + 2 * t * (1 - t) * c + t * t * p2 : p0;
      return Math.min(p0, p2, v) >= lo && Math.max(p0, p2, v) <= hi;
    }

    // The point `d` away from node `n`'s centre toward (x, y).
    function toward(n, x, y, d) {
      var dx = x - n.x, dy = y - n.y;
      var len = Math.sqrt(dx * dx + dy * dy) || 1;
      return { x: n.x + (dx * d) / len, y: n.y + (dy * d) / len };
    }

    function highlight(n, on) {
      edges.forEach(function (e) {
        if ((e.a === n || e.b === n) && e.path) e.path.classList.toggle("hl", on);
      });
      if (n.el) n.el.classList.toggle("hl", on);
      if (n.label) n.label.classList.toggle("hl", on);
    }

    // Ticks between times a and b at `scale` px per ms: years, labelled every 1, 2,
    // 5... years so labels stay apart; months when the span is under two years.
    function timeTicks(a, b, scale, months) {
      var out = [];
      var y, m, t, step, steps, i;
      if (!months) {
        steps = [1, 2, 5, 10, 20, 50];
        step = steps[steps.length - 1];
        for (i = 0; i < steps.length; i++) {
          if (steps[i] * YEAR * scale >= 44) { step = steps[i]; break; }
        }
        for (y = new Date(a).getUTCFullYear(); y <= new Date(b).getUTCFullYear() + 1; y++) {
          t = Date.UTC(y, 0, 1);
          if (t < a || t > b) continue;
          out.push({ t: t, label: y % step === 0 ? String(y) : "", year: "" });
        }
        return out;
      }
      steps = [1, 2, 3, 6, 12];
      step = 12;
      for (i = 0; i < steps.length; i++) {
        if (steps[i] * MONTH * scale >= 34) { step = steps[i]; break; }
      }
      var first = true;
      var d = new Date(a);
      for (y = d.getUTCFullYear(), m = d.getUTCMonth(); ; m++) {
        if (m === 12) { m = 0; y++; }
        t = Date.UTC(y, m, 1);
        if (t > b) break;
        if (t < a) continue;
        var labelled = m % step === 0;
        out.push({
          t: t,
          label: labelled ? MONTHS[m] : "",
          year: labelled && (m === 0 || first) ? String(y) : ""
        });
        if (labelled) first = false;
      }
      return out;
    }

    render();
    var pending = false;
    function relayout() {
      if (pending || Math.abs(box.clientWidth - lastWidth) < 2) return;
      pending = true;
      window.requestAnimationFrame(function () {
        pending = false;
        if (Math.abs(box.clientWidth - lastWidth) >= 2) render();
      });
    }
    if (window.ResizeObserver) {
      new window.ResizeObserver(relayout).observe(box);
    } else {
      window.addEventListener("resize", relayout);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
