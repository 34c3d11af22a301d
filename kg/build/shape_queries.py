"""The SHACL shapes of ``ontology/shapes*.ttl`` compiled once into SPARQL queries that find every
violation over all focus nodes at once, run on the Oxigraph store of a build.

pySHACL on an rdflib copy of the whole graph takes most of a build and grows with it (one
evaluation per focus node, a text round trip into rdflib).  Here the constraints of each shape
become SELECT queries whose solutions are the results (``?this`` the focus node, ``?value`` the
value node; the value constraints of one property shape share one query, its counts another),
evaluated by the store over the union of the named graphs (``kg.build.shape_checks``); the findings
are the same as pySHACL's (``tests/test_shape_queries.py`` checks it on a graph with errors against
every constraint of every shape).  Three differences, none in the shapes' meaning: the nested
results that pySHACL also lists on their own (``sh:detail`` of a ``sh:node`` result) are reported
once, as the ``sh:node`` result; comparisons follow SPARQL 1.1 (a string compared with a number is
an error, where rdflib orders them as strings); subclasses are followed through IRIs only.

The supported part of SHACL is the part our shapes use: targets (``sh:targetClass`` with
subclasses, ``sh:targetNode``, ``sh:targetSubjectsOf``, ``sh:targetObjectsOf``, SPARQL-based
``sh:target``), property paths (predicate, sequence, inverse, alternative, zero/one-or-more),
``sh:minCount``, ``sh:maxCount``, ``sh:class``, ``sh:datatype``, ``sh:nodeKind``, ``sh:pattern``
(with ``sh:flags``), ``sh:minLength``, ``sh:maxLength``, ``sh:in``, ``sh:hasValue``,
``sh:min/maxInclusive``, ``sh:min/maxExclusive``, ``sh:node``, ``sh:or``, ``sh:languageIn`` and
SHACL-SPARQL ``sh:sparql`` SELECT constraints on node shapes (``$this`` is joined with the
shape's targets instead of being pre-bound, so one query serves all focus nodes; constructs whose
meaning would change under that rewrite are refused).  Anything else raises
``UnsupportedShape`` when the shapes are compiled: a constraint is never silently skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import count
from pathlib import Path

import rdflib
from pyoxigraph import Store
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH
from rdflib.term import Node, URIRef

from kg.build.shape_checks import Check, short_path, subclasses
from kg.errors import BuildError
from kg.paths import ONTOLOGY_DIR

RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
XSD = "http://www.w3.org/2001/XMLSchema#"
# Datatypes whose lexical forms the store can check by casting (an ill-formed literal fails).
CASTABLE = {f"{XSD}{t}" for t in ("integer", "decimal", "double", "float", "boolean", "date",
                                  "dateTime", "gYear", "time")}
# Predicates of a shape that do not constrain anything.
IGNORED = {SH.name, SH.description, SH.order, SH.group, SH.message, SH.severity, SH.deactivated,
           SH.path, SH.property, SH.declare, SH.defaultValue}
TARGETS = {SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target}
FORBIDDEN_IN_SPARQL = re.compile(
    r"\b(MINUS|OPTIONAL|SERVICE|VALUES|GROUP\s+BY|HAVING|LIMIT|OFFSET|COUNT|SUM|MIN|MAX|AVG|"
    r"SAMPLE|GROUP_CONCAT)\b|\$(PATH|currentShape|shapesGraph|value)\b", re.IGNORECASE)
NODE_KINDS = {
    "IRI": "isIRI({v})", "Literal": "isLiteral({v})", "BlankNode": "isBlank({v})",
    "BlankNodeOrIRI": "(isBlank({v}) || isIRI({v}))",
    "BlankNodeOrLiteral": "(isBlank({v}) || isLiteral({v}))",
    "IRIOrLiteral": "(isIRI({v}) || isLiteral({v}))",
}
COMPARISONS = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">",
               SH.maxExclusive: "<"}


class UnsupportedShape(BuildError):
    """A shape uses a part of SHACL the compiler does not translate."""


class _Compiler:
    def __init__(self, shapes: rdflib.Graph) -> None:
        self.g = shapes
        self.fresh = count(1)

    # -- terms, paths, prefixes ------------------------------------------------------------------

    def term(self, node: Node) -> str:
        if isinstance(node, URIRef):
            return f"<{node}>"
        if isinstance(node, rdflib.Literal):
            lexical = _string(str(node))
            if node.language:
                return f"{lexical}@{node.language}"
            if node.datatype:
                return f"{lexical}^^<{node.datatype}>"
            return lexical
        raise UnsupportedShape(f"a blank node {node} as a value in a shape")

    def path(self, node: Node) -> str:
        if isinstance(node, URIRef):
            return f"<{node}>"
        if (node, RDF.first, None) in self.g:
            return "(" + "/".join(self.path(p) for p in Collection(self.g, node)) + ")"
        for pred, template in ((SH.inversePath, "^{}"), (SH.zeroOrMorePath, "{}*"),
                               (SH.oneOrMorePath, "{}+"), (SH.zeroOrOnePath, "{}?")):
            inner = self.g.value(node, pred)
            if inner is not None:
                return "(" + template.format(self.path(inner)) + ")"
        alternatives = self.g.value(node, SH.alternativePath)
        if alternatives is not None:
            return "(" + "|".join(self.path(p) for p in Collection(self.g, alternatives)) + ")"
        raise UnsupportedShape(f"property path {node} is not a SHACL path")

    def prefixes(self, node: Node) -> str:
        lines = []
        for holder in self.g.objects(node, SH.prefixes):
            for decl in self.g.objects(holder, SH.declare):
                prefix, namespace = self.g.value(decl, SH.prefix), self.g.value(decl, SH.namespace)
                lines.append(f"PREFIX {prefix}: <{namespace}>")
        return "\n".join(lines)

    def severity(self, shape: Node) -> str:
        value = self.g.value(shape, SH.severity)
        return str(value).rsplit("#", 1)[-1] if value is not None else "Violation"

    def message(self, shape: Node, default: str) -> str:
        value = self.g.value(shape, SH.message)
        return str(value) if value is not None else default

    def check_predicates(self, shape: Node, allowed: set[URIRef]) -> None:
        for pred in set(self.g.predicates(shape, None)):
            if str(pred).startswith(str(SH)) and pred not in allowed | IGNORED | TARGETS:
                raise UnsupportedShape(f"shape {self.label(shape)}: {pred} is not supported")

    def label(self, node: Node) -> str:
        return short_path(str(node)) if isinstance(node, URIRef) else "[]"

    def deactivated(self, shape: Node) -> bool:
        return bool(self.g.value(shape, SH.deactivated) == rdflib.Literal(True))

    # -- targets -----------------------------------------------------------------------------------

    def targets(self, shape: Node) -> tuple[str, str]:
        """The pattern binding ``?this`` to every focus node of ``shape``, and its prefixes."""
        parts, prefixes = [], []
        for cls in self.g.objects(shape, SH.targetClass):
            parts.append(f"VALUES ?_c {{ {subclasses(str(cls))} }} ?this {RDF_TYPE} ?_c .")
        for node in self.g.objects(shape, SH.targetNode):
            parts.append(f"VALUES ?this {{ {self.term(node)} }}")
        for pred in self.g.objects(shape, SH.targetSubjectsOf):
            parts.append(f"?this {self.term(pred)} ?_t .")
        for pred in self.g.objects(shape, SH.targetObjectsOf):
            parts.append(f"?_t {self.term(pred)} ?this .")
        for target in self.g.objects(shape, SH.target):
            select = self.g.value(target, SH.select)
            if select is None or set(self.g.predicates(target, None)) - {
                RDF.type, SH.select, SH.prefixes
            }:
                raise UnsupportedShape(f"shape {self.label(shape)}: only SPARQL-based targets "
                                       "(sh:select) are supported")
            prefixes.append(self.prefixes(target))
            parts.append("{ " + _without_prefixes(str(select)) + " }")
        if (shape, RDF.type, rdflib.RDFS.Class) in self.g:
            raise UnsupportedShape(f"shape {self.label(shape)}: implicit class targets")
        union = " UNION ".join("{ " + p + " }" for p in parts)
        return "{ SELECT DISTINCT ?this WHERE { " + union + " } }", "\n".join(p for p in prefixes
                                                                            if p)

    # -- value constraints as boolean expressions over one value -----------------------------------

    def value_violations(self, shape: Node, v: str) -> Iterator[tuple[str, str, str]]:
        """(component, expression true when the value ``v`` violates it, default message) for each
        constraint of ``shape`` that tests one value node at a time."""
        g = self.g
        for cls in g.objects(shape, SH["class"]):
            c = f"?_c{next(self.fresh)}"
            yield ("class", f"NOT EXISTS {{ {v} {RDF_TYPE} {c} . VALUES {c} "
                   f"{{ {subclasses(str(cls))} }} }}",
                   f"Value does not have class {self.label(cls)}")
        for dt in g.objects(shape, SH.datatype):
            if str(dt) == str(RDF.langString):
                ok = f"(isLiteral({v}) && lang({v}) != \"\")"
            else:
                ok = f"(isLiteral({v}) && sameTerm(datatype({v}), <{dt}>))"
                if str(dt) in CASTABLE:
                    ok = f"({ok} && COALESCE(isLiteral(<{dt}>({v})), false))"
            yield "datatype", f"!{ok}", f"Value is not Literal with datatype {self.label(dt)}"
        for kind in g.objects(shape, SH.nodeKind):
            name = str(kind).rsplit("#", 1)[-1]
            if name not in NODE_KINDS:
                raise UnsupportedShape(f"sh:nodeKind {kind}")
            yield ("nodeKind", "!" + NODE_KINDS[name].format(v=v),
                   f"Value is not of Node Kind sh:{name}")
        for pattern in g.objects(shape, SH.pattern):
            flags = g.value(shape, SH.flags)
            regex = f"REGEX(STR({v}), {_string(str(pattern))}, {_string(str(flags or ''))})"
            yield ("pattern", f"(isBlank({v}) || !{regex})",
                   f"Value does not match pattern '{pattern}'")
        for pred, op in (("minLength", "<"), ("maxLength", ">")):
            for n in g.objects(shape, SH[pred]):
                yield (pred, f"(isBlank({v}) || STRLEN(STR({v})) {op} {_int(n)})",
                       f"String length not {'>=' if op == '<' else '<='} {_int(n)}")
        for pred, op in COMPARISONS.items():
            for bound in g.objects(shape, pred):
                test = f"!COALESCE({v} {op} {self.term(bound)}, false)"
                yield str(pred).rsplit("#", 1)[-1], test, f"Value is not {op} {bound}"
        for members in g.objects(shape, SH["in"]):
            terms = [self.term(m) for m in Collection(g, members)]
            same = " || ".join(f"sameTerm({v}, {t})" for t in terms) or "false"
            yield "in", f"!({same})", f"Value {{?value}} not in list {terms}"
        for langs in g.objects(shape, SH.languageIn):
            tags = " || ".join(f"langMatches(lang({v}), {_string(str(t))})"
                               for t in Collection(g, langs)) or "false"
            yield "languageIn", f"!(isLiteral({v}) && ({tags}))", "Language not in the list"
        for node in g.objects(shape, SH.node):
            yield ("node", self.nested(node, v),
                   f"Value does not conform to Shape {self.label(node)}")
        for alternatives in g.objects(shape, SH["or"]):
            branches = [self.nested(m, v) for m in Collection(g, alternatives)]
            yield ("or", "(" + " && ".join(branches or ["true"]) + ")",
                   "Value does not conform to one or more shapes in the sh:or list")

    def nested(self, shape: Node, v: str) -> str:
        """An expression true when ``v`` does NOT conform to the node shape ``shape`` (used inside
        ``sh:node`` and ``sh:or``): value constraints, and property shapes with value constraints,
        ``sh:minCount`` 1, ``sh:maxCount`` 1 and ``sh:hasValue``."""
        self.check_predicates(shape, {SH["class"], SH.datatype, SH.nodeKind, SH.pattern, SH.flags,
                                      SH.minLength, SH.maxLength, SH["in"], SH.languageIn,
                                      SH.node, SH["or"], SH.hasValue, *COMPARISONS})
        if any(True for _ in self.g.objects(shape, SH.sparql)):
            raise UnsupportedShape(f"sh:sparql inside sh:node/sh:or ({self.label(shape)})")
        parts = [expr for _c, expr, _m in self.value_violations(shape, v)]
        parts += [f"!sameTerm({v}, {self.term(h)})" for h in self.g.objects(shape, SH.hasValue)]
        for prop in self.g.objects(shape, SH.property):
            if self.deactivated(prop):
                continue
            self.check_predicates(prop, {SH["class"], SH.datatype, SH.nodeKind, SH.pattern,
                                         SH.flags, SH.minLength, SH.maxLength, SH["in"],
                                         SH.languageIn, SH.node, SH["or"], SH.hasValue,
                                         SH.minCount, SH.maxCount, *COMPARISONS})
            path_node = self.g.value(prop, SH.path)
            if path_node is None:
                raise UnsupportedShape(f"property shape {self.label(prop)} has no sh:path")
            path = self.path(path_node)
            x, y = f"?_n{next(self.fresh)}", f"?_n{next(self.fresh)}"
            for n in self.g.objects(prop, SH.minCount):
                if _int(n) > 1:
                    raise UnsupportedShape("sh:minCount above 1 inside sh:node/sh:or")
                if _int(n) == 1:
                    parts.append(f"NOT EXISTS {{ {v} {path} {x} }}")
            for n in self.g.objects(prop, SH.maxCount):
                if _int(n) > 1:
                    raise UnsupportedShape("sh:maxCount above 1 inside sh:node/sh:or")
                cond = f"FILTER (!sameTerm({x}, {y}))" if _int(n) == 1 else ""
                parts.append(f"EXISTS {{ {v} {path} {x} . {v} {path} {y} {cond} }}")
            for h in self.g.objects(prop, SH.hasValue):
                parts.append(f"NOT EXISTS {{ {v} {path} {self.term(h)} }}")
            for _c, expr, _m in self.value_violations(prop, x):
                parts.append(f"EXISTS {{ {v} {path} {x} FILTER ({expr}) }}")
        return "(" + " || ".join(parts or ["false"]) + ")"

    # -- top-level shapes --------------------------------------------------------------------------

    def compile_node_shape(self, shape: Node) -> Iterator[Check]:
        target, prefixes = self.targets(shape)
        head = (prefixes + "\n") if prefixes else ""
        name = self.label(shape)
        self.check_predicates(shape, {SH["class"], SH.datatype, SH.nodeKind, SH.pattern, SH.flags,
                                      SH.minLength, SH.maxLength, SH["in"], SH.languageIn, SH.node,
                                      SH["or"], SH.hasValue, SH.sparql, SH.closed,
                                      SH.ignoredProperties, *COMPARISONS})
        if self.g.value(shape, SH.closed) == rdflib.Literal(True):
            raise UnsupportedShape(f"shape {name}: sh:closed")
        severity = self.severity(shape)
        items = list(self.value_violations(shape, "?this"))
        items += [("hasValue", f"!sameTerm(?this, {self.term(value)})", f"Value is not {value}")
                  for value in self.g.objects(shape, SH.hasValue)]
        if items:
            yield self.value_check(name, shape, severity, "", head, target,
                                   "BIND (?this AS ?value)", items)
        for constraint in self.g.objects(shape, SH.sparql):
            yield self.sparql_check(shape, constraint, target, prefixes)
        for prop in self.g.objects(shape, SH.property):
            if not self.deactivated(prop):
                yield from self.compile_property_shape(name, prop, target, head)

    def sparql_check(self, shape: Node, constraint: Node, target: str, prefixes: str) -> Check:
        if self.deactivated(constraint):
            raise UnsupportedShape("a deactivated sh:sparql constraint")  # not used; be explicit
        select = self.g.value(constraint, SH.select)
        if select is None:
            raise UnsupportedShape(f"shape {self.label(shape)}: sh:sparql needs sh:select")
        text = _without_prefixes(str(select))
        bad = FORBIDDEN_IN_SPARQL.search(text)
        if bad or len(re.findall(r"\bSELECT\b", text, re.IGNORECASE)) != 1:
            raise UnsupportedShape(
                f"shape {self.label(shape)}: sh:sparql uses {bad.group(0) if bad else 'a subquery'}"
                ", which would not mean the same for all focus nodes at once")
        projection = text[: text.index("{")]
        if not re.search(r"[$?]this\b", projection):
            raise UnsupportedShape(f"shape {self.label(shape)}: sh:sparql must select $this")
        text = re.sub(r"\$this\b", "?this", text)
        brace = text.index("{")
        query = f"{text[: brace + 1]} {target} {text[brace + 1 :]}"
        head = "\n".join(p for p in (self.prefixes(constraint), prefixes) if p)
        if not re.search(r"\?value\b", projection):
            query = query.replace("?this", "?this (?this AS ?value)", 1)
        message = self.message(constraint, self.message(shape, "SPARQL constraint violated"))
        return Check(self.label(shape), self.severity(shape), f"{head}\n{query}",
                     (("sparql", message, ""),))

    def compile_property_shape(self, node_name: str, prop: Node, target: str,
                               head: str) -> Iterator[Check]:
        self.check_predicates(prop, {SH["class"], SH.datatype, SH.nodeKind, SH.pattern, SH.flags,
                                     SH.minLength, SH.maxLength, SH["in"], SH.languageIn, SH.node,
                                     SH["or"], SH.hasValue, SH.minCount, SH.maxCount,
                                     *COMPARISONS})
        path_node = self.g.value(prop, SH.path)
        if path_node is None:
            raise UnsupportedShape(f"property shape {self.label(prop)} has no sh:path")
        path = self.path(path_node)
        shown = short_path(str(path_node)) if isinstance(path_node, URIRef) else "(path)"
        name = f"{node_name} {shown}"
        severity = self.severity(prop)
        mins = [_int(n) for n in self.g.objects(prop, SH.minCount)]
        maxs = [_int(n) for n in self.g.objects(prop, SH.maxCount)]
        counts = [("minCount", f"?_n < {n}", f"Less than {n} values on {{?this}}->{shown}")
                  for n in mins]
        counts += [("maxCount", f"?_n > {n}", f"More than {n} values on {{?this}}->{shown}")
                   for n in maxs]
        if mins == [1] and not maxs:  # the common case, as an anti-join: no counting
            yield Check(name, severity, f"{head}SELECT DISTINCT ?this WHERE {{ {target} "
                        f"FILTER NOT EXISTS {{ ?this {path} ?_v }} }}",
                        (("minCount", self.message(prop, counts[0][2]), shown),), False)
        elif counts:
            values = (f"OPTIONAL {{ ?this {path} ?_v }}" if any(n > 0 for n in mins)
                      else f"?this {path} ?_v .")
            binds = " ".join(f"BIND ({expr} AS ?b{i})" for i, (_c, expr, _m) in enumerate(counts))
            flags = " ".join(f"?b{i}" for i in range(len(counts)))
            yield Check(name, severity, f"{head}SELECT ?this {flags} WHERE {{ {{ SELECT "
                        f"?this (COUNT(DISTINCT ?_v) AS ?_n) WHERE {{ {target} {values} }} "
                        f"GROUP BY ?this }} {binds} FILTER ({' || '.join(flags.split())}) }}",
                        tuple((c, self.message(prop, m), shown) for c, _e, m in counts), False)
        for value in self.g.objects(prop, SH.hasValue):
            default = f"Missing expected value {value}"
            yield Check(name, severity, f"{head}SELECT DISTINCT ?this WHERE {{ {target} "
                        f"FILTER NOT EXISTS {{ ?this {path} {self.term(value)} }} }}",
                        (("hasValue", self.message(prop, default), shown),), False)
        items = list(self.value_violations(prop, "?value"))
        if items:
            yield self.value_check(name, prop, severity, shown, head, target,
                                   f"?this {path} ?value .", items)

    def value_check(self, name: str, shape: Node, severity: str, shown: str, head: str,
                    target: str, values: str, items: list[tuple[str, str, str]]) -> Check:
        """One query for all the value constraints ``items`` of a shape: ``?b<i>`` says whether
        the value breaks the i-th."""
        binds = " ".join(f"BIND ({expr} AS ?b{i})" for i, (_c, expr, _m) in enumerate(items))
        flags = [f"?b{i}" for i in range(len(items))]
        query = (f"{head}SELECT DISTINCT ?this ?value {' '.join(flags)} WHERE {{ {target} "
                 f"{values} {binds} FILTER ({' || '.join(flags)}) }}")
        return Check(name, severity, query,
                     tuple((c, self.message(shape, m), shown) for c, _e, m in items))


def compile_shapes(shapes: rdflib.Graph) -> list[Check]:
    """Every constraint of every shape with targets in ``shapes``, as a query.

    Raises ``UnsupportedShape`` for a part of SHACL not translated, and for a query the store
    cannot parse (each query is tried once on an empty store)."""
    compiler = _Compiler(shapes)
    checks: list[Check] = []
    shapes_with_targets = sorted({s for p in TARGETS for s in shapes.subjects(p, None)}, key=str)
    for shape in shapes_with_targets:
        if not compiler.deactivated(shape):
            checks.extend(compiler.compile_node_shape(shape))
    for s in shapes.subjects(RDF.type, SH.PropertyShape):
        if any(True for p in TARGETS for _ in shapes.objects(s, p)):
            raise UnsupportedShape(f"property shape {s} with targets of its own")
    empty = Store()
    for check in checks:
        try:
            empty.query(check.query)
        except SyntaxError as exc:
            raise UnsupportedShape(f"shape {check.shape} ({check.parts[0][0]}): the compiled "
                                   f"query does not parse: {exc}\n{check.query}") from exc
    return checks


def load_shapes(shapes_path: Path = ONTOLOGY_DIR) -> rdflib.Graph:
    shapes = rdflib.Graph()
    for path in sorted(shapes_path.glob("shapes*.ttl")) if shapes_path.is_dir() else [shapes_path]:
        shapes.parse(path, format="turtle")
    return shapes


def _int(node: Node) -> int:
    return int(str(node))


def _string(text: str) -> str:
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
               .replace("\r", "\\r"))
    return f'"{escaped}"'


def _without_prefixes(query: str) -> str:
    if re.search(r"^\s*(PREFIX|BASE)\b", query, re.IGNORECASE | re.MULTILINE):
        raise UnsupportedShape("PREFIX or BASE inside a SHACL-SPARQL query: use sh:prefixes")
    return query.strip()
