"""Issue 13, `annotator agreement`: checked against scikit-learn's Cohen's kappa,
Fleiss' worked example and F1 worked by hand."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from sklearn.metrics import cohen_kappa_score
from team_helpers import add, base_database, decide, delete, relabel, reviewer_copy, second_id

from annotator.agreement import (
    AgreementDocument,
    agreement,
    cohen_kappa,
    fleiss_kappa,
    format_table,
    iob_tags,
)
from annotator.cli import main
from annotator.merge import merge
from annotator.model import Annotations, Relation, Span, Status
from annotator.store import Store

# "Ana Lee went Rome": tokens Ana 0-3, Lee 4-7, went 8-12, Rome 13-17
ANA_LEE = Span(0, 7, 0, 1, "PER", 1)
ANA = Span(0, 3, 0, 0, "PER", 2)
ROME = Span(13, 17, 3, 3, "GPE", 3)
ACCEPTED = Status.ACCEPTED


def doc(doc_id: int, tokens: int, **reviews: tuple[Status, Annotations]) -> AgreementDocument:
    return AgreementDocument(doc_id, f"doc {doc_id}", tokens, reviews)


def spans(*items: Span, relations: tuple[Relation, ...] = ()) -> tuple[Status, Annotations]:
    return ACCEPTED, Annotations(items, relations)


THREE = doc(
    1,
    4,
    ana=spans(ANA_LEE, ROME),  # B-PER I-PER O B-GPE
    ben=spans(ANA, ROME),  # B-PER O O B-GPE
    cy=spans(ANA_LEE),  # B-PER I-PER O O
)


def test_kappa_agrees_with_scikit_learn() -> None:
    rng = random.Random(13)
    tags = ["O", "B-PER", "I-PER", "B-GPE", "I-GPE", "B-ORG"]
    for _ in range(200):
        n = rng.randint(2, 60)
        first = [rng.choice(tags) for _ in range(n)]
        # mostly agreeing, as reviewers do
        second = [t if rng.random() < 0.7 else rng.choice(tags) for t in first]
        if len(set(first) | set(second)) < 2:
            continue
        assert cohen_kappa(first, second) == pytest.approx(cohen_kappa_score(first, second))


def test_fleiss_kappa_on_the_worked_example() -> None:
    """Fleiss (1971) as worked on Wikipedia: 10 items, 14 raters, 5 categories, 0.210."""
    rows = [
        [0, 0, 0, 0, 14],
        [0, 2, 6, 4, 2],
        [0, 0, 3, 5, 6],
        [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0],
        [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0],
        [0, 2, 2, 3, 7],
    ]
    table = [{str(j): c for j, c in enumerate(row) if c} for row in rows]
    assert fleiss_kappa(table) == pytest.approx(0.2099, abs=1e-4)


def test_three_reviewers_worked_by_hand() -> None:
    report = agreement([THREE])
    pairs = {(p.first, p.second): p for p in report.pairs}
    # ana-ben: 2 spans each, Rome in both: p = r = F1 = 1/2
    ana_ben = pairs[("ana", "ben")].micro
    assert (ana_ben.p, ana_ben.r, ana_ben.f1) == (0.5, 0.5, 0.5)
    # ana-cy: cy's one span is ana's: p = 1, r = 1/2, F1 = 2/3
    ana_cy = pairs[("ana", "cy")].micro
    assert (ana_cy.p, ana_cy.r, ana_cy.f1) == (1.0, 0.5, pytest.approx(2 / 3))
    assert pairs[("ben", "cy")].micro.f1 == 0.0
    assert pairs[("ana", "ben")].entities["GPE"].f1 == 1.0
    assert pairs[("ana", "ben")].entities["PER"].f1 == 0.0
    # Cohen, ana-ben: observed 3/4, chance (1·1 + 1·2 + 1·1)/16 = 1/4: (3/4 - 1/4)/(3/4)
    assert pairs[("ana", "ben")].kappa == pytest.approx(2 / 3)
    # Fleiss per token: P_i = 1, 1/3, 1, 1/3 -> 2/3; p_j = 3/12, 2/12, 5/12, 2/12 ->
    # 42/144 = 7/24 by chance; (2/3 - 7/24) / (17/24) = 9/17
    assert report.fleiss == pytest.approx(9 / 17)
    assert report.fleiss_documents == 1
    # the document's F1 over its three pairs: 2·(1+1+0) / (4+3+3)
    assert [(d.id, d.f1) for d in report.documents] == [(1, pytest.approx(0.4))]
    summary = report.as_dict()
    assert summary["micro"] == {
        "p": pytest.approx(0.5),
        "r": pytest.approx(1 / 3),
        "f1": pytest.approx(7 / 18),
    }
    assert [(p["first"], p["second"]) for p in summary["pairs"]] == [  # type: ignore[union-attr]
        ("ana", "ben"),
        ("ana", "cy"),
        ("ben", "cy"),
    ]


def test_f1_is_symmetric_and_p_and_r_swap() -> None:
    forward = agreement([doc(1, 4, ana=spans(ANA_LEE, ROME), ben=spans(ANA_LEE))])
    backward = agreement([doc(1, 4, zed=spans(ANA_LEE, ROME), ben=spans(ANA_LEE))])
    f, b = forward.pairs[0].micro, backward.pairs[0].micro
    assert f.f1 == b.f1 == pytest.approx(2 / 3)
    assert (f.p, f.r) == (b.r, b.p)
    # one pair: the top-level micro is that pair's own
    assert forward.as_dict()["micro"]["f1"] == pytest.approx(2 / 3)  # type: ignore[index]


def test_relation_f1_needs_both_arguments_and_the_label() -> None:
    lee = Span(4, 7, 1, 1, "PER", 4)
    a = spans(ANA, lee, ROME, relations=(Relation(2, 3, "PHYS", 10), Relation(2, 4, "SOC", 11)))
    b = spans(ANA, lee, ROME, relations=(Relation(2, 3, "PHYS", 20), Relation(4, 2, "SOC", 21)))
    (pair,) = agreement([doc(1, 4, ana=a, ben=b)]).pairs
    assert pair.relations["PHYS"].f1 == 1.0
    assert pair.relations["SOC"].f1 == 0.0  # reversed
    assert pair.relations_micro.f1 == 0.5
    assert pair.micro.f1 == 1.0


def test_only_documents_both_reviewed_with_the_status_count() -> None:
    todo = (Status.TODO, Annotations((ANA,)))
    docs = [
        doc(1, 4, ana=spans(ANA_LEE), ben=spans(ANA_LEE)),
        doc(2, 4, ana=spans(ANA_LEE), ben=todo),  # ben has not decided it
        doc(3, 4, ana=spans(ROME)),  # only ana
    ]
    (pair,) = agreement(docs).pairs
    assert (pair.documents, pair.micro.f1) == (1, 1.0)
    (pair,) = agreement(docs, (Status.ACCEPTED, Status.TODO)).pairs
    assert (pair.documents, pair.micro.both, pair.micro.second) == (2, 1, 2)


def test_iob_tags() -> None:
    assert iob_tags(5, [(0, 1, "PER"), (3, 3, "GPE")]) == ["B-PER", "I-PER", "O", "B-GPE", "O"]


# ---- end to end: merged reviewers' databases ---------------------------------------


@pytest.fixture
def team(tmp_path: Path, rule_pipeline) -> tuple[Path, dict[str, Path]]:
    """Three reviewers of the second article, two of the bundled one, merged."""
    base = base_database(tmp_path, rule_pipeline)
    files = {name: reviewer_copy(base, tmp_path, name) for name in ("ana", "ben", "cy")}
    with Store.open(files["ana"], actor="ana") as store:
        second = second_id(store)
        delete(store, second, "Russia")
        decide(store, second)
        other = next(i for i in store.document_ids() if i != second)
        relabel(store, other, "Armenian", "GPE")
        decide(store, other)
    with Store.open(files["ben"], actor="ben") as store:
        second = second_id(store)
        relabel(store, second, "Azerbaijan", "LOC")
        add(store, second, "Monday", "DATE")
        decide(store, second)
        other = next(i for i in store.document_ids() if i != second)
        decide(store, other)
    with Store.open(files["cy"], actor="cy") as store:
        second = second_id(store)
        add(store, second, "Monday", "DATE")
        decide(store, second)
    merge(list(files.values()), tmp_path / "team.db")
    return tmp_path / "team.db", files


def _tags_from(path: Path) -> dict[str, list[str]]:
    """Each document's IOB tags built from a reviewer's own gold layer, by text."""
    with Store.open(path) as store:
        tags = {}
        for doc_id in store.document_ids(Status.ACCEPTED):
            d = store.load_document(doc_id)
            row = ["O"] * len(d.tokens)
            for s in d.gold.spans:
                row[s.token_start] = "B-" + s.label
                for i in range(s.token_start + 1, s.token_end + 1):
                    row[i] = "I-" + s.label
            tags[d.text] = row
        return tags


def test_the_command_agrees_with_scikit_learn_on_merged_reviews(team, capsys) -> None:
    team_db, files = team
    assert main(["agreement", "--db", str(team_db), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["reviewers"] == ["ana", "ben", "cy"]
    pairs = {(p["first"], p["second"]): p for p in result["pairs"]}
    assert pairs[("ana", "ben")]["documents"] == 2 and pairs[("ana", "cy")]["documents"] == 1
    tags = {name: _tags_from(path) for name, path in files.items()}
    for (first, second), pair in pairs.items():
        texts = sorted(set(tags[first]) & set(tags[second]))
        a = [t for text in texts for t in tags[first][text]]
        b = [t for text in texts for t in tags[second][text]]
        assert pair["kappa"] == pytest.approx(cohen_kappa_score(a, b)), (first, second)
    mean = sum(p["micro"]["f1"] for p in result["pairs"]) / 3
    assert result["micro"]["f1"] == pytest.approx(mean)
    assert set(result["micro"]) == {"p", "r", "f1"}
    assert result["fleiss_documents"] == 1 and result["fleiss_kappa"] is not None
    assert result["lowest"][0]["title"].startswith("Russia")  # three disagree there


def test_one_pair_and_the_table(team, tmp_path: Path, capsys) -> None:
    _, files = team
    pair_db = tmp_path / "pair.db"
    merge([files["ana"], files["ben"]], pair_db)
    assert main(["agreement", "--db", str(pair_db), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    (pair,) = result["pairs"]
    assert result["micro"] == {k: pair["micro"][k] for k in ("p", "r", "f1")} | {
        k: pair["micro"][k] for k in ("both", "first", "second")
    }
    assert result["fleiss_kappa"] is None
    assert main(["agreement", "--db", str(pair_db)]) == 0
    table = capsys.readouterr().out
    assert "ana and ben: 2 documents" in table and "Lowest agreement" in table
    assert main(["agreement", "--db", str(pair_db), "--status", "todo"]) == 0
    assert "No document was reviewed by two reviewers" in capsys.readouterr().out


def test_a_database_without_reviews_is_refused(sample_store: Store, capsys) -> None:
    assert main(["agreement", "--db", str(sample_store.path)]) == 2
    assert "not a team database" in capsys.readouterr().err


def test_the_table_formats_three_reviewers() -> None:
    text = format_table(agreement([THREE]))
    assert "Mean over the 3 pairs" in text and "Fleiss' kappa" in text
