"""Canonical JSON is RFC 8785 (JCS): the bytes any JCS implementation computes; 1.0 signatures still verify."""

from __future__ import annotations

import hashlib
import json

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from storage.canonical import canonical_json, signature_matches, signed_forms


def test_canonical_json_matches_the_rfc_8785_example():
    source = ('{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],'
              '"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}')
    expected = ('{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
                '"string":"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}')
    assert canonical_json(json.loads(source)) == expected.encode()


@pytest.mark.parametrize(("number", "text"), [
    (5.0, "5"), (0.5, "0.5"), (-1.25, "-1.25"), (1e-7, "1e-7"), (1e-6, "0.000001"), (1e21, "1e+21"),
    (1e20, "100000000000000000000"), (123.456, "123.456"), (-0.0, "0"), (2**53 - 1, "9007199254740991"),
])
def test_canonical_numbers_are_written_as_ecmascript_writes_them(number, text):
    assert canonical_json([number]) == f"[{text}]".encode()


@pytest.mark.parametrize("value", [2**53, float("nan"), float("inf"), {1: "x"}, {"x": object()}])
def test_values_without_a_canonical_form_are_refused(value):
    with pytest.raises(ValueError):
        canonical_json(value)


def test_keys_sort_by_utf16_code_units_and_text_stays_utf8():
    value = {"\U0001f600": 1, "\ufb01": 2, "ä": 3, "b": 4}
    assert canonical_json(value) == '{"b":4,"ä":3,"\U0001f600":1,"\ufb01":2}'.encode()


def test_a_signature_over_the_10_form_still_verifies_and_a_changed_value_does_not():
    key = ed25519.Ed25519PrivateKey.generate()
    entry = {"video_s": 12.0, "note": "Straße"}
    legacy = json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    assert signed_forms(entry) == [canonical_json(entry), legacy]
    signature = key.sign(hashlib.sha256(legacy).digest())
    assert signature_matches(key.public_key(), signature, entry, sha256_first=True)
    assert not signature_matches(key.public_key(), signature, {**entry, "video_s": 13.0}, sha256_first=True)


def test_canonical_json_agrees_with_an_independent_jcs_library():
    import random

    import rfc8785

    rng = random.Random(8785)
    values = [rng.uniform(-1e6, 1e6) for _ in range(300)] + [rng.random() * 10 ** rng.randint(-30, 30)
                                                            for _ in range(300)]
    values += [float(n) for n in range(-50, 50)] + [rng.randint(-(2**53 - 1), 2**53 - 1) for _ in range(50)]
    document = {"n": values, "s": "Ä\u0000\u001f\"\\/\u2028😀", "nested": [{"z": 1, "a": None, "m": True}]}
    assert canonical_json(document) == rfc8785.dumps(document)
