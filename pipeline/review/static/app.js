/* The review page: a queue of drafts and a keyboard-first document view.
 *
 * No framework and no build step: the page is small and must be auditable. Two rules keep it safe and fast:
 * - Article text (and every value read from a record) reaches the DOM only through textContent /
 *   createTextNode, never innerHTML, so an article containing <script> or <img onerror> stays text.
 * - The text is rendered once per load as a flat run of <span data-start> segments, cut at every span
 *   boundary of every field, in one pass over the sorted boundaries (a DocumentFragment), so a 20,000-word
 *   record with thousands of entities renders in milliseconds and overlapping spans simply layer.
 * Record offsets count Unicode code points (Python); JavaScript strings count UTF-16 units; `Offsets` converts.
 */
"use strict";

(function () {
  const TOKEN = document.querySelector('meta[name="review-token"]').content;
  const LABELS = ["COMPOUND", "PROTEIN", "PATHWAY", "PROCESS", "ANATOMY", "CONDITION"];
  const SECTION_KINDS = ["introduction", "methods", "results", "discussion", "conclusion", "limitations", "references", "abstract", "other"];
  const ACTIONS = ["agonist", "antagonist", "inhibitor", "activator", "modulator", "blocker", "inducer", "substrate", "binder", "partial agonist", "inverse agonist", "reuptake inhibitor", "releaser", "upregulates", "downregulates"];
  const LIST_FIELDS = { authors: true, keywords: true };
  const GROUPS = [
    ["conflict", "Conflicts"], ["record", "Record"], ["article", "Article"], ["entity", "Entities"],
    ["relation", "Relations"], ["citation", "Citations"], ["section", "Sections"],
    ["abbreviation", "Abbreviations"], ["summary", "Summary"],
  ];

  const $ = (id) => document.getElementById(id);
  const state = { editor: "editor", low: 0.6, queue: [], queueIndex: 0, doc: null, sessions: {} };

  // ---------------------------------------------------------------- small helpers

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function nowIso() {
    return new Date().toISOString().replace(/\.\d+Z$/, "Z");
  }

  function randomId() {
    const bytes = new Uint8Array(8);
    crypto.getRandomValues(bytes);
    return "dec-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function say(text) {
    $("message").textContent = text || "";
  }

  function alarm(text, button) {
    const banner = $("banner");
    banner.textContent = "";
    if (!text) { banner.hidden = true; return; }
    banner.appendChild(document.createTextNode(text));
    if (button) banner.appendChild(button);
    banner.hidden = false;
  }

  function short(value, limit) {
    const text = value === null || value === undefined ? "—" : String(value);
    return text.length > limit ? text.slice(0, limit - 1) + "…" : text;
  }

  function same(a, b) {
    return JSON.stringify(a) === JSON.stringify(b);
  }

  // SHA-1 (for the ID an added entity will get: the assembler's content_id). Synchronous and local,
  // because crypto.subtle exists only in secure contexts and is asynchronous.
  function sha1Hex(str) {
    const bytes = new TextEncoder().encode(str);
    const total = Math.ceil((bytes.length + 9) / 64) * 64;
    const buf = new Uint8Array(total);
    buf.set(bytes);
    buf[bytes.length] = 0x80;
    const view = new DataView(buf.buffer);
    const bits = bytes.length * 8;
    view.setUint32(total - 8, Math.floor(bits / 4294967296));
    view.setUint32(total - 4, bits >>> 0);
    let h0 = 0x67452301, h1 = 0xefcdab89, h2 = 0x98badcfe, h3 = 0x10325476, h4 = 0xc3d2e1f0;
    const w = new Uint32Array(80);
    for (let off = 0; off < total; off += 64) {
      for (let i = 0; i < 16; i++) w[i] = view.getUint32(off + i * 4);
      for (let i = 16; i < 80; i++) { const x = w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]; w[i] = (x << 1) | (x >>> 31); }
      let a = h0, b = h1, c = h2, d = h3, e = h4;
      for (let i = 0; i < 80; i++) {
        let f, k;
        if (i < 20) { f = (b & c) | (~b & d); k = 0x5a827999; }
        else if (i < 40) { f = b ^ c ^ d; k = 0x6ed9eba1; }
        else if (i < 60) { f = (b & c) | (b & d) | (c & d); k = 0x8f1bbcdc; }
        else { f = b ^ c ^ d; k = 0xca62c1d6; }
        const t = ((((a << 5) | (a >>> 27)) >>> 0) + (f >>> 0) + e + k + w[i]) >>> 0;
        e = d; d = c; c = ((b << 30) | (b >>> 2)) >>> 0; b = a; a = t;
      }
      h0 = (h0 + a) >>> 0; h1 = (h1 + b) >>> 0; h2 = (h2 + c) >>> 0; h3 = (h3 + d) >>> 0; h4 = (h4 + e) >>> 0;
    }
    return [h0, h1, h2, h3, h4].map((h) => h.toString(16).padStart(8, "0")).join("");
  }

  function contentId(prefix, parts) {
    return prefix + "-" + sha1Hex(parts.map(String).join("\x1f")).slice(0, 10);
  }

  // Code-point offsets (the record's) <-> UTF-16 indices (JavaScript's). Identity when the text has no astral characters.
  function Offsets(text) {
    if (!/[\ud800-\udfff]/.test(text)) {
      return { length: text.length, toUnits: (cp) => cp, toPoints: (u) => u, slice: (s, e) => text.slice(s, e) };
    }
    const points = Array.from(text);
    const units = new Int32Array(points.length + 1);
    const back = new Int32Array(text.length + 1);
    let u = 0;
    for (let i = 0; i < points.length; i++) {
      units[i] = u;
      for (let j = 0; j < points[i].length; j++) back[u + j] = i;
      u += points[i].length;
    }
    units[points.length] = u;
    back[u] = points.length;
    return {
      length: points.length,
      toUnits: (cp) => units[Math.max(0, Math.min(cp, points.length))],
      toPoints: (unit) => back[Math.max(0, Math.min(unit, text.length))],
      slice: (s, e) => text.slice(units[s], units[e]),
    };
  }

  // ---------------------------------------------------------------- server

  async function api(method, path, body, etag) {
    const headers = { Accept: "application/json" };
    let payload;
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      headers["X-Review-Token"] = TOKEN;
      headers["If-Match"] = etag;
      payload = JSON.stringify(body);
    }
    const response = await fetch(path, { method, headers, body: payload, cache: "no-store", credentials: "same-origin" });
    let data = null;
    try { data = await response.json(); } catch (e) { data = { message: response.statusText }; }
    return { status: response.status, ok: response.ok, data };
  }

  // ---------------------------------------------------------------- queue view

  async function showQueue() {
    $("doc-view").hidden = true;
    $("queue-view").hidden = false;
    $("save-button").hidden = true;
    $("crumb").textContent = "";
    $("doc-status").textContent = "";
    $("unsaved").textContent = "";
    state.doc = null;
    const reply = await api("GET", "/api/queue");
    if (!reply.ok) { alarm("Could not load the queue: " + reply.data.message); return; }
    alarm("");
    state.editor = reply.data.editor;
    state.low = reply.data.low_confidence;
    state.queue = reply.data.rows;
    state.queueIndex = Math.min(state.queueIndex, Math.max(0, state.queue.length - 1));
    renderQueue();
    say("Reviewing as " + state.editor + ". j/k to move, Enter to open, ? for keys.");
  }

  function renderQueue() {
    const body = $("queue-rows");
    const fragment = document.createDocumentFragment();
    state.queue.forEach((row, index) => {
      const counts = row.counts || {};
      const tr = el("tr");
      tr.dataset.index = String(index);
      tr.dataset.name = row.name;
      const status = el("td");
      status.appendChild(el("span", "status status-" + row.status, row.status));
      tr.appendChild(status);
      const doc = el("td");
      doc.appendChild(el("div", "title", row.title || row.name));
      doc.appendChild(el("div", "name", row.name));
      tr.appendChild(doc);
      const conflicts = el("td");
      if (counts.conflicts) conflicts.appendChild(el("span", "conflict-badge", counts.conflicts));
      tr.appendChild(conflicts);
      tr.appendChild(el("td", "", counts.pending === undefined ? "" : counts.pending));
      tr.appendChild(el("td", "", row.min_score === null || row.min_score === undefined ? "—" : Number(row.min_score).toFixed(2)));
      const decided = ["accepted", "rejected", "edited", "added"].map((k) => counts[k] || 0).reduce((a, b) => a + b, 0);
      tr.appendChild(el("td", "", decided));
      if (index === state.queueIndex) tr.classList.add("selected");
      fragment.appendChild(tr);
    });
    body.textContent = "";
    body.appendChild(fragment);
    $("queue-empty").hidden = state.queue.length > 0;
  }

  function moveQueue(step) {
    if (!state.queue.length) return;
    state.queueIndex = Math.max(0, Math.min(state.queue.length - 1, state.queueIndex + step));
    const rows = $("queue-rows").children;
    for (const row of rows) row.classList.toggle("selected", Number(row.dataset.index) === state.queueIndex);
    rows[state.queueIndex].scrollIntoView({ block: "nearest" });
  }

  function openSelected() {
    const row = state.queue[state.queueIndex];
    if (row) location.hash = "#/doc/" + encodeURIComponent(row.name);
  }

  // ---------------------------------------------------------------- document model

  async function showDocument(name) {
    const reply = await api("GET", "/api/doc/" + encodeURIComponent(name));
    if (!reply.ok) { alarm("Could not open " + name + ": " + reply.data.message); return; }
    if (!state.editor || state.editor === "editor") {
      const queue = await api("GET", "/api/queue");
      if (queue.ok) { state.editor = queue.data.editor; state.low = queue.data.low_confidence; }
    }
    const pending = state.sessions[name] || [];
    loadDocument(reply.data, pending);
  }

  function loadDocument(data, session) {
    const started = performance.now();
    const draft = data.draft;
    const doc = {
      name: data.name, draft, etag: data.etag, saved: data.decisions, reviewed: data.reviewed,
      targets: data.targets, session: session.slice(), offsets: Offsets(draft.text),
      items: [], byKey: new Map(), selected: 0, segments: [], editing: null,
    };
    state.doc = doc;
    state.sessions[doc.name] = doc.session;
    buildItems(doc);
    $("queue-view").hidden = true;
    $("doc-view").hidden = false;
    $("save-button").hidden = false;
    $("crumb").textContent = (draft.article && draft.article.title) || doc.name;
    alarm("");
    renderText(doc);
    renderFields(doc);
    updateHeader(doc);
    select(0, false);
    doc.renderMs = performance.now() - started;
    document.body.dataset.renderMs = doc.renderMs.toFixed(1);
    say("Rendered " + draft.text.length + " characters, " + doc.items.length + " fields in " + doc.renderMs.toFixed(0) + " ms.");
  }

  function allDecisions(doc) {
    return (doc.saved.decisions || []).concat(doc.session);
  }

  function effectiveDecisions(doc) {
    const last = new Map();
    for (const decision of allDecisions(doc)) last.set(decision.target.kind + "|" + decision.target.id, decision);
    return last;
  }

  function entityText(doc, id) {
    if (!doc.entityById) doc.entityById = new Map((doc.draft.entities || []).map((e) => [e.id, e]));
    const entity = doc.entityById.get(id);
    return entity ? entity.text : id;
  }

  function buildItems(doc) {
    const draft = doc.draft;
    const items = [];
    const values = new Map(doc.targets.map((t) => [t.kind + "|" + t.id, t.value]));
    const add = (item) => {
      item.key = item.kind + "|" + item.id;
      item.value = values.has(item.key) ? values.get(item.key) : item.value || null;
      items.push(item);
    };
    for (const conflict of (doc.reviewed.review && doc.reviewed.review.conflicts) || []) {
      items.push({
        key: "conflict|" + items.length, kind: "conflict", id: conflict.target.id, conflict,
        title: conflict.target.kind + " " + conflict.target.id, detail: conflict.reason + ": " + conflict.message, spans: [],
      });
    }
    add({ kind: "record", id: draft.id, title: "Whole record", detail: "a approve · x reject", spans: [] });
    const evidence = (draft.article && draft.article.evidence) || [];
    for (const target of doc.targets.filter((t) => t.kind === "article")) {
      const field = target.id.slice("article.".length);
      add({ kind: "article", id: target.id, field, title: field, spans: evidence.filter((e) => e.field === field).map((e) => [e.start, e.end]) });
    }
    for (const e of draft.entities || []) add(entityItem(e));
    for (const r of draft.relations || []) {
      add({ kind: "relation", id: r.id, title: entityText(doc, r.subject) + " — " + r.action + " → " + entityText(doc, r.object), score: r.score, spans: [[r.start, r.end]], relation: r });
    }
    for (const c of draft.citations || []) {
      const spans = [[c.start, c.end]].concat((c.evidence || []).map((e) => [e.start, e.end]));
      add({ kind: "citation", id: c.id, title: c.title || c.raw || c.id, spans, citation: c });
    }
    for (const s of draft.sections || []) {
      add({ kind: "section", id: s.id, title: s.heading || "(no heading)", spans: [[s.heading_start, s.heading_end]], section: s });
    }
    for (const a of draft.abbreviations || []) {
      add({ kind: "abbreviation", id: a.id, title: a.short + " = " + a.long, spans: [[a.start, a.end], [a.long_start, a.long_end]] });
    }
    for (const [list, entries] of Object.entries(draft.summary || {})) {
      for (const s of entries) if (s.id) add({ kind: "summary", id: s.id, title: short(s.text, 160), detail: list.replace("_", " "), spans: [[s.start, s.end]] });
    }
    // Entities added by an editor (saved or in this session) are items too.
    for (const decision of allDecisions(doc)) {
      if (decision.action === "add" && decision.target.kind === "entity" && !items.some((i) => i.key === "entity|" + decision.target.id)) {
        add(addedEntityItem(decision));
      }
    }
    // Items follow the pane's group order, so j/k walk the rows top to bottom.
    doc.items = GROUPS.flatMap(([kind]) => items.filter((item) => item.kind === kind));
    doc.byKey = new Map(items.filter((i) => i.kind !== "conflict").map((i) => [i.key, i]));
    for (const item of items) {
      if (item.kind === "conflict") item.ref = doc.byKey.get(item.conflict.target.kind + "|" + item.conflict.target.id) || null;
    }
  }

  function entityItem(e) {
    return { kind: "entity", id: e.id, title: e.text, score: e.score, spans: [[e.start, e.end]], entity: e, value: null };
  }

  function addedEntityItem(decision) {
    const v = decision.new || {};
    const entity = { id: decision.target.id, text: v.text, label: v.label, start: v.start, end: v.end, norm: v.norm || null, score: 1, method: "editor" };
    const item = entityItem(entity);
    item.added = true;
    item.value = null;
    return item;
  }

  // The value an item shows: the machine value with its effective edit applied.
  function shownValue(item, decision) {
    let value = item.value;
    if (item.added && decision && decision.action === "add") value = decision.new;
    if (decision && decision.action === "edit" && decision.new) value = Object.assign({}, value || {}, decision.new);
    return value || {};
  }

  function entityLabel(doc, item, decisions) {
    const decision = decisions.get(item.key);
    const value = shownValue(item, decision);
    return value.label || item.entity.label;
  }

  function stateOf(doc, item, decisions) {
    const decision = decisions.get(item.key);
    if (item.kind === "record") {
      if (decision) return decision.action === "approve" ? "approved" : decision.action === "reject" ? "rejected" : "";
      return "";
    }
    if (decision) return { accept: "accepted", reject: "rejected", edit: "edited", add: "added" }[decision.action] || "";
    if (item.score !== undefined && item.score < state.low) return "pending";
    return "";
  }

  // ---------------------------------------------------------------- text pane

  function renderText(doc) {
    const started = performance.now();
    const offsets = doc.offsets;
    const length = offsets.length;
    const clip = (v) => Math.max(0, Math.min(length, v | 0));
    const cuts = new Set([0, length]);
    const entities = [];
    doc.items.forEach((item, index) => {
      for (const [s, e] of item.spans) { cuts.add(clip(s)); cuts.add(clip(e)); }
      if (item.kind === "entity") {
        const [s, e] = item.spans[0];
        if (clip(e) > clip(s)) entities.push({ index, start: clip(s), end: clip(e) });
      }
      item.segments = [];
    });
    // Each line is its own block (cut after every newline) so the browser can skip laying out lines
    // that are off screen (content-visibility in app.css): that, not building the DOM, dominates on long records.
    const raw = doc.draft.text;
    for (let at = raw.indexOf("\n"); at >= 0; at = raw.indexOf("\n", at + 1)) cuts.add(offsets.toPoints(at + 1));
    const points = Array.from(cuts).sort((a, b) => a - b);
    const starting = new Map();
    for (const entity of entities) {
      if (!starting.has(entity.start)) starting.set(entity.start, []);
      starting.get(entity.start).push(entity);
    }
    const active = [];
    const decisions = effectiveDecisions(doc);
    const fragment = document.createDocumentFragment();
    const segments = [];
    let chunk = null;
    for (let i = 0; i + 1 < points.length; i++) {
      const start = points[i], end = points[i + 1];
      for (let j = active.length - 1; j >= 0; j--) if (active[j].end <= start) active.splice(j, 1);
      for (const entity of starting.get(start) || []) active.push(entity);
      const span = document.createElement("span");
      span.dataset.start = String(start);
      span.dataset.end = String(end);
      span.dataset.i = String(segments.length);
      const piece = offsets.slice(start, end);
      span.appendChild(document.createTextNode(piece));
      const segment = { start, end, el: span, items: active.map((a) => a.index) };
      for (const index of segment.items) doc.items[index].segments.push(segments.length);
      segments.push(segment);
      paintSegment(doc, segment, decisions);
      if (!chunk) {
        chunk = el("div", "line");
        chunk.dataset.start = String(start);
        fragment.appendChild(chunk);
      }
      chunk.appendChild(span);
      if (piece.endsWith("\n")) { chunk.dataset.end = String(end); chunk = null; }
    }
    if (chunk) chunk.dataset.end = String(length);
    const root = $("text");
    root.dataset.start = "0";
    root.dataset.end = String(length);
    root.textContent = "";
    root.appendChild(fragment);
    doc.segments = segments;
    doc.textMs = performance.now() - started;
  }

  function paintSegment(doc, segment, decisions) {
    if (!segment.items.length) { segment.el.className = ""; return; }
    // The innermost (shortest) entity colours the segment; the others show as a "multi" underline.
    let top = null;
    for (const index of segment.items) {
      const item = doc.items[index];
      if (!top || item.spans[0][1] - item.spans[0][0] < top.spans[0][1] - top.spans[0][0]) top = item;
    }
    const label = entityLabel(doc, top, decisions);
    const classes = ["ent", "lbl-" + (LABELS.includes(label) ? label : "OTHER")];
    if (top.score !== undefined && top.score < state.low) classes.push("low");
    if (segment.items.length > 1) classes.push("multi");
    if (stateOf(doc, top, decisions) === "rejected") classes.push("rejected");
    segment.el.className = classes.join(" ");
    segment.el.title = label + (top.score !== undefined ? " · score " + top.score : "");
  }

  function segmentAt(doc, offset) {
    let lo = 0, hi = doc.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (doc.segments[mid].start <= offset) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  function markSpans(doc, item, flash) {
    for (const node of document.querySelectorAll("#text .current")) node.classList.remove("current");
    if (!item || !item.spans.length) return;
    let first = null;
    for (const [s, e] of item.spans) {
      for (let i = segmentAt(doc, s); i < doc.segments.length && doc.segments[i].start < Math.max(e, s + 1); i++) {
        const node = doc.segments[i].el;
        node.classList.add("current");
        if (flash) { node.classList.remove("flash"); void node.offsetWidth; node.classList.add("flash"); }
        if (!first) first = node;
      }
    }
    if (first && flash) first.scrollIntoView({ block: "center" });
  }

  // The DOM selection as record offsets: every text node sits in an element carrying data-start.
  function selectionOffsets(doc) {
    const selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
    const range = selection.getRangeAt(0);
    const root = $("text");
    if (!root.contains(range.startContainer) || !root.contains(range.endContainer)) return null;
    let start = pointOffset(doc, range.startContainer, range.startOffset);
    let end = pointOffset(doc, range.endContainer, range.endOffset);
    if (start > end) [start, end] = [end, start];
    const text = doc.offsets.slice(start, end);
    const lead = text.length - text.trimStart().length;
    const trail = text.length - text.trimEnd().length;
    start = doc.offsets.toPoints(doc.offsets.toUnits(start) + lead);
    end = doc.offsets.toPoints(doc.offsets.toUnits(end) - trail);
    return end > start ? { start, end } : null;
  }

  // Every element in the text pane (the pane, its line blocks, the segments) carries data-start and data-end.
  function pointOffset(doc, node, offset) {
    if (node.nodeType === Node.TEXT_NODE) {
      const base = Number(node.parentElement.dataset.start);
      return doc.offsets.toPoints(doc.offsets.toUnits(base) + offset);
    }
    const child = node.childNodes[offset];
    return child && child.dataset ? Number(child.dataset.start) : Number(node.dataset.end);
  }

  // ---------------------------------------------------------------- fields pane

  function renderFields(doc) {
    const fragment = document.createDocumentFragment();
    const decisions = effectiveDecisions(doc);
    for (const [kind, heading] of GROUPS) {
      const members = doc.items.filter((item) => item.kind === kind);
      if (!members.length) continue;
      fragment.appendChild(el("div", "group " + (kind === "conflict" ? "conflicts" : ""), heading + " (" + members.length + ")"));
      for (const item of members) {
        item.row = el("div", "row");
        item.row.dataset.key = item.key;
        fillRow(doc, item, decisions);
        fragment.appendChild(item.row);
      }
    }
    const root = $("fields");
    root.textContent = "";
    root.appendChild(fragment);
  }

  function fillRow(doc, item, decisions) {
    const row = item.row;
    row.textContent = "";
    const decision = item.kind === "conflict" ? null : decisions.get(item.key);
    const status = item.kind === "conflict" ? "" : stateOf(doc, item, decisions);
    row.className = "row" + (item.kind === "conflict" ? " conflict" : "") + (status ? " decided-" + status : "") + (row.classList.contains("selected") ? " selected" : "");
    if (item.kind === "entity") {
      const swatch = el("span", "swatch");
      const label = entityLabel(doc, item, decisions);
      swatch.classList.add("lbl-" + (LABELS.includes(label) ? label : "OTHER"));
      row.appendChild(swatch);
    }
    if (status) row.appendChild(el("span", "state state-" + status, status));
    if (decision && doc.session.includes(decision)) row.appendChild(el("span", "unsaved-mark", "•"));
    row.appendChild(el("span", "title", rowTitle(doc, item, decision)));
    row.appendChild(el("span", "detail", rowDetail(doc, item, decision)));
    if (item.score !== undefined) {
      const score = el("span", "score", Number(item.score).toFixed(2));
      if (item.score < state.low) score.classList.add("low");
      row.appendChild(score);
    }
  }

  function rowTitle(doc, item, decision) {
    const value = shownValue(item, decision);
    if (item.kind === "section" && value.heading) return value.heading;
    if (item.kind === "citation" && (value.title || item.citation.raw)) return value.title || item.citation.raw;
    if (item.kind === "relation" && value.action) return entityText(doc, item.relation.subject) + " — " + value.action + " → " + entityText(doc, item.relation.object);
    return item.title;
  }

  function rowDetail(doc, item, decision) {
    const value = shownValue(item, decision);
    switch (item.kind) {
      case "record": {
        const review = doc.reviewed.review || {};
        return "status " + review.status + " · a approve · x reject";
      }
      case "article": return short(formatFieldValue(item.field, value.value), 200);
      case "entity": {
        const norm = value.norm;
        return (value.label || "") + (norm ? " · " + norm.db + ":" + norm.id + (norm.name ? " " + norm.name : "") : "") + (item.entity.method ? " · " + item.entity.method : "");
      }
      case "citation": return [value.role, value.journal, value.year, value.doi].filter((v) => v !== null && v !== undefined && v !== "").join(" · ");
      case "section": return "level " + value.level + " · " + value.kind + (value.number ? " · " + value.number : "");
      default: return item.detail || "";
    }
  }

  function formatFieldValue(field, value) {
    if (value === null || value === undefined) return "—";
    if (field === "authors") return value.map((a) => a.name).join("; ") || "—";
    if (Array.isArray(value)) return value.join("; ") || "—";
    return String(value);
  }

  function updateHeader(doc) {
    const review = doc.reviewed.review || { status: "draft" };
    const status = $("doc-status");
    status.textContent = "";
    status.appendChild(el("span", "status status-" + review.status, review.status));
    const counts = review.counts;
    if (counts) {
      status.appendChild(document.createTextNode(" " + counts.accepted + " accepted · " + counts.rejected + " rejected · " + counts.edited + " edited · " + counts.added + " added · " + counts.pending + " pending "));
      if (counts.conflicts) status.appendChild(el("span", "conflict-badge", counts.conflicts + " conflicts"));
    }
    $("unsaved").textContent = doc.session.length ? doc.session.length + " unsaved" : "";
  }

  function select(index, flash) {
    const doc = state.doc;
    if (!doc || !doc.items.length) return;
    const old = doc.items[doc.selected];
    if (old && old.row) old.row.classList.remove("selected");
    doc.selected = Math.max(0, Math.min(doc.items.length - 1, index));
    const item = doc.items[doc.selected];
    item.row.classList.add("selected");
    item.row.scrollIntoView({ block: "nearest" });
    markSpans(doc, item.kind === "conflict" ? item.ref : item, flash !== false);
  }

  function refreshItem(doc, item) {
    const decisions = effectiveDecisions(doc);
    fillRow(doc, item, decisions);
    for (const i of new Set(item.segments || [])) paintSegment(doc, doc.segments[i], decisions);
    for (const other of doc.items) if (other.kind === "conflict" && other.ref === item) fillRow(doc, other, decisions);
    updateHeader(doc);
  }

  // ---------------------------------------------------------------- decisions

  function decide(action, item, fields) {
    const doc = state.doc;
    const target = item.kind === "conflict" ? item.ref : item;
    const kind = item.kind === "conflict" ? item.conflict.target.kind : item.kind;
    const id = item.kind === "conflict" ? item.conflict.target.id : item.id;
    let old = target ? target.value : null;
    if (item.kind === "conflict") old = item.conflict.current === undefined ? old : item.conflict.current;
    if (kind === "record" || action === "add") old = null;
    const decision = { id: randomId(), action, target: { kind, id }, old: old || null, new: (fields && fields.new) || null, by: state.editor, at: nowIso() };
    doc.session.push(decision);
    if (target) refreshItem(doc, target);
    else updateHeader(doc);
    say(action + " " + kind + " " + id + " (unsaved; s saves, u undoes)");
    return decision;
  }

  function accept() {
    const item = currentItem();
    if (!item) return;
    if (item.kind === "conflict" && !item.ref) { say("This target is gone from the draft; x drops the decision (rejects it), or re-add the item."); return; }
    if (item.kind === "record") decide("approve", item);
    else decide("accept", item);
    select(state.doc.selected + (item.kind === "record" ? 0 : 1), true);
  }

  function reject() {
    const item = currentItem();
    if (!item) return;
    decide("reject", item);
    select(state.doc.selected + (item.kind === "record" ? 0 : 1), true);
  }

  function undo() {
    const doc = state.doc;
    const decision = doc.session.pop();
    if (!decision) { say("Nothing to undo: no unsaved decisions."); return; }
    const key = decision.target.kind + "|" + decision.target.id;
    if (decision.action === "add") {
      reloadItems(doc, key);
    } else {
      const item = doc.byKey.get(key);
      if (item) { refreshItem(doc, item); select(doc.items.indexOf(item), true); }
      else updateHeader(doc);
    }
    say("Undone: " + decision.action + " " + decision.target.kind + " " + decision.target.id);
  }

  function currentItem() {
    const doc = state.doc;
    return doc && doc.items[doc.selected];
  }

  // Rebuild items and both panes (after an entity is added or an add is undone), keeping the selection on `key`.
  function reloadItems(doc, key) {
    const scroll = $("text-pane").scrollTop;
    buildItems(doc);
    renderText(doc);
    renderFields(doc);
    updateHeader(doc);
    const index = doc.items.findIndex((item) => item.key === key);
    $("text-pane").scrollTop = scroll;
    select(index >= 0 ? index : Math.min(doc.selected, doc.items.length - 1), false);
  }

  async function save() {
    const doc = state.doc;
    if (!doc) return;
    if (!doc.session.length) { say("Nothing to save."); return; }
    const body = Object.assign({}, doc.saved, { decisions: allDecisions(doc) });
    if (!body.record_id) body.record_id = doc.draft.id;
    if (body.source_path === undefined || body.source_path === null) body.source_path = doc.draft.source.path;
    if (!body.decisions_version) body.decisions_version = "1.0.0";
    if (state.busy) { say("Still loading or saving; try again in a moment."); return; }
    say("Saving…");
    state.busy = true;
    let reply;
    try { reply = await api("PUT", "/api/doc/" + encodeURIComponent(doc.name) + "/decisions", body, doc.etag); } finally { state.busy = false; }
    if (reply.status === 200) {
      doc.saved = body;
      doc.session.length = 0;
      doc.etag = reply.data.etag;
      doc.reviewed = reply.data.reviewed;
      alarm("");
      reloadItems(doc, (currentItem() || {}).key);
      say("Saved " + body.decisions.length + " decisions. Status: " + (doc.reviewed.review || {}).status + ".");
      return;
    }
    if (reply.status === 409) {
      const button = el("button", "", "Reload (r)");
      button.type = "button";
      button.addEventListener("click", reload);
      alarm(reply.data.message + " ", button);
      say("");
      return;
    }
    const problems = (reply.data.errors || []).slice(0, 8).map((e) => "\n  " + e.pointer + ": " + e.message).join("");
    alarm("Not saved (" + reply.status + "): " + reply.data.message + problems);
  }

  async function reload() {
    const doc = state.doc;
    if (!doc || state.busy) return;
    state.busy = true;
    let reply;
    try { reply = await api("GET", "/api/doc/" + encodeURIComponent(doc.name)); } finally { state.busy = false; }
    if (!reply.ok) { alarm("Could not reload: " + reply.data.message); return; }
    loadDocument(reply.data, doc.session);
    say(doc.session.length ? "Reloaded; your " + doc.session.length + " unsaved decisions are kept (s saves them onto the new version)." : "Reloaded.");
  }

  // ---------------------------------------------------------------- forms (edit, add)

  function fieldInput(form, labelText, name, value, options) {
    const label = el("label", "", labelText);
    let input;
    if (options) {
      input = el("select");
      for (const option of options) {
        const node = el("option", "", option);
        node.value = option;
        input.appendChild(node);
      }
      if (value !== null && value !== undefined && !options.includes(String(value))) {
        const node = el("option", "", value);
        node.value = String(value);
        input.appendChild(node);
      }
      input.value = value === null || value === undefined ? options[0] : String(value);
    } else {
      input = el("input");
      input.type = "text";
      input.value = value === null || value === undefined ? "" : String(value);
    }
    input.name = name;
    input.id = "f-" + name;
    label.htmlFor = input.id;
    form.appendChild(label);
    form.appendChild(input);
    return input;
  }

  function openForm(container, build, submit, title) {
    closeForm();
    const form = el("div", "editor");
    form.setAttribute("role", "form");
    form.appendChild(el("strong", "", title));
    form.appendChild(el("span"));
    const inputs = build(form);
    const actions = el("div", "actions");
    const ok = el("button", "", "Apply (Enter)");
    ok.type = "button";
    const cancel = el("button", "", "Cancel (Esc)");
    cancel.type = "button";
    actions.appendChild(ok);
    actions.appendChild(cancel);
    form.appendChild(actions);
    const apply = () => {
      let error = null;
      try { error = submit(inputs); } catch (e) { error = e.message; }
      if (error) { say(error); return; }
      closeForm();
    };
    ok.addEventListener("click", apply);
    cancel.addEventListener("click", () => closeForm());
    form.addEventListener("keydown", (event) => {
      if (event.key === "Enter") { event.preventDefault(); event.stopPropagation(); apply(); }
      else if (event.key === "Escape") { event.preventDefault(); event.stopPropagation(); closeForm(); }
    });
    container(form);
    state.form = form;
    const first = form.querySelector("input, select");
    if (first) { first.focus(); if (first.select) first.select(); }
  }

  function closeForm() {
    if (state.form) {
      const parent = state.form.parentElement;
      state.form.remove();
      if (parent && parent.id === "add-box") parent.hidden = true;
      state.form = null;
    }
  }

  const nullable = (text) => (text.trim() === "" ? null : text.trim());

  function edit() {
    const item = currentItem();
    if (!item) return;
    const target = item.kind === "conflict" ? item.ref : item;
    if (!target) { say("This target is gone from the draft; there is nothing to edit."); return; }
    const decisions = effectiveDecisions(state.doc);
    const value = shownValue(target, decisions.get(target.key));
    const spec = editSpec(target, value);
    if (!spec) { say(target.kind === "record" ? "The record is approved (a) or rejected (x), not edited." : "A " + target.kind + " can be accepted or rejected, not edited."); return; }
    openForm(
      (form) => target.row.after(form),
      (form) => spec.fields.map(([label, name, current, options]) => fieldInput(form, label, name, current, options)),
      (inputs) => {
        const next = spec.read(inputs);
        const machine = target.value || {};
        const base = target.added ? value : machine;
        const changed = {};
        for (const [key, v] of Object.entries(next)) if (!same(v, base[key])) changed[key] = v;
        if (target.added) {
          // An added entity is edited by adding it again with the new value (the last add wins).
          decide("add", target, { new: Object.assign({}, value, next) });
          return null;
        }
        if (!Object.keys(changed).length) return "Nothing changed.";
        decide("edit", target, { new: changed });
        return null;
      },
      "Edit " + target.kind,
    );
  }

  function editSpec(item, value) {
    switch (item.kind) {
      case "entity": {
        const norm = value.norm || {};
        return {
          fields: [["label", "label", value.label, LABELS], ["norm db", "db", norm.db], ["norm id", "nid", norm.id], ["norm name", "nname", norm.name]],
          read: ([label, db, nid, nname]) => {
            const n = { db: nullable(db.value), id: nullable(nid.value), name: nullable(nname.value) };
            if (!n.db && !n.id && !n.name) return { label: label.value, norm: null };
            if (!n.db || !n.id) throw new Error("A normalisation needs both a db and an id (or leave all three empty).");
            return { label: label.value, norm: n };
          },
        };
      }
      case "article": {
        const field = item.field;
        const current = LIST_FIELDS[field] ? formatFieldValue(field, value.value).replace(/^—$/, "") : value.value;
        return {
          fields: [[field + (LIST_FIELDS[field] ? " (separate with ;)" : ""), "value", current]],
          read: ([input]) => ({ value: readField(field, input.value, item.value && item.value.value) }),
        };
      }
      case "section":
        return {
          fields: [["heading", "heading", value.heading], ["level", "level", value.level], ["kind", "kind", value.kind, SECTION_KINDS], ["number", "number", value.number]],
          read: ([heading, level, kind, number]) => {
            const n = Number(level.value);
            if (!Number.isInteger(n) || n < 1) throw new Error("The level is a whole number, 1 for a top-level section.");
            return { heading: heading.value.trim(), level: n, kind: kind.value, number: nullable(number.value) };
          },
        };
      case "citation": {
        const names = ["title", "journal", "year", "volume", "issue", "pages", "doi", "pmid", "url"];
        return {
          fields: [["role", "role", value.role, ["subject", "reference"]], ["authors (;)", "authors", formatFieldValue("authors", value.authors || []).replace(/^—$/, "")]].concat(names.map((n) => [n, n, value[n]])),
          read: (inputs) => {
            const out = { role: inputs[0].value, authors: readPeople(inputs[1].value, (item.value && item.value.authors) || []) };
            names.forEach((n, i) => { out[n] = nullable(inputs[i + 2].value); });
            if (out.year !== null) {
              const year = Number(out.year);
              if (!Number.isInteger(year)) throw new Error("The year is a number such as 2022.");
              out.year = year;
            }
            return out;
          },
        };
      }
      case "relation":
        return {
          fields: [["action", "action", value.action, ACTIONS]],
          read: ([action]) => ({ action: action.value }),
        };
      default:
        return null;
    }
  }

  function readField(field, text, machine) {
    if (field === "authors") return readPeople(text, machine || []);
    if (field === "keywords") return text.split(";").map((s) => s.trim()).filter(Boolean);
    return nullable(text);
  }

  function readPeople(text, known) {
    return text.split(";").map((s) => s.trim()).filter(Boolean).map((name) => known.find((p) => p.name === name) || { name, given: null, family: null, affiliations: [] });
  }

  function addEntity() {
    const doc = state.doc;
    const range = selectionOffsets(doc);
    if (!range) { say("Select some text in the article first, then press n."); return; }
    const text = doc.offsets.slice(range.start, range.end);
    const id = contentId("ent", [range.start, range.end, text]);
    if (doc.byKey.has("entity|" + id)) {
      select(doc.items.findIndex((item) => item.key === "entity|" + id), true);
      say("That span is already an entity: edit it (e) instead.");
      return;
    }
    const box = $("add-box");
    openForm(
      (form) => { box.textContent = ""; box.appendChild(form); box.hidden = false; },
      (form) => {
        form.appendChild(el("span", "", "text"));
        form.appendChild(el("span", "title", short(text, 80)));
        return [fieldInput(form, "label", "label", "COMPOUND", LABELS), fieldInput(form, "norm db", "db", ""), fieldInput(form, "norm id", "nid", ""), fieldInput(form, "norm name", "nname", "")];
      },
      ([label, db, nid, nname]) => {
        const value = { text, label: label.value, start: range.start, end: range.end };
        const n = { db: nullable(db.value), id: nullable(nid.value), name: nullable(nname.value) };
        if (n.db || n.id || n.name) {
          if (!n.db || !n.id) return "A normalisation needs both a db and an id (or leave all three empty).";
          value.norm = n;
        }
        const decision = { id: randomId(), action: "add", target: { kind: "entity", id }, old: null, new: value, by: state.editor, at: nowIso() };
        doc.session.push(decision);
        window.getSelection().removeAllRanges();
        reloadItems(doc, "entity|" + id);
        select(doc.selected, true);
        say("Added entity " + JSON.stringify(text) + " as " + value.label + " (unsaved).");
        return null;
      },
      "Add entity",
    );
  }

  // ---------------------------------------------------------------- keyboard and mouse

  function typing(event) {
    const target = event.target;
    if (!(target instanceof Element)) return false;
    return target.isContentEditable || ["INPUT", "SELECT", "TEXTAREA"].includes(target.tagName) || !!target.closest(".editor");
  }

  function toggleHelp(show) {
    const help = $("help");
    help.hidden = show === undefined ? !help.hidden : !show;
  }

  const documentKeys = {
    j: () => select(state.doc.selected + 1, true),
    k: () => select(state.doc.selected - 1, true),
    a: accept, x: reject, e: edit, n: addEntity, u: undo, s: save, r: reload,
    q: () => { location.hash = "#/"; },
  };
  const queueKeys = { j: () => moveQueue(1), k: () => moveQueue(-1), Enter: openSelected, o: openSelected };

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event)) return;
    if (event.key === "?") { toggleHelp(); event.preventDefault(); return; }
    if (event.key === "Escape") { toggleHelp(false); closeForm(); return; }
    if (!$("help").hidden) return;
    const handler = (state.doc ? documentKeys : queueKeys)[event.key];
    if (handler) { event.preventDefault(); handler(); }
  });

  $("queue-rows").addEventListener("click", (event) => {
    const row = event.target.closest("tr");
    if (!row) return;
    state.queueIndex = Number(row.dataset.index);
    openSelected();
  });

  $("fields").addEventListener("click", (event) => {
    const row = event.target.closest(".row");
    if (!row || !state.doc) return;
    const index = state.doc.items.findIndex((item) => item.row === row);
    if (index >= 0) select(index, true);
  });

  $("text").addEventListener("click", (event) => {
    const doc = state.doc;
    if (!doc || !window.getSelection().isCollapsed) return;
    const node = event.target.closest("[data-i]");
    if (!node) return;
    const segment = doc.segments[Number(node.dataset.i)];
    if (!segment || !segment.items.length) return;
    let best = null;
    for (const index of segment.items) {
      const item = doc.items[index];
      if (!best || item.spans[0][1] - item.spans[0][0] < best.spans[0][1] - best.spans[0][0]) best = item;
    }
    select(doc.items.indexOf(best), false);
    best.row.scrollIntoView({ block: "center" });
    markSpans(doc, best, true);
  });

  $("save-button").addEventListener("click", save);
  $("help-button").addEventListener("click", () => toggleHelp());
  $("help").addEventListener("click", () => toggleHelp(false));

  window.addEventListener("beforeunload", (event) => {
    if (state.doc && state.doc.session.length) event.preventDefault();
  });

  function route() {
    closeForm();
    const match = /^#\/doc\/(.+)$/.exec(location.hash);
    if (match) showDocument(decodeURIComponent(match[1]));
    else showQueue();
  }

  window.addEventListener("hashchange", route);
  route();
})();
