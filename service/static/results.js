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
  var state = { result: null, query: "", page: 1, sort: "", desc: false };

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
    if (c.zh) { span.appendChild(el("span", { lang: "zh" }, c.zh)); }
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
      p.appendChild(el("strong", null, r.total + (r.kind === "select" ? " row(s)" : " triple(s)")));
    } else {
      p.appendChild(document.createTextNode("Answer: "));
      p.appendChild(el("strong", null, r.boolean ? "yes" : "no"));
    }
    p.appendChild(document.createTextNode(" · "));
    p.appendChild(el("span", { "class": "time" }, r.elapsed_ms + " ms"));
    if (r.truncated) {
      p.appendChild(document.createTextNode(" · the first " + (r.rows ? r.rows.length : "part") +
        " shown; the downloads hold all"));
    }
    return p;
  }

  function downloads(r) {
    var p = el("p", { "class": "downloads" }, "Download: ");
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
      var b = el("button", { type: "button", title: "Sort by " + v }, v + (active ? (state.desc ? " ▼" : " ▲") : ""));
      b.addEventListener("click", function () {
        if (state.sort === v) { state.desc = !state.desc; } else { state.sort = v; state.desc = false; }
        state.page = 1;
        if (stateUrl().length <= MAX_URL) { history.replaceState(null, "", stateUrl()); }
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
      var nav = el("nav", { "class": "pager", "aria-label": "Result pages" });
      var prev = el("button", { type: "button", disabled: state.page <= 1 ? "disabled" : null }, "Previous");
      var next = el("button", { type: "button", disabled: state.page >= pages ? "disabled" : null }, "Next");
      prev.addEventListener("click", function () { go(state.page - 1); });
      next.addEventListener("click", function () { go(state.page + 1); });
      nav.appendChild(prev);
      nav.appendChild(el("span", null, "Page " + state.page + " of " + pages + " (rows " + (first + 1) +
        "–" + (first + shown.length) + ")"));
      nav.appendChild(next);
      frag.appendChild(nav);
    }
    return frag;
  }

  function go(page) {
    state.page = page;
    if (stateUrl().length <= MAX_URL) { history.replaceState(null, "", stateUrl()); }
    show();
    section.scrollIntoView({ block: "start" });
  }

  function errorBlock(r) {
    var e = r.error || {};
    var div = el("div", { "class": "error", role: "alert" });
    var title = e.type === "syntax-error" ? "The query does not parse" : "The query could not run";
    if (e.line) { title += " (line " + e.line + ", column " + e.column + ")"; }
    div.appendChild(el("h3", null, title));
    div.appendChild(el("pre", null, e.message || "unknown error"));
    var p = el("p", null, "Your query is still in the editor above. ");
    if (e.line && window.rarekgEditor) {
      var go = el("button", { type: "button", "class": "small" }, "Show where (line " + e.line + ")");
      go.addEventListener("click", function () { window.rarekgEditor.goTo(e.line, e.column || 1); });
      p.appendChild(go);
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
      if (r.kind === "select") { frag.appendChild(table()); }
      if (r.kind === "graph") { frag.appendChild(el("pre", { "class": "graph" }, r.graph)); }
    }
    body.replaceChildren(frag);
  }

  function announce(r) {
    if (!status) { return; }
    if (r.kind === "error") { status.textContent = "Error: see below."; return; }
    var what = r.kind === "select" ? r.total + " row(s)" :
      r.kind === "graph" ? r.total + " triple(s)" : "answer: " + (r.boolean ? "yes" : "no");
    status.textContent = what + " in " + r.elapsed_ms + " ms";
  }

  function run(query, push) {
    state.query = query;
    state.page = 1;
    state.sort = "";
    state.desc = false;
    if (status) { status.textContent = "Running…"; }
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
      if (push && shareable) { history.pushState(null, "", url); }
      show();
      announce(r);
      if (!shareable && status) {
        status.textContent += ". This query is too long to share as a link; download the result or copy the query.";
      }
    }).catch(function (err) {
      state.result = { kind: "error", error: { message: "The service did not answer: " + err } };
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

  window.addEventListener("popstate", function () {
    var params = new URLSearchParams(location.search);
    var q = params.get("query");
    if (q && window.rarekgEditor) { window.rarekgEditor.set(q); }
    if (q) { run(q, false); }
  });

  window.rarekgRun = function (query) { return run(query, true); };

  var embedded = document.getElementById("result-data");
  if (embedded) {
    var params = new URLSearchParams(location.search);
    state.result = JSON.parse(embedded.textContent);
    state.query = params.get("query") || textarea.value;
    state.page = parseInt(params.get("page") || "1", 10) || 1;
    state.sort = params.get("sort") || "";
    state.desc = params.get("desc") === "1";
    show();
  }
}());
