"""Which area module defines each command, so that a run imports only the area it needs.

A command missing here still works (every area is then loaded); tests/test_cli_edge.py checks
this index against the areas themselves, so it cannot drift.
"""

COMMANDS: dict[str, str] = {
    # setup
    "init": "setup",
    "backup": "setup",
    "check": "setup",
    "dept": "setup",
    "calendar": "setup",
    # cases
    "register": "cases",
    "list": "cases",
    "edit": "cases",
    "void": "cases",
    "merge": "cases",
    # show
    "show": "show",
    # handling
    "dispatch": "handling",
    "escalate": "handling",
    "forward": "handling",
    "reject": "handling",
    "return": "handling",
    "extend": "handling",
    "reply": "handling",
    "followup": "handling",
    "urge": "handling",
    "close": "handling",
    # board
    "overdue": "board",
    # docs
    "form": "docs",
    "config": "docs",
    # excel
    "export-ledger": "excel",
    "import-ledger": "excel",
    # agenda
    "agenda": "agenda",
    # attach
    "attach": "attach",
    "attachments": "attach",
    "attachment": "attach",
    # exchange
    "package": "exchange",
    "receive": "exchange",
    "send-result": "exchange",
    "send-back": "exchange",
    "package-month": "exchange",
    "figures": "exchange",
    # report
    "report": "report",
    # stats
    "stats": "stats",
    # supervision
    "supervise": "supervision",
    "redispatch": "supervision",
    # undo
    "undo": "undo",
    # users (the online platform's accounts and the departments' requests)
    "user": "users",
    "request": "users",
    # serve
    "serve": "serve",
    # inbox (online submissions)
    "inbox": "inbox",
    "accept": "inbox",
    "decline": "inbox",
}
