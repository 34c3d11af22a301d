/* rarekg example gallery: filter the examples as you type; "Use" puts an example's query in the
   editor, "Run" puts it there and runs it.  Without this script both are plain links that open
   /?query=... (which runs the query). */
(function () {
  "use strict";
  var list = document.getElementById("examples");
  if (!list) { return; }
  var filter = document.getElementById("example-filter");
  var none = document.getElementById("no-examples");
  var status = document.getElementById("status");
  var items = Array.prototype.slice.call(list.querySelectorAll("li.example"));

  // On a narrow screen the gallery starts folded, so the editor and the results come first.
  var fold = document.getElementById("gallery-fold");
  if (fold && window.matchMedia && window.matchMedia("(max-width: 60rem)").matches) {
    fold.open = false;
  }

  function normalize(text) { return (text || "").normalize("NFKC").toLowerCase(); }

  if (filter) {
    filter.addEventListener("input", function () {
      var words = normalize(filter.value).split(/\s+/).filter(Boolean);
      var visible = 0;
      items.forEach(function (item) {
        var text = normalize(item.textContent);
        var match = words.every(function (w) { return text.indexOf(w) >= 0; });
        item.hidden = !match;
        if (match) { visible++; }
      });
      if (none) { none.hidden = visible > 0; }
    });
  }

  function queryOf(link) {
    var url = new URL(link.getAttribute("href"), location.href);
    return url.searchParams.get("query") || "";
  }

  list.addEventListener("click", function (e) {
    var link = e.target.closest ? e.target.closest("a[data-action]") : null;
    if (!link || !window.rarekgEditor) { return; }
    e.preventDefault();
    items.forEach(function (item) { item.classList.remove("chosen"); });
    var item = link.closest("li.example");
    if (item) { item.classList.add("chosen"); }
    window.rarekgEditor.set(queryOf(link));
    var title = item ? item.querySelector("h3").textContent : "example";
    if (link.getAttribute("data-action") === "run" && window.rarekgRun) {
      window.rarekgRun(queryOf(link));
    } else {
      if (status) {
        var words = {};
        try { words = JSON.parse((document.getElementById("js-words") || {}).textContent || "{}"); } catch (err) { words = {}; }
        var text = words["Example in the editor: %(title)s. Run it with the Run button or Ctrl+Enter."] ||
          "Example in the editor: %(title)s. Run it with the Run button or Ctrl+Enter.";
        status.textContent = text.split("%(title)s").join(title);
      }
      window.rarekgEditor.focus();
    }
    if (fold && window.matchMedia && window.matchMedia("(max-width: 60rem)").matches) { fold.open = false; }
    var editor = document.getElementById("query-form");
    if (editor && editor.getBoundingClientRect().top < 0) { editor.scrollIntoView({ block: "start" }); }
  });
}());
