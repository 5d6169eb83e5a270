"""Every module of the services and the tasks can be the first one a process imports (a
worker, a management command, the benchmark): services and tasks import each other's
modules, never names, so no order of imports meets a half-initialised module."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SERVICES = sorted(
    f"tracker.services.{path.stem}"
    for path in (ROOT / "tracker" / "services").glob("*.py")
    if path.stem != "__init__"
)
MODULES = [*SERVICES, "tracker.tasks"]


@pytest.mark.parametrize("module", MODULES)
def test_the_module_imports_first_in_a_fresh_process(module):
    code = f"import django; django.setup(); import {module}"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={"DJANGO_SETTINGS_MODULE": "careerpath.settings_test", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr[-2000:]
