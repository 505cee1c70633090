"""Every Python snippet of the README runs as written, each in a fresh interpreter.

Snippets that name files (``./js`` with pako, lodash and ``sign.js``; ``signer.js``) find them in
the directory they run in, which this test prepares as a reader's project would look.
"""

import os
import re
import shutil

import pytest

from _subprocess import run_python

README = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "README.md")
SNIPPETS = re.findall(r"```python\n(.*?)```", open(README, encoding="utf-8").read(), re.S)
SIGNER = "function sign(payload) { return 'signed:' + payload }\n"


@pytest.fixture
def project(tmp_path, monkeypatch):
    modules = tmp_path / "js" / "node_modules"
    for package in ("pako", "lodash"):
        shutil.copytree(f"/usr/share/nodejs/{package}", modules / package)
    (tmp_path / "js" / "sign.js").write_text("exports.sign = (s) => 'signed:' + s\n")
    (tmp_path / "signer.js").write_text(SIGNER)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_readme_has_snippets():
    assert len(SNIPPETS) >= 7


@pytest.mark.parametrize("snippet", SNIPPETS, ids=[f"snippet-{i}" for i in range(len(SNIPPETS))])
def test_a_readme_snippet_runs_as_written(project, snippet):
    run_python(snippet, timeout=180)
