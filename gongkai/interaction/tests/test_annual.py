"""The annual report: tables from the data, the consistency checks, export and publication."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from docx import Document

from gongkai.conftest import make_user
from gongkai.core import roles
from gongkai.interaction import annual, services
from gongkai.interaction.tests import factories as f

pytestmark = pytest.mark.django_db
D = dt.date
BUSINESS = {
    "applicant_type": "business",
    "applicant_name": "聊城某某律师事务所",
    "id_document": "",
    "org_code": "91371502MA3C00000X",
}


@pytest.fixture
def cases():
    a = f.info_request(received_on=D(2024, 12, 20))
    services.request_answer(actor="t", request=a, on=D(2025, 1, 10), outcome="disclosed", summary="已提供。")
    b = f.info_request(received_on=D(2025, 3, 3), **BUSINESS)
    services.request_answer(
        actor="t", request=b, on=D(2025, 3, 20), outcome="refused_process", summary="过程性信息。"
    )
    f.info_request(received_on=D(2025, 12, 22))
    d = f.info_request(received_on=D(2024, 5, 6))
    services.request_answer(
        actor="t", request=d, on=D(2024, 5, 20), outcome="not_exist", summary="经检索不存在。"
    )


def _texts(year):
    return {"overview": f"{year}年，本局认真贯彻政府信息公开条例。", "problems": "个别答复不够及时，已改进。"}


def test_the_request_matrix_counts_by_applicant_type_and_balances(cases):
    m = annual.request_matrix(2025)
    assert m["new"]["person"] == 1 and m["new"]["business"] == 1 and m["new"]["total"] == 2
    assert m["carried_in"]["person"] == 1
    assert m["disclosed"]["person"] == 1 and m["refused_process"]["business"] == 1
    assert m["group:refused"]["total"] == 1 and m["results_total"]["total"] == 2
    assert m["carried_out"]["person"] == 1
    report = annual.report_save(actor="t", year=2025, values=_texts(2025))
    assert annual.consistency_problems(report) == []


def test_publication_freezes_the_tables_and_checks_last_years_carry_over(client, cases):
    editor = make_user("editor", roles.MESSAGE_HANDLER)
    r2024 = annual.report_save(actor=editor, year=2024, values=_texts(2024))
    r2024 = annual.report_publish(actor=editor, report=r2024)
    assert r2024.tables is not None and r2024.tables["requests"]["carried_out"]["person"] == 1
    # A letter of November 2024 entered late: last year's published report no longer matches.
    f.info_request(received_on=D(2024, 11, 1))
    r2025 = annual.report_save(actor=editor, year=2025, values=_texts(2025))
    problems = annual.consistency_problems(r2025)
    assert any("2024年度已发布的报告" in p and "不一致" in p for p in problems)
    with pytest.raises(ValidationError, match="一致性检查"):
        annual.report_publish(actor=editor, report=r2025)
    # The published 2024 report is frozen: its page still shows what was published.
    page = client.get(reverse("public-annual-report", args=[2024])).content.decode()
    assert "2024年政府信息公开工作年度报告" in page and "本机关不掌握相关政府信息" in page


def test_the_report_exports_to_docx_with_the_six_parts_and_the_tables(client, cases):
    editor = make_user("editor2", roles.MESSAGE_HANDLER)
    report = annual.report_save(
        actor=editor,
        year=2025,
        values={**_texts(2025), "review_litigation": {"review": {"upheld": 1, "pending": 1}}},
    )
    report = annual.report_publish(actor=editor, report=report)
    doc = Document(io.BytesIO(report.docx.open("rb").read()))
    text = "\n".join(p.text for p in doc.paragraphs)
    for part in [
        "一、总体情况",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    ]:
        assert part in text
    assert len(doc.tables) == 3
    matrix = doc.tables[1]
    assert matrix.rows[0].cells[1].text == "自然人" and matrix.rows[0].cells[-1].text == "总计"
    review = doc.tables[2]
    assert [c.text for c in review.rows[1].cells] == ["行政复议", "1", "0", "0", "1", "2"]
    listing = client.get(reverse("public-annual-reports")).content.decode()
    assert "2025年政府信息公开工作年度报告" in listing
    download = client.get(reverse("public-annual-report-file", args=[2025, "docx"]))
    assert download.status_code == 200 and b"".join(download.streaming_content)[:2] == b"PK"
    assert client.get(reverse("public-annual-report", args=[2026])).status_code == 404


def test_staff_draft_fill_and_publish_the_report_in_the_browser(client, cases):
    client.force_login(make_user("editor3", roles.MESSAGE_HANDLER))
    response = client.post(reverse("staff-annual-reports"), {"year": "2025"})
    assert response.status_code == 302
    detail = response["Location"]
    page = client.get(detail).content.decode()
    assert "“一、总体情况”尚未填写" in page and "自然人" in page
    data = {"action": "save", **_texts(2025), "active_notes": "", "other": "", "active__licensing": "120"}
    for row in annual.REVIEW_ROWS:
        for col in annual.REVIEW_COLUMNS[:-1]:
            data[f"{row}__{col}"] = "0"
    assert client.post(detail, data).status_code == 302
    page = client.get(detail).content.decode()
    assert "全部通过" in page and "120" in page
    # The handler drafts; publishing is the head of the 政府信息公开工作机构's.
    assert client.post(detail, {"action": "publish"}).status_code == 302
    assert client.get(reverse("public-annual-report", args=[2025])).status_code == 404
    client.force_login(make_user("head3", roles.OPEN_GOV_HEAD))
    assert client.post(detail, {"action": "publish"}).status_code == 302
    assert client.get(reverse("public-annual-report", args=[2025])).status_code == 200
    assert client.get(detail.rstrip("/") + "/docx/").status_code == 200
