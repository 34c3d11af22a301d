// The contribution form: show the correction fields only for corrections, and find diseases of the
// national lists by any name or number through /search (folk names, English, codes), narrowing the
// list of checkboxes to the matches.  Everything is built with DOM methods: no HTML from data.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var article = document.querySelector("article.contribute");
  var form = document.getElementById("contribute-form");
  if (!article || !form) return;

  function kind() {
    var chosen = form.querySelector("input[name=kind]:checked");
    return chosen ? chosen.value : "new";
  }
  function showKind() {
    article.classList.toggle("is-new", kind() !== "correction");
  }
  form.querySelectorAll("input[name=kind]").forEach(function (r) {
    r.addEventListener("change", showKind);
  });
  showKind();

  var box = document.getElementById("disease-search");
  var list = document.getElementById("disease-list");
  var count = document.getElementById("disease-count");
  if (!box || !list) return;
  var items = Array.prototype.slice.call(list.querySelectorAll("li[data-code]"));
  var byIri = {};
  items.forEach(function (li) { byIri[li.getAttribute("data-iri")] = li; });
  var timer = null;
  var asked = 0;
  var current = new Set();

  function chosen() {
    return list.querySelectorAll("input[name=diseases]:checked").length;
  }
  function show(matches, text) {
    current = matches;
    var shown = 0;
    items.forEach(function (li) {
      var hit = !text || matches.has(li);
      var box = li.querySelector("input");
      li.classList.toggle("hidden", !hit && !box.checked);
      li.classList.toggle("found", Boolean(text) && hit);
      if (hit) shown += 1;
    });
    count.textContent = text ? shown + " · " + chosen() + " ✓" : chosen() + " ✓";
  }
  function local(text) {
    var needle = text.toLowerCase();
    var found = new Set();
    items.forEach(function (li) {
      var label = li.textContent.toLowerCase();
      var number = li.querySelector(".entry-no").textContent.trim();
      if (label.indexOf(needle) >= 0 || needle === number ||
          needle === li.getAttribute("data-code").toLowerCase()) {
        found.add(li);
      }
    });
    return found;
  }
  function search() {
    var text = box.value.trim();
    if (!text) { show(new Set(), ""); return; }
    var found = local(text);
    show(found, text);
    var ticket = ++asked;
    fetch("/search?limit=100&q=" + encodeURIComponent(text), {headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : {results: []}; })
      .then(function (data) {
        if (ticket !== asked) return;
        (data.results || []).forEach(function (hit) {
          var li = byIri[hit.iri];
          if (li) found.add(li);
        });
        show(found, text);
      })
      .catch(function () { /* the local matches stay */ });
  }
  box.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(search, 200);
  });
  box.addEventListener("keydown", function (e) {
    if (e.key === "Enter") { e.preventDefault(); search(); }
  });
  list.addEventListener("change", function () { show(current, box.value.trim()); });
  show(new Set(), "");
}());
