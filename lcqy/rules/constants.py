"""Fixed vocabularies of the measures (临政办发〔2021〕21号) and the ledger."""

from __future__ import annotations

# 第十条 and the note under the 登记表: the order here is the seed's order.
CATEGORIES: tuple[str, ...] = (
    "政策执行",
    "合同履行",
    "用地审批",
    "用电保障",
    "融资服务",
    "人才服务",
    "招工用工",
    "项目推动",
    "软环境建设",
    "其它",
)

# 第七、九条. 县区转报 is set only by `receive` at city level.
CHANNELS: tuple[str, ...] = (
    "来电反映",
    "电子邮件",
    "来人来函",
    "微信公众号",
    "现场调研",
    "问卷调查",
    "座谈会",
    "部门转交",
    "网上反映",
    "县区转报",
)
# 网上反映 (第八条 网络收集) is set by `accept` of an online submission, 县区转报 by `receive`.
ONLINE_CHANNEL = "网上反映"
CLERK_CHANNELS: tuple[str, ...] = tuple(c for c in CHANNELS[:-1] if c != ONLINE_CHANNEL)

LEVELS = {"county": "县区", "city": "市"}

# 第十二条: who approves a dispatch.
APPROVAL_LEVELS: tuple[str, ...] = ("主任", "副组长", "组长", "专题会议")
TIERS: tuple[str, ...] = ("一般", "重大")
RESULTS = {
    "A": "已经解决或基本解决",
    "B": "正在解决或列入规划逐步解决",
    "C": "目前条件限制或其他原因需以后解决",
}
REPLY_MODES: tuple[str, ...] = ("面复", "书面")
FOLLOWUP_METHODS: tuple[str, ...] = ("电话回询", "现场走访")
ONLINE_METHOD = "网上评价"  # the enterprise's own rating on line, recorded as a follow-up
SATISFACTION: tuple[str, ...] = ("满意", "基本满意", "不满意")
REJECT_REASONS: tuple[str, ...] = ("诉讼", "仲裁", "行政复议", "国家秘密", "非本地企业", "其他")

# Case states: English key (JSON, storage) -> label the clerk sees.
STATES: dict[str, str] = {
    "registered": "待交办",
    "meeting": "待专题会议",
    "dispatched": "办理中",
    "escalated": "已转报",
    "replied": "已答复",
    "closed": "已销号",
    "forwarded": "已转交",
    "rejected": "不予受理",
    "merged": "已合并",
    "void": "已作废",
}
# Supervision marks of 第十八条, orthogonal to the state.
SUPERVISION: dict[str, str] = {"": "", "ledger": "督办台帐", "special": "专项督办"}

# Number kinds of the forms (R5): 收 registration, 交 dispatch, 报 escalation.
NUMBER_KINDS: tuple[str, ...] = ("收", "交", "报")
