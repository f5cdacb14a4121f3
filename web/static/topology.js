// A site's devices and cables with the vendored Cytoscape; the page's tables hold the same data.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("graph-data").textContent);
  var colour = function (node) {
    var up = node.data("reachable");
    return up === true ? "#15803d" : up === false ? "#b91c1c" : "#64748b";
  };
  var elements = data.nodes.map(function (n) {
    return { data: { id: n.id, label: n.id, kind: n.kind, reachable: n.reachable } };
  }).concat(data.edges.map(function (e, i) {
    return { data: { id: "e" + i, source: e.source, target: e.target, label: e.label } };
  }));
  window.siteGraph = cytoscape({
    container: document.getElementById("site-graph"),
    elements: elements,
    style: [
      { selector: "node", style: { "background-color": colour, "label": "data(label)",
        "font-size": 11, "color": "#111827", "text-valign": "bottom" } },
      { selector: "edge", style: { "width": 2, "line-color": "#475569", "label": "data(label)",
        "font-size": 9, "color": "#374151", "curve-style": "bezier" } }
    ],
    layout: { name: "breadthfirst", directed: false, padding: 20, spacingFactor: 1.2 }
  });
})();
