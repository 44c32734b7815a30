"""First run: import the bundled sample article into a fresh database."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from annotator.resources import sample_articles
from annotator.store import Store


def sample_import_job(db_path: Path) -> Callable[[Callable[[int, int], None]], str]:
    """A job for the window's background thread: import the bundled sample with the
    default pipeline, through a connection of its own."""

    def job(progress: Callable[[int, int], None]) -> str:
        # spaCy is imported when the job runs, not when the window starts
        from annotator.importer import plan_import, run_import
        from annotator.nlp.pipeline import Pipeline

        with Store.open(db_path) as store:
            paths = sample_articles()
            plan = plan_import(store, paths)
            done = 0
            progress(0, plan.new_documents)

            def advance(n: int) -> None:
                nonlocal done
                done += n
                progress(done, plan.new_documents)

            pipeline = Pipeline.load(None)
            return run_import(store, pipeline, paths, plan=plan, progress=advance).summary()

    return job
