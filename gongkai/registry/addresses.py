"""Chinese address structure (省/市/县/乡镇(街道)/村(社区)/路/门牌号). Pure: no Django imports."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from gongkai.registry.choices import CLUSTER_MARK, CLUSTER_MARK_VARIANTS

_LEVELS = re.compile(
    r"^(?P<province>.+?(?:省|自治区|市(?=.+市)))?"
    r"(?P<city>.+?(?:市|自治州|地区|盟))?"
    r"(?P<county>.+?(?:区|县|市|旗)|.+?开发区|.+?度假区)?"
    r"(?P<town>.+?(?:街道|镇|乡))?"
    r"(?P<village>.+?(?:村|社区|居委会))?"
    r"(?P<street>.+?(?:路|街|大道|道|巷|胡同))?"
    r"(?P<number>.*)$"
)


@dataclass(frozen=True)
class AddressParts:
    town: str = ""
    village: str = ""
    street: str = ""
    number: str = ""


def clean(text: str) -> str:
    """NFKC (full-width to half-width for digits and letters), no inner white space."""
    text = unicodedata.normalize("NFKC", text)
    # re.sub(r"\s+", "", text): str.split() splits at exactly the characters \s matches
    # (str.isspace; a test checks every code point), without the regex machinery.
    text = "".join(text.split())
    # NFKC turns （ ） into ( ); keep the Chinese brackets for the cluster mark.
    return text.replace("(集群注册)", CLUSTER_MARK)


def normalised(text: str) -> str:
    """The key for "same address": cleaned, without the cluster mark."""
    text = clean(text)
    for mark in CLUSTER_MARK_VARIANTS:
        text = text.replace(mark, "")
    return text


def has_cluster_mark(text: str) -> bool:
    return any(mark in text for mark in CLUSTER_MARK_VARIANTS)


def with_cluster_mark(text: str) -> str:
    return text if has_cluster_mark(text) else text + CLUSTER_MARK


def split(text: str) -> AddressParts:
    """Best-effort split into the structured levels below the county; never fails."""
    return _split(normalised(text), text)


def split_cleaned(text: str) -> tuple[str, AddressParts]:
    """(:func:`normalised`, :func:`split`) of a text that has already been through :func:`clean`."""
    norm, *parts = split_cleaned_fields(text)
    return norm, AddressParts(*parts)


def split_cleaned_fields(text: str) -> tuple[str, str, str, str, str]:
    """:func:`split_cleaned` as plain strings: (normalised, town, village, street, number).

    For bulk writers (an import's address rows), which do not need the :class:`AddressParts`.
    """
    norm = text
    if "集群注册" in text:
        for mark in CLUSTER_MARK_VARIANTS:
            norm = norm.replace(mark, "")
    return norm, *_split_fields(norm, text)


def _split(norm: str, text: str) -> AddressParts:
    return AddressParts(*_split_fields(norm, text))


def _split_fields(norm: str, text: str) -> tuple[str, str, str, str]:
    match = _LEVELS.match(norm)
    if not match:
        return "", "", "", text
    town, village, street, number = match.group("town", "village", "street", "number")
    return (town or "")[:50], (village or "")[:50], (street or "")[:80], (number or "")[:120]
