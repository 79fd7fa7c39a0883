"""What a community import did: counts per kind of record, warnings grouped by kind."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

# Examples kept per warning kind (the count is always exact).
EXAMPLES_PER_KIND = 5


@dataclass
class CommunityImportReport:
    """Counts of created / updated / unchanged records per kind ("threads", "replies",
    "members", "comments", "tags"), figures worth checking against the source (helpful votes,
    accepted answers) and warnings by kind, each with a count and a few examples."""

    source: str
    category: str = ""
    dry_run: bool = False
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    figures: dict[str, int] = field(default_factory=dict)
    warning_counts: Counter = field(default_factory=Counter)
    warning_examples: dict[str, list[str]] = field(default_factory=dict)
    seconds: float = 0.0
    cpu_seconds: float = 0.0

    KINDS = ("threads", "replies", "comments", "members", "tags")

    def warn(self, kind: str, message: str, count: int = 1) -> None:
        self.warning_counts[kind] += count
        examples = self.warning_examples.setdefault(kind, [])
        if len(examples) < EXAMPLES_PER_KIND:
            examples.append(message)

    @property
    def changed_anything(self) -> bool:
        return bool(sum(self.created.values()) + sum(self.updated.values()))

    def summary_lines(self) -> list[str]:
        lines = []
        for kind in self.KINDS:
            c, u, n = self.created[kind], self.updated[kind], self.unchanged[kind]
            if c or u or n:
                lines.append(f"{kind}: {c} created, {u} updated, {n} unchanged")
        for name, value in self.figures.items():
            lines.append(f"{name}: {value}")
        # CPU time too: on a busy machine the wall clock says more about the neighbours.
        lines.append(f"took {self.seconds:.1f} s ({self.cpu_seconds:.1f} s CPU)")
        return lines

    def warning_lines(self) -> list[str]:
        lines = []
        for kind, count in sorted(self.warning_counts.items()):
            lines.append(f"{kind}: {count}")
            lines.extend(f"    {example}" for example in self.warning_examples.get(kind, []))
        return lines
