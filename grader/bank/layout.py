"""Where a bank's files are: exercises/, solutions/exNN.py, tests/submissions/exNN/."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grader.core.spec import Exercise


@dataclass(frozen=True)
class Bank:
    root: Path                   # the folder holding exercises/, solutions/, tests/submissions/

    @classmethod
    def of_exercises(cls, exercises: Path) -> "Bank":
        return cls(Path(exercises).resolve().parent)

    @property
    def exercises(self) -> Path:
        return self.root / "exercises"

    def reference(self, ex: Exercise) -> Path:
        return self.root / "solutions" / f"{ex.id}.py"

    def submissions(self, ex: Exercise) -> Path:
        return self.root / "tests" / "submissions" / ex.id

    def known(self, ex: Exercise) -> list[Path]:
        """Known submissions: known-wrong ones and `ok_*` alternatives, .py and notebooks."""
        folder = self.submissions(ex)
        if not folder.is_dir():
            return []
        return sorted(p for p in folder.iterdir()
                      if p.suffix in (".py", ".ipynb") and not p.name.startswith("_"))

    def relative(self, path: Path) -> str:
        """A file's path as the report shows it: from the bank's folder."""
        try:
            return str(Path(path).resolve().relative_to(self.root.resolve()))
        except ValueError:
            return str(path)

    def alternatives(self, ex: Exercise) -> list[Path]:
        """Other right answers (`ok_*.py`): they must get full marks, like the reference."""
        return [p for p in self.known(ex) if p.name.startswith("ok_")]
