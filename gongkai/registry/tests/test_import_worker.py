"""The import's worker process: its failures reach the user as a message and nothing is applied."""

import multiprocessing
import os
import signal
import struct
import time

import pytest
from django.db import connection

from gongkai.core import audit
from gongkai.core.models import AuditEvent
from gongkai.core.tabular import TableError
from gongkai.registry import importing
from gongkai.registry.importing import ImportInterruptedError, import_entities
from gongkai.registry.models import Address, Entity, StatusChange
from gongkai.registry.tests.factories import make_entity
from gongkai.registry.tests.importfiles import entity_row, write_csv
from gongkai.search.models import StaleDocument

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_batches(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Several batches, the first one a "large first load" (indexes dropped on PostgreSQL).
    monkeypatch.setattr(importing, "BATCH", 40)
    monkeypatch.setattr(importing, "FIRST_LOAD_MIN", 20)


def _indexes():
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename LIKE 'registry_%%' ORDER BY 1")
        return cursor.fetchall()


def _fail_at_row(monkeypatch, number, failure):
    parse = importing._EntityRows._parse

    def failing(self, row):
        if row.number == number:
            failure()
        return parse(self, row)

    monkeypatch.setattr(importing._EntityRows, "_parse", failing)


def _nothing_stored():
    assert not Entity.objects.exists()
    assert not Address.objects.exists() and not StatusChange.objects.exists()
    assert not AuditEvent.objects.exists() and not StaleDocument.objects.exists()


def test_a_worker_that_vanishes_half_way_is_reported_and_nothing_is_applied(tmp_path, monkeypatch):
    before = _indexes()
    path = write_csv(tmp_path / "主体.csv", [entity_row() for _ in range(130)])
    _fail_at_row(monkeypatch, 100, lambda: os._exit(3))  # after two batches were written
    with pytest.raises(ImportInterruptedError) as exc:
        import_entities(path, actor="t", report_dir=tmp_path / "out", worker=True)
    assert "工作进程意外退出（退出码3）" in str(exc.value)
    assert isinstance(exc.value, TableError)  # shown like any file that cannot be imported
    _nothing_stored()
    assert _indexes() == before


def test_a_worker_killed_in_the_middle_of_a_message_is_reported_not_waited_for(tmp_path, monkeypatch):
    """A worker that dies half-way through sending (killed, out of memory) leaves a partial message
    in the pipe; the main process must not wait for the rest of it (this hung once)."""
    put = importing._Outbox.put

    def dying(self, message):
        if message[0] == "batch" and message[1] is None:  # the last batch: write a third of it
            os.write(self.connection.fileno(), struct.pack("!i", 3000) + b"x" * 1000)
            os._exit(7)
        put(self, message)

    monkeypatch.setattr(importing._Outbox, "put", dying)
    path = write_csv(tmp_path / "主体.csv", [entity_row() for _ in range(60)])
    with pytest.raises(ImportInterruptedError, match="工作进程意外退出（退出码7）"):
        import_entities(path, actor="t", report_dir=tmp_path / "out", worker=True)
    _nothing_stored()


def test_an_error_in_the_worker_names_the_rows_and_nothing_is_applied(tmp_path, monkeypatch):
    path = write_csv(tmp_path / "主体.csv", [entity_row() for _ in range(130)])

    def boom():
        raise RuntimeError("意外")

    _fail_at_row(monkeypatch, 100, boom)
    with pytest.raises(ImportInterruptedError) as exc:
        import_entities(path, actor="t", report_dir=tmp_path / "out", worker=True)
    assert "读取和检查第" in str(exc.value) and "RuntimeError：意外" in str(exc.value)
    _nothing_stored()


def test_the_command_reports_a_failed_worker_in_chinese(tmp_path, monkeypatch, capsys):
    from django.core.management import call_command

    monkeypatch.setattr(importing, "fork_is_safe", lambda: True)
    path = write_csv(tmp_path / "主体.csv", [entity_row() for _ in range(50)])
    _fail_at_row(monkeypatch, 30, lambda: os._exit(9))
    with pytest.raises(SystemExit) as exit_code:
        call_command("import_entities", str(path), "--report", str(tmp_path / "r"))
    assert exit_code.value.code == 2
    err = capsys.readouterr().err
    assert "未导入：读取和检查文件的工作进程意外退出（退出码9）" in err and "名录库没有任何改动" in err
    _nothing_stored()


def test_the_worker_asks_for_stored_rows_when_the_register_is_not_empty(tmp_path):
    kept = make_entity()
    rows = [entity_row() for _ in range(60)]
    rows[45]["统一社会信用代码"] = kept.credit_code
    rows[45]["名称"] = "聊城市改名商贸有限公司"
    path = write_csv(tmp_path / "主体.csv", rows)
    result = import_entities(path, actor="t", report_dir=tmp_path / "out", worker=True)
    assert (result.created, result.updated, result.rejected) == (59, 1, 0)
    assert Entity.objects.get(pk=kept.credit_code).name == "聊城市改名商贸有限公司"
    again = import_entities(path, actor="t", report_dir=tmp_path / "out", worker=True)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 60)
    assert audit.verify_chain().ok


def test_the_main_process_reads_a_few_messages_ahead_and_no_more():
    """While the main process writes a batch, the worker may send READ_AHEAD more (and one that
    the reader holds), then waits: encoded batches do not pile up in memory."""
    ctx = multiprocessing.get_context("fork")
    pipe_end, sending = ctx.Pipe(duplex=False)
    importing._widen(sending)
    sent = ctx.Value("i", 0)
    big = b"x" * (2 * importing.PIPE_SIZE)  # more than the pipe itself holds

    def send():
        outbox = importing._Outbox(sending)
        for i in range(8):
            outbox.put(("batch", i, big))
            with sent.get_lock():
                sent.value += 1
        outbox.put(("done", []))

    process = ctx.Process(target=send, daemon=True)
    process.start()
    sending.close()
    inbox = importing._Inbox(pipe_end, process)
    try:
        deadline = time.monotonic() + 20
        while sent.value <= importing.READ_AHEAD and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.3)  # time enough to send more, were anything reading them
        assert sent.value == importing.READ_AHEAD + 1
        assert [inbox.get()[1] for _ in range(8)] == list(range(8))
        assert inbox.get() == ("done", [])
    finally:
        process.join(5)
        inbox.close()


def test_a_worker_that_fails_while_an_answer_is_on_its_way_is_reported_not_waited_for(tmp_path, monkeypatch):
    """The worker asks for the next chunk's stored rows before it handles the current one. If it
    fails meanwhile, the answer has no reader: sending it must not wait for ever."""
    rows = [entity_row() for _ in range(170)]
    for row in rows[120:160]:  # the fourth chunk is stored: its answer is some 16 KB
        row["统一社会信用代码"] = make_entity().credit_code
    path = write_csv(tmp_path / "主体.csv", rows)
    monkeypatch.setattr(importing, "PIPE_SIZE", 4096)  # the smallest pipe: the answer cannot wait in it

    def boom():
        raise RuntimeError("意外")

    _fail_at_row(monkeypatch, 100, boom)  # in the third chunk, with the fourth one's rows asked for

    def hung(signum, frame):
        raise AssertionError("the import waited for a worker that had ended")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(60)
    try:
        with pytest.raises(ImportInterruptedError, match="RuntimeError：意外"):
            import_entities(path, actor="t", report_dir=tmp_path / "out", worker=True)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert Entity.objects.count() == 40 and AuditEvent.objects.count() == 40  # the stored ones only


@pytest.mark.parametrize("worker", [False, True], ids=["here", "worker"])
def test_a_question_about_a_host_between_chunks_gets_its_own_answer(tmp_path, monkeypatch, worker):
    """The next chunk's stored rows are asked for before this chunk is checked; a row that takes
    a host's mark away then asks how many entities the host has. Each question gets its answer."""
    monkeypatch.setattr(importing, "BATCH", 2)
    host = make_entity(is_cluster_host=True)
    make_entity(cluster_host_code=host.pk)
    renamed, also_renamed = make_entity(), make_entity()
    rows = [
        entity_row(**{"统一社会信用代码": renamed.pk, "名称": "聊城市甲改名商贸有限公司"}),
        entity_row(**{"统一社会信用代码": host.pk, "集群注册托管机构": "否", "名称": host.name}),
        entity_row(**{"统一社会信用代码": also_renamed.pk, "名称": "聊城市乙改名商贸有限公司"}),
        entity_row(),
    ]
    path = write_csv(tmp_path / "主体.csv", rows)
    result = import_entities(path, actor="t", report_dir=tmp_path / "out", worker=worker)
    assert (result.created, result.updated, result.rejected) == (1, 2, 1)
    assert Entity.objects.get(pk=host.pk).is_cluster_host
    assert Entity.objects.get(pk=renamed.pk).name == "聊城市甲改名商贸有限公司"
    assert Entity.objects.get(pk=also_renamed.pk).name == "聊城市乙改名商贸有限公司"
    assert audit.verify_chain().ok
