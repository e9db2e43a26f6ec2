"""The declared schema of every exchange package member, checked with jsonschema before any
field is used: types, lengths, nesting, allowed values, `version` an integer. A member that
does not fit is refused in one Chinese sentence naming the field; nothing from a package is
ever stored as the text of some other type. The field checks of the measures (dates, phone
numbers, category, departments) follow as for a clerk's own input.

jsonschema is imported here only, by `receive`.
"""

from __future__ import annotations

from lcqy.rules.constants import REPLY_MODES, RESULTS

LEVELS = ["county", "city"]
ATTACH_KINDS = ["批示笺", "企业材料", "答复文件", "其他"]
SHORT, NAME, LONG = 100, 300, 5000


def _text(n: int = SHORT, *, null: bool = False) -> dict:
    return {"type": ["string", "null"] if null else "string", "maxLength": n}


def _obj(props: dict, required: list[str] | None = None, *, extra: bool = False) -> dict:
    out: dict = {"type": "object", "properties": props, "additionalProperties": extra}
    if required:
        out["required"] = required
    return out


DATE = {"type": "string", "maxLength": 10, "pattern": r"^\d{4}-\d{2}-\d{2}$"}
NAMED = {"type": "string", "minLength": 1, "maxLength": SHORT, "pattern": r"\S"}  # not blank
OFFICE = _obj(
    {"office_name": NAMED, "prefix": NAMED | {"maxLength": 20}, "level": {"enum": LEVELS}},
    ["office_name", "prefix", "level"],
)
MANIFEST = _obj(
    {
        "format": {"const": "lcqy-exchange"},
        "version": {"type": "integer", "const": 1},
        "type": {"enum": ["escalation", "result", "send-back", "figures"]},
        "key": {"type": "string", "minLength": 1, "maxLength": 300},
        "created_at": _text(40),
        "from": OFFICE,
        "to": _obj({"office_name": _text(null=True), "prefix": _text(20, null=True), "level": {"enum": LEVELS}}),
        "members": {
            "type": "object",
            "maxProperties": 64,
            "required": ["case.json"],
            "propertyNames": {"maxLength": 400},
            "additionalProperties": _obj(
                {"size": {"type": "integer", "minimum": 0}, "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"}},
                ["size", "sha256"],
            ),
        },
    },
    ["format", "version", "type", "key", "from", "to", "members"],
)
SIGNATURE = _obj(
    {"algorithm": {"const": "Ed25519"}, "public_key": _text(100), "signature": _text(200)},
    ["algorithm", "public_key", "signature"],
)
ATTACHMENTS = {
    "type": "array",
    "maxItems": 64,
    "items": _obj(
        {
            "n": {"type": "integer", "minimum": 0},
            "name": _text(NAME),
            "kind": {"enum": ATTACH_KINDS},
            "note": _text(NAME, null=True),
            "added_on": DATE,
            "size": {"type": "integer", "minimum": 0},
            "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            "member": _text(400),
        },
        ["name", "kind", "added_on", "size", "sha256", "member"],
    ),
}
CASE_FIELDS = {
    "category": _text(20),
    "enterprise": _text(NAME),
    "address": _text(NAME, null=True),
    "reported_on": {"type": ["string", "null"], "maxLength": 10},
    "channel": _text(20, null=True),
    "contact": _text(SHORT),
    "contact_title": _text(SHORT, null=True),
    "phone": _text(SHORT),
    "email": _text(NAME, null=True),
    "problem": _text(LONG),
    "request": _text(LONG),
    "accepted_on": {"type": ["string", "null"], "maxLength": 10},
    "accepted_by": _text(SHORT, null=True),
    "remarks": _text(LONG, null=True),
    "reg_no": _text(),
    "major": {"type": ["boolean", "integer"], "minimum": 0, "maximum": 1},
}
REF = _obj({"reg_no": _text(), "escalate_no": _text()}, ["reg_no", "escalate_no"])
# The month's figures: plain numbers and names at most three levels deep (lcqy.rules.month_figures
# then checks that they add up).
_SCALAR = {"type": ["string", "number", "boolean", "null"], "maxLength": NAME}
_LEVEL1 = {
    "type": "object",
    "maxProperties": 200,
    "propertyNames": {"maxLength": SHORT},
    "additionalProperties": _SCALAR,
}
_LEVEL2 = {
    "type": "object",
    "maxProperties": 200,
    "propertyNames": {"maxLength": SHORT},
    "additionalProperties": {"anyOf": [_SCALAR, _LEVEL1]},
}

CASE_JSON = {
    "escalation": _obj(
        {
            "case": _obj(CASE_FIELDS, ["category", "enterprise", "contact", "phone", "problem", "request", "reg_no"]),
            "escalation": _obj(
                {
                    "no": _text(),
                    "approver": _text(SHORT),
                    "suggestion": _text(LONG),
                    "instruction": _text(LONG, null=True),
                    "escalated_on": DATE,
                },
                ["no", "approver", "suggestion", "escalated_on"],
            ),
            "attachments": ATTACHMENTS,
        },
        ["case", "escalation"],
    ),
    "result": _obj(
        {
            "ref": REF,
            "city": _obj(
                {
                    "reg_no": _text(),
                    "dispatch_nos": {"type": "array", "maxItems": 20, "items": _text()},
                    "lead_dept": _text(SHORT, null=True),
                },
                ["reg_no"],
            ),  # fmt: skip
            "reply": _obj(
                {
                    "result": {"enum": list(RESULTS)},
                    "mode": {"enum": list(REPLY_MODES)},
                    "summary": _text(LONG),
                    "doc_no": _text(SHORT, null=True),
                    "plan": _text(LONG, null=True),
                    "replied_on": DATE,
                },
                ["result", "mode", "summary", "replied_on"],
            ),
            "attachments": ATTACHMENTS,
        },
        ["ref", "city", "reply"],
    ),
    "send-back": _obj(
        {
            "ref": REF,
            "city": _obj({"reg_no": _text(), "reason": _text(LONG), "sent_on": DATE}, ["reg_no", "reason", "sent_on"]),
            "attachments": ATTACHMENTS,
        },
        ["ref", "city"],
    ),
    "figures": {
        "type": "object",
        "maxProperties": 50,
        "required": ["month", "figures"],
        "properties": {"month": _text(10)},
        "additionalProperties": {"anyOf": [_SCALAR, _LEVEL1, _LEVEL2]},
    },
}

# Field -> what the clerk calls it (the last part of its path).
LABELS = {
    "version": "格式版本", "type": "交换包类型", "key": "交换包标识", "from": "发出单位", "to": "接收单位",
    "office_name": "单位名称", "prefix": "单位简称", "level": "级别", "members": "成员清单", "size": "大小",
    "sha256": "SHA-256", "format": "格式", "case": "案件", "escalation": "转报内容", "attachments": "附件清单",
    "no": "编号", "approver": "签批领导", "suggestion": "办理建议", "instruction": "领导批示",
    "escalated_on": "转报日期", "reg_no": "登记编号", "escalate_no": "转报编号", "major": "重大问题",
    "ref": "对应的转报", "city": "市级办理情况", "dispatch_nos": "市级交办编号", "lead_dept": "牵头部门",
    "reply": "答复内容", "result": "办理结果", "mode": "答复方式", "summary": "办理情况", "doc_no": "文号",
    "plan": "措施和时限或说明", "replied_on": "答复日期", "reason": "退回理由", "sent_on": "退回日期",
    "name": "附件名称", "kind": "附件类别", "note": "附件说明", "added_on": "附件日期", "member": "附件成员名",
    "n": "附件序号", "algorithm": "签名算法", "public_key": "公钥", "signature": "签名", "month": "月份",
    "figures": "办理数字", "created_at": "生成时间",
}  # fmt: skip
# The 登记表's fields as lcqy.acts.intake.register names them (rules sit below the acts).
CASE_LABELS = {
    "category": "问题类别", "enterprise": "企业名称", "address": "详细地址", "reported_on": "反映时间",
    "channel": "反映形式", "contact": "联系人", "contact_title": "职务", "phone": "联系电话", "email": "电子邮箱",
    "problem": "主要困难和问题", "request": "希望协调解决的具体事项", "accepted_on": "受理时间",
    "accepted_by": "受理人员", "remarks": "备注",
}  # fmt: skip
TYPE_NAMES = {
    "string": "文字", "integer": "整数", "number": "数字", "boolean": "是/否", "array": "列表", "object": "对象",
    "null": "空值",
}  # fmt: skip


def _labels() -> dict[str, str]:
    return LABELS | CASE_LABELS


def _kind(value: object) -> str:
    if value is None:
        return "空值"
    if isinstance(value, bool):
        return "是/否"
    if isinstance(value, int):
        return "整数"
    if isinstance(value, float):
        return "小数"
    if isinstance(value, str):
        return "文字"
    if isinstance(value, list):
        return "列表"
    return "对象"


def _validator(schema: dict):
    from jsonschema import Draft202012Validator, validators

    # A JSON 1.0 or true is not the integer 1: `version: 1.0` must not pass as version 1.
    checker = Draft202012Validator.TYPE_CHECKER.redefine(
        "integer", lambda _, x: isinstance(x, int) and not isinstance(x, bool)
    )
    return validators.extend(Draft202012Validator, type_checker=checker)(schema)


def problem(member: str, schema: dict, obj: object) -> str | None:
    """One sentence naming the field of `member` that does not fit, or None."""
    from jsonschema.exceptions import best_match

    error = best_match(_validator(schema).iter_errors(obj))
    if error is None:
        return None
    path = [str(p) for p in error.absolute_path]
    labels = _labels()
    names = [p for p in path if not p.isdigit()]
    field = ".".join(path) or "（整体）"
    label = labels.get(names[-1]) if names else None
    where = f"{member} 的字段 {field}" + (f"（{label}）" if label else "")
    v, value = error.validator, error.validator_value
    inst = error.instance
    if v == "type":
        want = value if isinstance(value, list) else [value]
        said = "或".join(TYPE_NAMES.get(t, t) for t in want if t != "null")
        return f"{where}应为{said}，包中是{_kind(inst)}"
    if v == "pattern" and value == r"\S":
        return f"{where}不能为空"
    if v in ("maxLength", "minLength"):
        return f"{where}长度不对（{len(inst)} 个字符，{'最多' if v == 'maxLength' else '至少'} {value} 个）"
    if v in ("enum", "const"):
        allowed = value if v == "enum" else [value]
        return f"{where}为“{str(inst)[:40]}”，允许的值：{'、'.join(str(a) for a in allowed)}"
    if v == "required":
        missing = next((k for k in value if isinstance(inst, dict) and k not in inst), "?")
        label = labels.get(missing)
        return f"{member} 的{'字段 ' + field + ' ' if path else ''}缺少 {missing}" + (f"（{label}）" if label else "")
    if v == "additionalProperties":
        extra = (
            sorted(k for k in inst if k not in error.schema.get("properties", {}))[:1] if isinstance(inst, dict) else []
        )
        return f"{where}含有未定义的字段 {str(extra[0])[:40] if extra else ''}".rstrip()
    if v in ("maxItems", "maxProperties"):
        return f"{where}项数过多（最多 {value} 项）"
    if v == "anyOf":
        return f"{where}的内容不对（只能是数字或文字，最多嵌套三层），包中是{_kind(inst)}"
    if v == "pattern":
        return f"{where}格式不对（“{str(inst)[:40]}”）"
    if v in ("minimum", "maximum"):
        return f"{where}超出范围（{inst}）"
    return f"{where}不符合交换包格式（{v}）"
