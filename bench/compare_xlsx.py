"""Two Excel workbooks read back with openpyxl and compared: sheets and their order, every cell's
value, type and style (font, fill, border, alignment, number format, protection, quote prefix,
named style), row heights, column widths and folds, panes, filter, sheet properties, print setup
(paper, orientation, fit, margins, header and footer, print titles and options) and the
workbook's defined names. Exit status 0 when they agree, 1 with the first differences listed.

Each workbook is loaded whole (openpyxl's normal mode: what Excel's files look like to a program)
one after the other and reduced to a digest, so memory holds one workbook at a time: about 1.1 GB
and a minute for a 100,000-case ledger.

    python bench/compare_xlsx.py OLD.xlsx NEW.xlsx [--show 20]
"""

from __future__ import annotations

import argparse
import sys
import time


def canon(obj) -> str:
    """openpyxl's settings objects as the XML they write (their repr shows nested objects by
    address); anything else by repr."""
    from openpyxl.xml.functions import tostring

    if hasattr(obj, "to_tree"):
        tree = obj.to_tree()
        return "None" if tree is None else tostring(tree).decode()
    return repr(obj)


def _style_key(cell, cache: dict, wb) -> str:
    """The cell's resolved style as text (what a reader sees, not the index in the file)."""
    arr = tuple(cell._style)
    key = cache.get(arr)
    if key is None:
        key = cache[arr] = " | ".join(
            (
                canon(cell.font),
                canon(cell.fill),
                canon(cell.border),
                canon(cell.alignment),
                cell.number_format,
                canon(cell.protection),
                f"quotePrefix={bool(cell.quotePrefix)} pivotButton={bool(cell.pivotButton)} named={cell.style}",
            )
        )
    return key


def _sheet_settings(ws) -> dict[str, str]:
    cols = {
        k: (d.width, d.customWidth, d.hidden, d.outlineLevel, d.collapsed, d.min, d.max, d.style)
        for k, d in sorted(ws.column_dimensions.items())
    }
    return {
        "sheet_properties": canon(ws.sheet_properties),
        "sheet_format": canon(ws.sheet_format),
        "views": canon(ws.views),
        "freeze_panes": repr(ws.freeze_panes),
        "columns": repr(cols),
        "auto_filter": canon(ws.auto_filter),
        "merged": repr(sorted(str(r) for r in ws.merged_cells.ranges)),
        "print_options": canon(ws.print_options),
        "page_margins": canon(ws.page_margins),
        "page_setup": canon(ws.page_setup),
        "header_footer": canon(ws.HeaderFooter),
        "print_titles": repr((ws.print_title_rows, ws.print_title_cols, ws.print_area)),
        "row_breaks": canon(ws.row_breaks),
        "conditional_formatting": repr(list(ws.conditional_formatting)),
        "data_validations": canon(ws.data_validations),
        "dimensions": ws.dimensions,
    }


def digest(path: str) -> dict:
    """Everything compared, as plain data, so that the workbook itself can be dropped."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    out: dict = {
        "workbook": {
            "sheets": repr(wb.sheetnames),
            "defined_names": repr(sorted((k, v.attr_text) for k, v in wb.defined_names.items())),
            "named_styles": repr(list(wb.named_styles)),
            "epoch": repr(wb.epoch),
        },
        "sheets": {},
    }
    cache: dict = {}
    for ws in wb.worksheets:
        rows = []
        heights = {r: (d.ht, d.customHeight, d.hidden, d.outlineLevel) for r, d in ws.row_dimensions.items()}
        for row in ws.iter_rows():
            cells = tuple(
                (c.coordinate, c.value, c.data_type, _style_key(c, cache, wb))
                for c in row
                if c.value is not None or c.has_style
            )
            r = row[0].row if row else None
            rows.append((r, heights.get(r), cells))
        extra = {r: h for r, h in heights.items() if r > len(rows)}  # heights of rows past the data
        out["sheets"][ws.title] = {"settings": _sheet_settings(ws), "rows": rows, "extra_heights": repr(extra)}
    wb.close()
    return out


def compare(a: dict, b: dict, show: int) -> list[str]:
    problems: list[str] = []

    def note(text: str) -> bool:
        problems.append(text)
        return len(problems) >= show

    for k, v in a["workbook"].items():
        if v != b["workbook"][k] and note(f"workbook {k}: {v} ≠ {b['workbook'][k]}"):
            return problems
    for title, sa in a["sheets"].items():
        sb = b["sheets"].get(title)
        if sb is None:
            if note(f"sheet {title}: missing in the second workbook"):
                return problems
            continue
        for k, v in sa["settings"].items():
            if v != sb["settings"][k] and note(f"{title} {k}:\n  {v}\n  {sb['settings'][k]}"):
                return problems
        if sa["extra_heights"] != sb["extra_heights"] and note(f"{title} heights past the data differ"):
            return problems
        if len(sa["rows"]) != len(sb["rows"]) and note(f"{title}: {len(sa['rows'])} rows ≠ {len(sb['rows'])}"):
            return problems
        for ra, rb in zip(sa["rows"], sb["rows"]):
            if ra == rb:
                continue
            if ra[:2] != rb[:2] and note(f"{title} row {ra[0]}: height {ra[1]} ≠ {rb[1]}"):
                return problems
            ca, cb = dict((c[0], c[1:]) for c in ra[2]), dict((c[0], c[1:]) for c in rb[2])
            for ref in sorted(ca.keys() | cb.keys()):
                if ca.get(ref) != cb.get(ref) and note(f"{title}!{ref}:\n  {ca.get(ref)}\n  {cb.get(ref)}"):
                    return problems
    return problems


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("first")
    ap.add_argument("second")
    ap.add_argument("--show", type=int, default=20, help="stop after this many differences")
    args = ap.parse_args()
    t0 = time.perf_counter()
    a = digest(args.first)
    b = digest(args.second)
    problems = compare(a, b, args.show)
    cells = sum(len(r[2]) for s in a["sheets"].values() for r in s["rows"])
    rows = sum(len(s["rows"]) for s in a["sheets"].values())
    took = time.perf_counter() - t0
    if problems:
        print("\n".join(problems))
        print(f"differ ({len(problems)} shown); {rows:,} rows, {cells:,} cells read in {took:.0f} s")
        sys.exit(1)
    print(f"identical: {len(a['sheets'])} sheets, {rows:,} rows, {cells:,} cells, settings and styles ({took:.0f} s)")


if __name__ == "__main__":
    main()
