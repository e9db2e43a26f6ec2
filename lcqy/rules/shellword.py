"""A value written into a command the clerk is told to run: quoted when the shell would split it."""

from __future__ import annotations

import re

# Characters that end or change a word in sh, cmd.exe or PowerShell.
_SPECIAL = re.compile(r"""[\s"'`$&|;<>()*?!#%^,{}\[\]]""")


def arg(value: object) -> str:
    """`value` as one argument: as it is when it is a plain word (Chinese included), else in
    double quotes, which sh, cmd.exe and PowerShell all read as one argument."""
    text = str(value)
    if text and not _SPECIAL.search(text):
        return text
    # inside double quotes sh still reads " $ ` (a backslash before other characters stays, so
    # a Windows path is written as it is)
    return '"' + re.sub(r'(["`$])', r"\\\1", text) + '"'
