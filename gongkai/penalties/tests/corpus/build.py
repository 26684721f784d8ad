"""Build the redaction corpus: ``NN-slug.txt`` (the decision) and ``NN-slug.json`` (its annotation).

    .venv/bin/python -m gongkai.penalties.tests.corpus.build

The decision texts are written by hand in ``cases.py``; this script only fills their placeholders
with personal data that has correct check digits, renders it in the form the placeholder asks for,
and records where every sensitive item and every trap ended up. The random generator is seeded per
case, so running the script again rewrites identical files (a test checks this). The check-digit
code here is deliberately independent of ``gongkai.penalties.redaction``.

Placeholders in the case texts:

``{{kind}}``, ``{{kind:style}}``, ``{{kind#tag:style}}``
    a generated value; ``#tag`` reuses one value in several places. Sensitive kinds: ``id``
    (``oldid``, ``minorid``), ``mobile``, ``landline``, ``card``, ``account``, ``email``, ``qq``,
    ``wechat``. Trap kinds (must not be redacted): ``credit``, ``creditnum``, ``regno``, ``fake18``,
    ``fake16``, ``order``, ``ean``, ``paycode``.
``[[name:张三]]``, ``[[addr:…]]``
    a span the staff marks (the test passes it to the detector as a marked span).
``<<what|text>>``
    a literal trap, written by hand (amounts, dates, 文号…).

Every other number of five or more digits outside the sensitive spans is recorded as a trap too.
"""

from __future__ import annotations

import json
import random
import re
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from gongkai.registry import creditcode

HERE = Path(__file__).resolve().parent

# --- independent check-digit helpers -------------------------------------------------------------------

ID_WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]


def id_check(first17: str) -> str:
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def luhn_check_digit(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return str((10 - total % 10) % 10)


def luhn_ok(number: str) -> bool:
    return luhn_check_digit(number[:-1]) == number[-1]


def regno_check_digit(first14: str) -> str:
    for last in "0123456789":
        p = 10
        for ch in first14:
            p = ((p % 11 + int(ch)) % 10 or 10) * 2
        if (p % 11 + int(last)) % 10 == 1:
            return last
    raise AssertionError("ISO 7064 MOD 11,10 always has a check digit")


AREAS = [
    "371502",  # 聊城市东昌府区
    "371503",  # 茌平区
    "371521",  # 阳谷县
    "371522",  # 莘县
    "371524",  # 东阿县
    "371525",  # 冠县
    "371526",  # 高唐县
    "371581",  # 临清市
    "370102",  # 济南市历下区
    "370203",  # 青岛市市北区
    "410102",  # 郑州市中原区
    "130102",  # 石家庄市长安区
    "320106",  # 南京市鼓楼区
    "440106",  # 广州市天河区
    "510107",  # 成都市武侯区
    "110105",  # 北京市朝阳区
]
MOBILE_PREFIXES = ["130", "131", "133", "135", "136", "137", "138", "139", "150", "151", "152"]
MOBILE_PREFIXES += ["153", "155", "156", "157", "158", "159", "166", "176", "177", "180", "181"]
MOBILE_PREFIXES += ["182", "183", "185", "186", "187", "188", "189", "198", "199", "147", "173"]
AREA_CODES = ["0635", "0635", "0635", "0531", "0532", "0536", "0537", "0371", "0311", "010", "021", "020"]
CARD_BINS = [("622202", 19), ("621700", 19), ("622848", 19), ("621661", 19), ("622588", 16)]
CARD_BINS += [("623668", 19), ("621226", 19), ("436742", 16), ("518710", 16), ("955880", 19)]
EMAIL_DOMAINS = ["163.com", "126.com", "qq.com", "sina.com", "foxmail.com", "139.com", "yeah.net"]
PINYIN = ["wang", "li", "zhang", "liu", "chen", "yang", "zhao", "huang", "zhou", "wu", "sun", "ma"]
GIVEN = ["jianguo", "na", "min", "wei", "fang", "lei", "jing", "qiang", "hua", "yan", "tao", "hong"]

FULL = {ord(c): ord(c) + 0xFEE0 for c in "0123456789X-()@"}


def full_width(s: str) -> str:
    return s.translate(FULL)


@dataclass
class Generator:
    rng: random.Random
    tags: dict[tuple[str, str], str] = field(default_factory=dict)

    def digits(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789") for _ in range(n))

    def birth(self, start: date, end: date) -> date:
        return start + timedelta(days=self.rng.randrange((end - start).days))

    def id18(self, *, minor: bool = False, x: bool = False) -> str:
        born = (
            self.birth(date(2008, 6, 1), date(2010, 6, 1))
            if minor
            else self.birth(date(1952, 1, 1), date(2001, 12, 31))
        )
        while True:
            first17 = self.rng.choice(AREAS) + born.strftime("%Y%m%d") + self.digits(3)
            check = id_check(first17)
            if (check == "X") == x:
                return first17 + check

    def twid(self) -> str:
        """台湾居民居住证: an ordinary 18-digit number with region code 830000."""
        born = self.birth(date(1960, 1, 1), date(1999, 12, 31))
        first17 = "830000" + born.strftime("%Y%m%d") + self.digits(3)
        return first17 + id_check(first17)

    def passport(self) -> str:
        return self.rng.choice(["E", "EA", "G"]) + self.digits(8 if self.rng.random() < 0.7 else 7)

    def permit(self) -> str:
        """港澳居民来往内地通行证 (H/M + 8 digits, or 10 digits for the older 回乡证)."""
        return self.rng.choice("HM") + self.digits(8)

    def oldid(self) -> str:
        born = self.birth(date(1950, 1, 1), date(1985, 12, 31))
        while True:
            value = self.rng.choice(AREAS) + born.strftime("%y%m%d") + self.digits(3)
            if regno_check_digit(value[:14]) != value[14]:
                return value

    def mobile(self) -> str:
        return self.rng.choice(MOBILE_PREFIXES) + self.digits(8)

    def landline(self) -> str:
        area = self.rng.choice(AREA_CODES)
        local_length = 8 if len(area) == 3 else self.rng.choice([7, 8, 8])
        return area + "-" + self.rng.choice("2345678") + self.digits(local_length - 1)

    def landline3(self) -> str:
        """Beijing, Shanghai, Guangzhou…: a three-digit area code and an eight-digit number."""
        return (
            self.rng.choice(["010", "021", "020", "022", "027"])
            + "-"
            + self.rng.choice("2345678")
            + self.digits(7)
        )

    def card(self) -> str:
        prefix, length = self.rng.choice(CARD_BINS)
        body = prefix + self.digits(length - len(prefix) - 1)
        return body + luhn_check_digit(body)

    def account(self) -> str:
        """A company's settlement account: various lengths, and not a valid Luhn number."""
        while True:
            value = self.rng.choice(
                [
                    lambda: "1610" + self.digits(15),  # 工商银行, 19 digits
                    lambda: "3705018" + self.digits(13),  # 建设银行, 20 digits
                    lambda: "15" + self.digits(15),  # 农业银行, 17 digits
                    lambda: "9015" + self.digits(14),  # 农村商业银行, 18 digits
                    lambda: "2350" + self.digits(10),  # 城市商业银行, 14 digits
                ]
            )()
            if not luhn_ok(value):
                return value

    def email(self) -> str:
        local = self.rng.choice(PINYIN) + self.rng.choice(["", ".", "_"]) + self.rng.choice(GIVEN)
        local += self.rng.choice(["", str(self.rng.randrange(60, 100)), str(self.rng.randrange(1960, 2002))])
        if self.rng.random() < 0.2:
            local = self.digits(1).replace("0", "1") + self.digits(8)  # a QQ mailbox
        return local + "@" + self.rng.choice(EMAIL_DOMAINS)

    def qq(self) -> str:
        return self.rng.choice("123456789") + self.digits(self.rng.choice([7, 8, 9]))

    def wechat(self) -> str:
        return self.rng.choice(PINYIN) + self.rng.choice(GIVEN) + self.digits(self.rng.choice([2, 4]))

    def credit(self) -> str:
        alphabet = creditcode.ALPHABET
        first17 = "91" + self.rng.choice(AREAS) + "MA" + "".join(self.rng.choice(alphabet) for _ in range(7))
        return creditcode.complete(first17)

    def creditnum(self) -> str:
        """An all-digit 统一社会信用代码 (an old organisation code inside), 18 digits like an ID."""
        while True:
            code = creditcode.complete("91" + self.rng.choice(AREAS) + self.digits(9))
            if code.isdigit():
                return code

    def regno(self) -> str:
        first14 = self.rng.choice(AREAS)[:4] + "00" + self.rng.choice("12") + self.digits(7)
        return first14 + regno_check_digit(first14)

    def fake18(self) -> str:
        """18 digits that are no ID: a wrong check character, a wrong date or a wrong province."""
        while True:
            value = self.rng.choice(["2025", "1000", "8800", "6000"]) + self.digits(14)
            if id_check(value[:17]) != value[17] or value[:2] not in {"37", "41", "13", "11"}:
                return value

    def fake16(self) -> str:
        while True:
            value = self.rng.choice("3456") + self.digits(15)
            if not luhn_ok(value):
                return value

    def order(self) -> str:
        return "2025" + self.digits(self.rng.choice([12, 14, 15]))

    def ean(self) -> str:
        body = "69" + self.digits(10)
        total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
        return body + str((10 - total % 10) % 10)

    def paycode(self) -> str:
        return "37" + self.digits(18)

    def value(self, kind: str, tag: str | None) -> str:
        if tag and (kind, tag) in self.tags:
            return self.tags[(kind, tag)]
        if kind == "id":
            value = self.id18()
        elif kind == "idx":
            value = self.id18(x=True)
        elif kind == "minorid":
            value = self.id18(minor=True)
        else:
            value = getattr(self, kind)()
        if tag:
            self.tags[(kind, tag)] = value
        return value


SENSITIVE_KIND = {
    "id": "id_number",
    "idx": "id_number",
    "oldid": "id_number",
    "twid": "id_number",
    "passport": "document_number",
    "permit": "document_number",
    "minorid": "id_number",
    "mobile": "mobile",
    "landline": "landline",
    "landline3": "landline",
    "card": "bank_card",
    "account": "bank_account",
    "email": "email",
    "qq": "im_account",
    "wechat": "im_account",
}
TRAP_WHAT = {
    "credit": "统一社会信用代码",
    "creditnum": "统一社会信用代码（全数字）",
    "regno": "15位注册号",
    "fake18": "18位非身份证号",
    "fake16": "16位Luhn校验不通过的编号",
    "order": "订单号",
    "ean": "商品条码",
    "paycode": "非税缴款码",
}


def groups(value: str, sizes: list[int]) -> list[str]:
    out, i = [], 0
    for size in sizes:
        out.append(value[i : i + size])
        i += size
    if i < len(value):
        out.append(value[i:])
    return [g for g in out if g]


def render(kind: str, value: str, style: str, rng: random.Random) -> str:
    """The value as the placeholder's style writes it."""
    if kind in ("landline", "landline3"):
        area, local = value.split("-")
        forms = {
            "plain": area + local,
            "dashed": f"{area}-{local}",
            "spaced": f"{area} {local}",
            "paren": f"({area}){local}",
            "fparen": f"（{area}）{local}",
            "ext": f"{area}-{local}转{rng.randrange(100, 999)}",
            "extdash": f"{area}-{local}-{rng.randrange(10, 999)}",
            "full": full_width(f"{area}-{local}"),
            "local": local,
            "break": f"{area}-{local[:3]}\n{local[3:]}",
        }
        return forms[style]
    if kind in ("mobile",):
        forms = {
            "plain": value,
            "spaced": " ".join(groups(value, [3, 4, 4])),
            "dashed": "-".join(groups(value, [3, 4, 4])),
            "plus86": "+86 " + " ".join(groups(value, [3, 4, 4])),
            "plus86tight": "+86" + value,
            "p0086": "0086-" + value,
            "full": full_width(value),
            "break": value[:5] + "\n" + value[5:],
            "mixed": "".join(full_width(c) if rng.random() < 0.5 else c for c in value),
            "dotted": ".".join(groups(value, [3, 4, 4])),
            "paren86": "(+86)" + value,
            "zerowidth": value[:3] + "\u200b" + value[3:7] + "\u200b" + value[7:],
        }
        return forms[style]
    if kind in ("id", "idx", "oldid", "minorid", "twid"):
        sizes = [6, 8, 4] if len(value) == 18 else [6, 6, 3]
        forms = {
            "plain": value,
            "spaced": " ".join(groups(value, sizes)),
            "dashed": "-".join(groups(value, sizes)),
            "quad": " ".join(groups(value, [4, 4, 4, 4])),
            "full": full_width(value),
            "lowerx": value.lower(),
            "X": value,
            "break": value[:10] + "\n" + value[10:],
            "mixed": "".join(full_width(c) if rng.random() < 0.5 else c for c in value),
        }
        return forms[style]
    if kind in ("card", "account"):
        forms = {
            "plain": value,
            "spaced": " ".join(groups(value, [4] * 5)),
            "dashed": "-".join(groups(value, [4] * 5)),
            "full": full_width(value),
            "break": value[:8] + "\n" + value[8:],
            "fullspaced": full_width(" ".join(groups(value, [4] * 5))).replace(" ", "\u3000"),
        }
        return forms[style]
    if kind == "email":
        forms = {"plain": value, "fullat": value.replace("@", "＠"), "upper": value.upper()}
        return forms[style]
    if style != "plain":
        raise ValueError(f"no style {style!r} for {kind}")
    return value


PLACEHOLDER = re.compile(
    r"\{\{(\w+)(?:#(\w+))?(?::(\w+))?\}\}|\[\[(name|addr):([^\]]+)\]\]|<<([^|>]+)\|([^>]+)>>"
)


def build_case(number: int, case: dict[str, object], header: str, tail: str) -> tuple[str, dict[str, object]]:
    rng = random.Random(f"gongkai-redaction-corpus-{number}")
    gen = Generator(rng)
    template = header + str(case["body"]).strip("\n") + "\n\n" + tail
    out: list[str] = []
    position = 0
    sensitive: list[dict[str, object]] = []
    marked: list[dict[str, object]] = []
    traps: list[dict[str, object]] = []
    length = 0
    for m in PLACEHOLDER.finditer(template):
        piece = template[position : m.start()]
        out.append(piece)
        length += len(piece)
        kind, tag, style, mark_kind, mark_text, trap_what, trap_text = m.groups()
        if kind:
            value = gen.value(kind, tag)
            text = render(kind, value, style or "plain", rng)
            if kind in SENSITIVE_KIND:
                sensitive.append(
                    {"kind": SENSITIVE_KIND[kind], "text": text, "value": value, "start": length}
                )
            elif kind in TRAP_WHAT:
                traps.append({"what": TRAP_WHAT[kind], "text": text, "start": length})
            else:
                raise ValueError(f"case {number}: unknown placeholder kind {kind!r}")
        elif mark_kind:
            text = mark_text
            marked.append(
                {"kind": "name" if mark_kind == "name" else "address", "text": text, "start": length}
            )
        else:
            text = trap_text
            traps.append({"what": trap_what, "text": text, "start": length})
        out.append(text)
        length += len(text)
        position = m.end()
    out.append(template[position:])
    body = "".join(out).rstrip("\n") + "\n"

    covered = [(int(str(s["start"])), int(str(s["start"])) + len(str(s["text"]))) for s in sensitive + traps]
    for m in re.finditer(r"[0-9０-９](?:[0-9０-９.,]*[0-9０-９])?", body):
        if sum(ch.isdigit() for ch in m.group()) >= 5 and not any(
            s < m.end() and m.start() < e for s, e in covered
        ):
            traps.append({"what": "其他数字", "text": m.group(), "start": m.start()})
    for item in sensitive + marked + traps:
        start = int(str(item["start"]))
        assert body[start : start + len(str(item["text"]))] == item["text"], (number, item)
    annotation = {
        "title": case["title"],
        "violation": case["violation"],
        "party": case["party"],
        "decision_date": case["date"],
        "minor": bool(case.get("minor", False)),
        "sensitive": sensitive,
        "marked": marked,
        "traps": sorted(traps, key=lambda t: int(str(t["start"]))),
    }
    return body, annotation


def build(directory: Path = HERE) -> dict[str, str]:
    """Render every case; return {file name: content}."""
    from gongkai.penalties.tests.corpus.cases import CASES, header_for, tail_for

    files: dict[str, str] = {}
    for number, case in enumerate(CASES, start=1):
        body, annotation = build_case(number, case, header_for(number, case), tail_for(number, case))
        size = len(body)
        if not 300 <= size <= 1500:
            raise ValueError(f"case {number} ({case['slug']}) has {size} characters, not 300–1,500")
        stem = f"{number:02d}-{case['slug']}"
        files[f"{stem}.txt"] = body
        files[f"{stem}.json"] = json.dumps(annotation, ensure_ascii=False, indent=2) + "\n"
    return files


def main() -> None:
    files = build()
    for old in HERE.glob("[0-9][0-9]-*"):
        if old.name not in files:
            old.unlink()
    for name, content in files.items():
        (HERE / name).write_text(content, encoding="utf-8")
    print(f"wrote {len(files) // 2} cases to {HERE}", file=sys.stderr)


if __name__ == "__main__":
    main()
