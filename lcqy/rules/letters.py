"""The wording of the 催办函 and 督办函 (第十八条): their title and the sentence citing the measures."""

from __future__ import annotations

MEASURES = "《临沧市企业反映困难问题收集和办理工作办法（试行）》（临政办发〔2021〕21号）"

# The urge kinds: a plain 催办 before the first reply, a 督办 under one of the two marks.
URGE_KIND = {"": "催办", "ledger": "督办台帐", "special": "专项督办"}


def letter_title(kind: str) -> str:
    return "催办函" if kind == "催办" else "督办函"


def urge_basis(kind: str) -> str:
    """The sentence of the letter that cites 第十八条 and the supervision the case is under."""
    if kind == "督办台帐":
        return (
            f"根据{MEASURES}第十八条，对一时难以办结的困难问题建立督办台帐、持续紧盯督办，"
            "该问题已列入督办台帐，须按承诺的时限办结，直到问题销号解决。"
        )
    if kind == "专项督办":
        return (
            f"根据{MEASURES}第十八条，对问题办理不彻底、答复不规范、内容含糊不清和企业不满意的实行专项督办，"
            "该问题已列入专项督办，须重新办理并答复，直至问题解决、企业满意。"
        )
    return f"根据{MEASURES}第十八条，对未按时办结的交办问题下发催办函，督促承办单位加快办理进度。"
