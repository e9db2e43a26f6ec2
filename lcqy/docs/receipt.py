"""The 回执 of a registered report (第八条, issue 24): one page the clerk hands or reads to the
enterprise, whatever channel it came by — the 登记编号, the 查询码 and where to use it, the
dispatch limit. Its placeholders; the template itself is built by lcqy.docs.build_templates."""

from __future__ import annotations

REQUIRED = {
    "office_name", "reg_no", "enterprise", "category", "reported_on", "channel", "accepted_on",
    "tracking_code", "track_url", "dispatch_due",
}  # fmt: skip
