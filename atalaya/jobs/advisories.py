"""`atalaya advisories import`: read advisory files, parse them, store them in the CMDB.

Feeds are downloaded on a connected machine and carried over, so a run may hold thousands of
files: each is read and parsed on its own, a bad one is reported (file, JSON path, what was
expected) and the others still import, all in the caller's one transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from cmdb.advisories import advisory_records, store_advisory
from cmdb.models import utcnow
from compliance.advisories import Advisory, AdvisoryFormatError, parse_document
from compliance.advisories.records import content_hash, from_record, to_record

# rule ids are "VULN:<advisory id>" in columns of 64 characters
MAX_ID_LENGTH = 59
Progress = Callable[[int, int], None]


@dataclass
class FileError:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass
class ImportSummary:
    files: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)  # added, unchanged, updated, older
    errors: list[FileError] = field(default_factory=list)
    advisories: list[tuple[str, str, str]] = field(default_factory=list)  # (file, id, outcome)

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "files_bad": len(self.errors),
            **{k: self.outcomes.get(k, 0) for k in ("added", "updated", "unchanged", "older")},
            "errors": [{"file": e.path, "error": e.message} for e in self.errors],
            "advisories": [
                {"file": f, "id": i, "outcome": o} for f, i, o in self.advisories
            ],
        }


def advisory_files(paths: Iterable[str | Path]) -> list[Path]:
    """The files named, and the *.json files under each folder named, in a stable order."""
    found: list[Path] = []
    for given in paths:
        path = Path(given)
        found += sorted(path.rglob("*.json")) if path.is_dir() else [path]
    return list(dict.fromkeys(found))


def read_file(path: Path) -> list[Advisory]:
    """The advisories of one file; AdvisoryFormatError or ValueError saying what is wrong."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"cannot read: {error}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(
            f"line {error.lineno} column {error.colno}: not valid JSON ({error.msg})"
        ) from None
    advisories = parse_document(document)
    for advisory in advisories:
        if len(advisory.id) > MAX_ID_LENGTH:
            raise ValueError(
                f"advisory id {advisory.id!r}: expected at most {MAX_ID_LENGTH} characters"
            )
    return advisories


def import_advisories(
    session: Session,
    paths: Sequence[str | Path],
    at: dt.datetime | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    """Import every file; one bad file is an error in the summary, never the end of the run."""
    now = at or utcnow()
    files = advisory_files(paths)
    summary = ImportSummary(files=len(files))
    for done, path in enumerate(files, start=1):
        try:
            advisories = read_file(path)
        except (AdvisoryFormatError, ValueError) as error:
            summary.errors.append(FileError(str(path), str(error)))
        else:
            for advisory in advisories:
                record = to_record(advisory)
                outcome = store_advisory(session, record, content_hash(record), str(path), now)
                summary.outcomes[outcome] += 1
                summary.advisories.append((str(path), advisory.id, outcome))
        if progress is not None:
            progress(done, len(files))
    return summary


def stored_advisories(session: Session) -> list[Advisory]:
    """The advisories of the CMDB, rebuilt for matching."""
    return [from_record(record) for record in advisory_records(session)]
