"""``gongkai import-entities`` / ``import-inspectors``: exit status, summary, actor, no tracebacks."""

import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from gongkai.core.models import AuditEvent
from gongkai.inspectors.columns import OFFICER_HEADERS
from gongkai.registry.importing import recent_runs
from gongkai.registry.models import Entity
from gongkai.registry.tests.importfiles import entity_row, officer_row, write_csv, write_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def command(*args):
    """(exit status, stdout, stderr) of a management command run in this process."""
    import io

    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
    except SystemExit as exc:
        return exc.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_exit_0_when_every_row_applied_with_a_chinese_summary(tmp_path):
    path = write_xlsx(tmp_path / "主体.xlsx", [entity_row(), entity_row()])
    code, out, err = command("import_entities", str(path), "--report", str(tmp_path / "r"))
    assert code == 0 and err == ""
    assert "新增2条，更新0条，未变化0条，未导入0条" in out and "全部数据行已导入" in out
    assert (tmp_path / "r" / "主体-导入报告.csv").exists()


def test_exit_1_when_some_rows_were_refused_and_the_others_applied(tmp_path):
    path = write_csv(tmp_path / "主体.csv", [entity_row(), entity_row(**{"主体类型": "公司"})])
    code, out, _ = command("import_entities", str(path), "--report", str(tmp_path / "r"))
    assert code == 1
    assert "未导入1条" in out and "主体-未导入.csv" in out
    assert Entity.objects.count() == 1


def test_exit_2_when_the_file_is_refused_and_nothing_changes(tmp_path):
    path = tmp_path / "假的.xlsx"
    path.write_text("not a workbook")
    code, out, err = command("import_entities", str(path))
    assert code == 2 and out == ""
    assert "未导入：文件扩展名是.xlsx，但内容不是Excel工作簿" in err and "名录库没有任何改动" in err
    assert AuditEvent.objects.count() == 0


def test_exit_2_for_a_missing_file_or_an_unknown_user(tmp_path):
    assert command("import_inspectors", str(tmp_path / "nope.csv"))[0] == 2
    path = write_csv(tmp_path / "主体.csv", [entity_row()])
    code, _, err = command("import_entities", str(path), "--user", "nobody")
    assert code == 2 and "用户“nobody”不存在" in err
    assert Entity.objects.count() == 0


def test_the_actor_is_the_file_name_or_the_given_user(tmp_path):
    path = write_csv(tmp_path / "一月.csv", [entity_row()])
    command("import_entities", str(path))
    assert AuditEvent.objects.get().actor_name == "import:一月.csv"
    user = get_user_model().objects.create_user("clerk")
    command("import_entities", str(write_csv(tmp_path / "二月.csv", [entity_row()])), "--user", "clerk")
    event = AuditEvent.objects.order_by("-seq").first()
    assert (event.actor_id, event.actor_name) == (user.pk, "clerk")


def test_runs_without_report_dir_are_listed_for_the_upload_page(tmp_path):
    command("import_entities", str(write_csv(tmp_path / "主体.csv", [entity_row()])))
    (run,) = recent_runs("entities")
    assert (run["file_name"], run["created"], run["actor"]) == ("主体.csv", 1, "import:主体.csv")


def test_import_inspectors_exit_codes(tmp_path):
    good = write_csv(tmp_path / "人员.csv", [officer_row()], OFFICER_HEADERS)
    assert command("import_inspectors", str(good))[0] == 0
    mixed = write_csv(tmp_path / "人员2.csv", [officer_row(), officer_row(**{"部门": "?"})], OFFICER_HEADERS)
    assert command("import_inspectors", str(mixed))[0] == 1
    entities = write_csv(tmp_path / "主体.csv", [entity_row()])
    code, _, err = command("import_inspectors", str(entities))
    assert code == 2 and "缺少必需的列" in err


def test_the_console_command_prints_no_traceback_for_bad_input(tmp_path):
    path = tmp_path / "坏.csv"
    path.write_bytes(b"\x00\x01\x02binary")
    proc = subprocess.run(
        [sys.executable, "-m", "gongkai", "import-entities", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "二进制内容" in proc.stderr
