"""Domain acts: each takes a context (lcqy.acts.context.Ctx: the ledger, today, and who acts),
validates with lcqy.rules, writes one transaction through lcqy.store, and returns exactly what
its --json prints (the case named by its reg_no, never its row); the reads return plain data.
The command line and the web layer call these and nothing below them.

Arranged by the chapters of 临政办发〔2021〕21号, the lower modules first:

- context, cases, common, departments, office: what every act stands on (the context, finding
  and reading a case, the department list, the ledger and its calendar days; `common.record` is
  the shape an act's --json prints).
- intake/: registration, likely duplicates, merge (第十条).
- dispatch: dispatch, escalate with its package, forward, reject, return, extend (第十至十六条).
- handling: reply, follow-up, close (第十七、十八条).
- supervision: the urge and its letter, 督办台帐 and 专项督办, re-dispatch (第十八条).
- corrections: undo, edit, void.
- papers/: the forms' contents and files, the letters written again, attachments.
- exchange/: county ⇄ city packages and monthly figures (第三条).
- figures/: counts, the monthly 简报, statistics and the 测评 (第十九至二十三条).
- boards/: read models (list, overdue, agenda, supervised); they import no writer.
- checks/: `check`, its checks run by one function.
- records/: the Excel problem ledger out and in.
- case_file: everything `show` prints.
- accounts: the online platform's users, passwords, tokens and second factor.
- online: the online platform (第八条): 签收, a department's reply with its document,
  its requests (granted by `extend` / `return`) and notes, urges read.

Imports run downward only and never in a circle (tests/test_layers.py).
"""
