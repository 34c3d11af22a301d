/* rarekg results: runs the query without leaving the page and shows the answer as a paged, sortable
   table.  The state (query, page, order) is always the page's URL, so it can be shared.  Values from
   the data are put in the page with textContent only. */
(function () {
  "use strict";
  var form = document.getElementById("query-form");
  var section = document.getElementById("results");
  var body = document.getElementById("results-body");
  var status = document.getElementById("status");
  var runButton = document.getElementById("run");
  var textarea = document.getElementById("query");
  if (!form || !section || !body || !textarea) { return; }
  var PAGE = 50;
  var MAX_URL = 8000; // the server reads request lines of up to 8190 bytes
  var state = { result: null, query: "", page: 1, sort: "", desc: false, view: "table",
    labelColumn: "", numberColumn: "" };
  var WORDS = {};
  try { WORDS = JSON.parse((document.getElementById("js-words") || {}).textContent || "{}"); } catch (e) { WORDS = {}; }
  // A word of the page's language; %(name)s places are filled from ``values``.
  function T(text, values) {
    var out = WORDS[text] || text;
    if (values) {
      Object.keys(values).forEach(function (k) { out = out.split("%(" + k + ")s").join(String(values[k])); });
    }
    return out;
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        if (attrs[k] !== null && attrs[k] !== undefined && attrs[k] !== false) {
          node.setAttribute(k, attrs[k]);
        }
      });
    }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function labels(c) {
    var span = el("span", { "class": "label" });
    if (c.zh) { span.appendChild(el("span", { lang: "zh-Hans" }, c.zh)); }
    if (c.zh && c.en) { span.appendChild(el("span", { "class": "sep" }, " · ")); }
    if (c.en) { span.appendChild(el("span", { lang: "en" }, c.en)); }
    return span;
  }

  function term(c) {
    var frag = document.createDocumentFragment();
    if (c.kind === "iri") {
      var a = el("a", { "class": "iri", href: c.href }, c.short);
      frag.appendChild(a);
      if (c.zh || c.en) { frag.appendChild(document.createTextNode(" ")); frag.appendChild(labels(c)); }
    } else if (c.kind === "literal") {
      if (c.url) { frag.appendChild(el("a", { "class": "lit", href: c.url, rel: "noopener noreferrer nofollow" }, c.text)); }
      else { frag.appendChild(el("span", { "class": "lit", lang: c.lang || null }, c.text)); }
      if (c.lang) { frag.appendChild(document.createTextNode(" ")); frag.appendChild(el("span", { "class": "tag" }, "@" + c.lang)); }
      else if (c.datatype) { frag.appendChild(document.createTextNode(" ")); frag.appendChild(el("span", { "class": "tag" }, c.datatype)); }
    } else if (c.kind === "bnode") {
      frag.appendChild(el("span", { "class": "bnode" }, c.text));
    }
    return frag;
  }

  // The same order as the server's (service/form.py sort_key).
  function sortKey(c) {
    if (c.kind === "empty") { return [2, 0, ""]; }
    if (c.numeric && !isNaN(parseFloat(c.text))) { return [0, parseFloat(c.text), ""]; }
    return [1, 0, String(c.short || c.text).toLowerCase()];
  }
  function compare(a, b) {
    for (var i = 0; i < 3; i++) {
      if (a[i] < b[i]) { return -1; }
      if (a[i] > b[i]) { return 1; }
    }
    return 0;
  }

  function stateUrl() {
    var params = new URLSearchParams();
    params.set("query", state.query);
    if (state.page > 1) { params.set("page", String(state.page)); }
    if (state.sort) { params.set("sort", state.sort); }
    if (state.desc) { params.set("desc", "1"); }
    if (state.view === "chart") { params.set("view", "chart"); }
    return "/?" + params.toString();
  }

  function rows() {
    var r = state.result;
    var list = r.rows.slice();
    var column = r.variables.indexOf(state.sort);
    if (column >= 0) {
      list.sort(function (x, y) {
        var order = compare(sortKey(x[column]), sortKey(y[column]));
        return state.desc ? -order : order;
      });
    }
    return list;
  }

  function summary(r) {
    var p = el("p", { "class": "summary" });
    if (r.kind === "select" || r.kind === "graph") {
      p.appendChild(el("strong", null, T(r.kind === "select" ? "%(n)s row(s)" : "%(n)s triple(s)", { n: r.total })));
    } else {
      p.appendChild(document.createTextNode(T("Answer:") + " "));
      p.appendChild(el("strong", null, r.boolean ? T("yes") : T("no")));
    }
    p.appendChild(document.createTextNode(" · "));
    p.appendChild(el("span", { "class": "time" }, took(r) + " ms"));
    if (r.truncated) {
      p.appendChild(document.createTextNode(" · " + T("only the first part is shown; the downloads hold all")));
    }
    return p;
  }

  function downloads(r) {
    var p = el("p", { "class": "downloads" }, T("Download:") + " ");
    r.downloads.forEach(function (d, i) {
      if (i) { p.appendChild(document.createTextNode(" · ")); }
      p.appendChild(el("a", { href: d.href, download: d.file }, d.label));
    });
    return p;
  }

  function table() {
    var r = state.result;
    var all = rows();
    var pages = Math.max(Math.ceil(all.length / PAGE), 1);
    state.page = Math.min(Math.max(state.page, 1), pages);
    var first = (state.page - 1) * PAGE;
    var shown = all.slice(first, first + PAGE);
    var frag = document.createDocumentFragment();
    var wrap = el("div", { "class": "table-wrap", role: "region", "aria-labelledby": "results-heading", tabindex: "0" });
    var t = el("table", { "class": "result-table" });
    var thead = el("thead");
    var tr = el("tr");
    r.variables.forEach(function (v) {
      var active = state.sort === v;
      var th = el("th", { scope: "col", "aria-sort": active ? (state.desc ? "descending" : "ascending") : null });
      var b = el("button", { type: "button", title: T("Sort by") + " " + v }, v + (active ? (state.desc ? " ▼" : " ▲") : ""));
      b.addEventListener("click", function () {
        if (state.sort === v) { state.desc = !state.desc; } else { state.sort = v; state.desc = false; }
        state.page = 1;
        record();
        show();
        var again = body.querySelector("th[aria-sort] button");
        if (again) { again.focus(); }
      });
      th.appendChild(b);
      tr.appendChild(th);
    });
    thead.appendChild(tr);
    t.appendChild(thead);
    var tbody = el("tbody");
    shown.forEach(function (row) {
      var rtr = el("tr");
      row.forEach(function (c) {
        var td = el("td");
        td.appendChild(term(c));
        rtr.appendChild(td);
      });
      tbody.appendChild(rtr);
    });
    t.appendChild(tbody);
    wrap.appendChild(t);
    frag.appendChild(wrap);
    if (pages > 1) {
      var nav = el("nav", { "class": "pager", "aria-label": T("Result pages") });
      var prev = el("button", { type: "button", disabled: state.page <= 1 ? "disabled" : null }, T("Previous"));
      var next = el("button", { type: "button", disabled: state.page >= pages ? "disabled" : null }, T("Next"));
      prev.addEventListener("click", function () { go(state.page - 1); });
      next.addEventListener("click", function () { go(state.page + 1); });
      nav.appendChild(prev);
      nav.appendChild(el("span", null, T("Page %(page)s of %(pages)s (rows %(first)s–%(last)s)",
        { page: state.page, pages: pages, first: first + 1, last: first + shown.length })));
      nav.appendChild(next);
      frag.appendChild(nav);
    }
    return frag;
  }

  // Each page, order and view is a history entry of its own, so Back and Forward go through them.
  function record() {
    var url = stateUrl();
    if (url.length <= MAX_URL && url !== location.pathname + location.search) {
      history.pushState({ rarekg: true }, "", url);
    }
  }

  function numeric(column) {
    var rowsWithValue = state.result.rows.filter(function (row) { return row[column].kind !== "empty"; });
    return rowsWithValue.length > 0 && rowsWithValue.every(function (row) {
      return row[column].numeric && !isNaN(parseFloat(row[column].text));
    });
  }

  // A bar chart of one number column against one label column (the first rows, in the table's order).
  function chart() {
    var r = state.result;
    var frag = document.createDocumentFragment();
    var numbers = r.variables.filter(function (v, i) { return numeric(i); });
    if (!numbers.length) {
      frag.appendChild(el("p", { "class": "muted", id: "chart-none" }, T("No column of this result holds numbers.")));
      return frag;
    }
    if (numbers.indexOf(state.numberColumn) < 0) { state.numberColumn = numbers[0]; }
    var labelsList = r.variables.filter(function (v) { return v !== state.numberColumn; });
    if (labelsList.indexOf(state.labelColumn) < 0) { state.labelColumn = labelsList[0] || state.numberColumn; }
    var controls = el("p", { "class": "chart-controls" });
    [["Label column", "labelColumn", labelsList], ["Number column", "numberColumn", numbers]].forEach(function (c) {
      var id = "chart-" + c[1];
      controls.appendChild(el("label", { "for": id }, T(c[0]) + " "));
      var select = el("select", { id: id });
      c[2].forEach(function (v) {
        var o = el("option", { value: v }, v);
        if (state[c[1]] === v) { o.selected = true; }
        select.appendChild(o);
      });
      select.addEventListener("change", function () { state[c[1]] = select.value; show(); });
      controls.appendChild(select);
      controls.appendChild(document.createTextNode(" "));
    });
    frag.appendChild(controls);
    var li = r.variables.indexOf(state.labelColumn);
    var ni = r.variables.indexOf(state.numberColumn);
    var list = rows().filter(function (row) { return row[ni].kind !== "empty"; }).slice(0, 40);
    var max = Math.max.apply(null, list.map(function (row) { return Math.abs(parseFloat(row[ni].text)) || 0; }).concat([1]));
    var NS = "http://www.w3.org/2000/svg";
    var rowH = 26, labelW = 260, barW = 420, width = labelW + barW + 80;
    var svg = document.createElementNS(NS, "svg");
    svg.setAttribute("viewBox", "0 0 " + width + " " + (list.length * rowH + 4));
    svg.setAttribute("class", "result-chart");
    svg.setAttribute("role", "img");
    svg.setAttribute("id", "result-chart");
    svg.setAttribute("aria-label", state.numberColumn + " / " + state.labelColumn);
    list.forEach(function (row, i) {
      var value = parseFloat(row[ni].text) || 0;
      var c = row[li];
      var name = (c.zh && WORDS.__lang === "zh" ? c.zh : (c.en || c.zh)) || c.short || c.text || "";
      var y = i * rowH;
      var label = document.createElementNS(NS, "text");
      label.setAttribute("x", String(labelW - 8)); label.setAttribute("y", String(y + 17));
      label.setAttribute("text-anchor", "end"); label.setAttribute("class", "chart-label");
      label.textContent = name.length > 36 ? name.slice(0, 35) + "…" : name;
      var bar = document.createElementNS(NS, "rect");
      bar.setAttribute("x", String(labelW)); bar.setAttribute("y", String(y + 5));
      bar.setAttribute("height", "16"); bar.setAttribute("rx", "2"); bar.setAttribute("class", "bar");
      bar.setAttribute("width", String(Math.max(barW * Math.abs(value) / max, 1)));
      var num = document.createElementNS(NS, "text");
      num.setAttribute("x", String(labelW + barW * Math.abs(value) / max + 6)); num.setAttribute("y", String(y + 17));
      num.setAttribute("class", "chart-value");
      num.textContent = row[ni].text;
      svg.appendChild(label); svg.appendChild(bar); svg.appendChild(num);
    });
    var wrap = el("div", { "class": "table-wrap chart-wrap" });
    wrap.appendChild(svg);
    frag.appendChild(wrap);
    if (rows().length > list.length) { frag.appendChild(el("p", { "class": "muted" }, T("Showing the first %(n)s rows.", { n: list.length }))); }
    return frag;
  }

  function viewSwitch() {
    var p = el("p", { "class": "view-switch", role: "group" });
    [["table", "Table"], ["chart", "Chart"]].forEach(function (v) {
      var b = el("button", { type: "button", "class": "small" + (state.view === v[0] ? " primary" : ""),
        "aria-pressed": state.view === v[0] ? "true" : "false", id: "view-" + v[0] }, T(v[1]));
      b.addEventListener("click", function () { state.view = v[0]; record(); show(); });
      p.appendChild(b);
    });
    return p;
  }

  function go(page) {
    state.page = page;
    record();
    show();
    section.scrollIntoView({ block: "start" });
  }

  function errorBlock(r) {
    var e = r.error || {};
    var div = el("div", { "class": "error", role: "alert" });
    var title = T(e.type === "syntax-error" ? "The query does not parse" : "The query could not run");
    if (e.line) { title += " (" + T("line %(line)s, column %(column)s", { line: e.line, column: e.column }) + ")"; }
    div.appendChild(el("h3", null, title));
    div.appendChild(el("pre", null, e.message || "unknown error"));
    var p = el("p", null, T("Your query is still in the editor above.") + " ");
    if (e.line && window.rarekgEditor) {
      var go = el("button", { type: "button", "class": "small", id: "show-where" }, T("Show where (line %(line)s)", { line: e.line }));
      go.addEventListener("click", function () { window.rarekgEditor.goTo(e.line, e.column || 1); });
      p.appendChild(go);
      if (window.rarekgEditor.markError) { window.rarekgEditor.markError(e.line, e.column || 1, e.message || ""); }
    }
    div.appendChild(p);
    return div;
  }

  function show() {
    var r = state.result;
    section.hidden = false;
    var frag = document.createDocumentFragment();
    if (r.kind === "error") {
      frag.appendChild(errorBlock(r));
    } else {
      frag.appendChild(summary(r));
      frag.appendChild(downloads(r));
      if (r.kind === "select") {
        frag.appendChild(viewSwitch());
        frag.appendChild(state.view === "chart" ? chart() : table());
      }
      if (r.kind === "graph") { frag.appendChild(el("pre", { "class": "graph" }, r.graph)); }
    }
    body.replaceChildren(frag);
  }

  function announce(r) {
    if (!status) { return; }
    if (r.kind === "error") { status.textContent = T("Error: see below."); return; }
    var what = r.kind === "select" ? T("%(n)s row(s)", { n: r.total }) :
      r.kind === "graph" ? T("%(n)s triple(s)", { n: r.total }) : T("Answer:") + " " + (r.boolean ? T("yes") : T("no"));
    status.textContent = what + " " + T("in %(ms)s ms", { ms: took(r) });
  }

  // whole milliseconds; an answer from the cache often takes less than one
  function took(r) {
    return r.elapsed_ms ? String(r.elapsed_ms) : "< 1";
  }

  function run(query, push) {
    state.query = query;
    state.page = 1;
    state.sort = "";
    state.desc = false;
    state.view = "table";
    if (status) { status.textContent = T("Running…"); }
    if (runButton) { runButton.disabled = true; }
    var data = new URLSearchParams();
    data.set("query", query);
    return fetch("/", {
      method: "POST",
      headers: { "Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded" },
      body: data.toString()
    }).then(function (response) {
      return response.json();
    }).then(function (r) {
      state.result = r;
      var url = stateUrl();
      var shareable = url.length <= MAX_URL;
      if (push && shareable) { history.pushState({ rarekg: true }, "", url); }
      show();
      announce(r);
      // On a narrow screen the results are below the editor and the gallery: bring them into view.
      section.scrollIntoView({ block: "start" });
      if (!shareable && status) {
        status.textContent += ". " + T("This query is too long to share as a link; download the result or copy the query.");
      }
    }).catch(function (err) {
      state.result = { kind: "error", error: { message: T("The service did not answer:") + " " + err } };
      show();
      announce(state.result);
    }).then(function () {
      if (runButton) { runButton.disabled = false; }
    });
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (!textarea.value.trim()) { return; }
    run(textarea.value, true);
  });

  function fromUrl() {
    var params = new URLSearchParams(location.search);
    state.page = parseInt(params.get("page") || "1", 10) || 1;
    state.sort = params.get("sort") || "";
    state.desc = params.get("desc") === "1";
    state.view = params.get("view") === "chart" ? "chart" : "table";
    return params.get("query");
  }

  // Back and Forward: the same query shows its page, order and view again without running it;
  // another query runs.
  window.addEventListener("popstate", function () {
    var q = fromUrl();
    if (!q) { return; }
    if (window.rarekgEditor && window.rarekgEditor.get() !== q) { window.rarekgEditor.set(q); }
    if (state.result && state.query === q) {
      show();
    } else {
      var keep = { page: state.page, sort: state.sort, desc: state.desc, view: state.view };
      run(q, false).then(function () {
        state.page = keep.page; state.sort = keep.sort; state.desc = keep.desc; state.view = keep.view;
        if (state.result && state.result.kind === "select") { show(); }
      });
    }
  });

  window.rarekgRun = function (query) { return run(query, true); };

  var embedded = document.getElementById("result-data");
  if (embedded) {
    var q = fromUrl();
    state.result = JSON.parse(embedded.textContent);
    state.query = q || textarea.value;
    show();
  }
}());
