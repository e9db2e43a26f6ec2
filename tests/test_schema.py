"""The migrations run once per ledger: the SQL each ran with must stay what it was, even where it is
built from lcqy.store.schema, which the running code reads too."""

from __future__ import annotations

import hashlib

import pytest

from lcqy.store.migrations import MIGRATIONS, sql_of

# SHA-256 (first 16 hex digits) of each shipped migration's SQL. A new migration adds its line.
PINNED = {
    1: "691aae83b5970cb1",
    2: "373be1455ecdf8ba",
    3: "6548979419657f05",
    4: "b11c7fb398a51522",
    5: "50e4c5a73a4a132b",
    6: "25a327f1ee3545ff",
    7: "6d3b7e1dbe11b436",
    8: "ca34c11e6a0abc8d",
    10: "c02e499b11d17158",
    11: "acf2ba53dcc0ec77",
    13: "f34e38f4b09b1909",
    14: "6d264a336bbfdbde",
    15: "94e9667149d31cbb",
    16: "e32a257c020c017d",
    18: "584189af358afc15",
    19: "78be17777a57da69",
    20: "bcad32e8c611fd1e",
    22: "63a90ea8e396239a",
    23: "365f42d71e0247bd",
    24: "4cc9755042bdec7a",
    25: "3ddba66f49adfb92",
    26: "a9db9222f5072213",
    27: "0ef550f4478ca3af",
    28: "282f13c3187ac312",
    29: "c737a9d69dd5bcb0",
    30: "1ce2842904d91d29",
    31: "b486b7e19b327c92",
    32: "2f6c6e3e636e6f63",
}


@pytest.mark.parametrize("number", sorted(PINNED))
def test_a_shipped_migration_keeps_its_sql(number):
    assert hashlib.sha256(sql_of(number).encode()).hexdigest()[:16] == PINNED[number]


def test_numbers_are_kept_in_order_without_reuse():
    numbers = [n for n, _ in MIGRATIONS]
    assert numbers == sorted(set(numbers)) and set(PINNED) <= set(numbers)
