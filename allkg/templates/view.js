"use strict";
(function () {
  // Everything from the data is written with textContent or as DOM properties, never as HTML.
  const data = JSON.parse(document.getElementById("allkg-data").textContent);
  const kinds = data.kinds;
  const nodeIdsByKind = kinds.map(() => []);
  const nodeRows = data.nodes;
  const FONT = "DejaVu Sans, Verdana, Arial, sans-serif";
  const overview = data.focus === null && !data.large && nodeRows.length > 60;  // a whole graph: labels by level of detail
  // Large graphs: the whole-graph first frame is too zoomed out for node labels to be drawn, yet vis-network
  // would lay out every one of them; they are added with the edges, right after that frame.
  const nodes = new vis.DataSet(nodeRows.map(function (row, id) {
    nodeIdsByKind[row[1]].push(id);
    const kind = kinds[row[1]];
    const node = { id: id, label: data.large ? undefined : (data.wrapped[id] || row[0]), group: kind.kind, x: row[2], y: row[3],
                   title: row[0] + " (" + kind.legend + ")" };
    if (id === data.focus) { node.size = 22; node.font = { size: 17, face: FONT, bold: true }; }
    else if (overview) node.value = data.degrees[id];  // hubs drawn larger, and labelled first (level of detail)
    return node;
  }));
  // Neighbourhoods: each section's heading, placed by the layout like a node so that nothing covers it.
  data.headings.forEach(function (heading, i) {
    nodes.add({ id: "heading-" + i, heading: true, label: heading[0], x: heading[1], y: heading[2], shape: "text",
                font: { size: 12, face: FONT, color: "#333", bold: true, strokeWidth: 4, strokeColor: "#fff" }, chosen: false });
  });
  // Large graphs: edge labels and tooltips cost seconds to lay out, so they appear for the selected node only.
  function edgeLabel(row) { return data.predicates[row[2]]; }
  const edgeItems = data.edges.map(function (row, id) {
    // Edge labels crowd the picture: they are drawn for the hovered edge and the selected node's edges.
    return { id: id, from: row[0], to: row[1] };
  });
  // Large graphs: vis-network spends most of its start-up building one object per edge. So the first
  // frame draws the edges itself, as one canvas path, and hands them all to vis-network right after it
  // (in one call: every added batch costs a full redraw, about half a second at 10,000 nodes).
  let edgesPending = data.large;  // and node labels
  const edges = new vis.DataSet(edgesPending ? [] : edgeItems);
  // The whole graph draws every kind as a marker with its label beside it, so that an unlabelled node
  // (labels come with zoom) is not an empty box; the legend draws the same shapes.
  const MARKERS = { box: "square", ellipse: "dot", circle: "dot", database: "square", text: "dot" };
  function shapeOf(kind) { return overview ? (MARKERS[kind.shape] || kind.shape) : kind.shape; }
  const groups = {};
  kinds.forEach(function (kind) {
    groups[kind.kind] = { shape: shapeOf(kind), color: { background: kind.colour, border: "#00000099",
      highlight: { background: kind.colour, border: "#000" }, hover: { background: kind.colour, border: "#000" } } };
  });
  const options = {
    groups: groups,
    physics: { enabled: false },
    layout: { improvedLayout: false },
    nodes: { font: { size: 14, face: FONT, color: "#1a1a1a", strokeWidth: 3, strokeColor: "#ffffffcc" }, borderWidth: 1, size: 14,
             scaling: { min: 10, max: 30, label: { enabled: false } } },
    edges: { smooth: false, arrows: { to: { enabled: true, scaleFactor: 0.5 } }, color: { color: "#9e9e9e", highlight: "#333" },
             font: { size: 10, color: "#555", strokeWidth: 3, align: "middle" } },
    interaction: { hover: !data.large, hoverConnectedEdges: false, tooltipDelay: 300, hideEdgesOnDrag: data.large, hideEdgesOnZoom: data.large },
  };
  const container = document.getElementById("graph");
  window.allkgTimings = { dataReady: performance.now() };
  const network = new vis.Network(container, { nodes: nodes, edges: edges }, options);
  window.allkgTimings.networkBuilt = performance.now();
  window.network = network;
  const hiddenKinds = kinds.map(function () { return false; });
  function drawPendingEdges(ctx) {
    if (!edgesPending) return;
    const positions = network.getPositions();
    ctx.beginPath();
    data.edges.forEach(function (row) {
      if (hiddenKinds[nodeRows[row[0]][1]] || hiddenKinds[nodeRows[row[1]][1]]) return;
      const from = positions[row[0]], to = positions[row[1]];
      ctx.moveTo(from.x, from.y); ctx.lineTo(to.x, to.y);
    });
    ctx.strokeStyle = "#9e9e9e"; ctx.lineWidth = 1; ctx.stroke();
  }
  function loadEdges() {
    edgesPending = false;
    network.off("beforeDrawing", drawPendingEdges);
    nodes.update(nodeRows.map(function (row, id) { return { id: id, label: row[0] }; }));
    edges.add(edgeItems);
    const selected = network.getSelectedNodes();
    if (selected.length) { network.selectNodes(selected); labelEdges(network.getSelectedEdges()); }
    window.allkgEdgesLoaded = performance.now();
  }
  if (edgesPending) network.on("beforeDrawing", drawPendingEdges);
  else window.allkgEdgesLoaded = performance.now();
  network.once("afterDrawing", function () {
    // Fit once the labels have been measured (the first frame measures them), so that no label is cut off.
    network.fit({ animation: false, maxZoomLevel: 1.3 });
    declutter();
    window.allkgReady = performance.now(); document.body.dataset.ready = "true";
    if (edgesPending) setTimeout(loadEdges, 0);
  });

  function el(tag, text, className) {
    const element = document.createElement(tag);
    if (text !== undefined && text !== null) element.textContent = String(text);
    if (className) element.className = className;
    return element;
  }
  function safeLink(url, text) {
    // Only plain web links become anchors; anything else (javascript:, data:) stays text.
    if (!/^https?:\/\//i.test(url)) return el("span", text);
    const a = el("a", text);
    a.href = url; a.target = "_blank"; a.rel = "noopener noreferrer";
    return a;
  }
  function details(row) { return row[4] || {}; }
  let edgesByNode = null;  // built on first use, from the data: edges still loading count too
  function edgesOf(id) {
    if (edgesByNode === null) {
      edgesByNode = nodeRows.map(function () { return []; });
      data.edges.forEach(function (row, edgeId) {
        edgesByNode[row[0]].push(edgeId);
        if (row[1] !== row[0]) edgesByNode[row[1]].push(edgeId);
      });
    }
    return edgesByNode[id];
  }
  function section(panel, heading, items) {
    if (!items.length) return;
    panel.appendChild(el("h3", heading));
    const list = el("ul");
    items.forEach(function (item) { const li = el("li"); li.appendChild(item); list.appendChild(li); });
    panel.appendChild(list);
  }
  function sourceItem(id) {
    const source = data.sources[id] || {};
    return safeLink(source.url || "", source.label || id);
  }
  function statementItems(statements) {
    return (statements || []).map(function (statement) {
      const span = el("span");
      Object.keys(statement.qualifiers || {}).forEach(function (name) {
        span.appendChild(el("div", name + ": " + statement.qualifiers[name]));
      });
      (statement.sources || []).forEach(function (id) {
        const line = el("div", "source: ", "muted"); line.appendChild(sourceItem(id)); span.appendChild(line);
      });
      (statement.sections || []).forEach(function (name) { span.appendChild(el("div", "section: " + name, "muted")); });
      return span;
    });
  }
  function nodeButton(id) {
    const button = el("button", nodeRows[id][0], "link-button");
    button.type = "button";
    button.addEventListener("click", function () { focusNode(id); });
    return button;
  }
  function showNode(id) {
    const row = nodeRows[id], info = details(row), panel = document.getElementById("details");
    panel.replaceChildren();
    panel.appendChild(el("h2", row[0]));
    if (data.links && data.links[id]) {  // the static site: every entity has a page
      const open = el("a", "Open the page of " + row[0]);
      open.href = data.links[id]; open.target = "_top";
      const p = el("p"); p.appendChild(open); panel.appendChild(p);
    }
    panel.appendChild(el("div", kinds[row[1]].legend + (info.classes ? " · " + info.classes.join(", ") : ""), "muted"));
    panel.appendChild(el("div", info.id, "muted"));
    if (info.description) panel.appendChild(el("p", info.description));
    section(panel, "Synonyms", (info.synonyms || []).map(function (s) { return el("span", s); }));
    section(panel, "Identifiers", (info.identifiers || []).map(function (identifier) {
      return safeLink(identifier.iri, identifier.curie + (identifier.match === "close" ? " (close match)" : ""));
    }));
    section(panel, "Facts", edgesOf(id).map(function (edgeId) {
      const edge = data.edges[edgeId], span = el("span");
      const outgoing = edge[0] === id;
      span.appendChild(el("span", outgoing ? data.predicates[edge[2]] + " → " : "← " + data.predicates[edge[2]] + " ← "));
      span.appendChild(nodeButton(outgoing ? edge[1] : edge[0]));
      statementItems(data.details[edge[3]]).forEach(function (item) { item.className = "muted"; span.appendChild(item); });
      return span;
    }));
    section(panel, "Values", (info.attributes || []).map(function (attribute) {
      const span = el("span", attribute.label + ": " + attribute.value);
      statementItems(attribute.statements).forEach(function (item) { item.className = "muted"; span.appendChild(item); });
      return span;
    }));
    section(panel, "Sources", (info.sources || []).map(sourceItem));
    if (info.iri) { const p = el("p", "", "muted"); p.appendChild(safeLink(info.iri, info.iri)); panel.appendChild(p); }
  }
  function showEdge(edgeId) {
    const edge = data.edges[edgeId], panel = document.getElementById("details");
    panel.replaceChildren();
    const heading = el("h2");
    heading.appendChild(nodeButton(edge[0]));
    heading.appendChild(el("span", " " + data.predicates[edge[2]] + " "));
    heading.appendChild(nodeButton(edge[1]));
    panel.appendChild(heading);
    section(panel, "Statements", statementItems(data.details[edge[3]]));
  }
  let labelled = [];
  function labelEdges(edgeIds) {
    edges.update(labelled.map(function (id) { return { id: id, label: undefined }; }));
    labelled = edgeIds.slice(0, 500);
    edges.update(labelled.map(function (id) { return { id: id, label: edgeLabel(data.edges[id]) }; }));
  }
  function setKindVisible(kindIndex, visible) {
    hiddenKinds[kindIndex] = !visible;
    nodes.update(nodeIdsByKind[kindIndex].map(function (id) { return { id: id, hidden: !visible }; }));
    document.querySelector('#legend input[data-kind="' + kindIndex + '"]').checked = visible;
  }
  // The whole graph: labels by level of detail. At every zoom, labels are given out from the largest hub
  // down, each only where it overlaps no label already given, and drawn at one size on screen.
  const measure = document.createElement("canvas").getContext("2d");
  const byDegree = nodeRows.map(function (row, id) { return id; }).sort(function (a, b) { return data.degrees[b] - data.degrees[a] || a - b; });
  let declutterPending = false;
  let pinned = [];  // the selected node and its neighbours: always labelled
  function pin(id) {
    pinned = id === null ? [] : [id].concat(network.getConnectedNodes(id).filter(function (n) { return typeof n === "number"; }));
    declutter();
  }
  function declutter() {
    if (!overview) return;
    const scale = network.getScale(), positions = network.getPositions(), shown = [], updates = [];
    const width = container.clientWidth, height = container.clientHeight, fontPx = 13;
    measure.font = fontPx + "px " + FONT;
    const first = new Set(pinned);
    pinned.concat(byDegree.filter(function (id) { return !first.has(id); })).forEach(function (id) {
      const label = nodeRows[id][0], p = network.canvasToDOM(positions[id]), w = measure.measureText(label).width + 6;
      const radius = (10 + 20 * Math.min(1, data.degrees[id] / 30)) * scale;
      const box = [p.x - w / 2, p.y + radius, p.x + w / 2, p.y + radius + fontPx * 1.4];
      const fits = first.has(id) || box[0] >= 0 && box[2] <= width && box[1] >= 0 && box[3] <= height && !nodes.get(id).hidden &&
        !shown.some(function (b) { return box[0] < b[2] && b[0] < box[2] && box[1] < b[3] && b[1] < box[3]; });
      if (fits) shown.push(box);
      updates.push({ id: id, label: fits ? label : undefined, font: { size: fontPx / scale } });
    });
    nodes.update(updates);
    window.allkgLabelled = shown.length;
  }
  if (overview) network.on("zoom", function () {
    if (declutterPending) return;
    declutterPending = true;
    requestAnimationFrame(function () { declutterPending = false; declutter(); });
  });
  if (overview) network.on("dragEnd", declutter);
  // Search and selection: the node and its neighbours stay bright, the rest fades.
  let dimmed = false;
  function highlight(id) {
    const near = new Set(id === null ? [] : network.getConnectedNodes(id).concat([id]));
    if (id === null && !dimmed) return;
    dimmed = id !== null;
    nodes.update(nodeRows.map(function (row, n) { return { id: n, opacity: id === null || near.has(n) ? 1 : 0.15 }; }));
    if (!edgesPending && data.edges.length <= 20000) {  // fade the other edges too, where that stays quick
      edges.update(data.edges.map(function (row, e) {
        return { id: e, color: { opacity: id === null || row[0] === id || row[1] === id ? 1 : 0.08 } };
      }));
    }
  }
  function focusNode(id) {
    const kindIndex = nodeRows[id][1];
    if (nodes.get(id) === null) network.openCluster("kind-" + kindIndex);
    if (nodes.get(id).hidden) setKindVisible(kindIndex, true);
    network.selectNodes([id]);
    highlight(id);
    labelEdges(network.getSelectedEdges());
    network.focus(id, { scale: Math.max(network.getScale(), 1.2), animation: false });
    if (overview) pin(id);  // after the zoom: labels are sized for it
    showNode(id);
  }
  function search(query) {
    const wanted = query.trim().toLowerCase();
    if (!wanted) return [];
    const ranked = [];
    nodeRows.forEach(function (row, id) {
      const label = row[0].toLowerCase();
      const synonyms = (details(row).synonyms || []).concat(details(row).hidden_synonyms || []).map(function (s) { return s.toLowerCase(); });
      let rank = -1;
      if (label === wanted) rank = 0;
      else if (synonyms.indexOf(wanted) >= 0) rank = 1;
      else if (label.startsWith(wanted)) rank = 2;
      else if (synonyms.some(function (s) { return s.startsWith(wanted); })) rank = 3;
      else if (label.indexOf(wanted) >= 0 || synonyms.some(function (s) { return s.indexOf(wanted) >= 0; })) rank = 4;
      if (rank >= 0) ranked.push([rank, row[0].length, id]);
    });
    ranked.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1] || a[2] - b[2]; });
    return ranked.slice(0, 12).map(function (entry) { return entry[2]; });
  }

  document.getElementById("counts").textContent = nodeRows.length + " nodes, " + data.edges.length + " edges";
  const legend = document.getElementById("legend");
  const SVG = "http://www.w3.org/2000/svg";
  function shapeIcon(kind) {
    // The legend draws each kind in the shape and colour the network draws it.
    const svg = document.createElementNS(SVG, "svg"), points = {
      diamond: "8,1 15,8 8,15 1,8", triangle: "8,1 15,14 1,14", triangleDown: "1,2 15,2 8,15",
      hexagon: "4,1.5 12,1.5 15.5,8 12,14.5 4,14.5 0.5,8", star: "8,0.5 10,6 15.5,6 11,9.5 12.8,15 8,11.6 3.2,15 5,9.5 0.5,6 6,6" };
    svg.setAttribute("viewBox", "0 0 16 16"); svg.setAttribute("width", "16"); svg.setAttribute("height", "16");
    svg.setAttribute("aria-hidden", "true");
    let shape;
    const drawn = shapeOf(kind);
    if (points[drawn]) { shape = document.createElementNS(SVG, "polygon"); shape.setAttribute("points", points[drawn]); }
    else if (drawn === "dot" || drawn === "circle") {
      shape = document.createElementNS(SVG, "circle"); shape.setAttribute("cx", "8"); shape.setAttribute("cy", "8"); shape.setAttribute("r", "6.5");
    } else if (drawn === "ellipse") {
      shape = document.createElementNS(SVG, "ellipse"); shape.setAttribute("cx", "8"); shape.setAttribute("cy", "8"); shape.setAttribute("rx", "7.5"); shape.setAttribute("ry", "5");
    } else {
      shape = document.createElementNS(SVG, "rect"); shape.setAttribute("x", "1"); shape.setAttribute("y", drawn === "square" ? "1" : "3.5");
      shape.setAttribute("width", "14"); shape.setAttribute("height", drawn === "square" ? "14" : "9");
      if (drawn === "box") shape.setAttribute("rx", "2");
    }
    shape.setAttribute("fill", kind.colour); shape.setAttribute("stroke", "#000"); shape.setAttribute("stroke-opacity", "0.6");
    svg.appendChild(shape);
    return svg;
  }
  function toggleCluster(kindIndex, button) {
    const id = "kind-" + kindIndex, kind = kinds[kindIndex];
    if (network.isCluster(id)) { network.openCluster(id); button.textContent = "collapse"; return; }
    network.cluster({ joinCondition: function (node) { return node.group === kind.kind && !node.heading; },
      clusterNodeProperties: { id: id, label: kind.legend + " (" + kind.count + ")", shape: kind.shape === "dot" ? "dot" : kind.shape,
        size: 26, color: { background: kind.colour, border: "#000" }, font: { size: 16, face: FONT, bold: true } } });
    button.textContent = "expand";
  }
  kinds.forEach(function (kind, kindIndex) {
    const row = el("div", "", "kind"), label = el("label"), box = el("input");
    box.type = "checkbox"; box.checked = true; box.dataset.kind = String(kindIndex);
    box.addEventListener("change", function () { setKindVisible(kindIndex, box.checked); });
    label.appendChild(box); label.appendChild(shapeIcon(kind)); label.appendChild(el("span", kind.legend + " (" + kind.count + ")"));
    row.appendChild(label);
    if (kind.count > 1 && !data.large) {
      const button = el("button", "collapse", "link-button cluster");
      button.type = "button"; button.title = "Collapse all " + kind.legend + " nodes into one, or expand them again";
      button.addEventListener("click", function () { toggleCluster(kindIndex, button); });
      row.appendChild(button);
    }
    legend.appendChild(row);
  });
  const input = document.getElementById("search"), results = document.getElementById("results");
  input.addEventListener("input", function () {
    results.replaceChildren();
    search(input.value).forEach(function (id) { results.appendChild(nodeButton(id)); });
  });
  input.addEventListener("keydown", function (event) {
    if (event.key !== "Enter") return;
    const found = search(input.value);
    if (found.length) focusNode(found[0]);
  });
  network.on("select", function (params) { labelEdges(params.edges); });
  network.on("doubleClick", function (params) {
    const node = params.nodes[0];
    if (typeof node === "number" && data.links && data.links[node]) window.open(data.links[node], "_top");
  });
  network.on("hoverEdge", function (params) {
    if (labelled.indexOf(params.edge) < 0) edges.update({ id: params.edge, label: edgeLabel(data.edges[params.edge]) });
  });
  network.on("blurEdge", function (params) {
    if (labelled.indexOf(params.edge) < 0) edges.update({ id: params.edge, label: undefined });
  });
  network.on("click", function (params) {
    const node = params.nodes[0];
    if (typeof node === "string" && network.isCluster(node)) { network.openCluster(node); highlight(null); return; }
    if (typeof node === "number") { showNode(node); highlight(node); if (overview) pin(node); }
    else if (params.edges.length && !params.nodes.length) showEdge(params.edges[0]);
    else if (!params.nodes.length) { highlight(null); if (overview) pin(null); }
  });
  // A neighbourhood opens with its centre described but not selected: selecting it would label every edge at once.
  if (data.focus !== null && data.focus !== undefined) showNode(data.focus);
  window.allkgView = { nodes: nodes, edges: edges, data: data, search: search, focusNode: focusNode, setKindVisible: setKindVisible };
})();
