"""README says what the tool does: its command lines run, its command and exit-code tables
name exactly the tool's commands and codes, and CI runs its test command."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest

from abatelink import cli

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def bash_lines() -> list[str]:
    """The command lines of README's bash blocks, comments dropped."""
    lines = []
    for block in re.findall(r"```bash\n(.*?)```", README, flags=re.S):
        for line in block.splitlines():
            line = line.split("  #")[0].strip()
            if line and not line.startswith("#"):
                lines.append(line)
    return lines


def abatelink_lines() -> list[str]:
    return [line for line in bash_lines() if line.startswith("abatelink ")]


def test_ci_runs_the_readme_test_command():
    install_and_test = [line for line in bash_lines() if line.endswith("pytest")]
    assert len(install_and_test) == 1
    assert install_and_test[0] in (ROOT / ".ci" / "run").read_text()


def test_the_quick_start_installs_the_core_and_runs_the_default_scenario():
    first = bash_lines()[0]
    assert first.endswith("pip install -e . && abatelink run runs/linked.yaml")


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A copy of the repository's runs and data, as a user's working folder."""
    shutil.copytree(ROOT / "data", tmp_path / "data")
    shutil.copytree(ROOT / "runs", tmp_path / "runs", ignore=shutil.ignore_patterns("results"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_every_readme_command_line_runs_and_exits_0(project, capsys):
    lines = abatelink_lines()
    assert len(lines) >= 6
    for line in lines:
        assert cli.main(shlex.split(line)[1:]) == 0, line
    out = capsys.readouterr().out
    assert "KR gains most in linked" in out
    assert (project / "runs/results/gobi-cofinance/report/report.html").is_file()
    assert (project / "runs/results/gobi-cofinance/figures/credits.png").is_file()


def test_the_command_table_names_exactly_the_tools_commands():
    table = re.findall(r"^\| `abatelink (\w+)", README, flags=re.M)
    assert set(table) == set(cli.COMMANDS)


def test_the_exit_code_table_names_exactly_the_codes_the_tool_uses():
    codes = {int(c) for c in re.findall(r"^\| (\d+) \|", README, flags=re.M)}
    documented = {int(c) for c in re.findall(r"\b(\d+) [a-z(]", cli.__doc__.split("Start-up")[0])}
    assert codes == {0, 2, 3, 4, 5, 6, 130, 141}
    assert codes <= documented
