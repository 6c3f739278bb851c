// cablescope: the citation graph. Reads the neighbourhood from
// <script type="application/json" id="graph-data"> and draws it into #graph as SVG
// with a small force layout: nodes repel each other, citations pull like springs, a
// weak gravity keeps everything in view. Nodes are links (Tab reaches them, Enter
// opens them), can be dragged with a pointer or moved with the arrow keys, and show
// the subject on hover. Without this script the page shows the same data as tables.
(function () {
  "use strict";

  var SVGNS = "http://www.w3.org/2000/svg";
  var W = 1000;
  var H = 620;
  // Margins that keep a node's label inside the drawing.
  var MX = 60;
  var MY = 24;

  function el(name, attrs, parent) {
    var e = document.createElementNS(SVGNS, name);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    }
    if (parent) parent.appendChild(e);
    return e;
  }

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
    var byId = {};
    var nodes = data.nodes.map(function (n, i) {
      // Start on rings by depth, spread by index: deterministic, no overlap.
      var ring = n.depth * 150;
      var angle = i * 2.399963; // the golden angle
      var node = {
        id: n.id,
        depth: n.depth,
        present: n.present,
        subject: n.subject || "",
        created: n.created || "",
        url: n.url,
        x: W / 2 + ring * Math.cos(angle) + (n.depth === 0 ? 0 : (i % 7) - 3),
        y: H / 2 + ring * Math.sin(angle) * 0.8,
        vx: 0,
        vy: 0,
        fixed: n.depth === 0,
        center: n.depth === 0
      };
      byId[n.id] = node;
      return node;
    });
    var edges = data.edges
      .filter(function (e) { return byId[e.from] && byId[e.to]; })
      .map(function (e) { return { a: byId[e.from], b: byId[e.to], label: e.label }; });

    // --- drawing -----------------------------------------------------------
    var svg = el("svg", {
      viewBox: "0 0 " + W + " " + H,
      "class": "graph-svg",
      role: "group",
      "aria-label": "Citation graph of " + data.center + ": " + nodes.length + " cables"
    }, box);
    var defs = el("defs", null, svg);
    var marker = el("marker", {
      id: "arrow", viewBox: "0 0 10 10", refX: "10", refY: "5",
      markerWidth: "8", markerHeight: "8", orient: "auto-start-reverse"
    }, defs);
    el("path", { d: "M0,0 L10,5 L0,10 z", "class": "arrow-head" }, marker);
    // Labels lie under the edges, so an arrow ending below a node is never hidden
    // by the label's halo; circles lie on top.
    var labelLayer = el("g", { "class": "labels", "aria-hidden": "true" }, svg);
    var edgeLayer = el("g", { "class": "edges" }, svg);
    var nodeLayer = el("g", { "class": "nodes" }, svg);

    edges.forEach(function (e) {
      e.line = el("line", { "class": "edge", "marker-end": "url(#arrow)" }, edgeLayer);
    });

    function radius(n) { return n.center ? 12 : n.present ? 8 : 7; }

    nodes.forEach(function (n) {
      var href = n.url || "/search?q=" + encodeURIComponent("cites:" + n.id);
      var cls = "node" + (n.center ? " center" : "") + (n.present ? "" : " missing");
      var a = el("a", { href: href, "class": cls, "data-id": n.id }, nodeLayer);
      var words = n.id + (n.present ? "" : " (not in archive; follow to see the cables citing it)") +
        (n.subject ? " \u2014 " + n.subject : "") + (n.created ? " (" + n.created.slice(0, 10) + ")" : "");
      a.setAttribute("aria-label", words);
      var t = el("title", null, a);
      t.textContent = words;
      el("circle", { r: String(radius(n)) }, a);
      var label = el("text", { "class": "label" + (n.present ? "" : " missing") + (n.center ? " center" : ""), "text-anchor": "middle" }, labelLayer);
      label.textContent = n.id;
      n.el = a;
      n.label = label;
    });

    // --- layout ------------------------------------------------------------
    var alpha = 1;
    var running = false;
    var dragging = null;

    function tick() {
      var i, j, a, b, dx, dy, d2, d, f;
      for (i = 0; i < nodes.length; i++) {
        a = nodes[i];
        for (j = i + 1; j < nodes.length; j++) {
          b = nodes[j];
          dx = a.x - b.x;
          dy = a.y - b.y;
          d2 = dx * dx + dy * dy;
          if (d2 < 1) { dx = (i - j) * 0.5; dy = 0.5; d2 = 1; }
          if (d2 > 250000) continue; // far apart: negligible
          f = (1800 * alpha) / d2;
          a.vx += dx * f; a.vy += dy * f;
          b.vx -= dx * f; b.vy -= dy * f;
        }
      }
      edges.forEach(function (e) {
        dx = e.b.x - e.a.x;
        dy = e.b.y - e.a.y;
        d = Math.sqrt(dx * dx + dy * dy) || 1;
        f = ((d - 100) / d) * 0.08 * alpha;
        e.a.vx += dx * f; e.a.vy += dy * f;
        e.b.vx -= dx * f; e.b.vy -= dy * f;
      });
      nodes.forEach(function (n) {
        n.vx += (W / 2 - n.x) * 0.012 * alpha;
        n.vy += (H / 2 - n.y) * 0.018 * alpha;
        if (n.fixed || n === dragging) { n.vx = 0; n.vy = 0; return; }
        n.vx *= 0.6; n.vy *= 0.6;
        n.x = Math.max(MX, Math.min(W - MX, n.x + n.vx));
        n.y = Math.max(MY, Math.min(H - MY - 16, n.y + n.vy));
      });
    }

    function draw() {
      edges.forEach(function (e) {
        var dx = e.b.x - e.a.x, dy = e.b.y - e.a.y;
        var d = Math.sqrt(dx * dx + dy * dy) || 1;
        var ra = radius(e.a), rb = radius(e.b) + 2;
        e.line.setAttribute("x1", (e.a.x + (dx * ra) / d).toFixed(1));
        e.line.setAttribute("y1", (e.a.y + (dy * ra) / d).toFixed(1));
        e.line.setAttribute("x2", (e.b.x - (dx * rb) / d).toFixed(1));
        e.line.setAttribute("y2", (e.b.y - (dy * rb) / d).toFixed(1));
      });
      nodes.forEach(function (n) {
        n.el.setAttribute("transform", "translate(" + n.x.toFixed(1) + "," + n.y.toFixed(1) + ")");
        n.label.setAttribute("x", n.x.toFixed(1));
        n.label.setAttribute("y", (n.y + radius(n) + 13).toFixed(1));
      });
    }

    function loop() {
      tick();
      draw();
      alpha *= 0.985;
      if (alpha > 0.02 || dragging) {
        window.requestAnimationFrame(loop);
      } else {
        running = false;
      }
    }

    function reheat(to) {
      alpha = Math.max(alpha, to);
      if (!running) {
        running = true;
        window.requestAnimationFrame(loop);
      }
    }

    // Settle most of the way before the first paint, so the graph does not fly in.
    for (var k = 0; k < 120; k++) { tick(); alpha *= 0.985; }
    draw();
    reheat(alpha);

    // --- interaction -------------------------------------------------------
    function svgPoint(evt) {
      var m = svg.getScreenCTM();
      if (!m) return { x: 0, y: 0 };
      var p = svg.createSVGPoint();
      p.x = evt.clientX;
      p.y = evt.clientY;
      p = p.matrixTransform(m.inverse());
      return { x: p.x, y: p.y };
    }

    var moved = false;
    var startPoint = null;

    nodes.forEach(function (n) {
      n.el.addEventListener("pointerdown", function (evt) {
        if (evt.button !== 0) return;
        dragging = n;
        moved = false;
        startPoint = svgPoint(evt);
        reheat(0.3);
      });
      // Links are draggable by default (to drop a URL elsewhere): not here.
      n.el.addEventListener("dragstart", function (evt) { evt.preventDefault(); });
      n.el.addEventListener("click", function (evt) {
        // A drag ends with a click on the node: do not follow the link then.
        if (moved) {
          evt.preventDefault();
          moved = false;
        }
      });
      n.el.addEventListener("keydown", function (evt) {
        var step = evt.shiftKey ? 40 : 12;
        var moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
        var mv = moves[evt.key];
        if (!mv) return;
        evt.preventDefault();
        n.x = Math.max(MX, Math.min(W - MX, n.x + mv[0]));
        n.y = Math.max(MY, Math.min(H - MY - 16, n.y + mv[1]));
        n.fixed = true;
        draw();
        reheat(0.2);
      });
      ["pointerenter", "focus"].forEach(function (t) {
        n.el.addEventListener(t, function () { highlight(n, true); });
      });
      ["pointerleave", "blur"].forEach(function (t) {
        n.el.addEventListener(t, function () { highlight(n, false); });
      });
    });

    svg.addEventListener("pointermove", function (evt) {
      if (!dragging) return;
      var p = svgPoint(evt);
      if (!moved && startPoint && Math.abs(p.x - startPoint.x) + Math.abs(p.y - startPoint.y) > 4) {
        // Only a real drag captures the pointer: a plain click must still reach
        // the node's link.
        moved = true;
        svg.setPointerCapture(evt.pointerId);
      }
      if (!moved) return;
      dragging.x = Math.max(MX, Math.min(W - MX, p.x));
      dragging.y = Math.max(MY, Math.min(H - MY - 16, p.y));
      reheat(0.3);
    });

    function release(evt) {
      if (!dragging) return;
      if (moved) dragging.fixed = true; // stays where it was dropped
      dragging = null;
      if (svg.hasPointerCapture && svg.hasPointerCapture(evt.pointerId)) {
        svg.releasePointerCapture(evt.pointerId);
      }
    }
    svg.addEventListener("pointerup", release);
    svg.addEventListener("pointercancel", release);

    function highlight(n, on) {
      edges.forEach(function (e) {
        if (e.a === n || e.b === n) {
          e.line.classList.toggle("hl", on);
        }
      });
      n.el.classList.toggle("hl", on);
      n.label.classList.toggle("hl", on);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
