"""Read the data in a Docusaurus `sidebars.js` / `sidebars.ts` / `docusaurus.config.js` without
running any JavaScript.

Those files are almost always object and array literals, sometimes held in `const` variables
and exported with `module.exports = ...` or `export default ...`. This reader understands
exactly that: literals (objects, arrays, strings, template strings without `${}`, numbers,
`true`/`false`/`null`/`undefined`), references to earlier `const`/`let`/`var` bindings, spread
of such bindings, TypeScript `as`/`satisfies`/type annotations, and comments. Anything else (a
function call, arithmetic) becomes `Unknown(text)`, so the caller can say what it left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Unknown:
    """An expression this reader does not evaluate (the source text, shortened)."""

    text: str


class _Stop(Exception):
    pass


_TOKEN = re.compile(
    r"""
    (?P<space>\s+|//[^\n]*|/\*.*?\*/)
  | (?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<template>`(?:[^`\\]|\\.)*`)
  | (?P<number>-?(?:0x[0-9a-fA-F]+|\d+(?:\.\d+)?(?:[eE][-+]?\d+)?))
  | (?P<name>[A-Za-z_$][\w$]*)
  | (?P<punct>\.\.\.|=>|[{}\[\](),:;=.?<>|&!+\-*/%])
    """,
    re.VERBOSE | re.DOTALL,
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


def _tokens(source: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(source):
        match = _TOKEN.match(source, pos)
        if not match:
            out.append(("punct", source[pos]))
            pos += 1
            continue
        pos = match.end()
        kind = match.lastgroup
        if kind != "space":
            out.append((kind, match.group()))
    return out


def _unquote(text: str) -> str:
    body = text[1:-1]
    return re.sub(
        r"\\(u\{?[0-9a-fA-F]{1,6}\}?|x[0-9a-fA-F]{2}|.)",
        lambda m: _unescape(m.group(1)),
        body,
        flags=re.DOTALL,
    )


def _unescape(code: str) -> str:
    if code[0] in "ux" and len(code) > 1:
        return chr(int(code[1:].strip("{}"), 16))
    return _ESCAPES.get(code, code)


class _Reader:
    def __init__(self, tokens: list[tuple[str, str]], bindings: dict):
        self.tokens = tokens
        self.pos = 0
        self.bindings = bindings

    def peek(self, offset: int = 0) -> tuple[str, str]:
        index = self.pos + offset
        return self.tokens[index] if index < len(self.tokens) else ("end", "")

    def take(self) -> tuple[str, str]:
        token = self.peek()
        self.pos += 1
        return token

    def expect(self, value: str) -> None:
        if self.take()[1] != value:
            raise _Stop

    def value(self):
        start = self.pos
        result = self._primary()
        # member access, calls, operators: not data
        kind, text = self.peek()
        if text in ("(", ".", "+", "-", "*", "/", "?", "||", "&&", "|", "&") or (
            text == "[" and self.pos > start
        ):
            self._skip_expression()
            return Unknown(self._text(start, self.pos))
        while text in ("as", "satisfies"):  # TypeScript: `{...} as SidebarsConfig`
            self.take()
            self._skip_type()
            kind, text = self.peek()
        return result

    def _text(self, start: int, end: int) -> str:
        return " ".join(t for _, t in self.tokens[start:end])[:80]

    def _primary(self):
        kind, text = self.take()
        if kind == "string":
            return _unquote(text)
        if kind == "template":
            if "${" in text:
                return Unknown(text[:80])
            return text[1:-1]
        if kind == "number":
            return float(int(text, 16)) if text.lower().startswith("0x") else float(text)
        if kind == "name":
            if text in ("true", "false"):
                return text == "true"
            if text in ("null", "undefined"):
                return None
            if text in self.bindings:
                return self.bindings[text]
            return Unknown(text)
        if text == "[":
            return self._array()
        if text == "{":
            return self._object()
        if text == "(":
            inner = self.value()
            self.expect(")")
            return inner
        raise _Stop

    def _array(self) -> list:
        items: list = []
        while self.peek()[1] != "]":
            if self.peek()[0] == "end":
                raise _Stop
            if self.peek()[1] == "...":
                self.take()
                spread = self.value()
                items.extend(spread if isinstance(spread, list) else [Unknown("..." + str(spread))])
            else:
                items.append(self.value())
            if self.peek()[1] == ",":
                self.take()
            elif self.peek()[1] != "]":
                raise _Stop
        self.take()
        return items

    def _object(self) -> dict:
        data: dict = {}
        while self.peek()[1] != "}":
            kind, text = self.take()
            if kind == "end":
                raise _Stop
            if text == "...":
                spread = self.value()
                if isinstance(spread, dict):
                    data.update(spread)
            else:
                if kind == "string":
                    key = _unquote(text)
                elif kind in ("name", "number"):
                    key = text
                elif text == "[":  # computed key: not data
                    self._skip_expression()
                    self.expect("]")
                    key = None
                else:
                    raise _Stop
                if self.peek()[1] == ":":
                    self.take()
                    value = self.value()
                elif self.peek()[1] == "(":  # a method: skip its body
                    self._skip_expression()
                    value = Unknown(f"{key}()")
                else:  # shorthand `{items}`
                    value = self.bindings.get(key, Unknown(str(key)))
                if key is not None:
                    data[key] = value
            if self.peek()[1] == ",":
                self.take()
            elif self.peek()[1] != "}":
                raise _Stop
        self.take()
        return data

    def _skip_expression(self) -> None:
        """Skip to the end of the current expression (a `,` `;` or closing bracket at depth 0)."""
        depth = 0
        while True:
            kind, text = self.peek()
            if kind == "end":
                return
            if text in "([{":
                depth += 1
            elif text in ")]}":
                if depth == 0:
                    return
                depth -= 1
                if depth == 0 and self.peek(1)[0] == "name":
                    self.take()  # `f(x)` then a new statement without a semicolon
                    return
            elif text in (",", ";") and depth == 0:
                return
            self.take()

    def _skip_type(self) -> None:
        depth = 0
        while True:
            kind, text = self.peek()
            if kind == "end":
                return
            if text in "<([{":
                depth += 1
            elif text in ">)]}":
                if depth == 0:
                    return
                depth -= 1
            elif text in (",", ";", "=") and depth == 0:
                return
            self.take()


def read_module(source: str) -> tuple[object, dict]:
    """(the exported value or None, the top-level `const` bindings) of a JavaScript module."""
    reader = _Reader(_tokens(source), {})
    exported = None
    while reader.peek()[0] != "end":
        kind, text = reader.take()
        try:
            if text in ("const", "let", "var") and reader.peek()[0] == "name":
                name = reader.take()[1]
                if reader.peek()[1] == ":":  # TypeScript annotation
                    reader.take()
                    reader._skip_type()
                if reader.peek()[1] == "=":
                    reader.take()
                    reader.bindings[name] = reader.value()
            elif text == "module" and reader.peek()[1] == "." and reader.peek(1)[1] == "exports":
                reader.take()
                reader.take()
                if reader.peek()[1] == "=":
                    reader.take()
                    exported = reader.value()
            elif text == "export" and reader.peek()[1] == "default":
                reader.take()
                exported = reader.value()
        except _Stop:
            continue
    return exported, reader.bindings
