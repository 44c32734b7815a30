"""A failing background job: one sentence for the user, the traceback in the log file."""

from __future__ import annotations

from annotator.log import log_path


def test_a_failing_job_names_the_log_file_that_keeps_its_traceback(qtbot, window):
    from annotator.ui.background import BackgroundJob

    def job(progress):
        raise ZeroDivisionError("the job broke")

    runner = BackgroundJob(job, "Testing…", window)
    with qtbot.waitSignal(runner.failed, timeout=10_000) as failed:
        runner.start()
    [message] = failed.args
    assert message.startswith("ZeroDivisionError: the job broke (details in ")
    assert str(log_path()) in message
    logged = log_path().read_text(encoding="utf-8")
    assert "Traceback" in logged and "ZeroDivisionError: the job broke" in logged
