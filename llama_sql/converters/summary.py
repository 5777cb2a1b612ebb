"""What a conversion did, as data and as a short report: read, converted, translated, flagged, skipped.

Flagged records are kept in the output (`executable: false`, `conversion_error`); skipped rows are
the only ones left out, and each is named with the reason, so nothing disappears without a word.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field

from llama_sql.converters.execution_check import reason_group

_SHOWN = 8  # reasons and rows listed in the printed report (all of them stay in the data)


@dataclass
class ConversionSummary:
    source: str  # gretel, sql-create-context or spider
    input: str  # the file, folder or hub id read
    output: str | None = None  # the records file written, if any
    read: int = 0  # rows read from the input
    converted: int = 0  # records written (executable or flagged)
    translated: int = 0  # executable records that needed a sqlglot translation to run on SQLite
    flagged: int = 0  # records kept with executable: false, the gold SQL not running on SQLite
    skipped: int = 0  # rows left out because they cannot make a record (no question, no SQL...)
    flagged_reasons: dict[str, int] = field(default_factory=dict)  # reason -> count
    flagged_examples: dict[str, list[str]] = field(default_factory=dict)  # reason -> first record ids
    skipped_reasons: dict[str, int] = field(default_factory=dict)  # reason -> count
    skipped_rows: list[str] = field(default_factory=list)  # "row 12 (id 5097): no sql_prompt"

    def count(self, record: dict) -> None:
        """Count one converted record: flagged when its gold SQL does not run, translated when it had to be."""
        self.converted += 1
        if not record.get("executable", True):
            self.flagged += 1
            reason = reason_group(record.get("conversion_error") or "")
            self.flagged_reasons[reason] = self.flagged_reasons.get(reason, 0) + 1
            examples = self.flagged_examples.setdefault(reason, [])
            if len(examples) < 3:
                examples.append(str(record.get("id")))
        elif record.get("translated_from"):
            self.translated += 1

    def skip(self, row_label: str, reason: str) -> None:
        self.skipped += 1
        self.skipped_reasons[reason] = self.skipped_reasons.get(reason, 0) + 1
        self.skipped_rows.append(f"{row_label}: {reason}")

    @property
    def executable(self) -> int:
        return self.converted - self.flagged

    def to_dict(self) -> dict:
        return {**asdict(self), "executable": self.executable}

    def report(self) -> str:
        target = f" -> {self.output}" if self.output else ""
        lines = [
            f"{self.source}: {self.input}{target}",
            f"  rows read            {self.read}",
            f"  records converted    {self.converted}  ({self.executable} executable on SQLite)",
            f"  translated dialect   {self.translated}  (ran on SQLite only after translation by sqlglot)",
            f"  flagged unexecutable {self.flagged}  (kept with executable: false and conversion_error)",
        ]
        for reason, number in Counter(self.flagged_reasons).most_common(_SHOWN):
            examples = ", ".join(self.flagged_examples.get(reason, []))
            lines.append(f"    {number:>6}  {reason}  [e.g. {examples}]")
        lines.append(f"  skipped rows         {self.skipped}")
        lines += [f"    {row}" for row in self.skipped_rows[:_SHOWN]]
        if self.skipped > _SHOWN:
            lines.append(f"    ... and {self.skipped - _SHOWN} more (see skipped_rows in the summary data)")
        return "\n".join(lines)
