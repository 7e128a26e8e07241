"""Every limit on what pnet_expert reads and on how far it searches, declared once.

Every input is bounded: a case, a file, a line, a knowledge base. Past a limit
the input is refused with a diagnostic whose message names the limit (``at
most 100 records (limit records_per_fact)``), never read on for minutes or
until memory runs out. The searches of the three-valued reasoning (what could
still change a gap, the case spaces of ``kb check``) have a budget instead:
past it they stop and say that they did not explore everything, rather than
hang. docs/limits.md lists them all (a test keeps it and :data:`LIMITS` in
step), with why each value was chosen.

Limits are plain numbers, so that any layer (the web app's request bodies too)
can use them; :func:`exceeded` words the message.
"""

from __future__ import annotations

import attrs


@attrs.frozen
class Limit:
    """One limit: its id (named in messages), its value and unit, and what it bounds."""

    id: str
    value: int
    unit: str
    bounds: str


LIMITS: dict[str, Limit] = {}
"""Every limit, by id, in the order declared (the order of the table in docs/limits.md)."""


def _declare(id: str, value: int, unit: str, bounds: str) -> int:
    LIMITS[id] = Limit(id, value, unit, bounds)
    return value


def exceeded(limit_id: str, found: str = "") -> str:
    """An input past a limit in words: ``'1,000 records; at most 100 records (limit records_per_fact)'``."""
    limit = LIMITS[limit_id]
    head = f"{found}; " if found else ""
    return f"{head}at most {limit.value:,} {limit.unit} (limit {limit.id})"


# ---------------------------------------------------------------- cases and files

CASE_BYTES = _declare(
    "case_bytes", 1 << 20, "bytes", "a case file, a case on standard input, a file the REPL loads"
)
BATCH_LINE_BYTES = _declare("batch_line_bytes", 1 << 20, "bytes", "one line (one case) of a batch file")
REPL_LINE_CHARS = _declare("repl_line_chars", 4096, "characters", "one line typed or piped into the REPL")
NESTING_DEPTH = _declare(
    "nesting_depth", 32, "levels", "lists and mappings inside each other in a case (JSON, YAML or TOML)"
)
YAML_NODES = _declare(
    "yaml_nodes",
    100_000,
    "nodes",
    "the values of one YAML document, aliases expanded (a case file or a knowledge base's file)",
)
INTEGER_DIGITS = _declare(
    "integer_digits", 100, "digits", "an integer written in a case or knowledge-base file (YAML, JSON, TOML)"
)
RECORDS_PER_FACT = _declare("records_per_fact", 100, "records", "the records of one fact in a case (tumors)")
SOURCE_BYTES = _declare("source_bytes", 4 << 20, "bytes", "the source text given to kb check --source")
PROBLEMS_SHOWN = _declare(
    "problems_shown", 20, "problems", "the problems the command line prints for one error (the rest counted)"
)

# ---------------------------------------------------------------- a knowledge base

KB_FILE_BYTES = _declare("kb_file_bytes", 1 << 20, "bytes", "one YAML file of a knowledge base")
KB_RULE_FILES = _declare("kb_rule_files", 64, "files", "the files of a knowledge base's rules folder")
KB_RULES = _declare("kb_rules", 300, "rules", "the recommendation rules of a knowledge base")
KB_FINDINGS = _declare("kb_findings", 100, "findings", "the findings of a knowledge base")
KB_FACTS = _declare("kb_facts", 64, "facts", "the facts of a knowledge base (facts.yaml)")
KB_VALUES = _declare("kb_values", 64, "values", "the values of a choice fact or of a record's field")
KB_SET_VALUES = _declare(
    "kb_set_values", 12, "values", "the values of a set fact (its subsets are reasoned over: 2^12)"
)
KB_FIELDS = _declare("kb_fields", 8, "fields", "the fields of a records fact")
KB_COUNT = _declare("kb_count", 10, "records", "the number in a count (exactly or at_least)")
KB_BRANCHES = _declare(
    "kb_branches",
    64,
    "branches",
    "the branches of one rule's condition, its section's included (the product of its 'any' options)",
)

# ---------------------------------------------------------------- searches (a budget, not a refusal)

CONSULT_SEARCH = _declare(
    "consult_search",
    20_000,
    "steps",
    "the search of a consultation for the lists of records an unknown answer could be (once per KB)",
)
CONSULT_TRIALS = _declare(
    "consult_trials",
    128,
    "answers",
    "the answers a consultation tries for one unknown fact, to explain a gap",
)
CHECK_LISTS = _declare(
    "check_lists",
    2_000_000,
    "steps",
    "the search of kb check or kb diff for the lists of records the counts tell apart (once per KB)",
)
CHECK_SEARCH = _declare(
    "check_search",
    400_000,
    "tests",
    "the conditions one search of kb check or kb diff may test (for a rule, a pair of rules, a section)",
)
CHECK_TOTAL = _declare(
    "check_total",
    2_500_000,
    "tests",
    "the conditions each check of kb check (reachability, subsumption, gaps), or kb diff, may test in all",
)
CACHE_ENTRY_BYTES = _declare("cache_entry_bytes", 16 << 20, "bytes", "one entry of the knowledge-base cache")
BUNDLE_BYTES = _declare(
    "bundle_bytes", 5 << 20, "bytes", "a FHIR bundle file read by pnet-expert fhir to-case"
)
PROGRESS_BYTES = _declare("progress_bytes", 1 << 20, "bytes", "a tutor progress file")
