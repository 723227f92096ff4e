"""The Python examples (examples/python/) run and say what they show."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "python"

EXPECTED = {
    "maximum_split.py": "verdict 'hull'",
    "mlp_tie.py": "verdict 'closure', bifurcation True",
    "relu_identity.py": "verdict 'closure'",
    "selgrad_layer.py": "(= the first, the torch profile)",
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_runs_and_prints_its_conclusion(name):
    env = dict(os.environ)
    out = subprocess.run([sys.executable, str(EXAMPLES / name)], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert EXPECTED[name] in out.stdout, out.stdout


def test_every_example_is_run():
    assert sorted(p.name for p in EXAMPLES.glob("*.py")) == sorted(EXPECTED)
