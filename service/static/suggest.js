/* rarekg search box: names suggested as you type (from /search/suggest), offered through the
   input's <datalist>; choosing one opens its page. Without this script the box is a plain form
   that opens /search. Text from the data goes into the page with textContent and value only. */
(function () {
  "use strict";
  var inputs = document.querySelectorAll("input[data-suggest]");
  Array.prototype.forEach.call(inputs, function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    if (!list) { return; }
    var timer = null;
    var pages = {};
    var lang = document.documentElement.getAttribute("lang") || "en";
    input.addEventListener("input", function () {
      var text = input.value.trim();
      if (pages[text]) { location.href = pages[text]; return; }  // a suggestion was chosen
      clearTimeout(timer);
      if (text.length < 2) { list.replaceChildren(); return; }
      timer = setTimeout(function () {
        fetch(input.getAttribute("data-suggest") + "?" + new URLSearchParams({ q: text, lang: lang.slice(0, 2) }), {
          headers: { "Accept": "application/json" }
        }).then(function (r) { return r.ok ? r.json() : { suggestions: [] }; }).then(function (data) {
          if (input.value.trim() !== text) { return; }
          list.replaceChildren();
          pages = {};
          data.suggestions.forEach(function (s) {
            if (!s.label || pages[s.label]) { return; }
            pages[s.label] = s.href;
            var option = document.createElement("option");
            option.value = s.label;
            if (s.matched && s.matched !== s.label) { option.label = s.label + " (" + s.matched + ")"; }
            list.appendChild(option);
          });
        }).catch(function () { /* no suggestions: the form still works */ });
      }, 150);
    });
  });
}());
