"""After `make test`: the local FE's statement log must hold every statement kind it emulates.

Each kind must have been accepted (outcome "ok") at least once, so the conformance suite and the
operator tests together prove every statement shape reaches the emulator and is understood.
Prints a table of counts; exits 1 naming any kind that never succeeded.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

_FLAGS = re.IGNORECASE | re.DOTALL
KINDS: dict[str, re.Pattern[str]] = {
    name: re.compile(pattern, _FLAGS)
    for name, pattern in {
        "USE": r"^\s*USE\s",
        "SELECT @@version_comment": r"@@version_comment",
        "SHOW DATABASES": r"^\s*SHOW\s+DATABASES",
        "SHOW TABLES": r"^\s*SHOW\s+TABLES",
        "CREATE DATABASE": r"^\s*CREATE\s+DATABASE",
        "CREATE TABLE": r"^\s*CREATE\s+TABLE",
        "DROP TABLE/DATABASE": r"^\s*DROP\s+(TABLE|DATABASE)",
        "INSERT ... VALUES": r"^\s*INSERT\s.*\bVALUES\b",
        "SELECT": r"^\s*SELECT\s",
        "LOAD LABEL ... WITH S3": r"^\s*LOAD\s+LABEL\s.*\bWITH\s+S3\b",
        "SHOW LOAD": r"^\s*SHOW\s+LOAD\b(?!\s+WARNINGS)",
        "SHOW LOAD WARNINGS": r"^\s*SHOW\s+LOAD\s+WARNINGS",
        "CANCEL LOAD": r"^\s*CANCEL\s+LOAD\b",
        "EXPORT TABLE ... WITH S3": r"^\s*EXPORT\s+TABLE\s.*\bWITH\s+S3\b",
        "SHOW EXPORT": r"^\s*SHOW\s+EXPORT\b",
        "CANCEL EXPORT": r"^\s*CANCEL\s+EXPORT\b",
        "SELECT ... INTO OUTFILE": r"\bINTO\s+OUTFILE\b",
        "SELECT ... FROM S3()": r"^\s*SELECT\s.*\bS3\s*\(",
        "INSERT ... WITH LABEL ... FROM S3()": r"^\s*INSERT\s.*\bWITH\s+LABEL\b.*\bS3\s*\(",
        "CREATE CATALOG": r"^\s*CREATE\s+CATALOG\b",
        "DROP CATALOG": r"^\s*DROP\s+CATALOG\b",
        "SHOW CATALOGS": r"^\s*SHOW\s+CATALOGS\b",
    }.items()
}


def main(path: str) -> int:
    accepted: Counter[str] = Counter()
    refused: Counter[str] = Counter()
    lines = Path(path).read_text().splitlines() if Path(path).exists() else []
    for line in lines:
        entry = json.loads(line)
        for name, pattern in KINDS.items():
            if pattern.search(entry["sql"]):
                (accepted if entry["outcome"] == "ok" else refused)[name] += 1
    print(f"Local Doris FE statement log: {len(lines)} statements in {path}")
    print(f"{'statement kind':40} {'accepted':>9} {'refused':>9}")
    for name in KINDS:
        print(f"{name:40} {accepted[name]:>9} {refused[name]:>9}")
    missing = [name for name in KINDS if not accepted[name]]
    if missing:
        print("never accepted: " + ", ".join(missing))
        return 1
    print("every statement kind was sent and accepted")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
