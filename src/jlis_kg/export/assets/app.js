/* jlis-kg interactive graph page. Data: the JSON in #graph-data (see export/html.py).
 * No network access: everything the page needs is inlined. */
(function () {
  "use strict";
  const DATA = JSON.parse(document.getElementById("graph-data").textContent);
  const $ = (id) => document.getElementById(id);
  const esc = (s) => String(s == null ? "" : s).replace(/[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  const norm = (s) => String(s || "").normalize("NFKC").toLowerCase().replace(/\s+/g, "");
  const ID_PREFIX = "https://w3id.org/jlis-kg/id/";
  const short = (iri) => iri.startsWith(ID_PREFIX) ? iri.slice(ID_PREFIX.length) : iri;

  const nodes = new Map(DATA.nodes.map((n) => [n.id, n]));
  const edges = new Map(DATA.edges.map((e) => [e.id, e]));
  const years = DATA.years;
  const kindOrder = Object.keys(DATA.kinds);
  const relationOrder = Object.keys(DATA.relations);
  const edgesOf = new Map();
  for (const e of DATA.edges) {
    for (const end of [e.source, e.target]) {
      if (!edgesOf.has(end)) edgesOf.set(end, []);
      edgesOf.get(end).push(e);
    }
  }
  const children = new Map();
  for (const n of DATA.nodes) {
    if (n.parent) {
      if (!children.has(n.parent)) children.set(n.parent, []);
      children.get(n.parent).push(n.id);
    }
  }
  const depthOf = (n) => { let d = 0, p = n.parent; while (p && nodes.has(p)) { d++; p = nodes.get(p).parent; } return d; };

  const defaults = () => ({
    year: "all", compare: false, from: years[0], to: years[years.length - 1],
    kinds: new Set(kindOrder), relations: new Set(relationOrder), containment: false,
  });
  let state = defaults();

  // ───────────── Cytoscape ─────────────
  const elements = [];
  for (const n of DATA.nodes) {
    const el = {
      group: "nodes",
      data: { id: n.id, display: n.display, kind: n.kind, w: n.w, h: n.h, minw: n.minw || 0 },
      classes: "k-" + n.kind + (n.cluster ? " cluster d" + Math.min(depthOf(n), 4) : "") + (n.shelf ? " shelf" : ""),
    };
    if (n.parent && nodes.has(n.parent)) el.data.parent = n.parent;
    if (n.x != null) el.position = { x: n.x, y: n.y };
    elements.push(el);
  }
  const cssClass = (r) => "r-" + r.replace(/[^A-Za-z0-9]/g, "_");
  for (const e of DATA.edges) {
    const rel = DATA.relations[e.relation];
    elements.push({
      group: "edges",
      data: { id: e.id, source: e.source, target: e.target, label: rel.labelled ? rel.ja : "" },
      classes: cssClass(e.relation),
    });
  }
  const clusterFill = ["#fafafa", "#f2f6fa", "#e9eff6", "#e1e9f2", "#d9e3ee"];
  const style = [
    { selector: "node", style: {
      "label": "data(display)", "text-wrap": "wrap", "text-valign": "center", "text-halign": "center",
      "font-family": DATA.font, "font-size": 12, "line-height": 1.25, "color": "#1f2328",
      "width": "data(w)", "height": "data(h)", "border-width": 1.5, "text-max-width": 600,
      "min-zoomed-font-size": 5,
    } },
  ];
  for (const [kind, k] of Object.entries(DATA.kinds)) {
    style.push({ selector: "node.k-" + kind, style: {
      "background-color": k.fill, "border-color": k.border, "shape": k.shape } });
  }
  style.push({ selector: "node.cluster", style: {
    "shape": "round-rectangle", "border-color": "#7b8794", "border-width": 1.2, "background-opacity": 0.9,
    "text-valign": "top", "text-halign": "center", "text-margin-y": -2, "font-size": 20, "font-weight": "bold",
    "padding": 14, "text-wrap": "none", "color": "#24292f", "min-zoomed-font-size": 3,
    "min-width": "data(minw)",
  } });
  clusterFill.forEach((fill, d) => style.push({ selector: "node.cluster.d" + d, style: { "background-color": fill } }));

  style.push({ selector: "edge", style: {
    "curve-style": "bezier", "arrow-scale": 0.9, "label": "data(label)", "font-family": DATA.font,
    "font-size": 10, "text-rotation": "autorotate", "text-background-color": "#ffffff",
    "text-background-opacity": 0.85, "text-background-padding": 1, "min-zoomed-font-size": 6,
  } });
  for (const [relation, r] of Object.entries(DATA.relations)) {
    style.push({ selector: "edge." + cssClass(relation), style: {
      "line-color": r.color, "target-arrow-color": r.color, "target-arrow-shape": r.arrow,
      "target-arrow-fill": r.fill || "filled", "line-style": r.line, "width": r.width, "color": r.color } });
  }
  for (const [change, c] of Object.entries(DATA.changes)) {
    style.push({ selector: "node.ch-" + change, style: {
      "background-color": c.fill, "border-color": c.color, "border-width": change === "kept" ? 1.5 : 3.5 } });
    style.push({ selector: "edge.ch-" + change, style: {
      "line-color": c.color, "target-arrow-color": c.color, "color": c.color } });
  }
  for (const [change, c] of Object.entries(DATA.changes)) {  // a box keeps its colour: only its border changes
    style.push({ selector: "node.cluster.ch-" + change, style: {
      "border-color": c.color, "border-width": change === "kept" ? 1.2 : 3 } });
  }
  clusterFill.forEach((fill, d) => style.push({ selector: "node.cluster.d" + d + "[kind]", style: { "background-color": fill } }));
  style.push({ selector: "node.shelf", style: {
    "background-color": "#ffffff", "border-color": "#c9d1d9", "border-style": "dashed", "color": "#57606a",
    "font-weight": "normal", "events": "no" } });
  style.push(
    { selector: "node.ch-removed", style: { "border-style": "dashed" } },
    { selector: "edge.ch-removed", style: { "line-style": "dashed" } },
    { selector: "edge.ch-added", style: { "width": 3 } },
    { selector: ".ghost", style: { "border-style": "dashed", "background-opacity": 0.25, "color": "#8c959f" } },
    { selector: ".faded", style: { "opacity": 0.18 } },
    { selector: "node.match", style: { "border-color": "#d97706", "border-width": 4, "opacity": 1 } },
    { selector: "node:selected", style: { "border-color": "#1f6feb", "border-width": 4, "overlay-opacity": 0 } },
    { selector: "edge:selected", style: { "width": 4, "line-color": "#1f6feb", "target-arrow-color": "#1f6feb", "overlay-opacity": 0 } },
    { selector: ".neighbour", style: { "opacity": 1 } },
    { selector: ".hidden", style: { "display": "none" } },
  );

  const cy = cytoscape({
    container: $("graph"), elements, style, layout: DATA.positions === "graphviz" ? { name: "preset" } : { name: "cose", animate: false },
    minZoom: 0.03, maxZoom: 4, wheelSensitivity: 0.25, boxSelectionEnabled: false, selectionType: "single",
    pixelRatio: "auto",
  });

  // ───────────── filters ─────────────
  const own = new Map();   // node → shown in its own right
  const shown = new Map(); // node → drawn (own, or as the box of something shown)
  const inYear = (n, y) => n.years.includes(y);
  const edgeInYear = (e, y) => e.years.includes(y) || (e.curated && inYear(nodes.get(e.source), y) && inYear(nodes.get(e.target), y));
  const nodeChange = (n) => {
    const a = inYear(n, state.from), b = inYear(n, state.to);
    return a && b ? "kept" : b ? "added" : a ? "removed" : null;
  };
  const edgeChange = (e) => {
    const a = edgeInYear(e, state.from), b = edgeInYear(e, state.to);
    return a && b ? "kept" : b ? "added" : a ? "removed" : null;
  };

  function ownVisible(n) {
    if (!state.kinds.has(n.kind)) return false;
    if (state.compare) return nodeChange(n) !== null;
    return state.year === "all" || inYear(n, state.year);
  }

  // ele.visible(), not the ":visible" selector: Cytoscape caches selector matches, and right
  // after a filter change ":visible" can still answer with what was shown before.
  const shownElements = () => cy.elements().filter((el) => el.visible());

  function applyFilters() {
    const byDepth = [...DATA.nodes].sort((a, b) => depthOf(b) - depthOf(a));
    for (const n of DATA.nodes) own.set(n.id, ownVisible(n));
    for (const n of byDepth) {
      const kids = children.get(n.id) || [];
      shown.set(n.id, own.get(n.id) || kids.some((k) => shown.get(k)));
    }
    let nodeCount = 0, edgeCount = 0;
    const counts = { added: 0, removed: 0, kept: 0 };
    cy.batch(() => {
      for (const n of DATA.nodes) {
        const el = cy.getElementById(n.id);
        el.removeClass("ch-added ch-removed ch-kept");
        el.toggleClass("hidden", !shown.get(n.id));
        el.toggleClass("ghost", !n.shelf && shown.get(n.id) && !own.get(n.id));
        if (own.get(n.id) && !n.cluster) nodeCount++;
        if (state.compare && own.get(n.id)) {
          const c = nodeChange(n);
          el.addClass("ch-" + c);
          if (!n.cluster) counts[c]++;
        }
      }
      for (const e of DATA.edges) {
        const el = cy.getElementById(e.id);
        el.removeClass("ch-added ch-removed ch-kept");
        let visible = state.relations.has(e.relation) && (!e.containment || state.containment)
          && own.get(e.source) && own.get(e.target);
        if (visible && state.compare) {
          const c = edgeChange(e);
          visible = c !== null;
          if (visible) el.addClass("ch-" + c);
        } else if (visible && state.year !== "all") {
          visible = edgeInYear(e, state.year);
        }
        el.toggleClass("hidden", !visible);
        if (visible) edgeCount++;
      }
    });
    const status = $("status");
    status.dataset.visibleNodes = nodeCount;
    status.dataset.visibleEdges = edgeCount;
    status.dataset.year = state.compare ? state.from + "-" + state.to : state.year;
    const scope = state.compare ? `FY${state.from} → FY${state.to}` : state.year === "all" ? "全年度 all years" : `FY${state.year}`;
    status.textContent = `${scope}: ${nodeCount} 件の実体 entities, ${edgeCount} 本の関係 relations`;
    if (state.compare) {
      $("change-legend").innerHTML = ["added", "removed", "kept"].map((c) => {
        const ch = DATA.changes[c];
        return `<label><span></span><span class="swatch" style="background:${ch.fill};border-color:${ch.color}"></span>` +
          `<span>${esc(ch.ja)} <span class="en">${esc(ch.en)}</span></span><span class="count">${counts[c]}</span></label>`;
      }).join("");
    }
    if (current) show(current);
    writeHash();
  }

  // ───────────── sidebar ─────────────
  function buildSidebar() {
    const yearBox = $("years");
    const option = (value, text) => `<label><input type="radio" name="year" value="${value}"> ${text}</label>`;
    yearBox.innerHTML = option("all", "全年度 <span class=\"en\">All</span>") + years.map((y) => option(y, "FY" + y)).join("");
    yearBox.addEventListener("change", (ev) => {
      if (ev.target.name !== "year") return;
      state.year = ev.target.value === "all" ? "all" : Number(ev.target.value);
      state.compare = false;
      $("compare").checked = false;
      $("compare-row").hidden = true;
      $("change-legend").hidden = true;
      applyFilters();
    });
    for (const id of ["compare-from", "compare-to"]) {
      $(id).innerHTML = years.map((y) => `<option value="${y}">FY${y}</option>`).join("");
      $(id).addEventListener("change", () => {
        state.from = Number($("compare-from").value);
        state.to = Number($("compare-to").value);
        applyFilters();
      });
    }
    $("compare").addEventListener("change", (ev) => setCompare(ev.target.checked));

    $("kinds").innerHTML = Object.entries(DATA.kinds).filter(([kind, k]) => k.count > 0).map(([kind, k]) =>
      `<label><input type="checkbox" data-kind="${kind}" checked>` +
      `<span class="swatch" style="background:${k.fill};border-color:${k.border}"></span>` +
      `<span>${esc(k.ja)} <span class="en">${esc(k.en)}</span></span><span class="count">${k.count}</span></label>`).join("");
    $("kinds").addEventListener("change", (ev) => {
      const kind = ev.target.dataset.kind;
      if (ev.target.checked) state.kinds.add(kind); else state.kinds.delete(kind);
      applyFilters();
    });
    const listed = Object.entries(DATA.kinds).filter(([kind, k]) => k.count === 0);
    $("panel-only").innerHTML = listed.length ?
      `${listed.map(([kind, k]) => esc(k.ja)).join("・")}は図に描かず、関係する実体の詳細に一覧します。` +
      `<span class="en"> ${listed.map(([kind, k]) => esc(k.en) + "s").join(", ")} are listed in the details of the entities they relate to.</span>` : "";

    const dash = { solid: "", dashed: "6 4", dotted: "2 3" };
    $("relations").innerHTML = Object.entries(DATA.relations).filter(([relation, r]) => r.count > 0).map(([relation, r]) =>
      `<label title="${esc(relation)}"><input type="checkbox" data-relation="${esc(relation)}" checked>` +
      `<svg viewBox="0 0 34 14" aria-hidden="true"><line x1="1" y1="7" x2="27" y2="7" stroke="${r.color}" ` +
      `stroke-width="${Math.max(1.5, r.width)}" stroke-dasharray="${dash[r.line] || ""}"/>` +
      `<path d="M26 2 L33 7 L26 12 Z" fill="${r.fill === "hollow" ? "#fff" : r.color}" stroke="${r.color}"/></svg>` +
      `<span>${esc(r.ja)} <span class="en">${esc(r.en)}</span></span><span class="count">${r.count}</span></label>`).join("");
    $("relations").addEventListener("change", (ev) => {
      const relation = ev.target.dataset.relation;
      if (ev.target.checked) state.relations.add(relation); else state.relations.delete(relation);
      applyFilters();
    });
    $("containment").addEventListener("change", (ev) => { state.containment = ev.target.checked; applyFilters(); });
    $("fit").addEventListener("click", () => cy.fit(shownElements(), 30));
    $("reset").addEventListener("click", reset);
    $("save-png").addEventListener("click", savePng);
    $("sources").innerHTML = "出典 Sources: " + Object.entries(DATA.documents).map(([id, d]) =>
      `<span title="${esc(d.file)}">${esc(id)}</span>`).join(", ") + ` · ${esc(DATA.generated)}`;
    syncControls();
  }

  function syncControls() {
    for (const input of document.querySelectorAll("input[name=year]")) {
      input.checked = !state.compare && String(state.year) === input.value;
    }
    $("compare").checked = state.compare;
    $("compare-row").hidden = !state.compare;
    $("change-legend").hidden = !state.compare;
    $("compare-from").value = String(state.from);
    $("compare-to").value = String(state.to);
    for (const input of document.querySelectorAll("[data-kind]")) input.checked = state.kinds.has(input.dataset.kind);
    for (const input of document.querySelectorAll("[data-relation]")) input.checked = state.relations.has(input.dataset.relation);
    $("containment").checked = state.containment;
  }

  function setYear(year) {
    state.year = year === "all" ? "all" : Number(year);
    state.compare = false;
    syncControls();
    applyFilters();
  }

  function setCompare(on, from, to) {
    state.compare = on;
    if (from != null) state.from = Number(from);
    if (to != null) state.to = Number(to);
    syncControls();
    applyFilters();
  }

  // The first view: the graph itself, without the shelves of entities that have no relation.
  function fitMain() {
    const main = shownElements().filter((el) => !el.hasClass("shelf") && !(el.isNode() && el.parent().hasClass("shelf")));
    cy.fit(main.nonempty() ? main : shownElements(), 20);
  }

  function reset() {
    state = defaults();
    $("search").value = "";
    clearSearch();
    current = null;
    cy.elements().unselect();
    $("details").innerHTML = placeholder;
    syncControls();
    applyFilters();
    fitMain();
  }

  function savePng() {
    const blob = cy.png({ output: "blob", full: true, scale: 2, bg: "#ffffff" });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = "jlis-graph.png";
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  }

  // ───────────── search ─────────────
  const index = DATA.nodes.filter((n) => !n.shelf).map((n) => ({ id: n.id, keys: [n.label_ja, n.label_en, ...n.aliases].filter(Boolean).map(norm) }));
  $("search-names").innerHTML = [...new Set(DATA.nodes.filter((n) => !n.shelf).flatMap((n) => [n.label_ja, n.label_en, ...n.aliases]).filter(Boolean))]
    .sort().map((name) => `<option value="${esc(name)}"></option>`).join("");

  function findNodes(query) {
    const q = norm(query);
    if (!q) return [];
    const scored = [];
    for (const item of index) {
      let best = null;
      for (const key of item.keys) {
        const score = key === q ? 0 : key.startsWith(q) ? 1 : key.includes(q) ? 2 : null;
        if (score !== null && (best === null || score < best)) best = score;
      }
      if (best !== null) scored.push([best, nodes.get(item.id).label_ja.length, item.id]);
    }
    scored.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2].localeCompare(b[2]));
    return scored.map((s) => s[2]);
  }

  // Fading: never a box (a compound node's opacity would fade everything inside it).
  const fadeable = () => cy.elements().filter((el) => !el.hasClass("cluster"));

  function focus(keep) {
    cy.batch(() => {
      cy.elements().removeClass("faded");
      if (keep) fadeable().difference(keep).addClass("faded");
    });
  }

  function clearSearch() {
    cy.elements().removeClass("match");
    focus(null);
    $("search-results").innerHTML = "";
  }

  function runSearch() {
    const found = findNodes($("search").value);
    cy.batch(() => {
      cy.elements().removeClass("match");
      if (!$("search").value.trim()) { focus(null); return; }
      let keep = cy.collection();
      for (const id of found) keep = keep.union(cy.getElementById(id).addClass("match"));
      focus(keep);
    });
    $("search-results").innerHTML = found.slice(0, 15).map((id) => {
      const n = nodes.get(id);
      const k = DATA.kinds[n.kind] || { ja: n.kind };
      return `<li tabindex="0" data-node="${esc(id)}">${esc(n.label_ja)} <span class="en">${esc(n.label_en)} · ${esc(k.ja)}</span></li>`;
    }).join("") + (found.length > 15 ? `<li class="hint">… ${found.length - 15} more</li>` : "") +
      (!found.length && $("search").value.trim() ? `<li class="hint">該当なし no match</li>` : "");
    return found;
  }

  $("search").addEventListener("input", runSearch);
  $("search").addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") {
      const found = runSearch();
      if (found.length) select(found[0]);
    } else if (ev.key === "Escape") {
      $("search").value = "";
      clearSearch();
    }
  });
  $("search-results").addEventListener("click", (ev) => {
    const li = ev.target.closest("[data-node]");
    if (li) select(li.dataset.node);
  });
  $("search-results").addEventListener("keydown", (ev) => {
    const li = ev.target.closest("[data-node]");
    if (li && ev.key === "Enter") select(li.dataset.node);
  });
  document.addEventListener("keydown", (ev) => {
    if (ev.key === "/" && document.activeElement !== $("search")) { ev.preventDefault(); $("search").focus(); }
  });

  // ───────────── details ─────────────
  const placeholder = $("details").innerHTML;
  let current = null;

  const yearChips = (list) => `<div class="chips">${list.map((y) =>
    `<span class="chip${!state.compare && state.year === y ? " on" : ""}">FY${y}</span>`).join("") ||
    '<span class="chip">年度なし no fiscal year (curated)</span>'}</div>`;

  function evidenceList(e) {
    if (!e.evidence.length) {
      return e.curated ? '<p class="curated">キュレーション（参照カタログ）による関係。 Curated: stated by the reference catalogue.</p>' : "";
    }
    const items = e.evidence.map((ev) => {
      const doc = DATA.documents[ev.document] || {};
      const context = ev.context && ev.context !== ev.quote ? `<details><summary class="hint">文脈 context</summary>${esc(ev.context)}</details>` : "";
      return `<li><span class="cite" title="${esc(doc.title || "")} ${esc(doc.file || "")}">${esc(ev.document)}:${esc(ev.line)}</span> ` +
        `<q>${esc(ev.quote)}</q>${context}</li>`;
    }).join("");
    const more = e.evidence_count > e.evidence.length ? `<li class="hint">… ${e.evidence_count - e.evidence.length} more</li>` : "";
    return `<ul class="evidence">${items}${more}</ul>` + (e.curated ? '<p class="curated">参照カタログにもある関係 also in the reference catalogue</p>' : "");
  }

  function edgeVisibleNow(e) {
    const el = cy.getElementById(e.id);
    return el.nonempty() && !el.hasClass("hidden");
  }

  function relationBlock(e, from) {
    const r = DATA.relations[e.relation];
    const outgoing = e.source === from;
    const other = nodes.get(outgoing ? e.target : e.source);
    const otherLink = `<a data-node="${esc(other.id)}">${esc(other.label_ja)}</a>`;
    const name = `<span class="name">${esc(r.ja)}</span> <span class="en">${esc(r.en)}</span>`;
    const also = (e.also || []).map((a) => DATA.relations[a] ? ` <span class="hint">⊂ ${esc(DATA.relations[a].ja)}</span>` : "").join("");
    const head = outgoing ? `—${name}${also}→ ${otherLink}` : `${otherLink} —${name}${also}→`;
    return `<div class="relation${edgeVisibleNow(e) ? "" : " dim"}" style="border-color:${r.color}">` +
      `<div class="head">${head}</div>${yearChips(e.years)}${evidenceList(e)}</div>`;
  }

  function relationSection(ja, en, list, id) {
    if (!list.length) return "";
    return `<h3>関係: ${esc(ja)} <span class="en">Relations ${esc(en)}</span> (${list.length})</h3>` +
      list.map((e) => relationBlock(e, id)).join("");
  }

  // Impact: what depends on an entity, directly or not, by the dependency relations the
  // page holds (jlis:dependsOn and its sub-properties), each with the chain that reaches it.
  const dependencyRelations = new Set(DATA.dependency_relations || []);
  function impactOf(id) {
    const found = new Map([[id, null]]);
    const queue = [id];
    while (queue.length) {
      const target = queue.shift();
      for (const e of edgesOf.get(target) || []) {
        if (e.target !== target || !dependencyRelations.has(e.relation) || found.has(e.source)) continue;
        found.set(e.source, target);
        queue.push(e.source);
      }
    }
    found.delete(id);
    return [...found.keys()].map((node) => {
      const chain = [node];
      while (chain[chain.length - 1] !== id) chain.push(found.get(chain[chain.length - 1]));
      return chain;
    }).sort((a, b) => a.length - b.length);
  }

  function impactSection(id) {
    const chains = impactOf(id);
    if (!chains.length) return "";
    return `<h3>影響 <span class="en">Impact: what stops if it fails</span> (${chains.length})</h3><ul class="projects">` +
      chains.map((chain) => `<li><a class="link" data-node="${esc(chain[0])}">${esc(nodes.get(chain[0]).label_ja)}</a>` +
        (chain.length > 2 ? ` <span class="hint">via ${chain.slice(1, -1).map((n) => esc(nodes.get(n).label_ja)).join(" → ")}</span>` : "") +
        "</li>").join("") + "</ul>";
  }

  function showNode(id) {
    const n = nodes.get(id);
    const k = DATA.kinds[n.kind] || { ja: n.kind, en: n.kind, fill: "#fff", border: "#999" };
    const list = (edgesOf.get(id) || []).slice().sort((a, b) =>
      relationOrder.indexOf(a.relation) - relationOrder.indexOf(b.relation) ||
      (a.source === id ? 0 : 1) - (b.source === id ? 0 : 1) ||
      nodes.get(a.source === id ? a.target : a.source).label_ja.localeCompare(nodes.get(b.source === id ? b.target : b.source).label_ja));
    const note = own.get(id) ? "" : '<p class="hint">この絞り込みでは表示されていません。 Not shown with the current filters.</p>';
    const groups = new Map();
    for (const r of n.related) {
      if (!groups.has(r.kind)) groups.set(r.kind, []);
      groups.get(r.kind).push(r);
    }
    const related = [...groups.entries()].map(([kind, list]) => {
      const k = DATA.kinds[kind] || { ja: kind, en: kind };
      return `<h3>${esc(k.ja)} <span class="en">${esc(k.en)}s</span> (${list.length})</h3><ul class="projects">` +
        list.map((r) => {
          const rel = DATA.relations[r.relation] || { ja: r.relation, en: r.relation };
          const cite = r.evidence[0] ? ` <span class="cite" title="${esc(r.evidence[0].quote)}">${esc(r.evidence[0].document)}:${esc(r.evidence[0].line)}</span>` : "";
          return `<li>${r.years.map((y) => "FY" + y).join(", ")} ${esc(r.label)} <span class="hint">${r.outgoing ? "→" : "←"} ${esc(rel.ja)}</span>${cite}</li>`;
        }).join("") + "</ul>";
    }).join("");
    const mentions = n.mentioned_in.length ? `<h3>言及する文書 <span class="en">Mentioned in</span></h3><ul class="projects">` +
      n.mentioned_in.map((d) => `<li><span class="cite">${esc(d)}</span> ${esc((DATA.documents[d] || {}).title || "")}</li>`).join("") + "</ul>" : "";
    $("details").innerHTML =
      `<h2>${esc(n.label_ja)}</h2><p class="sub">${esc(n.label_en)}</p>` +
      `<p><span class="kind-badge" style="background:${k.fill};border-color:${k.border}">${esc(k.ja)} ${esc(k.en)}</span>` +
      `<span class="hint">${esc(n.type)}</span></p><p class="iri">${esc(n.id)}</p>` + note +
      (n.aliases.length ? `<div class="chips">${n.aliases.map((a) => `<span class="chip">${esc(a)}</span>`).join("")}</div>` : "") +
      yearChips(n.years) + impactSection(id) +
      relationSection("この実体から", "from this entity", list.filter((e) => e.source === id), id) +
      relationSection("この実体へ", "to this entity", list.filter((e) => e.source !== id), id) +
      (list.length ? "" : '<h3>関係 <span class="en">Relations</span></h3><p class="hint">なし none</p>') + related + mentions;
  }

  function showEdge(id) {
    const e = edges.get(id);
    const r = DATA.relations[e.relation];
    const s = nodes.get(e.source), t = nodes.get(e.target);
    $("details").innerHTML =
      `<h2><a class="link" data-node="${esc(s.id)}">${esc(s.label_ja)}</a> → <a class="link" data-node="${esc(t.id)}">${esc(t.label_ja)}</a></h2>` +
      `<p class="sub" style="color:${r.color}"><b>${esc(r.ja)}</b> ${esc(r.en)} <span class="hint">${esc(e.relation)}</span></p>` +
      yearChips(e.years) + `<h3>根拠 <span class="en">Evidence</span> (${e.evidence_count})</h3>` + evidenceList(e);
  }

  function show(target) {
    if (!target) return;
    if (target.startsWith("e") && edges.has(target)) showEdge(target); else if (nodes.has(target)) showNode(target);
  }

  $("details").addEventListener("click", (ev) => {
    const link = ev.target.closest("[data-node],[data-edge]");
    if (!link) return;
    if (link.dataset.node) select(link.dataset.node);
    else selectEdge(link.dataset.edge);
  });

  function select(id) {
    if (!nodes.has(id) || nodes.get(id).shelf) return false;
    current = id;
    const el = cy.getElementById(id);
    cy.elements().unselect();
    cy.elements().removeClass("match");
    el.select();
    focus(el.isParent() ? null : el.closedNeighborhood());  // the entity and what it is related to
    cy.animate({ center: { eles: el }, zoom: Math.max(cy.zoom(), 0.9) }, { duration: 250 });
    showNode(id);
    writeHash();
    return true;
  }

  function selectEdge(id) {
    if (!edges.has(id)) return;
    current = id;
    cy.elements().unselect();
    const el = cy.getElementById(id);
    el.select();
    focus(el.union(el.connectedNodes()));
    showEdge(id);
  }

  cy.on("tap", "node", (ev) => select(ev.target.id()));
  cy.on("tap", "edge", (ev) => selectEdge(ev.target.id()));
  cy.on("tap", (ev) => {
    if (ev.target === cy) { current = null; focus(null); $("details").innerHTML = placeholder; writeHash(); }
  });
  document.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape" && document.activeElement !== $("search")) {
      current = null; cy.elements().unselect(); focus(null); $("details").innerHTML = placeholder; writeHash();
    }
  });

  // ───────────── address (#year=2016&node=system/lgwan) ─────────────
  function writeHash() {
    const parts = [];
    if (state.compare) parts.push(`compare=${state.from},${state.to}`);
    else if (state.year !== "all") parts.push(`year=${state.year}`);
    if (current && nodes.has(current)) parts.push(`node=${encodeURIComponent(short(current))}`);
    const hash = parts.length ? "#" + parts.join("&") : "";
    if (location.hash !== hash) history.replaceState(null, "", hash || location.pathname + location.search);
  }

  function readHash() {
    const params = new URLSearchParams(location.hash.slice(1));
    if (!location.hash && DATA.start && DATA.start.compare) params.set("compare", DATA.start.compare.join(","));
    if (params.get("compare")) {
      const [from, to] = params.get("compare").split(",").map(Number);
      if (years.includes(from) && years.includes(to)) Object.assign(state, { compare: true, from, to });
    } else if (params.get("year") && years.includes(Number(params.get("year")))) {
      state.year = Number(params.get("year"));
    }
    const node = params.get("node");
    return node ? (nodes.has(node) ? node : ID_PREFIX + node) : null;
  }

  // Back, forward, or an edited address: follow it.
  window.addEventListener("hashchange", () => {
    const keep = state;
    state = defaults();
    state.kinds = keep.kinds;
    state.relations = keep.relations;
    state.containment = keep.containment;
    const target = readHash();
    syncControls();
    applyFilters();
    if (target && nodes.has(target)) select(target);
  });

  const start = readHash();
  buildSidebar();
  applyFilters();
  fitMain();
  if (start && nodes.has(start)) select(start);

  window.jlisGraph = {
    cy, data: DATA, state: () => state, applyFilters, select, setYear, setCompare, findNodes,
    counts: () => ({ nodes: Number($("status").dataset.visibleNodes), edges: Number($("status").dataset.visibleEdges) }),
    ready: true,
  };
})();
