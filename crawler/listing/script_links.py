"""Links a script names: a call with an id (``<a href="javascript:showInfo('8a81…')">``, ``<tr onclick="view(42)">``,
``showDetail(this)``), a navigation built by concatenation, and rows a script writes with ``document.write``.

The URL is nowhere in the markup; the page's scripts say where the call goes, e.g.
``function showInfo(id){ window.open('info.jsp?id=' + id) }``, defined inline or in one of the site's own script
files (the crawl fetches those when several links need them: ``ListReading.scripts_wanted``). The scripts are
parsed with tree-sitter's JavaScript grammar (a real parser, C, linear time, with error recovery for the broken
scripts real pages carry) and the navigating expression is evaluated for the call's literal arguments (values:
crawler/listing/js_values.py): string and number literals, ``+``/``-`` and comparisons with JavaScript's rules,
template strings, ``if`` conditions that the arguments decide, the function's parameters and local variables
(``var url = …; url += …``), the page's global constants, ``location.host`` and its siblings, the clicked
element's attributes, ``encodeURI``/``escape`` and the string methods templates use. A function that hands its
URL to another navigating function (``openWin(url)``) is followed, a few calls deep. Anything else (a value read
from the DOM or the event, a call that can go to two different places, a variable assigned in a branch the
arguments do not decide) gives no link: a guessed URL would be a wrong article, and a missed one is at least
reported by the list reader. Every page is bounded: script size, syntax nodes, evaluation steps.

Hand-written evaluation over the library's syntax tree: no maintained Python package evaluates JavaScript
expressions without running the page's code, which a crawler must never do (hostile input).
"""
from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urlsplit

import tree_sitter_javascript
from cssselect import SelectorError
from lxml.cssselect import CSSSelector
from lxml.etree import XPathError
from lxml.html import HtmlElement
from tree_sitter import Language, Node, Parser

from .js_values import (
    ELEMENT_METHODS,
    ELEMENT_PROPERTIES,
    STRING_METHODS,
    UNKNOWN,
    Element,
    Unknown,
    binary,
    capped,
    is_number,
    js_string,
    kebab,
    number,
    raise_unknown,
    string_method,
    truthy,
    unescape,
    well_formed,
)

MAX_SCRIPT_CHARS = 256_000  # script read per page, inline and fetched each: a jQuery is ~90 KB, a site's functions far less
MAX_SNIPPET = 2048          # an onclick/href call longer than this is not a link
MAX_DEPTH = 24              # nested evaluations (delegation, variables, sub-expressions) before giving up
MAX_STEPS = 20_000          # expressions evaluated for one link: a hostile script cannot make it exponential
MAX_PAGE_STEPS = 400_000    # and for one page (~2 s): 2,000 rows each at the first cap must not take minutes
MAX_WRITING_CHARS = 1_000_000  # script parsed for document.write on one page
MAX_FUNCTIONS = 2000        # named functions kept per page
MAX_HANDLERS = 50           # click handlers bound by selector kept per page
MAX_BOUND = 5000            # elements one handler's selector may bind
MAX_WRITTEN = 65_536        # markup one script's document.write calls may add
MAX_SCRIPT_FILE_BYTES = 1_000_000  # a site's own script file; a larger one is not read (the page goes on)
MAX_NODES = 200_000         # syntax nodes walked per page (~0.2 s; 256 KB of dense script has ~250,000)
MAX_DIGITS = 15             # a whole-number literal read as an int (int() of 5,000 digits raises)
_NAVIGATORS = {"location", "location.href", "window.location", "window.location.href", "self.location",
               "self.location.href", "top.location", "top.location.href", "parent.location",
               "parent.location.href", "document.location", "document.location.href"}
_OPENERS = {"open", "window.open", "self.open", "top.open", "parent.open"}
_REPLACERS = {f"{n}.{m}" for n in _NAVIGATORS if not n.endswith(".href") for m in ("replace", "assign")}
_ENCODERS = {
    "encodeURIComponent": "-_.!~*'()",
    "encodeURI": "-_.!~*'();,/?:@&=+$#",
    "escape": "@*_+-./",
}
# calls that are the browser's, never the page's: no reason to parse the page's scripts for them
_BUILTINS = {"void", "alert", "confirm", "print", "window.print", "window.close", "self.close", "history.back",
             "history.go", "window.history.go", "window.history.back", "window.external.AddFavorite"}
_PASSTHROUGH = {"String", "$.trim", "jQuery.trim"}
_DECODERS = {"decodeURI", "decodeURIComponent", "unescape"}
_WRITERS = {"document.write", "document.writeln"}
_DATA_TYPES = ("application/json", "application/ld+json")

_LIBRARY = re.compile(r"(?:jquery|bootstrap|vue|react|angular|echarts|swiper|layui|layer|html5shiv|respond|"
                      r"polyfill|modernizr|lodash|axios|moment|zepto|require|sea|babel|core-js)\b", re.IGNORECASE)
_DOTTED = re.compile(r"^[\w$]{1,64}(?:\.[\w$]{1,64}){0,4}$")   # showInfo, Cms.up: a function's name
# where what runs depends on more than the call's arguments: an assignment inside runs maybe
_MAYBE_RUN = {"switch_statement", "for_statement", "for_in_statement", "while_statement", "do_statement",
              "try_statement", "catch_clause", "function_expression", "function_declaration", "arrow_function",
              "ternary_expression", "binary_expression"}   # a && (url = …)
_BINDERS = {"click", "on", "bind", "live", "one", "delegate"}
# $('.list li').click( / jQuery("#news a").on('click', …: a page that binds no click this way is not parsed for it
_BINDS_CLICK = re.compile(r"""(?:\$|jQuery)\(\s*['"][^'"\n]{1,200}['"]\s*\)\s*\.\s*"""
                          r"""(?:click\s*\(|(?:on|bind|live|one|delegate)\s*\([^)]{0,200}click)""")
_FUNCTION_NODES = {"function_expression", "function", "arrow_function", "generator_function"}
# where a definition keeps its name and its function: var f = function…, a.b = function…, {f: function…}
_DEFINING_FIELDS = {"variable_declarator": ("name", "value"), "assignment_expression": ("left", "right"),
                    "pair": ("key", "value")}


@functools.cache
def javascript_language() -> Language:
    """The JavaScript grammar, loaded on first use (~5 ms: most crawls never need it)."""
    return Language(tree_sitter_javascript.language())


@dataclass
class _Function:
    params: list[str]
    body: Node


@dataclass
class _Frame:
    """One call being evaluated: its function and the values of its parameters."""

    function: _Function
    args: dict[str, object]
    # conditions and variables already evaluated in this call, by position: without it each read of a
    # variable re-evaluates every condition before it, and five chained ``if``s took minutes
    known: dict[tuple[str, int], object] = field(default_factory=dict)


@dataclass
class ScriptLinks:
    """The navigating functions of one page's inline scripts, parsed on first use (most pages never ask)."""

    root: HtmlElement
    page_url: str
    external: Sequence[str] = ()   # the text of the page's same-site ``<script src>`` files, when fetched
    undefined_calls: int = 0       # calls asked about whose function this page's inline scripts do not define
    _functions: dict[str, _Function] | None = None
    _globals: dict[str, Node] = field(default_factory=dict)
    _cache: dict[str, tuple[str | None, bool]] = field(default_factory=dict)
    _undefined: bool = False       # the snippet being resolved calls a function not defined (see target)
    _steps: int = 0                # expressions evaluated for the snippet being resolved (MAX_STEPS)
    _page_steps: int = 0           # and for the whole page (MAX_PAGE_STEPS)
    _written_chars: int = 0        # script read by written() on this page (MAX_WRITING_CHARS)
    _handlers: list[tuple[str, _Function]] = field(default_factory=list)   # $(selector).click(function) bindings
    _bound: dict[HtmlElement, _Function] | None = None                      # the elements they bind

    def target(self, snippet: str, element: HtmlElement | None = None) -> str | None:
        """The URL the ``onclick``/``javascript:`` *snippet* navigates to, or None when it cannot be known.

        *element* is the one carrying the snippet: ``showDetail(this)`` reads its attributes
        (``$(obj).attr('data-id')``, ``obj.getAttribute('url')``, ``obj.dataset.id``)."""
        snippet = snippet.strip()
        if snippet[:11].lower() == "javascript:":
            snippet = snippet[11:]
        if not snippet or len(snippet) > MAX_SNIPPET:
            return None
        this = Element.of(element) if element is not None and "this" in snippet else None
        key = snippet if this is None else f"{snippet}\0{this.attributes}"
        if key not in self._cache:
            self._cache[key] = self._resolve_snippet(snippet, this)
        url, undefined = self._cache[key]
        self.undefined_calls += undefined
        return url

    def written(self, script: str) -> str:
        """The markup an inline script writes with ``document.write`` where that can be known ("" if none).

        TRS templates write each list row so: ``var str_1 = "./202311/t20231120_1.html"; …
        document.write("<a href='" + str_1 + "'>" + str_3 + "</a>")``. The script is read as a function
        without parameters: its own variables first, then the page's constants; a write that runs only
        maybe (an unknown condition) or whose value is not known is left out."""
        if "document.write" not in script or len(script) > MAX_SNIPPET * 8:
            return ""
        self._written_chars += len(script)
        if self._written_chars > MAX_WRITING_CHARS:
            return ""
        tree = Parser(javascript_language()).parse(script.encode("utf-8", "replace"))
        self._steps = 0
        frame = _Frame(_Function([], tree.root_node), {})
        parts: list[str] = []
        for node, maybe in self._reachable(tree.root_node, frame):
            if maybe or node.type != "call_expression" or _squash(node.child_by_field_name("function")) not in _WRITERS:
                continue
            try:
                parts.extend(js_string(self._value(a, frame, node.start_byte, 0)) for a in _arguments(node))
            except Unknown:
                continue
        return "".join(parts)[:MAX_WRITTEN]

    def bound_target(self, element: HtmlElement) -> str | None:
        """The URL a click on *element* goes to through a handler the page binds to it with jQuery
        (``$('.list li').click(function () { window.open($(this).attr('data-url')); })``), else None."""
        if self._bound is None:
            self._bound = self._bind()
        function = self._bound.get(element)
        if function is None:
            return None
        this = Element.of(element)
        key = f"bound:{id(function)}\0{this.attributes}"
        if key not in self._cache:
            self._steps = 0
            urls = self._urls_of(function, [], depth=0, this=this)
            self._cache[key] = (urls.pop() if len(urls) == 1 else None), False
        return self._cache[key][0]

    def _bind(self) -> dict[HtmlElement, _Function]:
        """Each element a page's click handler is bound to (the first binding wins), found with the
        handler's CSS selector (cssselect); pages whose scripts bind no click are not parsed for it."""
        if not any(_BINDS_CLICK.search(text) for text in
                   itertools.chain((s.text or "" for s in inline_scripts(self.root)), self.external)):
            return {}
        self._index()
        bound: dict[HtmlElement, _Function] = {}
        for selector, function in self._handlers:
            try:
                matched = CSSSelector(selector)(self.root)
            except (SelectorError, XPathError, ValueError):
                continue   # a selector cssselect cannot read (:visible, …) binds nothing here
            for element in matched[:MAX_BOUND]:
                bound.setdefault(element, function)
        return bound

    @property
    def parsed(self) -> bool:
        """Whether the page's scripts were parsed (only a call to a function of the page's own asks for it)."""
        return self._functions is not None

    # -- the page's functions ---------------------------------------------------------------------------

    def _index(self) -> dict[str, _Function]:
        if self._functions is None:
            self._functions = {}
            source = _page_scripts(self.root, self.external)
            if source:
                tree = Parser(javascript_language()).parse(source)
                self._collect(tree.root_node)
        return self._functions

    def _collect(self, program: Node) -> None:
        """Every named function definition and top-level constant, in one walk over the named nodes.

        A walk rather than a tree-sitter Query: on 200 KB of unclosed ``{`` a query cursor spends ~20 s
        stepping through the error node's tokens, and its progress callback crashed the interpreter.
        """
        functions = self._functions
        assert functions is not None
        for declaration in program.named_children:
            if declaration.type in ("variable_declaration", "lexical_declaration"):
                for declarator in declaration.named_children:
                    name, value = declarator.child_by_field_name("name"), declarator.child_by_field_name("value")
                    if name is not None and value is not None and name.type == "identifier":
                        self._globals[_text(name)] = value
        for seen, node in enumerate(_descendants(program)):
            if seen >= MAX_NODES or len(functions) >= MAX_FUNCTIONS:
                break
            kind = node.type
            if kind in ("function_declaration", "generator_function_declaration", "method_definition"):
                self._define(node.child_by_field_name("name"), node)
            elif kind in ("variable_declarator", "assignment_expression", "pair"):
                name_field, value_field = _DEFINING_FIELDS[kind]
                value = node.child_by_field_name(value_field)
                if value is not None and value.type in _FUNCTION_NODES:
                    self._define(node.child_by_field_name(name_field), value)
            elif kind == "call_expression" and len(self._handlers) < MAX_HANDLERS:
                handler = _click_handler(node)
                if handler is not None:
                    self._handlers.append(handler)

    def _define(self, name_node: Node | None, function: Node) -> None:
        entry = _function_of(function)
        if name_node is None or entry is None:
            return
        name = _text(name_node).strip("'\"")
        assert self._functions is not None
        self._functions[name] = entry                   # the last definition wins, as in the browser
        if "." in name:
            self._functions.setdefault(name.rsplit(".", 1)[1], entry)

    # -- a call -------------------------------------------------------------------------------------------

    def _resolve_snippet(self, snippet: str, element: Element | None) -> tuple[str | None, bool]:
        """The snippet's URL, and whether it calls a function the scripts read do not define.

        The snippet is read as the body of a function without parameters: its own navigation
        (``window.open('detail.jsp?id=' + '42')``) and its calls to the page's functions alike."""
        if snippet.lstrip().startswith("return "):
            snippet = snippet.lstrip()[7:]
        tree = Parser(javascript_language()).parse(snippet.encode("utf-8", "replace"))
        self._undefined, self._steps = False, 0
        urls = self._urls_of(_Function([], tree.root_node), [], depth=0, this=element)
        return (urls.pop() if len(urls) == 1 else None), self._undefined and not urls

    def _lookup(self, callee: Node | None) -> _Function | None:
        if callee is None or callee.type not in ("identifier", "member_expression"):
            return None
        functions = self._index()
        name = _text(callee)
        return functions.get(name) or (functions.get(name.rsplit(".", 1)[1]) if "." in name else None)

    def _urls_of(self, function: _Function, args: list[object], depth: int,
                 this: Element | None = None) -> set[str]:
        """Every URL *function* can navigate to with *args* (an empty set: none this evaluator can name);
        *this* is the element whose onclick the snippet is."""
        if depth > 3:
            return set()
        frame = _Frame(function, {p: (args[i] if i < len(args) else UNKNOWN)
                                  for i, p in enumerate(function.params) if p})
        if this is not None:
            frame.args["this"] = this
        urls: set[str] = set()
        for node, _maybe in self._reachable(function.body, frame, depth):
            try:
                if node.type == "assignment_expression":
                    if _squash(node.child_by_field_name("left")) in _NAVIGATORS:
                        urls.add(self._string(node.child_by_field_name("right"), frame, node.start_byte))
                elif node.type == "call_expression":
                    callee = node.child_by_field_name("function")
                    name = _squash(callee)
                    first = next(iter(_arguments(node)), None)
                    if name in _OPENERS or name in _REPLACERS:
                        if first is not None:
                            urls.add(self._string(first, frame, node.start_byte))
                    elif name and name not in _BUILTINS:
                        other = self._lookup(callee)
                        if other is None:
                            self._undefined |= depth == 0 and _DOTTED.match(name) is not None
                        elif other is not function:
                            values = [self._argument_in(a, frame, node.start_byte) for a in _arguments(node)]
                            urls |= self._urls_of(other, values, depth + 1)
            except Unknown:
                continue
        return {u for u in urls if u.strip()}

    def _reachable(self, body: Node, frame: _Frame, depth: int = 0,
                   before: int | None = None) -> Iterator[tuple[Node, bool]]:
        """The nodes of *body* (those starting before byte *before*) this call can run, each with whether
        it runs only maybe. An ``if`` whose condition is known takes one branch only (``if (n == 1)
        location.href = 'index.html'; else …``), an unknown one both, maybe; so do a ``switch``, a loop, a
        ``try`` and a function defined inside."""
        stack = [(body, False)]
        while stack:
            node, maybe = stack.pop()
            if before is not None and node.start_byte >= before:
                continue   # not run yet at that point: its conditions are not asked (they may read this very value)
            if node.type == "if_statement":
                condition = node.child_by_field_name("condition")
                branches = [node.child_by_field_name("consequence"), node.child_by_field_name("alternative")]
                taken = None if condition is None else self._truth(condition, frame, node.start_byte, depth)
                if taken is not None:
                    branches = [branches[0] if taken else branches[1]]
                stack.extend((b, maybe or taken is None) for b in reversed(branches) if b is not None)
                continue
            yield node, maybe
            inner = maybe or (node is not body and node.type in _MAYBE_RUN)
            stack.extend((child, inner) for child in reversed(node.named_children))

    def _truth(self, node: Node, frame: _Frame, before: int, depth: int) -> bool | None:
        key = ("if", node.start_byte)
        if key not in frame.known:
            try:
                frame.known[key] = truthy(self._value(node, frame, before, depth + 1))
            except Unknown:
                frame.known[key] = None
        return frame.known[key]  # type: ignore[return-value]

    def _assignments(self, frame: _Frame, name: str, before: int, depth: int) -> Iterator[tuple[Node, str, Node]]:
        """Assignments to local *name* in the frame's function that end before byte *before*, in source
        order. One that runs only maybe (``if (type == 1) url = …`` with the type unknown, a ``switch``
        case) makes the value unknown: taking the last one would name the wrong article."""
        for node, maybe in self._reachable(frame.function.body, frame, depth, before):
            if node.type == "variable_declarator":
                target, value, op = node.child_by_field_name("name"), node.child_by_field_name("value"), "="
            elif node.type in ("assignment_expression", "augmented_assignment_expression"):
                target, value = node.child_by_field_name("left"), node.child_by_field_name("right")
                operator = node.child_by_field_name("operator")
                op = "=" if node.type == "assignment_expression" else (operator.type if operator is not None else "")
            else:
                continue
            if target is None or value is None or target.type != "identifier" or _text(target) != name:
                continue
            if node.end_byte > before:
                continue
            if maybe or op not in ("=", "+="):
                raise Unknown
            yield target, op, value

    def _argument_in(self, node: Node, frame: _Frame, before: int) -> object:
        try:
            return self._value(node, frame, before, 0)
        except Unknown:
            return UNKNOWN

    # -- values ---------------------------------------------------------------------------------------------

    def _string(self, node: Node | None, frame: _Frame, before: int) -> str:
        if node is None:
            raise Unknown
        return js_string(self._value(node, frame, before, 0))

    def _value(self, node: Node, frame: _Frame | None, before: int, depth: int) -> object:
        """The value of expression *node*, reading variables as assigned before byte *before*."""
        self._steps += 1
        self._page_steps += 1
        if depth > MAX_DEPTH or self._steps > MAX_STEPS or self._page_steps > MAX_PAGE_STEPS:
            raise Unknown
        kind = node.type
        if kind == "string":
            return string_literal(node)
        if kind == "number":
            return number(_text(node))
        if kind == "template_string":
            parts: list[str] = []
            for child in node.named_children:
                if child.type == "template_substitution" and child.named_child_count == 1:
                    parts.append(js_string(self._value(child.named_children[0], frame, before, depth + 1)))
                elif child.type == "string_fragment":
                    parts.append(_text(child))
                elif child.type == "escape_sequence":
                    parts.append(unescape(_text(child)))
                else:
                    raise Unknown
            return capped(well_formed("".join(parts)))
        if kind in ("true", "false"):
            return kind == "true"
        if kind == "unary_expression":
            op, operand = node.child_by_field_name("operator"), node.child_by_field_name("argument")
            if op is None or operand is None or op.type not in ("!", "-"):
                raise Unknown
            value = self._value(operand, frame, before, depth + 1)
            if op.type == "!":
                return not truthy(value)
            if not is_number(value):
                raise Unknown
            return -value
        if kind == "ternary_expression":
            condition = node.child_by_field_name("condition")
            chosen = node.child_by_field_name("consequence" if condition is not None and truthy(
                self._value(condition, frame, before, depth + 1)) else "alternative")
            if chosen is None:
                raise Unknown
            return self._value(chosen, frame, before, depth + 1)
        if kind == "parenthesized_expression" and node.named_child_count == 1:
            return self._value(node.named_children[0], frame, before, depth + 1)
        if kind == "binary_expression":
            op = node.child_by_field_name("operator")
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            if op is None or left is None or right is None:
                raise Unknown
            a = self._value(left, frame, before, depth + 1)
            b = self._value(right, frame, before, depth + 1)
            return binary(op.type, a, b)
        if kind == "identifier":
            return self._variable(_text(node), frame, before, depth)
        if kind == "this" and frame is not None:
            return frame.args.get("this", UNKNOWN)
        if kind == "member_expression":
            target, prop = node.child_by_field_name("object"), node.child_by_field_name("property")
            name = _text(prop)
            if target is not None and name == "length":
                return len(js_string(self._value(target, frame, before, depth + 1)))
            if target is not None and (name in ELEMENT_PROPERTIES or target.type == "member_expression"
                                       and _text(target.child_by_field_name("property")) == "dataset"):
                dataset = name not in ELEMENT_PROPERTIES
                element = self._value(target.child_by_field_name("object") if dataset else target,  # type: ignore[arg-type]
                                      frame, before, depth + 1)
                if isinstance(element, Element):
                    return element.read("data" if dataset else "getAttribute", [kebab(name) if dataset else name])
            return self._location_part(_squash(node))
        if kind == "call_expression":
            return self._call_value(node, frame, before, depth)
        raise Unknown

    def _call_value(self, node: Node, frame: _Frame | None, before: int, depth: int) -> object:
        callee = node.child_by_field_name("function")
        args = _arguments(node)
        name = _squash(callee)
        if name in _ENCODERS or name in _DECODERS or name in _PASSTHROUGH:
            if len(args) != 1:
                raise Unknown
            value = js_string(self._value(args[0], frame, before, depth + 1))
            if name in _ENCODERS:
                return quote(value, safe=_ENCODERS[name])
            return unquote(value) if name in _DECODERS else value
        if name in ("$", "jQuery") and len(args) == 1:    # $(this): the element itself
            element = self._value(args[0], frame, before, depth + 1)
            if isinstance(element, Element):
                return element
        if callee is not None and callee.type == "member_expression":
            method = _text(callee.child_by_field_name("property"))
            target = callee.child_by_field_name("object")
            if target is not None and (method in STRING_METHODS or method in ELEMENT_METHODS):
                value = self._value(target, frame, before, depth + 1)
                values = [self._value(a, frame, before, depth + 1) for a in args]
                if isinstance(value, Element):
                    return value.read(method, values)
                if method in STRING_METHODS:
                    return string_method(js_string(value), method, values)
        raise Unknown

    def _variable(self, name: str, frame: _Frame | None, before: int, depth: int) -> object:
        if frame is None:
            return self._constant(name, depth)
        key = (name, before)
        if key not in frame.known:
            try:
                frame.known[key] = self._local(name, frame, before, depth)
            except Unknown:
                frame.known[key] = UNKNOWN
        if frame.known[key] is UNKNOWN:
            raise Unknown
        return frame.known[key]

    def _local(self, name: str, frame: _Frame, before: int, depth: int) -> object:
        """A parameter or local variable as assigned before byte *before*, else the page's constant."""
        value = frame.args.get(name, UNKNOWN)
        assigned = False
        for target, op, expr in self._assignments(frame, name, before, depth):
            rhs = self._value(expr, frame, target.start_byte, depth + 1)
            value = rhs if op == "=" else binary("+", value if value is not UNKNOWN else raise_unknown(), rhs)
            assigned = True
        if name in frame.args or assigned:
            if value is UNKNOWN:
                raise Unknown
            return value
        return self._constant(name, depth)

    def _constant(self, name: str, depth: int) -> object:
        self._index()                                   # a page's constant (var base = "/xxgk/")
        constant = self._globals.get(name)
        if constant is None:
            raise Unknown
        return self._value(constant, None, constant.start_byte, depth + 1)

    def _location_part(self, name: str) -> str:
        """``location.host`` and its siblings, from the page's own URL (what the browser would read)."""
        for prefix in ("window.", "document.", "self.", "top."):
            name = name.removeprefix(prefix)
        parts = urlsplit(self.page_url)
        known = {
            "location.protocol": parts.scheme + ":",
            "location.host": parts.netloc,
            "location.hostname": parts.hostname or "",
            "location.port": str(parts.port or ""),
            "location.origin": f"{parts.scheme}://{parts.netloc}",
            "location.pathname": parts.path or "/",
        }
        if name not in known:
            raise Unknown
        return known[name]


def _page_scripts(root: HtmlElement, external: Sequence[str]) -> bytes:
    """The page's JavaScript: the fetched files first (a page includes them in its head), then the inline
    scripts, whose definitions win as they would in the browser; each group capped on its own, so a large
    common.js cannot push the page's own functions out. JSON and templates are not scripts."""
    inline = (s.text or "" for s in inline_scripts(root))
    return ";\n".join((capped_join(external, MAX_SCRIPT_CHARS), capped_join(inline, MAX_SCRIPT_CHARS))).encode(
        "utf-8", "replace")


def capped_join(texts: Iterable[str], cap: int) -> str:
    """Scripts joined as one program (``;`` between them), at most *cap* characters in all."""
    chunks: list[str] = []
    size = 0
    for text in texts:
        chunks.append(text[: cap - size])
        size += len(chunks[-1])
        if size >= cap:
            break
    return ";\n".join(chunks)


def inline_scripts(within: HtmlElement, also_data: bool = False) -> Iterator[HtmlElement]:
    """The ``<script>`` elements under *within* whose text the page itself carries and the browser runs;
    with *also_data*, JSON islands too (``<script type="application/json">``)."""
    for script in within.iter("script"):
        kind = script.get("type")
        if not script.get("src") and (is_javascript(kind) or also_data and (kind or "").lower() in _DATA_TYPES):
            yield script


def is_javascript(kind: str | None) -> bool:
    """A ``<script type>`` the browser runs (none given is JavaScript; JSON and templates are not)."""
    kind = (kind or "text/javascript").lower()
    return "javascript" in kind or "ecmascript" in kind or kind == "module"


def script_sources(root: HtmlElement, resolve: Callable[[str], str | None], limit: int = 8) -> list[str]:
    """The page's ``<script src>`` files that may define its functions, in page order, at most *limit*:
    well-known libraries (jQuery, Vue, ECharts, …) never define a site's ``showInfo``."""
    urls: list[str] = []
    for script in root.iter("script"):
        src = script.get("src")
        if not src or not is_javascript(script.get("type")):
            continue
        url = resolve(src)
        if url and url not in urls and not _LIBRARY.match(url.rsplit("/", 1)[-1]):
            urls.append(url)
    return urls[:limit]


def _text(node: Node | None) -> str:
    if node is None or node.text is None:
        return ""
    return node.text.decode("utf-8", "replace")


def string_literal(node: Node) -> str:
    """A string literal's value, escapes decoded (``\\u5173`` and ``\\/`` as JSON writes them)."""
    parts = []
    for child in node.named_children:
        if child.type == "string_fragment":
            parts.append(_text(child))
        elif child.type == "escape_sequence":
            parts.append(unescape(_text(child)))
    return capped(well_formed("".join(parts)))


def literal_fields(obj: Node, nested: bool = False) -> dict[str, object]:
    """An object literal's fields whose values are literals, keys as written (``title``, ``"url"``):
    strings (escapes decoded), whole numbers as int, ``true``/``false`` as bool and, with *nested*, an
    object whose fields all are such literals, as a dict. A computed value is left out."""
    fields: dict[str, object] = {}
    for pair in obj.named_children:
        if pair.type != "pair":
            continue
        key, value = pair.child_by_field_name("key"), pair.child_by_field_name("value")
        if key is None or value is None:
            continue
        name = _text(key).strip("'\"")
        if value.type == "string":
            fields[name] = string_literal(value)
        elif value.type == "number" and _text(value).isdigit() and len(_text(value)) <= MAX_DIGITS:
            fields[name] = int(_text(value))
        elif value.type in ("true", "false"):
            fields[name] = value.type == "true"
        elif nested and value.type == "object":
            inner = literal_fields(value)
            if len(inner) == sum(1 for p in value.named_children if p.type == "pair"):
                fields[name] = inner
    return fields


def _function_of(function: Node) -> _Function | None:
    """A function node's parameter names and body (``id = 0`` defaults read as ``id``)."""
    body = function.child_by_field_name("body")
    if body is None:
        return None
    params = function.child_by_field_name("parameters") or function.child_by_field_name("parameter")
    names: list[str] = []
    if params is not None:
        for p in ([params] if params.type == "identifier" else params.named_children):
            if p.type == "assignment_pattern":
                p = p.child_by_field_name("left") or p
            names.append(_text(p) if p.type == "identifier" else "")
    return _Function(names, body)


def _click_handler(call: Node) -> tuple[str, _Function] | None:
    """``$(sel).click(fn)``, ``$(sel).on('click', [sub,] fn)`` (also bind/live/one), ``$(sel).delegate(sub,
    'click', fn)``: the selector of the elements a click runs *fn* on, and *fn*."""
    callee = call.child_by_field_name("function")
    if callee is None or callee.type != "member_expression":
        return None
    method = _text(callee.child_by_field_name("property"))
    target = callee.child_by_field_name("object")
    if method not in _BINDERS or target is None or target.type != "call_expression" \
            or _squash(target.child_by_field_name("function")) not in ("$", "jQuery"):
        return None
    outer = _arguments(target)
    args = _arguments(call)
    if len(outer) != 1 or outer[0].type != "string" or not args or args[-1].type not in _FUNCTION_NODES:
        return None
    strings = [string_literal(a) for a in args[:-1] if a.type == "string"]
    if len(strings) != len(args) - 1:
        return None
    selector = string_literal(outer[0])
    if method == "delegate":
        if len(strings) != 2 or "click" not in strings[1].split():
            return None
        selector = f"{selector} {strings[0]}"
    elif method != "click":
        if not strings or "click" not in strings[0].split():
            return None
        if len(strings) == 2:
            selector = f"{selector} {strings[1]}"
    elif strings:
        return None
    function = _function_of(args[-1])
    return (selector, function) if function is not None and selector.strip() else None


def _squash(node: Node | None) -> str:
    """A callee or target as a dotted name without spaces (``window . location`` → ``window.location``)."""
    if node is None or node.type not in ("identifier", "member_expression", "property_identifier"):
        return ""
    return "".join(_text(node).split())


def _descendants(node: Node) -> Iterator[Node]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.named_children))


def _arguments(call: Node) -> list[Node]:
    args = call.child_by_field_name("arguments")
    return [] if args is None else [a for a in args.named_children if a.type != "comment"]


