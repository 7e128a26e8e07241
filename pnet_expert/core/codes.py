"""Every diagnostic code, declared once: the registry that docs/diagnostics.md lists.

A code names a *kind* of problem, CLIPS-style: a prefix for what was read
(``CASE`` a case's facts, ``FILE`` a file, ``INPUT`` a name, option or answer
typed by a user, ``WEB`` a request to the web server, ``KB`` a knowledge base,
``CHECK`` a finding of ``kb check``),
a letter for its severity (``E`` error, ``W`` warning, ``I`` information) and a
number. The message says the particulars; the code stays the same whatever the
words, so that tests, scripts and teachers can rely on it.

Codes are never renumbered and never reused: a code that is no longer raised is
declared ``retired`` and stays in the table. ``tests/test_diagnostics.py``
checks that this registry and the table in docs/diagnostics.md agree, and that
every code that is not retired is raised somewhere.

Call sites name a code by its constant (``codes.CASE_NOT_ONE_OF``), never by
its text, so that a code is written exactly once: here.
"""

from __future__ import annotations

import re
from typing import Literal

import attrs

Severity = Literal["error", "warning", "info"]
SEVERITIES: dict[str, Severity] = {"E": "error", "W": "warning", "I": "info"}
PATTERN = re.compile(r"^(CASE|FILE|INPUT|WEB|KB|CHECK|FHIR|CDS)-([EWI])(\d{3})$")


@attrs.frozen
class Code:
    """One declared code: its text, what it means, and whether it is retired."""

    id: str
    meaning: str
    retired: bool = False

    @property
    def severity(self) -> Severity:
        """error, warning or info: the code's letter says which."""
        return severity_of(self.id)


def severity_of(code: str) -> Severity:
    """The severity a code's letter stands for (``KB-E003`` -> error)."""
    match = PATTERN.match(code)
    if match is None:
        message = f"{code!r} is not a diagnostic code (like 'KB-E003')"
        raise ValueError(message)
    return SEVERITIES[match.group(2)]


REGISTRY: dict[str, Code] = {}
"""Every code, by its text, in the order declared (the order of the docs' table)."""

_numbers: set[tuple[str, str]] = set()


def _declare(code: str, meaning: str, *, retired: bool = False) -> str:
    """Register a code once; return its text for the module's constant."""
    severity_of(code)
    number = (code.split("-", 1)[0], code[-3:])
    if number in _numbers:
        message = f"the number of {code} is taken (a number is never reused, whatever the letter)"
        raise ValueError(message)
    _numbers.add(number)
    REGISTRY[code] = Code(code, meaning, retired)
    return code


# ---------------------------------------------------------------- a case's facts

CASE_NOT_A_MAPPING = _declare("CASE-E001", "the case is not a mapping of facts")
CASE_KEY_NOT_A_WORD = _declare("CASE-E002", "a key of the case is not a word")
CASE_NOT_ONE_OF = _declare("CASE-E003", "a value is not one of the values allowed")
CASE_UNKNOWN_KEY = _declare("CASE-E004", "a key that is not a fact (nor a field of a record)")
CASE_MISSING = _declare("CASE-E005", "a required fact (or field of a record) is missing")
CASE_NOT_BOOLEAN = _declare("CASE-E006", "a yes/no fact is not true or false")
CASE_NOT_A_LIST = _declare("CASE-E007", "a fact that holds a list is not given as a list")
CASE_LISTED_TWICE = _declare("CASE-E008", "a value is listed twice")
CASE_NOT_A_RECORD = _declare("CASE-E009", "an item of a list of records is not a mapping")
CASE_NOT_TEXT = _declare("CASE-E010", "free text (id, title, description, notes) is not text")
CASE_CONTROL_CHARACTER = _declare("CASE-E011", "free text holds a control character")
CASE_CONTRADICTION = _declare("CASE-E012", "a fact contradicts the others (a constraint of facts.yaml)")
CASE_TOO_MANY = _declare(
    "CASE-E013",
    "a fact holds too many items (records past their limit, a set more than twice as long as its values)",
)

# ---------------------------------------------------------------- files

FILE_NOT_FOUND = _declare("FILE-E001", "no such file")
FILE_IS_A_DIRECTORY = _declare("FILE-E002", "a folder was given where a file is needed")
FILE_UNREADABLE = _declare("FILE-E003", "the file cannot be read")
FILE_UNWRITABLE = _declare("FILE-E004", "the file (or folder) cannot be written")
FILE_UNKNOWN_SUFFIX = _declare("FILE-E005", "the file's suffix names no format that can be read or written")
FILE_NOT_JSON = _declare("FILE-E006", "the text is not valid JSON")
FILE_NOT_YAML = _declare("FILE-E007", "the text is not valid (strict) YAML")
FILE_NOT_TOML = _declare("FILE-E008", "the text is not valid TOML")
FILE_KEY_TWICE = _declare("FILE-E009", "a mapping gives a key twice")
FILE_TOO_LARGE = _declare("FILE-E010", "the file is larger than the limit for its kind")
FILE_BAD_PROGRESS = _declare(
    "FILE-E011", "a tutor progress file does not hold what one holds (its shape or a value)"
)
FILE_NOT_REGULAR = _declare("FILE-E012", "not a regular file (a FIFO, a device, a socket) where one is read")
FILE_PAST_LIMIT = _declare(
    "FILE-E013", "an input past a limit (its size, a line's length, its nesting, its YAML nodes)"
)

# ---------------------------------------------------------------- names, options and answers

INPUT_UNKNOWN_NAME = _declare("INPUT-E001", "a name (rule, treatment, section, fact) that does not exist")
INPUT_BAD_OPTION = _declare("INPUT-E002", "a command-line option's value is not allowed")
INPUT_NOT_AN_ANSWER = _declare("INPUT-E003", "what was typed is not an answer to the question")
INPUT_ANSWER_TWICE = _declare("INPUT-E004", "an answer gives the same value twice")
INPUT_REQUIRED_ANSWER = _declare("INPUT-E005", "a required question was answered 'unknown'")
INPUT_NOTHING_TO_SAVE = _declare("INPUT-E006", "a session was saved before its required facts were answered")
INPUT_TARGET_TAKEN = _declare("INPUT-E007", "the directory to copy the knowledge base to cannot be used")
INPUT_TOOL_MISSING = _declare("INPUT-E008", "an outside program that is needed is not installed")
INPUT_TOOL_FAILED = _declare("INPUT-E009", "an outside program failed")
INPUT_NOT_THE_SOURCE = _declare(
    "INPUT-E010", "the --source file does not hold the source's treatment section"
)
INPUT_NOT_TREATMENT_IDS = _declare(
    "INPUT-E011", "proposed answers are not a list of treatment ids (or more than the limit)"
)
INPUT_AMBIGUOUS = _declare(
    "INPUT-E012",
    "what was typed could name more than one treatment (or answer, fact, rule, section, command)",
)

INPUT_CLIPS_NAME = _declare("INPUT-E013", "a name of the knowledge base that CLIPS cannot take as it is")

# ---------------------------------------------------------------- requests to pnet-expert serve

WEB_TOO_LARGE = _declare("WEB-E001", "a request's body is larger than the server takes")
WEB_MEDIA_TYPE = _declare("WEB-E002", "a request's body is of a kind the endpoint does not read")
WEB_TOO_SLOW = _declare("WEB-E003", "a request took longer than the server allows")
WEB_BAD_BODY = _declare(
    "WEB-E004", "a request's body lacks a part the endpoint needs, or has one of the wrong kind"
)
WEB_NOT_FOUND = _declare("WEB-E005", "no page or endpoint at this address")
WEB_METHOD = _declare("WEB-E006", "the address does not take this method (GET, POST)")
WEB_BODY_TIMEOUT = _declare("WEB-E007", "a request's body did not arrive in time")
WEB_TOO_MANY = _declare("WEB-E008", "a request holds more answers or form fields than the server takes")

# ---------------------------------------------------------------- a knowledge base: the shape of a file

KB_WRONG_KIND = _declare("KB-E001", "a value is not of the kind expected there (a mapping, a list, text...)")
KB_KEY_NOT_A_WORD = _declare("KB-E002", "a key is not a word")
KB_UNKNOWN_KEY = _declare("KB-E003", "a key that is not allowed there")
KB_MISSING_KEY = _declare("KB-E004", "a required key is missing")
KB_TOO_FEW = _declare("KB-E005", "a list or mapping has fewer items than it needs")
KB_REPEATED = _declare("KB-E006", "a value (or an offer) is listed twice")
KB_BAD_ID = _declare("KB-E007", "an id is not lower-case words joined by '_'")
KB_BAD_RULE_ID = _declare("KB-E008", "a rule id is not like 'INS-06'")
KB_BAD_DATE = _declare("KB-E009", "a date is not YYYY-MM-DD")
KB_NOT_ONE_OF = _declare("KB-E010", "a word is not one of those allowed (a fact's kind, a section's kind)")
KB_KIND_NEEDS_KEY = _declare("KB-E011", "a fact of this kind needs a key ('values', 'fields')")
KB_KIND_TAKES_NO_KEY = _declare(
    "KB-E012", "a fact of this kind takes no such key ('values', 'fields', 'words')"
)
KB_FIELD_VALUE_NOT_WORD = _declare("KB-E013", "a field's value in 'where' is true or false, not a word")
KB_ONE_OF_KEYS = _declare(
    "KB-E014", "a condition needs exactly one head, a fact test exactly one test, a count exactly one bound"
)
KB_NEGATIVE = _declare("KB-E015", "a count is negative")
KB_NESTED_ANY = _declare("KB-E016", "an 'any' inside an 'any'")
KB_PAST_LIMIT = _declare(
    "KB-E017", "past a limit (rules, facts, values, a count's number, a condition's branches)"
)

# ---------------------------------------------------------------- a knowledge base: its parts together

KB_UNDECLARED = _declare(
    "KB-E101", "a name that is not declared (fact, finding, treatment, strength, qualifier)"
)
KB_NOT_A_VALUE = _declare("KB-E102", "a value outside its fact's, field's or attribute's values")
KB_NOT_A_FIELD = _declare("KB-E103", "not a field of the records fact, or not an attribute of the finding")
KB_TEST_UNSUITED = _declare("KB-E104", "a test that does not suit the fact's kind")
KB_COUNT_BELOW_ONE = _declare(
    "KB-E105",
    "a rule counts fewer than one record, other than 'exactly: 0' of a whole list "
    "(absence is not a positive test)",
)
KB_CARRY_NEEDS_ONE = _declare("KB-E106", "'carry' without 'exactly: 1'")
KB_SELF_DEPENDENT = _declare("KB-E107", "a finding depends on itself")
KB_TYPE_SECTION_UNTYPED = _declare("KB-E108", "a type section does not name its tumor_type")
KB_ALTERNATIVE_NOT_OFFERED = _declare("KB-E109", "an alternative that is not among the rule's offers")
KB_DUPLICATE_ID = _declare("KB-E110", "an id given twice (facts, treatments, findings, sections, rules)")
KB_RECORD_FIELDS = _declare(
    "KB-E111", "a records fact's fields cannot make records (no required field, or an id the engine uses)"
)
KB_EXEMPT_NOT_A_RULE = _declare("KB-E112", "a caution exempts a rule that is not a recommendation rule")
KB_EXEMPT_OFFERS_NONE = _declare(
    "KB-E113", "a caution exempts a rule that offers none of the caution's treatments"
)
KB_READING_NAMES_NO_RULE = _declare(
    "KB-E114",
    "a reading names a rule that is not in the knowledge base (rule, finding's rule, caution, constraint)",
)
KB_UNDECLARED_READING = _declare(
    "KB-E115", "a rule, finding or caution cites a reading that readings.yaml does not declare"
)
KB_READING_ONE_WAY = _declare(
    "KB-E116", "a rule and a reading disagree: one names the other, which does not name it back"
)

# ---------------------------------------------------------------- a knowledge base: its files

KB_NOT_A_DIRECTORY = _declare("KB-E201", "no knowledge base at the path given (not a directory)")
KB_FILE_MISSING = _declare("KB-E202", "a file of the knowledge base is missing")
KB_NO_RULE_FILES = _declare("KB-E203", "the rules folder holds no rule files")
KB_TUMOR_TYPE_REQUIRED = _declare("KB-E204", "facts.yaml does not declare the fact 'tumor_type'")
KB_SECTION_WITHOUT_FILE = _declare("KB-E205", "source.yaml lists a section that has no rules file")
KB_SECTION_NOT_LISTED = _declare("KB-E206", "a section that source.yaml does not list")
KB_SECTION_MISPLACED = _declare("KB-E207", "a section that is not in the rules file named after it")
KB_NOT_REGULAR = _declare(
    "KB-E208", "a file that is not a regular file of the knowledge base (a link out of it, a FIFO, a device)"
)
KB_UNREADABLE = _declare(
    "KB-E209", "a file of the knowledge base cannot be read (permissions, not UTF-8, too big)"
)
KB_SOURCE_FILE = _declare(
    "KB-E210",
    "the source text source.yaml names is not a file of the knowledge base's source/ folder (outside it)",
)

# ---------------------------------------------------------------- kb check

CHECK_MISQUOTE = _declare("CHECK-E101", "a quote or sub-bullet that is not the source's words")
CHECK_PASSAGE_MISQUOTED = _declare("CHECK-E102", "a reading's passage that is not the source's words")
CHECK_NO_SOURCE = _declare(
    "CHECK-W103", "no source text to check against: quotes, passages and coverage are not checked"
)
CHECK_OTHER_SOURCE = _declare(
    "CHECK-W104", "the source text is not the one source.yaml records (its SHA-256 digest differs)"
)
CHECK_UNCITED = _declare("CHECK-E201", "a bullet of the source's treatment section that no rule cites")
CHECK_UNKNOWN_HEADING = _declare("CHECK-E202", "a section's heading that is not a heading of the source")
CHECK_NEVER_FIRES = _declare("CHECK-E301", "a rule (or finding) that no valid case fires")
CHECK_ENGINE_DISAGREES = _declare("CHECK-E302", "the engine did not fire a rule the logic says fires (a bug)")
CHECK_REACH_UNEXPLORED = _declare(
    "CHECK-W303", "whether a rule can fire was not decided: its cases are past the search limit"
)
CHECK_SUBSUMED = _declare("CHECK-E401", "a rule another rule always backs up, citing the same words")
CHECK_EQUIVALENT = _declare(
    "CHECK-E402", "two rules that fire together and offer the same, citing the same words"
)
CHECK_SUBSUMED_SAID_TWICE = _declare(
    "CHECK-I403", "a rule another rule backs up, kept because it cites words of its own"
)
CHECK_EQUIVALENT_SAID_TWICE = _declare(
    "CHECK-I404", "two equivalent rules, kept because each cites words of its own"
)
CHECK_SUBSUMPTION_UNEXPLORED = _declare(
    "CHECK-W405", "whether other rules back up a rule was not fully decided: past the search limit"
)
CHECK_GAP = _declare("CHECK-I501", "a kind of case for which a type's own section offers nothing (a gap)")
CHECK_GAP_UNCONFIRMED = _declare("CHECK-E502", "the engine disagrees with a gap the logic finds (a bug)")
CHECK_GAPS_UNEXPLORED = _declare(
    "CHECK-W503", "a type section's gaps were not fully explored: its cases are past the search limit"
)
CHECK_CAUTION_NEVER_RAISED = _declare(
    "CHECK-E601", "a caution that no valid case raises (its condition never holds with a rule it marks)"
)
CHECK_CAUTION_NOT_RAISED = _declare(
    "CHECK-E602", "the consultation does not carry a caution the logic says it raises (a bug)"
)
CHECK_CAUTION_UNEXPLORED = _declare(
    "CHECK-W603", "whether a caution can be raised was not decided: past the search limit"
)

# ---------------------------------------------------------------- FHIR bundles and CDS Hooks requests

FHIR_NOT_A_BUNDLE = _declare("FHIR-E001", "not a FHIR Bundle (resourceType 'Bundle' with a list of entries)")
FHIR_UNREADABLE = _declare(
    "FHIR-E002",
    "a resource or element the FHIR mapping cannot read (missing, of the wrong kind, or not mapped)",
)
FHIR_UNKNOWN_CODE = _declare("FHIR-E003", "a code (system and code) the FHIR mapping does not know")
FHIR_CONFLICT = _declare("FHIR-E004", "the bundle gives a fact twice, or two of its resources disagree")
FHIR_TOO_LARGE = _declare("FHIR-E005", "the bundle holds more entries than the limit")
CDS_UNKNOWN_SERVICE = _declare("CDS-E001", "no CDS service has this id")
CDS_BAD_REQUEST = _declare("CDS-E002", "a CDS Hooks request without a field it needs, or with a wrong one")
