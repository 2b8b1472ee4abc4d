"""Nothing to show is said in words: an empty store, a diff without changes,
and a store relscan cannot use."""

from __future__ import annotations

import json

from scanner.store import Store
from tests.cli import clean_env, relscan
from tests.store.test_store import scan_at


def test_history_of_an_empty_store_says_so(tmp_path):
    db = f"sqlite:///{tmp_path / 'h.db'}"
    r = relscan("history", "--store", db, env=clean_env())
    assert r.returncode == 0, r.stderr
    assert r.stdout == f"No scans in the store {db} yet; `relscan scan` records one.\n"
    r = relscan("history", "--store", db, "-f", "json", env=clean_env())
    assert json.loads(r.stdout) == []  # a pipeline still gets its (empty) list


def test_show_and_diff_of_an_empty_store_say_so(tmp_path):
    db = f"sqlite:///{tmp_path / 'h.db'}"
    for command in (("show", "latest"), ("diff",)):
        r = relscan(*command, "--store", db, env=clean_env())
        assert r.returncode == 2
        assert r.stderr == (
            f"relscan: error: the store {db} holds no scan yet; run `relscan scan` to record one\n"
        )


def test_a_diff_without_changes_says_so(tmp_path):
    db = f"sqlite:///{tmp_path / 'h.db'}"
    store = Store(db)
    store.save(scan_at(20, {"arn:a": 3, "arn:b": None}))
    store.save(scan_at(21, {"arn:a": 3, "arn:b": None}))
    r = relscan("diff", "--store", db, env=clean_env())
    assert r.returncode == 0, r.stderr
    assert r.stdout == (
        "No changes from scan 1 to scan 2: every unit is still there, at the level it had.\n"
    )
    r = relscan("diff", "--store", db, "-f", "markdown", env=clean_env())
    assert r.stdout.startswith("# No changes from scan 1 to scan 2")
    r = relscan("diff", "--store", db, "-f", "json", env=clean_env())
    assert json.loads(r.stdout) == {"older": 1, "newer": 2, "changes": []}


def test_an_unsupported_store_is_one_line_and_exit_2(tmp_path):
    r = relscan("history", "--store", "mysql://relscan:s3cret@db/relscan", env=clean_env())
    assert r.returncode == 2
    assert r.stderr == (
        "relscan: error: store mysql://relscan:***@db/relscan: unsupported scheme 'mysql'; "
        "relscan keeps history in sqlite:///PATH or postgresql://USER@HOST/DATABASE\n"
    )


def test_history_limit_is_explained_in_the_help():
    r = relscan("history", "--help", env=clean_env())
    assert "Show at most this many scans, the newest first." in " ".join(r.stdout.split())
