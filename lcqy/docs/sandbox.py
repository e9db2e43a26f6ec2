"""Templates are data, not code: the Jinja constructs a .docx template may use.

A template travels between offices, so it is checked on Jinja's syntax tree before it is
rendered (and rendered in Jinja's immutable sandbox besides). Allowed: output of the
placeholders the program fills, attributes of a loop variable, `for x in <list we pass>`
(at most MAX_DEPTH deep), `if` with comparisons and and/or/not, plain literals and a few
harmless filters. Everything else (calls, arithmetic, subscripts, `range`, set, macros,
imports, attribute access on anything but a loop variable) is refused by name. Since loops
run only over our own short lists, the time a template can take is bounded by its size.
"""

from __future__ import annotations

from jinja2 import nodes
from jinja2.exceptions import TemplateSyntaxError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from lcqy.errors import LcqyError

MAX_DEPTH = 2  # nested loops; our lists are a few items, so 2 deep stays small
# A constant in a tag longer than any label a form needs: with loops only over our short lists,
# the work a template asks for is bounded by its size, so its size is what is bounded.
MAX_LITERAL = 2000
FILTERS = frozenset({"default", "d", "trim", "upper", "lower", "e", "escape"})
TESTS = frozenset({"defined", "undefined", "none", "string", "number"})
COMPARE = frozenset({"eq", "ne", "lt", "gt", "lteq", "gteq", "in", "notin"})
LITERALS = (str, int, float, bool, type(None))

# What a refused construct is called in the message.
_WORDS = {
    nodes.Call: "函数调用",
    nodes.Getitem: "下标取值",
    nodes.Slice: "切片",
    nodes.Dict: "字典",
    nodes.Assign: "赋值（set）",
    nodes.AssignBlock: "赋值（set）",
    nodes.Macro: "宏（macro）",
    nodes.CallBlock: "宏调用（call）",
    nodes.Import: "引入其他模板（import）",
    nodes.FromImport: "引入其他模板（import）",
    nodes.Include: "包含其他模板（include）",
    nodes.Extends: "继承其他模板（extends）",
    nodes.Block: "模板块（block）",
    nodes.FilterBlock: "过滤块（filter）",
    nodes.With: "with 块",
    nodes.Scope: "作用域块",
    nodes.ExprStmt: "表达式语句（do）",
}


class Refused(LcqyError):
    """A construct the sandbox does not allow; the message names it."""


def environment() -> ImmutableSandboxedEnvironment:
    """The sandbox: no globals (no range, cycler, joiner, namespace, lipsum, dict), only
    the whitelisted filters and tests; autoescape because values go into XML."""
    env = ImmutableSandboxedEnvironment(autoescape=True)
    env.globals.clear()
    env.filters = {k: v for k, v in env.filters.items() if k in FILTERS}
    env.tests = {k: v for k, v in env.tests.items() if k in TESTS}
    return env


def _text(node: nodes.Node) -> str:
    """A short reading of an expression for the message (cycler.__init__(…))."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{_text(node.node)}.{node.attr}"
    if isinstance(node, nodes.Call):
        return f"{_text(node.node)}(…)"
    if isinstance(node, nodes.Getitem):
        return f"{_text(node.node)}[…]"
    if isinstance(node, nodes.Const):
        return repr(node.value)[:40]
    if isinstance(node, nodes.BinExpr):
        return f"{_text(node.left)} {node.operator} {_text(node.right)}"
    if isinstance(node, nodes.Filter):
        return f"{_text(node.node) if node.node else ''}|{node.name}"
    return type(node).__name__


class _Walker:
    def __init__(self, names: set[str], lists: dict[str, bool] | None):
        self.names = names
        self.lists = lists  # name -> is a list, when the values are known (rendering)

    def refuse(self, node: nodes.Node, what: str | None = None) -> None:
        word = what or _WORDS.get(type(node))
        if word is None:
            word = "算术运算" if isinstance(node, nodes.BinExpr | nodes.UnaryExpr) else "写法"
        # No line number: the source is the document's XML, whose lines mean nothing to a clerk.
        raise Refused(f"{word}“{_text(node)}”")

    def stmts(self, body: list[nodes.Node], loops: frozenset[str], depth: int) -> None:
        for node in body:
            self.stmt(node, loops, depth)

    def stmt(self, node: nodes.Node, loops: frozenset[str], depth: int) -> None:
        if isinstance(node, nodes.Output):
            for child in node.nodes:
                if not isinstance(child, nodes.TemplateData):
                    self.expr(child, loops)
        elif isinstance(node, nodes.If):
            self.expr(node.test, loops)
            self.stmts(node.body, loops, depth)
            self.stmts(node.elif_, loops, depth)
            self.stmts(node.else_, loops, depth)
        elif isinstance(node, nodes.For):
            self.loop(node, loops, depth)
        else:
            self.refuse(node)

    def loop(self, node: nodes.For, loops: frozenset[str], depth: int) -> None:
        if not isinstance(node.target, nodes.Name):
            self.refuse(node.target, "循环变量须是一个名字")
        it = node.iter
        if not isinstance(it, nodes.Name) or it.name not in self.names:
            self.refuse(it, "循环只能遍历程序提供的列表，不能遍历")
        if self.lists is not None and not self.lists.get(it.name):
            self.refuse(it, "不是列表，不能循环")
        if node.recursive or node.test is not None:
            self.refuse(node, "循环只允许 for x in 列表 的简单写法")
        if depth >= MAX_DEPTH:
            self.refuse(node, f"循环嵌套超过{MAX_DEPTH}层")
        inner = loops | {node.target.name, "loop"}
        self.stmts(node.body, inner, depth + 1)
        self.stmts(node.else_, loops, depth)

    def expr(self, node: nodes.Node, loops: frozenset[str]) -> None:
        if isinstance(node, nodes.Const):
            if not isinstance(node.value, LITERALS):
                self.refuse(node)
            if isinstance(node.value, str) and len(node.value) > MAX_LITERAL:
                self.refuse(node, f"过长的常量文字（{len(node.value)} 字，最多 {MAX_LITERAL} 字）")
        elif isinstance(node, nodes.Name):
            if node.name not in loops and node.name not in self.names:
                self.refuse(node, "未知的占位符")
        elif isinstance(node, nodes.Getattr):
            if not (isinstance(node.node, nodes.Name) and node.node.name in loops) or node.attr.startswith("_"):
                self.refuse(node, "属性访问（只允许循环变量的属性）")
        elif isinstance(node, nodes.Compare):
            self.expr(node.expr, loops)
            for op in node.ops:
                if op.op not in COMPARE:
                    self.refuse(node)
                self.expr(op.expr, loops)
        elif isinstance(node, nodes.And | nodes.Or):
            self.expr(node.left, loops)
            self.expr(node.right, loops)
        elif isinstance(node, nodes.Not):
            self.expr(node.node, loops)
        elif isinstance(node, nodes.Neg | nodes.Pos):
            if not isinstance(node.node, nodes.Const):
                self.refuse(node)
        elif isinstance(node, nodes.CondExpr):
            for part in (node.test, node.expr1, node.expr2):
                if part is not None:
                    self.expr(part, loops)
        elif isinstance(node, nodes.Concat | nodes.Tuple | nodes.List):
            for part in node.nodes if isinstance(node, nodes.Concat) else node.items:
                self.expr(part, loops)
        elif isinstance(node, nodes.Filter | nodes.Test):
            allowed = FILTERS if isinstance(node, nodes.Filter) else TESTS
            if node.name not in allowed or node.kwargs or node.dyn_args or node.dyn_kwargs:
                self.refuse(node, "过滤器" if isinstance(node, nodes.Filter) else "判断")
            if node.node is not None:
                self.expr(node.node, loops)
            for arg in node.args:
                if not isinstance(arg, nodes.Const):
                    self.refuse(arg, "过滤器参数只能是常量")
                self.expr(arg, loops)
        else:
            self.refuse(node)


def check_source(source: str, names: set[str], lists: dict[str, bool] | None = None) -> None:
    """Raise Refused naming the first construct `source` may not use. `names` are the
    placeholders the program fills; `lists`, when the values are known, says which are lists."""
    try:
        tree = environment().parse(source)
    except TemplateSyntaxError as exc:
        raise Refused(f"占位符写法有误（{exc.message}）") from None
    _Walker(names, lists).stmts(tree.body, frozenset(), 0)
