/* rarekg query editor: SPARQL syntax highlighting over the plain <textarea>, prefix help and
   Ctrl+Enter to run.  Our own small component: the textarea stays the real input (it works, and is
   submitted, without this script); a <pre> behind it shows the same text coloured.  Every piece of
   text goes into the page with textContent, never as markup. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var textarea = document.getElementById("query");
  var form = document.getElementById("query-form");
  if (!textarea || !form) { return; }

  var KEYWORDS = ("BASE PREFIX SELECT CONSTRUCT DESCRIBE ASK WHERE FROM NAMED ORDER BY ASC DESC " +
    "LIMIT OFFSET DISTINCT REDUCED OPTIONAL UNION MINUS GRAPH SERVICE SILENT FILTER BIND VALUES " +
    "GROUP HAVING AS NOT EXISTS IN UNDEF TRUE FALSE A COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT " +
    "SEPARATOR STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT " +
    "STRLEN UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER YEAR MONTH DAY " +
    "HOURS MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512 COALESCE IF " +
    "STRLANG STRDT SAMETERM ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC REGEX SUBSTR REPLACE").split(" ");
  var KEYWORD_SET = {};
  KEYWORDS.forEach(function (k) { KEYWORD_SET[k] = true; });

  // One alternative per kind of token; the group that matched names the class.
  var TOKEN = new RegExp([
    "(#[^\\n]*)",                                                     // 1 comment
    "(\"\"\"[\\s\\S]*?(?:\"\"\"|$)|'''[\\s\\S]*?(?:'''|$)|\"(?:[^\"\\\\\\n]|\\\\.)*\"?|'(?:[^'\\\\\\n]|\\\\.)*'?)", // 2 string
    "(<[^<>\"{}|^`\\\\\\s]*>)",                                       // 3 IRI
    "([?$][A-Za-z0-9_\\u00B7-\\uFFFF]+)",                             // 4 variable
    "((?:[A-Za-z][\\w.-]*)?:(?:[\\w%\\u00B7-\\uFFFF](?:[\\w.%:\\u00B7-\\uFFFF-]*[\\w%:\\u00B7-\\uFFFF-])?)?)", // 5 prefixed name
    "(@[A-Za-z]+(?:-[A-Za-z0-9]+)*)",                                 // 6 language tag
    "([A-Za-z_][A-Za-z0-9_]*)",                                       // 7 word
    "([+-]?\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?)",                      // 8 number
    "(\\s+)",                                                         // 9 space
    "([\\s\\S])"                                                      // 10 anything else
  ].join("|"), "g");
  var CLASSES = [null, "tok-comment", "tok-str", "tok-iri", "tok-var", "tok-pname", "tok-str",
    null, "tok-num", null, "tok-punct"];

  var known = {};
  Array.prototype.forEach.call(document.querySelectorAll("#prefixes tr[data-prefix]"), function (row) {
    known[row.getAttribute("data-prefix")] = row.getAttribute("data-namespace");
  });

  function tokenize(text) {
    var out = [];
    var m;
    TOKEN.lastIndex = 0;
    while ((m = TOKEN.exec(text)) !== null) {
      if (m[0] === "") { TOKEN.lastIndex++; continue; }
      var group = 1;
      while (group < m.length && m[group] === undefined) { group++; }
      out.push({ text: m[0], group: group });
    }
    return out;
  }

  function declared(tokens) {
    var names = {};
    for (var i = 0; i < tokens.length; i++) {
      var t = tokens[i];
      if (t.group === 7 && t.text.toUpperCase() === "PREFIX") {
        for (var j = i + 1; j < tokens.length; j++) {
          if (tokens[j].group === 9) { continue; }
          if (tokens[j].group === 5) { names[tokens[j].text.split(":")[0]] = true; }
          break;
        }
      }
    }
    return names;
  }

  // The editor: a <pre> behind the (transparent) textarea, in one wrapper.
  var wrapper = document.createElement("div");
  wrapper.className = "editor";
  var pre = document.createElement("pre");
  pre.className = "highlight";
  pre.setAttribute("aria-hidden", "true");
  textarea.parentNode.insertBefore(wrapper, textarea);
  wrapper.appendChild(pre);
  wrapper.appendChild(textarea);

  var hints = document.getElementById("prefix-hints");

  function render() {
    var text = textarea.value;
    var tokens = tokenize(text);
    var names = declared(tokens);
    var missing = {};
    var frag = document.createDocumentFragment();
    tokens.forEach(function (t) {
      var cls = CLASSES[t.group];
      if (t.group === 7 && (KEYWORD_SET[t.text.toUpperCase()] || t.text === "a")) { cls = "tok-kw"; }
      if (t.group === 5) {
        var prefix = t.text.split(":")[0];
        if (!names[prefix]) { missing[prefix] = true; cls = "tok-pfx-missing"; }
      }
      if (cls) {
        var span = document.createElement("span");
        span.className = cls;
        span.textContent = t.text;
        frag.appendChild(span);
      } else {
        frag.appendChild(document.createTextNode(t.text));
      }
    });
    frag.appendChild(document.createTextNode("\n"));
    pre.replaceChildren(frag);
    showHints(Object.keys(missing));
    grow();
  }

  function showHints(missing) {
    if (!hints) { return; }
    hints.replaceChildren();
    var add = missing.filter(function (p) { return Object.prototype.hasOwnProperty.call(known, p); });
    var unknown = missing.filter(function (p) { return !Object.prototype.hasOwnProperty.call(known, p); });
    if (add.length) {
      var p = document.createElement("p");
      p.appendChild(document.createTextNode("Not declared: "));
      add.forEach(function (prefix) {
        var b = document.createElement("button");
        b.type = "button";
        b.className = "small";
        b.textContent = "Add PREFIX " + prefix + ":";
        b.addEventListener("click", function () { insertPrefixes([prefix]); });
        p.appendChild(b);
        p.appendChild(document.createTextNode(" "));
      });
      if (add.length > 1) {
        var all = document.createElement("button");
        all.type = "button";
        all.className = "small primary";
        all.textContent = "Add all";
        all.addEventListener("click", function () { insertPrefixes(add); });
        p.appendChild(all);
      }
      hints.appendChild(p);
    }
    if (unknown.length) {
      var q = document.createElement("p");
      q.className = "muted";
      q.textContent = "Unknown prefix " + unknown.map(function (u) { return u + ":"; }).join(", ") +
        " (declare it with PREFIX name: <namespace>).";
      hints.appendChild(q);
    }
  }

  function insertPrefixes(prefixes) {
    var lines = prefixes.map(function (p) { return "PREFIX " + p + ": <" + known[p] + ">"; });
    var text = textarea.value;
    // After the leading PREFIX / BASE lines, if any.
    var re = /^(?:\s*(?:#[^\n]*|(?:PREFIX|BASE)\b[^\n]*)\n)*/i;
    var head = (re.exec(text) || [""])[0];
    setValue(head + lines.join("\n") + "\n" + text.slice(head.length));
    textarea.focus();
  }

  function grow() {
    textarea.style.height = "auto";
    textarea.style.height = Math.max(textarea.scrollHeight + 2, 200) + "px";
  }

  function setValue(text) {
    textarea.value = text;
    render();
  }

  textarea.addEventListener("input", render);
  textarea.addEventListener("scroll", function () { pre.scrollTop = textarea.scrollTop; });
  textarea.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
    }
  });
  window.addEventListener("resize", grow);
  Array.prototype.forEach.call(document.querySelectorAll("button.insert-prefix"), function (b) {
    b.addEventListener("click", function () { insertPrefixes([b.getAttribute("data-prefix")]); });
  });

  // Select the character before a 1-based line and column: the parser reports the position just
  // after the token it could not accept.
  function goTo(line, column) {
    var lines = textarea.value.split("\n");
    var offset = 0;
    for (var i = 0; i < Math.min(line - 1, lines.length); i++) { offset += lines[i].length + 1; }
    offset += Math.max(column - 1, 0);
    offset = Math.min(offset, textarea.value.length);
    textarea.focus();
    textarea.setSelectionRange(Math.max(offset - 1, 0), offset);
    wrapper.scrollIntoView({ block: "nearest" });
  }

  window.rarekgEditor = {
    get: function () { return textarea.value; },
    set: setValue,
    focus: function () { textarea.focus(); },
    goTo: goTo
  };
  render();
}());
