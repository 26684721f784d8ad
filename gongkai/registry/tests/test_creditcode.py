import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongkai.registry import creditcode

VALID = "91350100M000100Y43"  # the worked example of GB 32100-2015


def test_valid_example():
    assert creditcode.validate(VALID) == VALID


def test_full_width_and_lower_case_are_normalised():
    assert creditcode.validate(" ９１350100m000100y43 ") == VALID


def test_wrong_check_character_names_position_18_and_expected_value():
    with pytest.raises(creditcode.CreditCodeError) as exc:
        creditcode.validate(VALID[:17] + "4")
    assert exc.value.position == 18
    assert "应为“3”" in str(exc.value)


@pytest.mark.parametrize(("code", "position"), [("9135010OM000100Y43", 8), ("91350100M0I0100Y43", 11)])
def test_forbidden_character_is_named(code, position):
    with pytest.raises(creditcode.CreditCodeError) as exc:
        creditcode.validate(code)
    assert exc.value.position == position


def test_region_digits_required():
    with pytest.raises(creditcode.CreditCodeError, match="第3位应为数字"):
        creditcode.validate(creditcode.complete("91A50100M000100Y4"))


@pytest.mark.parametrize("code", ["", "9135010", VALID + "0"])
def test_wrong_length(code):
    with pytest.raises(creditcode.CreditCodeError, match="18位"):
        creditcode.validate(code)


body = st.text(alphabet=creditcode.ALPHABET, min_size=17, max_size=17).map(
    lambda s: s[:2] + "".join(c if c.isdigit() else "1" for c in s[2:8]) + s[8:]
)


@given(body)
def test_completed_codes_validate(first17):
    assert creditcode.is_valid(creditcode.complete(first17))


@given(body, st.integers(min_value=0, max_value=16), st.sampled_from(creditcode.ALPHABET))
def test_any_single_substitution_is_caught(first17, index, replacement):
    code = creditcode.complete(first17)
    if code[index] == replacement or (2 <= index < 8 and not replacement.isdigit()):
        return
    mutated = code[:index] + replacement + code[index + 1 :]
    assert not creditcode.is_valid(mutated)
