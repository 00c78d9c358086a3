"""The status vocabulary (grader/core/status.py): one enum per concept, the same bare words in the
JSON, the gradebook and the batch payloads as before there were enums."""
from __future__ import annotations

import json
import sqlite3

from grader.core import result
from grader.classroom.batch import executors
from grader.classroom.gradebook import NO_SUBMISSION, UNREADABLE
from grader.core.status import (CheckStatus, EntryStatus, FaultKind, RunStatus, TaskKind,
                           fault_check_status)


def test_the_words_are_the_documents_words():
    assert [s.value for s in RunStatus] == ["graded", "syntax_error", "load_error",
                                            "forbidden_import"]
    assert [s.value for s in CheckStatus] == ["passed", "failed", "error", "grader_error"]
    assert {s.value for s in EntryStatus} == {s.value for s in RunStatus} | {
        "unreadable", "no_submission"}
    assert [s.value for s in TaskKind] == ["graded", "unreadable", "error"]


def test_an_enum_is_its_word_in_json_sqlite_formatting_and_dicts():
    assert json.dumps({"status": RunStatus.LOAD_ERROR}) == '{"status": "load_error"}'
    assert f"{CheckStatus.GRADER_ERROR}" == str(CheckStatus.GRADER_ERROR) == "grader_error"
    db = sqlite3.connect(":memory:")
    assert db.execute("SELECT ?", (EntryStatus.UNREADABLE,)).fetchone() == ("unreadable",)
    marks = {CheckStatus.PASSED: "ok"}
    assert marks.get("passed") == "ok"               # a word read back from JSON finds it
    assert RunStatus("graded") is RunStatus.GRADED
    assert EntryStatus.GRADED == RunStatus.GRADED == TaskKind.GRADED == "graded"


def test_the_old_names_are_the_enums():
    assert result.GRADED is RunStatus.GRADED and result.FORBIDDEN is RunStatus.FORBIDDEN
    assert result.GRADER_ERROR is CheckStatus.GRADER_ERROR
    assert UNREADABLE is EntryStatus.UNREADABLE and NO_SUBMISSION is EntryStatus.NO_SUBMISSION
    assert executors.ERROR is TaskKind.ERROR


def test_what_each_fault_does_to_the_check_that_was_asking():
    unfinished = {"timeout", "crash", "memory", "exited"}
    for kind in FaultKind:
        want = CheckStatus.ERROR if kind.value in unfinished else CheckStatus.FAILED
        assert fault_check_status(kind.value) is want is kind.check_status
    assert fault_check_status("something new") is CheckStatus.FAILED
