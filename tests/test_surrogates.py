"""A lone surrogate (what Python makes of bytes that are not UTF-8) ends in the declared errors, never deeper."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from test_server import PROJECT_ROOT

import allkg
from allkg.queries import ERRORS

LONE = "\udc80"


@pytest.mark.parametrize("call", [
    lambda: allkg.query("drug-adverse-effects", drug=LONE),
    lambda: allkg.query("drugs-by-class", drug_class=f"targeted{LONE}therapy"),
    lambda: allkg.sparql("SELECT ?x WHERE { ?s ?p ?x }", x=LONE),
    lambda: allkg.sparql(f'SELECT ?x WHERE {{ BIND("{LONE}" AS ?x) }}'),
], ids=["entity", "class", "sparql-binding", "sparql-text"])
def test_the_api_raises_a_declared_error(build_result, call):
    with pytest.raises(ERRORS, match="lone surrogate"):
        call()


def test_the_command_line_says_so_in_one_line(build_result, tmp_path):
    argument = os.fsencode("drug=") + b"\xed\xb2\x80"  # a UTF-8 encoded surrogate: not valid UTF-8
    done = subprocess.run([os.fsencode(sys.executable), b"-m", b"allkg.cli", b"query", b"drug-adverse-effects", b"-p", argument],
                          cwd=PROJECT_ROOT, capture_output=True, timeout=120)
    stderr = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 1 and stderr.startswith("error: ") and "lone surrogate" in stderr and "Traceback" not in stderr
