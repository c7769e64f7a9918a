"""What makes the suite's thousands of applications cheap to create, without changing what a test sees.

Each database test creates its own Flask application (its own database, storage and instance folder), and most of
that time went to Werkzeug compiling each URL rule's builder: for every rule, every application, an AST is built
and ``compile()``d into the function that builds the rule's URLs (a quarter of a second per application, for the
app's 300-odd rules). The function depends only on the rule's text and parts, not on the rule object (it reaches
the rule's converters through the ``self`` it is bound to), so the suite builds each one once and binds it to
every application's rule. The application itself is unchanged; production never imports this module.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from werkzeug.routing.rules import Rule

_builders: dict[tuple, Callable[..., Any]] = {}


def _key(rule: Rule, append_unknown: bool) -> tuple | None:
    """What a rule's builder is made of; None when a part cannot be compared (then it is compiled as usual)."""
    try:
        defaults = tuple(sorted((str(k), repr(v)) for k, v in (rule.defaults or {}).items()))
        converters = tuple(
            sorted(
                (name, type(c).__qualname__, repr(sorted((k, repr(v)) for k, v in vars(c).items() if k != "map")))
                for name, c in rule._converters.items()
            )
        )
        return (rule.rule, rule.host, rule.subdomain, tuple(rule._trace), defaults, converters, append_unknown)
    except (AttributeError, TypeError):
        return None


def install() -> None:
    """Memoise ``Rule._compile_builder`` by what the builder is made of (idempotent)."""
    compile_builder = Rule._compile_builder
    if getattr(compile_builder, "_memoised", False):
        return

    @functools.wraps(compile_builder)
    def memoised(self: Rule, append_unknown: bool = True) -> Callable[..., Any]:
        key = _key(self, append_unknown)
        if key is None:
            return compile_builder(self, append_unknown)
        builder = _builders.get(key)
        if builder is None:
            builder = _builders[key] = compile_builder(self, append_unknown)
        return builder

    memoised._memoised = True  # type: ignore[attr-defined]
    Rule._compile_builder = memoised  # type: ignore[method-assign]
