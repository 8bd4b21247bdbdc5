"""The core runs no SQL of its own: every statement on Tandem's tables is a repository function
in storage/, so a table's queries live with it. Only the probes that prove the database takes a
write (``/procure doctor``, the liveness check) write their own throw-away rows."""

import ast
import re
from pathlib import Path

import bot

SQL = re.compile(r"\b(select\s+(distinct\s+)?(\*|count\(|[\w.]+\s*(,|\s+from\b))|insert\s+(or\s+\w+\s+)?into\b|update\s+\w+\s+set\b|delete\s+from\b"
                 r"|create\s+(temp\s+)?table\b)", re.IGNORECASE | re.DOTALL)
PROBES = {"doctor.py": {"doctor_probe"}, "liveness.py": {"health_probe"}}


def statements(path: Path) -> list[tuple[int, str]]:
    return [(node.lineno, node.value) for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value)]


def test_no_module_of_the_core_runs_sql_on_tandems_tables():
    core = Path(bot.__file__).parent
    found = [f"{path.relative_to(core)}:{line}: {text[:60]}" for path in sorted(core.rglob("*.py"))
             for line, text in statements(path)
             if not any(table in text for table in PROBES.get(path.name, ()))]
    assert found == []


def test_the_check_finds_sql_where_there_is_some(tmp_path):
    module = tmp_path / "scorecard.py"
    module.write_text('rows = db.execute("select count(*) from survey_rounds where opened_at >= ?", [start])\n'
                      'name = "select a category from the list"\n')
    assert [line for line, _ in statements(module)] == [1]
