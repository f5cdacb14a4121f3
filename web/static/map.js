// The national map (Peru from the vendored Natural Earth TopoJSON, ISO 3166 numeric 604) and the
// national graph (establishment -> regional office -> headquarters). Same data as the table.
(function () {
  "use strict";
  var sites = JSON.parse(document.getElementById("sites-data").textContent);
  var svg = document.getElementById("peru-map");
  var NS = "http://www.w3.org/2000/svg";
  // Peru's bounding box, with a margin; an equirectangular projection is enough at this scale.
  var WEST = -81.6, EAST = -68.4, NORTH = 0.2, SOUTH = -18.6, W = 560, H = 760;
  function x(lon) { return (lon - WEST) / (EAST - WEST) * W; }
  function y(lat) { return (NORTH - lat) / (NORTH - SOUTH) * H; }
  function ring(points) {
    return points.map(function (p, i) { return (i ? "L" : "M") + x(p[0]).toFixed(1) + "," + y(p[1]).toFixed(1); }).join("") + "Z";
  }
  function band(score) {
    if (score === null || score === undefined) { return "score-none"; }
    return score >= 80 ? "score-good" : score >= 60 ? "score-fair" : "score-poor";
  }
  function drawSites() {
    sites.forEach(function (s) {
      if (s.latitude === null || s.longitude === null) { return; }
      var dot = document.createElementNS(NS, "circle");
      dot.setAttribute("cx", x(s.longitude).toFixed(1));
      dot.setAttribute("cy", y(s.latitude).toFixed(1));
      dot.setAttribute("r", s.kind === "establishment" ? 5 : 8);
      dot.setAttribute("id", "dot-" + s.code);
      dot.setAttribute("class", "site state-" + s.state + " " + band(s.score));
      dot.setAttribute("data-state", s.state);
      var title = document.createElementNS(NS, "title");
      title.textContent = s.code + " · " + s.name + " · " + s.state +
        (s.score === null ? "" : " · " + Math.round(s.score) + " %");
      dot.appendChild(title);
      svg.appendChild(dot);
    });
  }
  fetch(svg.getAttribute("data-atlas")).then(function (r) { return r.json(); }).then(function (topo) {
    var peru = topojson.feature(topo, topo.objects.countries).features.filter(function (f) {
      return String(f.id) === "604";
    })[0];
    var polygons = peru.geometry.type === "Polygon" ? [peru.geometry.coordinates] : peru.geometry.coordinates;
    var path = document.createElementNS(NS, "path");
    path.setAttribute("d", polygons.map(function (p) { return p.map(ring).join(""); }).join(""));
    path.setAttribute("class", "country");
    svg.appendChild(path);
    drawSites();
    svg.setAttribute("data-ready", "true");
  });
  function colourBy(mode) {
    svg.classList.toggle("by-score", mode === "score");
    document.getElementById("colour-state").setAttribute("aria-pressed", String(mode === "state"));
    document.getElementById("colour-score").setAttribute("aria-pressed", String(mode === "score"));
    document.getElementById("legend-state").hidden = mode !== "state";
    document.getElementById("legend-score").hidden = mode !== "score";
  }
  document.getElementById("colour-state").addEventListener("click", function () { colourBy("state"); });
  document.getElementById("colour-score").addEventListener("click", function () { colourBy("score"); });

  var STATE = { up: "#15803d", degraded: "#b45309", down: "#b91c1c", unknown: "#64748b" };
  var codes = {};
  sites.forEach(function (s) { codes[s.code] = true; });
  var elements = sites.map(function (s) {
    return { data: { id: s.code, label: s.code, state: s.state, kind: s.kind } };
  }).concat(sites.filter(function (s) { return s.uplink && codes[s.uplink]; }).map(function (s) {
    return { data: { id: "l-" + s.code, source: s.code, target: s.uplink, state: s.state } };
  }));
  window.nationalGraph = cytoscape({
    container: document.getElementById("national-graph"),
    elements: elements,
    style: [
      { selector: "node", style: { "background-color": function (n) { return STATE[n.data("state")]; },
        "label": "data(label)", "font-size": 8, "width": 10, "height": 10, "color": "#111827" } },
      { selector: "node[kind != 'establishment']", style: { "width": 18, "height": 18, "font-size": 11 } },
      { selector: "edge", style: { "width": 1.5, "line-color": function (e) { return STATE[e.data("state")]; } } }
    ],
    layout: { name: "breadthfirst", directed: true, roots: sites.filter(function (s) { return !s.uplink; }).map(function (s) { return "#" + s.code; }), padding: 10 }
  });
})();
