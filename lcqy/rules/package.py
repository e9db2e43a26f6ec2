"""The exchange package between a county and the city office (第三、十二、十三条), and the
papers kept with a case: names, limits and the checks a package must pass before anything
in it is believed. A package is a zip holding `manifest.json` (format, version, sender,
addressee, what it carries and the SHA-256 and size of every other member), `case.json`
and the attached papers. Everything here works on bytes in memory: nothing from a package
is ever written to a path the package names."""

from __future__ import annotations

import hashlib
import io
import json
import lzma
import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lcqy.errors import LcqyError
from lcqy.rules.filenames import is_reserved_name, windows_safe_name

FORMAT = "lcqy-exchange"
VERSION = 1
SUFFIX = ".lcqy"
SIGNATURE = "signature.json"  # beside the manifest, not listed in it: it signs the manifest
TYPES = {"escalation": "转报包", "result": "办理结果包", "send-back": "退回包", "figures": "月度办理情况包"}

ATTACH_KINDS: tuple[str, ...] = ("批示笺", "企业材料", "答复文件", "其他")
MIB = 1024 * 1024
MAX_ATTACHMENT = 50 * MIB  # per paper: a scanned file, not an archive of them
MAX_MEMBERS = 64
MAX_JSON = 4 * MIB  # manifest.json and case.json
MAX_TOTAL = 200 * MIB  # all members together, as declared and as read
MAX_RATIO = 200  # a member expanding more than this (beyond 1 MiB) is a zip bomb
MAX_NAME = 200

_BAD_NAME_CHARS = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|\u202a-\u202e\u2066-\u2069]")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def clean_file_name(name: str) -> str:
    """A paper's name as kept and shown: the last path part only, no characters that are
    unsafe in a file name on Windows or Linux, at most MAX_NAME characters."""
    base = re.split(r"[\\/]", name or "")[-1].strip()
    base = _BAD_NAME_CHARS.sub("_", base).strip(" .")
    if len(base) > MAX_NAME:
        stem, dot, ext = base.rpartition(".")
        base = (stem[: MAX_NAME - len(ext) - 1] + "." + ext) if dot and len(ext) < 16 else base[:MAX_NAME]
    # A paper keeps its name on the office's Windows PC too: `CON.pdf` would open the console.
    return windows_safe_name(base) if base else "附件"


def size_text(n: int) -> str:
    if n >= MIB:
        return f"{n / MIB:.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n} B"


def member_name_problem(name: str) -> str | None:
    """Why a member name is refused: absolute, climbing out (..), or odd; None if fine."""
    if not name or len(name) > 400:
        return "名称为空或过长"
    if "\\" in name or "\x00" in name:
        return "名称含有反斜杠或空字符"
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return "是绝对路径"
    if any(part in ("..", ".", "") for part in name.split("/")):
        return "含有 .. 或空路径段"
    if any(is_reserved_name(part) for part in name.split("/")):
        return "含有 Windows 的设备名（CON、NUL、COM1 等）"
    return None


@dataclass
class Package:
    """A package read and checked: its manifest, case data and member bytes."""

    path: Path
    file_sha256: str
    manifest: dict
    data: dict
    members: dict[str, bytes]
    manifest_raw: bytes = b""  # the bytes the signature covers
    signature: dict | None = None  # signature.json: the sending office's key and signature

    @property
    def type(self) -> str:
        return self.manifest["type"]

    @property
    def sender(self) -> dict:
        return self.manifest["from"]


def refuse(path: Path, why: str) -> LcqyError:
    return LcqyError(f"交换包 {path.name} 不能接收：{why}。台帐未改动。")


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, path: Path) -> bytes:
    """The member's bytes, never more than `limit` whatever its header claims."""
    out = bytearray()
    with zf.open(info) as fh:
        while chunk := fh.read(1024 * 1024):
            out += chunk
            if len(out) > limit:
                raise refuse(path, f"成员 {info.filename} 超过允许的大小")
    return bytes(out)


def _json(raw: bytes, what: str, path: Path) -> dict:
    try:
        obj = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):  # RecursionError: nesting thousands deep
        raise refuse(path, f"{what} 不是有效的 JSON") from None
    if not isinstance(obj, dict):
        raise refuse(path, f"{what} 内容不对")
    return obj


def _check_manifest(m: dict, path: Path) -> None:
    if m.get("format") != FORMAT:
        raise refuse(path, "不是 lcqy 交换包（清单格式不对）")
    if type(m.get("version")) is not int or m["version"] != VERSION:  # 1.0 and true are not 1
        raise refuse(
            path, f"交换包格式版本“{m.get('version')}”不受支持（本程序只认版本 {VERSION}），请双方使用同一版本的 lcqy"
        )
    if not isinstance(m.get("type"), str) or m["type"] not in TYPES:
        raise refuse(path, f"未知的交换包类型“{m.get('type')}”")
    # The rest (sender, addressee, key, members) is the declared schema's (package_schema).


def _fits(path: Path, member: str, schema: str, obj: dict) -> None:
    """The member against its declared schema (lcqy.rules.package_schema)."""
    from lcqy.rules import package_schema as ps

    declared = getattr(ps, schema) if schema.isupper() else ps.CASE_JSON[schema]
    why = ps.problem(member, declared, obj)
    if why:
        raise refuse(path, why)


def read_package(path: Path) -> Package:
    """Read and check a package whole, sizes bounded before anything is expanded.

    Refused with one sentence: not a zip or truncated, too many or oversize members, a zip
    bomb, a member name that is absolute or climbs out, an unknown version, a member missing
    from the manifest or not matching its SHA-256.
    """
    if not path.is_file():
        raise LcqyError(f"找不到交换包文件 {path}。")
    size = path.stat().st_size
    if size > MAX_TOTAL + MAX_JSON:
        raise refuse(path, f"文件过大（{size_text(size)}，最多 {size_text(MAX_TOTAL)}）")
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        raise refuse(path, "文件已损坏或不完整（不是完整的 zip 文件）") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise refuse(path, f"成员过多（{len(infos)} 个，最多 {MAX_MEMBERS} 个）")
        names = [i.filename for i in infos]
        if len(set(names)) != len(names):
            raise refuse(path, "有重名的成员")
        total = 0
        for info in infos:
            why = member_name_problem(info.filename)
            if why:
                raise refuse(path, f"成员名“{info.filename[:80]}”{why}")
            if info.is_dir():
                raise refuse(path, f"成员 {info.filename} 是目录")
            if info.flag_bits & 0x1:
                raise refuse(path, f"成员 {info.filename} 已加密")
            limit = MAX_JSON if info.filename.endswith(".json") else MAX_ATTACHMENT
            if info.file_size > limit:
                raise refuse(path, f"成员 {info.filename} 过大（{size_text(info.file_size)}，最多 {size_text(limit)}）")
            if info.file_size > MIB and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise refuse(path, f"成员 {info.filename} 压缩比异常（疑似压缩炸弹）")
            total += info.file_size
        if total > MAX_TOTAL:
            raise refuse(path, f"成员合计过大（{size_text(total)}，最多 {size_text(MAX_TOTAL)}）")
        if "manifest.json" not in names:
            raise refuse(path, "缺少清单 manifest.json")
        try:
            members = {
                i.filename: _read_member(zf, i, MAX_JSON if i.filename.endswith(".json") else MAX_ATTACHMENT, path)
                for i in infos
            }
        except (
            zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError, RuntimeError,
            zlib.error, lzma.LZMAError,  # a compressed stream with bytes changed
        ):  # fmt: skip
            raise refuse(path, "文件已损坏（成员无法解压或校验和不符）") from None
    manifest_raw = members.pop("manifest.json")
    signature = _json(members.pop(SIGNATURE), f"签名 {SIGNATURE}", path) if SIGNATURE in members else None
    manifest = _json(manifest_raw, "清单 manifest.json", path)
    _check_manifest(manifest, path)
    _fits(path, "清单 manifest.json", "MANIFEST", manifest)
    if signature is not None:
        _fits(path, f"签名 {SIGNATURE}", "SIGNATURE", signature)
    listed = manifest["members"]
    extra = sorted(set(members) - set(listed))
    if extra:
        raise refuse(path, f"成员 {extra[0]} 不在清单中")
    for name, meta in listed.items():
        if name not in members:
            raise refuse(path, f"缺少清单所列的成员 {name}")
        if len(members[name]) != meta["size"] or sha256(members[name]) != meta["sha256"]:
            raise refuse(path, f"成员 {name} 的 SHA-256 与清单不符（文件已被改动或损坏）")
    data = _json(members["case.json"], "case.json", path)
    _fits(path, "case.json", manifest["type"], data)
    return Package(path, _file_sha256(path), manifest, data, members, manifest_raw, signature)


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(MIB):
            digest.update(chunk)
    return digest.hexdigest()


def build_package(
    manifest: dict, data: dict, files: dict[str, bytes], sign: Callable[[bytes], dict] | None = None
) -> bytes:
    """The zip of a package: `files` are member name -> bytes (attachments, the form). `sign`
    signs the manifest's bytes, which name every other member's SHA-256 (signature.json)."""
    members = {"case.json": json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")}
    members.update(files)
    manifest = {
        **manifest,
        "format": FORMAT,
        "version": VERSION,
        "members": {n: {"size": len(b), "sha256": sha256(b)} for n, b in members.items()},
    }
    raw = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", raw)
        if sign is not None:
            zf.writestr(SIGNATURE, json.dumps(sign(raw), ensure_ascii=False, indent=1, sort_keys=True))
        for name, blob in members.items():
            zf.writestr(name, blob)
    return buf.getvalue()


def attachment_member(n: int, name: str) -> str:
    return f"附件/{n:02d}_{clean_file_name(name)}"
