// TrainingDiagnostics report: hover values, zoom on steps (drag on any line chart, double-click or the button to
// reset), the layer filter and metric switch of the heatmap, and incident links. Reads its data from the JSON
// block #report-data; never touches the network; inserts run strings only as text (textContent, fillText).
(function () {
  'use strict';
  function openIncident(id) {
    var details = document.getElementById(id);
    if (!details) { return; }
    details.open = true;
    details.classList.add('flash');
    details.scrollIntoView({ block: 'center' });
    window.setTimeout(function () { details.classList.remove('flash'); }, 1500);
  }
  document.addEventListener('click', function (evt) {
    var a = evt.target.closest ? evt.target.closest('a.incident-link') : null;
    if (a) { evt.preventDefault(); openIncident(a.getAttribute('href').slice(1)); }
  });
  if (location.hash.length > 1 && location.hash.indexOf('incident-') >= 0) { openIncident(location.hash.slice(1)); }

  var dataElement = document.getElementById('report-data');
  if (!dataElement) { document.documentElement.classList.add('js'); return; }
  var data = JSON.parse(dataElement.textContent);
  // The SVG namespace, taken from a parsed element so that the file holds no URL at all.
  var probe = document.createElement('div');
  probe.innerHTML = '<svg></svg>';
  var SVG = probe.firstChild.namespaceURI;
  // Geometry, the axis and tick rules' constants, the heatmap's codes and canvas come from the C# side (ChartConstants), written once for both.
  var K = data.k;
  var W = K.w, H = K.h, L = K.l, R = K.r, T = K.t, B = K.b, PW = W - L - R;
  var MISSING = null, ZERO = K.zero, NONFINITE = K.nonFinite;
  function tickMultiple(norm) {
    for (var i = 0; i < K.multiples.length; i++) { if (norm < K.multiples[i][0]) { return K.multiples[i][1]; } }
    return 10;
  }
  var full = { x0: data.range[0], x1: data.range[1] === data.range[0] ? data.range[0] + 1 : data.range[1] };
  var view = { x0: full.x0, x1: full.x1 };
  var tooltip = document.getElementById('tooltip');

  function fmt(v) {
    if (v === null || v === undefined) { return '\u2013'; }
    if (typeof v === 'string') { return v; }
    var a = Math.abs(v);
    return (a !== 0 && (a < 1e-3 || a >= 1e5)) ? v.toExponential(3) : String(Number(v.toPrecision(4)));
  }

  // The value axis over data spanning [lo, hi] (log10 values on a log scale): ChartConstants.AxisRange's rule, its constants from K.
  function axisRange(lo, hi, log) {
    if (hi - lo < K.flat * Math.max(1, Math.abs(hi))) { var half = log || hi === 0 ? K.flatHalf : Math.abs(hi) / 2; lo -= half; hi += half; }
    var pad = (hi - lo) * K.pad;
    return [lo - pad, hi + pad];
  }

  // Round values for an axis: multiples of 1, 2 or 5 times a power of ten, about five of them.
  function niceTicks(lo, hi) {
    var raw = (hi - lo) / K.ticks, mag = Math.pow(10, Math.floor(Math.log10(raw))), norm = raw / mag;
    var step = tickMultiple(norm) * mag, out = [];
    for (var v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) { out.push(Math.abs(v) < step * 1e-9 ? 0 : v); }
    return out;
  }

  function showTip(text, clientX, clientY) {
    if (!tooltip) { return; }
    tooltip.textContent = text;
    tooltip.style.display = 'block';
    var x = Math.min(clientX + 14, window.innerWidth - tooltip.offsetWidth - 4);
    tooltip.style.left = x + 'px';
    tooltip.style.top = (clientY + 14) + 'px';
  }

  function hideTip() { if (tooltip) { tooltip.style.display = 'none'; } }

  function el(name, attrs, parent) {
    var e = document.createElementNS(SVG, name);
    for (var k in attrs) { if (Object.prototype.hasOwnProperty.call(attrs, k)) { e.setAttribute(k, attrs[k]); } }
    if (parent) { parent.appendChild(e); }
    return e;
  }

  // ---- line charts: the loss (with validation losses over it), then one small chart per metric and the learning rate
  function flatten(series) {
    var pts = [];
    series.seg.forEach(function (seg, k) {
      for (var i = 0; i < seg[0].length; i++) { pts.push({ s: seg[0][i], v: seg[1][i], seg: k }); }
    });
    return pts;
  }
  // The point of pts (sorted by step) nearest to step.
  function nearest(pts, step) {
    if (pts.length === 0) { return null; }
    var lo = 0, hi = pts.length - 1;
    while (hi - lo > 1) { var mid = (lo + hi) >> 1; if (pts[mid].s <= step) { lo = mid; } else { hi = mid; } }
    return Math.abs(pts[lo].s - step) <= Math.abs(pts[hi].s - step) ? pts[lo] : pts[hi];
  }
  // The last point of pts at or before step (a learning rate holds until it changes).
  function atOrBefore(pts, step) {
    var best = null;
    for (var i = 0; i < pts.length && pts[i].s <= step; i++) { best = pts[i]; }
    return best;
  }
  function named(series, dots) {
    return { name: series.name, cls: series.cls, dots: dots, pts: flatten(series), nf: series.nf };
  }

  var charts = [];
  if (data.loss) {
    charts.push({ id: 'loss-chart', title: 'Training loss over steps', y: 'loss', h: H, scale: data.loss.scale,
      series: [{ name: 'training loss', cls: 'loss', dots: false, pts: flatten(data.loss), nf: data.loss.nf }]
        .concat((data.overlay || []).map(function (o) { return named(o, o.dots); })) });
  }
  (data.charts || []).forEach(function (c) {
    charts.push({ id: c.id, title: c.title, y: c.y, h: c.h, scale: c.scale, series: c.series.map(function (o) { return named(o, o.dots); }) });
  });
  var lrChart = charts.filter(function (c) { return c.id === 'lr-chart'; })[0];

  function drawChart(c) {
    var box = document.getElementById(c.id + '-box');
    if (!box || c.series.every(function (s) { return s.pts.length === 0 && s.nf.length === 0; })) { return; }
    var ph = c.h - T - B, log = c.scale === 'log';
    var f = log ? function (v) { return Math.log10(v); } : function (v) { return v; };
    var visible = c.series.map(function (s) { return s.pts.filter(function (p) { return p.s >= view.x0 && p.s <= view.x1; }); });
    var lo = Infinity, hi = -Infinity;
    visible.forEach(function (pts) { pts.forEach(function (p) { var y = f(p.v); if (y < lo) { lo = y; } if (y > hi) { hi = y; } }); });
    if (!isFinite(lo)) { lo = 0; hi = 1; }
    var range = axisRange(lo, hi, log); lo = range[0]; hi = range[1];
    var X = function (s) { return L + (s - view.x0) / (view.x1 - view.x0) * PW; };
    var Y = function (v) { return T + (hi - f(v)) / (hi - lo) * ph; };

    var svg = el('svg', { 'class': 'chart', id: c.id, viewBox: '0 0 ' + W + ' ' + c.h, role: 'img', 'data-scale': log ? 'log' : 'linear', 'data-interactive': 'true' });
    el('title', {}, svg).textContent = c.title;
    el('rect', { 'class': 'plot', x: L, y: T, width: PW, height: ph }, svg);
    var ticks = [];
    if (log) { for (var e = Math.ceil(lo); e <= Math.floor(hi); e++) { ticks.push(e); } } else { ticks = niceTicks(lo, hi); }
    if (c.h < H && ticks.length > 4) { ticks = ticks.filter(function (t, i) { return i % 2 === 0; }); }
    ticks.forEach(function (t) {
      var py = T + (hi - t) / (hi - lo) * ph;
      el('line', { 'class': 'grid', x1: L, x2: L + PW, y1: py, y2: py }, svg);
      el('text', { 'class': 'tick', x: L - 6, y: py, 'text-anchor': 'end', 'dominant-baseline': 'middle' }, svg).textContent = fmt(log ? Math.pow(10, t) : t);
    });
    var raw = Math.max(1, (view.x1 - view.x0) / K.ticks), mag = Math.pow(10, Math.floor(Math.log10(raw))), norm = raw / mag;
    var every = Math.max(1, Math.round(tickMultiple(norm) * mag));
    for (var s = Math.ceil(view.x0 / every) * every; s <= view.x1; s += every) {
      el('text', { 'class': 'tick', x: X(s), y: T + ph + 16, 'text-anchor': 'middle' }, svg).textContent = String(s);
    }
    el('text', { 'class': 'axis', x: L + PW / 2, y: c.h - 4, 'text-anchor': 'middle' }, svg).textContent = 'step';
    el('text', { 'class': 'axis', x: 14, y: T + ph / 2, 'text-anchor': 'middle', transform: 'rotate(-90 14 ' + (T + ph / 2) + ')' }, svg).textContent = log ? c.y + ' (log)' : c.y;

    (data.incidents || []).forEach(function (inc) {
      if (inc[0] >= view.x0 && inc[0] <= view.x1) { el('line', { 'class': 'incident-rule', x1: X(inc[0]), x2: X(inc[0]), y1: T, y2: T + ph }, svg); }
    });

    c.series.forEach(function (series, k) {
      var current = [], currentSeg = -1;
      function flush() {
        if (current.length === 1 && !series.dots) { el('circle', { 'class': series.cls + '-point', r: 2, cx: current[0][0], cy: current[0][1] }, svg); }
        else if (current.length > 1) { el('polyline', { 'class': series.cls, points: current.map(function (p) { return p[0].toFixed(2) + ',' + p[1].toFixed(2); }).join(' ') }, svg); }
        current = [];
      }
      visible[k].forEach(function (p) {
        if (p.seg !== currentSeg) { flush(); currentSeg = p.seg; }
        current.push([X(p.s), Y(p.v)]);
      });
      flush();
      if (series.dots) {
        visible[k].forEach(function (p) { el('circle', { 'class': series.cls + '-point dot', r: 3, cx: X(p.s), cy: Y(p.v) }, svg); });
      }
      series.nf.forEach(function (m) {
        if (m[0] < view.x0 || m[0] > view.x1) { return; }
        var path = el('path', { 'class': 'nonfinite', d: 'M' + X(m[0]).toFixed(2) + ',' + (T + 10) + ' l-5,-9 h10 z' }, svg);
        el('title', {}, path).textContent = (c.series.length > 1 ? series.name + ': ' : '') + 'step ' + m[0] + ': ' + c.y + ' ' + m[1];
      });
    });

    // Hover follows the first series with points in view; the others show their value nearest to that step.
    var primary = 0;
    while (primary < visible.length - 1 && visible[primary].length === 0) { primary++; }
    var cross = el('line', { 'class': 'crosshair', x1: 0, x2: 0, y1: T, y2: T + ph, visibility: 'hidden' }, svg);
    var dot = el('circle', { 'class': 'hover-dot', r: 3, cx: 0, cy: 0, visibility: 'hidden' }, svg);
    var selection = el('rect', { 'class': 'selection', x: 0, y: T, width: 0, height: ph, visibility: 'hidden' }, svg);
    var dragFrom = null;

    function toSvgX(evt) {
      var m = svg.getScreenCTM();
      if (!m) { return 0; }
      var pt = svg.createSVGPoint(); pt.x = evt.clientX; pt.y = evt.clientY;
      return pt.matrixTransform(m.inverse()).x;
    }
    function stepAt(x) { return view.x0 + (Math.min(Math.max(x, L), L + PW) - L) / PW * (view.x1 - view.x0); }

    svg.addEventListener('mousemove', function (evt) {
      var x = toSvgX(evt);
      if (dragFrom !== null) {
        var a = Math.max(L, Math.min(dragFrom, x)), b = Math.min(L + PW, Math.max(dragFrom, x));
        selection.setAttribute('x', a); selection.setAttribute('width', Math.max(0, b - a)); selection.setAttribute('visibility', 'visible');
      }
      var best = nearest(visible[primary], stepAt(x));
      if (best === null) { return; }
      cross.setAttribute('x1', X(best.s)); cross.setAttribute('x2', X(best.s)); cross.setAttribute('visibility', 'visible');
      dot.setAttribute('cx', X(best.s)); dot.setAttribute('cy', Y(best.v)); dot.setAttribute('visibility', 'visible');
      var lines = ['step ' + best.s];
      c.series.forEach(function (series, k) {
        var p = k === primary ? best : nearest(visible[k], best.s);
        if (p !== null) { lines.push(series.name + ' ' + fmt(p.v) + (p.s !== best.s ? ' (at step ' + p.s + ')' : '')); }
      });
      if (lrChart && lrChart !== c) {
        var rate = atOrBefore(lrChart.series[0].pts, best.s);
        if (rate !== null) { lines.push('learning rate ' + fmt(rate.v)); }
      }
      showTip(lines.join('\n'), evt.clientX, evt.clientY);
    });
    svg.addEventListener('mouseleave', function () { cross.setAttribute('visibility', 'hidden'); dot.setAttribute('visibility', 'hidden'); hideTip(); });
    svg.addEventListener('mousedown', function (evt) { dragFrom = toSvgX(evt); evt.preventDefault(); });
    svg.addEventListener('mouseup', function (evt) {
      if (dragFrom === null) { return; }
      var a = stepAt(Math.min(dragFrom, toSvgX(evt))), b = stepAt(Math.max(dragFrom, toSvgX(evt)));
      dragFrom = null;
      if (b - a >= 1 && Math.abs(X(b) - X(a)) > 4) { zoom(Math.floor(a), Math.ceil(b)); } else { selection.setAttribute('visibility', 'hidden'); }
    });
    svg.addEventListener('dblclick', function () { zoom(full.x0, full.x1); });

    box.replaceChildren(svg);
  }

  function drawCharts() { charts.forEach(drawChart); }

  // ---- gradient heatmap -------------------------------------------------------------------------------------
  var heat = data.heat;
  var canvas = document.getElementById('heatmap-canvas');
  var filterInput = document.getElementById('layer-filter');
  var metricSelect = document.getElementById('heat-metric');
  var legendCanvas = document.getElementById('heatmap-legend');
  var STOPS = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]]; // viridis
  var LABEL = 170;
  var layout = null;

  function colour(t) {
    t = Math.max(0, Math.min(1, t)) * (STOPS.length - 1);
    var i = Math.min(STOPS.length - 2, Math.floor(t)), u = t - i, a = STOPS[i], b = STOPS[i + 1];
    return [a[0] + (b[0] - a[0]) * u, a[1] + (b[1] - a[1]) * u, a[2] + (b[2] - a[2]) * u];
  }

  function matrix() { return metricSelect && metricSelect.value === 'update' && heat.u ? heat.u : heat.g; }
  function decode(q) { return q === MISSING ? null : q === ZERO ? 0 : q === NONFINITE ? 'NaN/Inf' : Math.pow(10, q / K.perDecade); }

  function drawHeatmap() {
    if (!canvas || !heat || heat.layers.length === 0) { return; }
    var m = matrix();
    var needle = filterInput ? filterInput.value.trim().toLowerCase() : '';
    var rows = [];
    heat.layers.forEach(function (name, i) { if (needle === '' || name.toLowerCase().indexOf(needle) >= 0) { rows.push(i); } });
    var cols = [];
    for (var c = 0; c < heat.start.length; c++) { if (heat.end[c] >= view.x0 && heat.start[c] <= view.x1) { cols.push(c); } }
    var lo = Infinity, hi = -Infinity;
    rows.forEach(function (r) { cols.forEach(function (c) { var q = m[r][c]; if (q !== MISSING && q !== ZERO && q !== NONFINITE) { if (q < lo) { lo = q; } if (q > hi) { hi = q; } } }); });
    if (!isFinite(lo)) { lo = 0; hi = 1; }
    if (hi === lo) { hi = lo + 1; }

    var cssWidth = canvas.clientWidth || K.heatW, rowH = Math.max(3, Math.min(20, Math.floor(K.heatH / Math.max(1, rows.length))));
    var cssHeight = Math.max(rowH, rows.length * rowH), dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(cssWidth * dpr); canvas.height = Math.round(cssHeight * dpr);
    canvas.style.height = cssHeight + 'px';
    var ctx = canvas.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, cssWidth, cssHeight);
    layout = { rows: rows, cols: cols, rowH: rowH, x0: LABEL, width: Math.max(1, cssWidth - LABEL), m: m };
    if (rows.length > 0 && cols.length > 0) {
      // More columns than pixels: merge neighbours into pixel columns keeping the largest value, so a NaN or a
      // spike in one column is never dropped by scaling.
      var bins = Math.max(1, Math.min(cols.length, Math.floor(layout.width)));
      layout.bins = bins;
      var off = document.createElement('canvas');
      off.width = bins; off.height = rows.length;
      var octx = off.getContext('2d'), img = octx.createImageData(bins, rows.length);
      rows.forEach(function (r, y) {
        for (var b = 0; b < bins; b++) {
          var from = Math.floor(b * cols.length / bins), to = Math.max(from + 1, Math.floor((b + 1) * cols.length / bins)), q = MISSING;
          for (var j = from; j < to; j++) {
            var v = m[r][cols[j]];
            if (v === NONFINITE || q === NONFINITE) { q = NONFINITE; } else if (v !== MISSING && (q === MISSING || v > q)) { q = v; }
          }
          var rgb = q === MISSING ? [238, 240, 243] : q === ZERO ? [17, 17, 17] : q === NONFINITE ? [225, 29, 72] : colour((q - lo) / (hi - lo));
          var o = (y * bins + b) * 4;
          img.data[o] = rgb[0]; img.data[o + 1] = rgb[1]; img.data[o + 2] = rgb[2]; img.data[o + 3] = 255;
        }
      });
      octx.putImageData(img, 0, 0);
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(off, LABEL, 0, layout.width, rows.length * rowH);
    }
    // Every row is labelled when rows are tall enough; otherwise every k-th row, small.
    var every = Math.max(1, Math.ceil(10 / rowH));
    ctx.fillStyle = '#1d2430'; ctx.font = Math.max(9, Math.min(12, rowH - 1)) + 'px system-ui, sans-serif'; ctx.textBaseline = 'middle';
    rows.forEach(function (r, y) {
      if (y % every !== 0) { return; }
      var name = heat.layers[r];
      while (name.length > 3 && ctx.measureText(name).width > LABEL - 8) { name = name.slice(0, -2); }
      ctx.fillText(name === heat.layers[r] ? name : name + '\u2026', 2, y * rowH + rowH / 2);
    });
    var count = document.getElementById('layer-count');
    if (count) { count.textContent = rows.length + ' of ' + heat.layers.length + ' parameters'; }
    if (legendCanvas) {
      legendCanvas.width = K.legend; legendCanvas.height = 1;
      var lctx = legendCanvas.getContext('2d'), limg = lctx.createImageData(K.legend, 1);
      for (var i = 0; i < K.legend; i++) { var rgb = colour(i / (K.legend - 1)); limg.data[i * 4] = rgb[0]; limg.data[i * 4 + 1] = rgb[1]; limg.data[i * 4 + 2] = rgb[2]; limg.data[i * 4 + 3] = 255; }
      lctx.putImageData(limg, 0, 0);
      document.getElementById('legend-lo').textContent = fmt(Math.pow(10, lo / K.perDecade));
      document.getElementById('legend-hi').textContent = fmt(Math.pow(10, hi / K.perDecade));
    }
  }

  if (canvas) {
    canvas.addEventListener('mousemove', function (evt) {
      if (!layout) { return; }
      var rect = canvas.getBoundingClientRect(), x = evt.clientX - rect.left, y = evt.clientY - rect.top;
      var row = Math.floor(y / layout.rowH), col = Math.floor((x - layout.x0) / layout.width * layout.cols.length);
      // With merged columns, report the merged range: from the bin's first column to its last.
      if (row < 0 || row >= layout.rows.length || x < layout.x0 || col < 0 || col >= layout.cols.length) { hideTip(); return; }
      var r = layout.rows[row], bins = layout.bins || layout.cols.length;
      var bin = Math.min(bins - 1, Math.floor((x - layout.x0) / layout.width * bins));
      var from = Math.floor(bin * layout.cols.length / bins), to = Math.max(from + 1, Math.floor((bin + 1) * layout.cols.length / bins));
      var first = layout.cols[from], last = layout.cols[to - 1];
      function largest(mat) {
        var q = MISSING;
        for (var j = from; j < to; j++) { var v = mat[r][layout.cols[j]]; if (v === NONFINITE || q === NONFINITE) { q = NONFINITE; } else if (v !== MISSING && (q === MISSING || v > q)) { q = v; } }
        return q;
      }
      var steps = heat.start[first] === heat.end[last] ? 'step ' + heat.start[first] : 'steps ' + heat.start[first] + '\u2013' + heat.end[last];
      var text = heat.layers[r] + '\n' + steps + '\ngradient norm ' + fmt(decode(largest(heat.g)));
      if (heat.u) { text += '\nupdate/weight ' + fmt(decode(largest(heat.u))); }
      showTip(text, evt.clientX, evt.clientY);
    });
    canvas.addEventListener('mouseleave', hideTip);
  }
  if (filterInput) { filterInput.addEventListener('input', drawHeatmap); }
  if (metricSelect) { metricSelect.addEventListener('change', drawHeatmap); }

  // ---- zoom and incidents -----------------------------------------------------------------------------------
  var zoomLabel = document.getElementById('zoom-range');
  function zoom(x0, x1) {
    view = { x0: Math.max(full.x0, x0), x1: Math.min(full.x1, Math.max(x1, x0 + 1)) };
    if (zoomLabel) { zoomLabel.textContent = (view.x0 === full.x0 && view.x1 === full.x1) ? 'all steps' : 'steps ' + view.x0 + '\u2013' + view.x1; }
    drawCharts();
    drawHeatmap();
  }
  var reset = document.getElementById('zoom-reset');
  if (reset) { reset.addEventListener('click', function () { zoom(full.x0, full.x1); }); }

  window.addEventListener('resize', drawHeatmap);

  zoom(full.x0, full.x1);
  document.documentElement.classList.add('js'); // drawn: tests and timings wait for this
}());
