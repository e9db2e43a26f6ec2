"""Plain str and int options without pydantic.

Typer (0.29, pinned) converts every option value through a pydantic TypeAdapter, and importing
pydantic for it costs about 0.14 s on each run, more than the work of most commands. Our options
are plain text, whole numbers, lists of text and flags: those are converted here, with the same
results and a BadParameter for a bad number (main() says it in Chinese); any other kind of option
keeps Typer's own conversion.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from typer import _coercion, core
from typer._click.exceptions import BadParameter
from typer._typing import get_args, get_origin


def _plain_kind(desc: Any) -> type | None:
    info = desc.parameter_info
    if desc.file_annotation is not None or info.parser is not None or desc.is_path or desc.is_choice:
        return None
    ann = desc.annotation
    if get_origin(ann) is list and get_args(ann) == (str,):
        return list
    if ann is str:
        return str
    if ann is bool:
        return bool
    if ann is int and info.min is None and info.max is None:
        return int
    return None


def _one(kind: type, value: Any, param: Any, ctx: Any) -> Any:
    if kind is bool:
        if isinstance(value, bool):
            return value
        # A flag given as text (from an environment variable, say): Typer's own rules.
        return _coercion.build_runtime_param(param.type_descriptor)._coerce_value(value, param=param, ctx=ctx)
    if kind is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        try:
            return int(str(value).strip())
        except ValueError:
            raise BadParameter(f"{value!r} is not a valid integer.", ctx=ctx, param=param) from None
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value if isinstance(value, str) else str(value)


@dataclass(frozen=True)
class PlainRuntimeParam(_coercion.RuntimeParam):
    kind: type

    def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
        if self.kind is list:
            items = value if isinstance(value, (list, tuple)) else [value]
            return [_one(str, v, param, ctx) for v in items]
        return _one(self.kind, value, param, ctx)


_original = core._TyperParameter.get_runtime_param


def _get_runtime_param(self: Any) -> Any:
    if self._runtime_param is None:
        kind = _plain_kind(self.type_descriptor)
        if kind is not None:
            desc = self.type_descriptor
            self._runtime_param = PlainRuntimeParam(
                parameter_info=desc.parameter_info, annotation=desc.annotation, kind=kind
            )
    return _original(self)


def install() -> None:
    core._TyperParameter.get_runtime_param = _get_runtime_param
