"""The pure text layer: normalisation, bigram tokens, query parsing, snippets."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from gongkai.search import text


def test_normalise_folds_full_width_traditional_and_case_and_keeps_length():
    raw = "食品安全監督ＡＢＣ１２３，條例"
    out = text.normalise(raw)
    assert out == "食品安全监督abc123,条例"
    assert len(out) == len(raw)


def test_index_tokens_are_bigrams_plus_last_character_and_latin_words():
    assert text.index_tokens("食品安全法，喝茶。ABC-0635") == [
        "食品",
        "品安",
        "安全",
        "全法",
        "法",
        "喝茶",
        "茶",
        "abc",
        "0635",
    ]


def test_query_without_spaces_is_segmented_into_words_that_are_all_required():
    parsed = text.parse_query("食品安全罚款")
    assert [t.text for t in parsed.terms] == ["食品安全", "罚款"]


def test_function_words_are_dropped_and_quotes_make_one_exact_term():
    assert [t.text for t in text.parse_query("如何办理营业执照").terms] == ["办理", "营业执照"]
    parsed = text.parse_query('"食品安全法" 罚款')
    assert parsed.terms[0].text == "食品安全法" and parsed.terms[0].exact


def test_latin_letters_are_pinyin_candidates_joined_across_spaces():
    term = text.parse_query("shipin anquan").terms[0]
    assert term.pinyin == "shipinanquan"
    assert text.parse_query("SPAQ").terms[0].pinyin == "spaq"
    assert text.parse_query("91371502MA3C").terms[0].pinyin == ""


def test_pinyin_keys():
    assert text.pinyin_keys("食品安全") == ("shipinanquan", "spaq")


def test_snippet_window_contains_the_match():
    body = "无关内容" * 50 + "这里说的是食品安全的要求" + "其他" * 50
    start, end, spans = text.snippet_spans(body, ["食品安全"], width=40)
    assert spans and all(start <= a < b <= end for a, b in spans)
    assert body[spans[0][0] : spans[0][1]] == "食品安全"


def test_edit_distance_one():
    assert text.edit_distance_one("食品安全", "食品按全")
    assert text.edit_distance_one("食品安全", "食品安")
    assert not text.edit_distance_one("食品安全", "食品安全")
    assert not text.edit_distance_one("食品安全", "药品监管")


def _phrase_in(tokens: list[str], phrase: list[str]) -> bool:
    n = len(phrase)
    return any(tokens[i : i + n] == phrase for i in range(len(tokens) - n + 1))


HAN = st.sampled_from(list("食品安全法监督管理罚款电梯特种设备合格不产品市场"))


@settings(max_examples=300, deadline=None)
@given(
    doc=st.lists(st.one_of(HAN, st.just("，")), min_size=1, max_size=60),
    term=st.lists(HAN, min_size=2, max_size=5),
)
def test_bigram_phrase_matching_equals_substring_truth(doc, term):
    """Recall and precision of the bigram phrase index equal plain substring search (≥ 2 characters)."""
    doc_text, term_text = "".join(doc), "".join(term)
    found = _phrase_in(text.index_tokens(doc_text), text.term_tokens(term_text))
    assert found == (term_text in doc_text)


def test_every_cjk_character_is_reachable_by_prefix():
    tokens = text.index_tokens("我们去喝茶。")
    assert any(t.startswith("茶") for t in tokens)
    assert all(re.fullmatch(f"[{text.CJK}a-z0-9]+", t) for t in tokens)
