// rarekg query editor: CodeMirror 6 with the SPARQL mode of @codemirror/legacy-modes, line
// numbers, bracket matching, completion of prefixes and vocabulary terms, errors marked at their
// line and column, and the query history of this browser. Built into ../vendor/rarekg-editor.js by
// build.sh (esbuild); the <textarea> stays the form's real input and is kept in sync, so the form
// works the same without this script.
import { EditorView, basicSetup } from "codemirror";
import { EditorState } from "@codemirror/state";
import { keymap } from "@codemirror/view";
import { StreamLanguage } from "@codemirror/language";
import { sparql } from "@codemirror/legacy-modes/mode/sparql";
import { autocompletion } from "@codemirror/autocomplete";
import { setDiagnostics, lintGutter } from "@codemirror/lint";

const HISTORY_KEY = "rarekg-query-history";
const HISTORY_SIZE = 30;

function readJson(id, fallback) {
  const el = document.getElementById(id);
  if (!el) { return fallback; }
  try { return JSON.parse(el.textContent); } catch (e) { return fallback; }
}

function knownPrefixes() {
  const out = {};
  document.querySelectorAll("#prefixes tr[data-prefix]").forEach((row) => {
    out[row.getAttribute("data-prefix")] = row.getAttribute("data-namespace");
  });
  return out;
}

const KEYWORDS = ("SELECT DISTINCT WHERE FILTER OPTIONAL UNION MINUS GRAPH BIND VALUES GROUP BY " +
  "ORDER BY LIMIT OFFSET HAVING COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT ASK CONSTRUCT DESCRIBE " +
  "PREFIX BASE NOT EXISTS LANG LANGMATCHES STR CONTAINS STRSTARTS REGEX COALESCE IF").split(" ");

function completions(prefixes, terms) {
  return (context) => {
    const word = context.matchBefore(/[A-Za-z_][\w-]*:[\w-]*|[A-Za-z_][\w-]*/);
    if (!word || (word.from === word.to && !context.explicit)) { return null; }
    const text = word.text;
    const colon = text.indexOf(":");
    if (colon >= 0) {
      const prefix = text.slice(0, colon);
      const options = (terms[prefix] || []).map((t) => ({
        label: prefix + ":" + t.name, type: t.kind === "class" ? "class" : "property",
        detail: t.label || "", info: t.comment || undefined }));
      return { from: word.from, options, validFor: /^[\w-]*:?[\w-]*$/ };
    }
    const options = Object.keys(prefixes).map((p) => ({
      label: p + ":", type: "namespace", detail: prefixes[p] }))
      .concat(KEYWORDS.map((k) => ({ label: k, type: "keyword" })));
    return { from: word.from, options, validFor: /^[\w-]*$/ };
  };
}

function loadHistory() {
  try { return JSON.parse(localStorage.getItem(HISTORY_KEY) || "[]"); } catch (e) { return []; }
}

function remember(query) {
  const text = query.trim();
  if (!text) { return; }
  const items = loadHistory().filter((h) => h.query !== text);
  items.unshift({ query: text, at: new Date().toISOString() });
  try { localStorage.setItem(HISTORY_KEY, JSON.stringify(items.slice(0, HISTORY_SIZE))); } catch (e) { /* full or off */ }
}

function fillHistory(select, words) {
  if (!select) { return; }
  select.replaceChildren();
  const first = document.createElement("option");
  first.value = "";
  first.textContent = words["Recent queries"] || "Recent queries";
  select.appendChild(first);
  loadHistory().forEach((h, i) => {
    const option = document.createElement("option");
    option.value = String(i);
    const line = h.query.replace(/\s+/g, " ");
    option.textContent = h.at.slice(0, 16).replace("T", " ") + " · " + (line.length > 70 ? line.slice(0, 70) + "…" : line);
    select.appendChild(option);
  });
}

function start() {
  const textarea = document.getElementById("query");
  const form = document.getElementById("query-form");
  if (!textarea || !form) { return; }
  document.documentElement.classList.add("js");
  const words = readJson("js-words", {});
  const prefixes = knownPrefixes();
  const terms = readJson("vocab-terms", {});
  const nonceMeta = document.querySelector("meta[name=csp-style-nonce]");
  const nonce = nonceMeta ? nonceMeta.getAttribute("content") : "";
  const runKeys = keymap.of([{ key: "Mod-Enter", run: () => {
    if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
    return true; } }]);
  const view = new EditorView({
    state: EditorState.create({
      doc: textarea.value,
      extensions: [
        EditorView.cspNonce.of(nonce || ""), runKeys, basicSetup, StreamLanguage.define(sparql),
        lintGutter(),
        autocompletion({ override: [completions(prefixes, terms)] }),
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({ "aria-label": words["SPARQL query"] || "SPARQL query" }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) {
            textarea.value = update.state.doc.toString();
            update.view.dispatch(setDiagnostics(update.state, []));
          }
        }),
      ],
    }),
  });
  textarea.hidden = true;
  textarea.parentNode.insertBefore(view.dom, textarea.nextSibling);
  view.dom.id = "query-editor";

  const historySelect = document.getElementById("history");
  fillHistory(historySelect, words);
  if (historySelect) {
    historySelect.hidden = false;
    historySelect.addEventListener("change", () => {
      const item = loadHistory()[parseInt(historySelect.value, 10)];
      if (item) { setValue(item.query); view.focus(); }
    });
  }
  form.addEventListener("submit", () => { remember(view.state.doc.toString()); fillHistory(historySelect, words); });

  function setValue(text) {
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    textarea.value = text;
  }

  function position(line, column) {
    const doc = view.state.doc;
    const l = doc.line(Math.min(Math.max(line, 1), doc.lines));
    return Math.min(l.from + Math.max(column - 1, 0), l.to);
  }

  // The parser reports the position just after the token it could not accept.
  function goTo(line, column) {
    const at = position(line, column);
    view.dispatch({ selection: { anchor: Math.max(at - 1, 0), head: at }, scrollIntoView: true });
    view.focus();
  }

  function markError(line, column, message) {
    const at = position(line, column);
    const from = Math.max(at - 1, 0);
    view.dispatch(setDiagnostics(view.state, [{ from, to: Math.max(at, from + 1) > view.state.doc.length ? view.state.doc.length : Math.max(at, from + 1),
      severity: "error", message: message || "" }]));
  }

  document.querySelectorAll("button.insert-prefix").forEach((b) => {
    b.addEventListener("click", () => {
      const p = b.getAttribute("data-prefix");
      setValue("PREFIX " + p + ": <" + prefixes[p] + ">\n" + view.state.doc.toString());
      view.focus();
    });
  });

  window.rarekgEditor = {
    get: () => view.state.doc.toString(),
    set: setValue,
    focus: () => view.focus(),
    goTo,
    markError,
    view,
  };
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start);
} else {
  start();
}
