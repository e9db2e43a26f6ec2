"""`lcqy serve`: the online platform of 第八条 for departments and leaders.

Thin, like the CLI: each route parses, calls one act of lcqy.acts.online (or the acts the CLI
calls) under the web user as the actor, and renders a template. Everything a page needs is
served from this package (templates/, static/): office networks often have no internet.
"""

from __future__ import annotations

from lcqy.web.app import create_app

__all__ = ["create_app"]
