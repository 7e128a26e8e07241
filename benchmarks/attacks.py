"""Replay the red team's attacks (issue 12) on a checkout, and print what each did.

    python benchmarks/attacks.py [--checkout DIR] [--timeout 30] [--only NAME ...]

Each attack runs ``python -m pnet_expert`` (of ``--checkout``, default this one)
in a scratch directory of its own, as a separate process with a time limit and
a 3 GiB address-space limit (so an attack that grows without bound fails
instead of taking the machine), and is judged by what a user would see: the
exit status, the time, the first line of standard error and whatever the attack
was after (a file created by a planted cache entry, a device file replaced, an
orphaned worker...). It prints one Markdown table; the README's "Reliability"
section and docs/limits.md quote it, before and after issue 12.

Nothing outside the scratch directories is touched: the device file is a copy
of /dev/null made with mknod (skipped unless root), and /dev/stdout is reached
through a symbolic link in the scratch directory.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import resource
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASE = '{"tumor_type": "gastrinoma", "tumors": [{"site": "duodenum"}], "spread": ["liver"]}'
MEMORY = 3 << 30
KB_SOURCE = [ROOT / "knowledge_base"]
"""The knowledge base the edited copies start from (the attacked checkout's)."""


class Run:
    """How to start pnet-expert, where, with which limits."""

    def __init__(self, checkout: Path, timeout: float) -> None:
        self.checkout = checkout
        self.timeout = timeout

    def env(self, scratch: Path, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env["PYTHONPATH"] = str(self.checkout)
        env.setdefault("PNET_EXPERT_CACHE_DIR", "")
        env.pop("PNET_EXPERT_DEBUG", None)
        env["HOME"] = str(scratch)
        env.update(extra)
        return env

    def __call__(
        self,
        scratch: Path,
        *args: str,
        stdin: bytes | None = b"",
        close_stdin: bool = False,
        timeout: float | None = None,
        env: dict[str, str] | None = None,
    ) -> tuple[int | None, float, str, str]:
        """(exit status or None on a time-out, seconds, stdout, stderr)."""

        def limits() -> None:
            resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
            os.setsid()
            if close_stdin:
                os.close(0)

        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-m", "pnet_expert", *args],
            cwd=scratch,
            env=env or self.env(scratch),
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            preexec_fn=limits,
        )
        try:
            out, err = process.communicate(stdin, timeout=timeout or self.timeout)
            status: int | None = process.returncode
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            out, err = process.communicate()
            status = None
        return status, time.monotonic() - started, _text(out), _text(err)


def _text(data: bytes) -> str:
    return data.decode("utf-8", "backslashreplace")


def first(text: str) -> str:
    """The first line that says something, shortened for the table."""
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("Traceback")]
    line = (
        lines[-1]
        if lines and "Error" in lines[-1] and "internal" not in text
        else (lines[0] if lines else "")
    )
    line = line.replace("|", "/")
    return line[:110] + ("..." if len(line) > 110 else "")


Result = tuple[int | None, float, str]
"""(exit status or None on a time-out, seconds, what was seen)."""


def plain(status: int | None, seconds: float, out: str, err: str) -> Result:
    return status, seconds, first(err) or first(out)


# ---------------------------------------------------------------- the attacks

ATTACKS: dict[str, tuple[str, Callable[[Run, Path], Result]]] = {}


def attack(name: str, what: str) -> Callable[[Callable[[Run, Path], Result]], Callable[[Run, Path], Result]]:
    def register(function: Callable[[Run, Path], Result]) -> Callable[[Run, Path], Result]:
        ATTACKS[name] = (what, function)
        return function

    return register


def _cache_env(run: Run, scratch: Path) -> dict[str, str]:
    cache = scratch / "cache"
    cache.mkdir(mode=0o700, exist_ok=True)
    return run.env(scratch, PNET_EXPERT_CACHE_DIR=str(cache))


def _entries(scratch: Path) -> list[Path]:
    return sorted(p for p in (scratch / "cache").iterdir() if p.name.startswith("kb-"))


class _Payload:
    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


@attack("cache: planted pickle", "a cache entry replaced by a pickle that runs `touch PWNED`")
def cache_pickle(run: Run, scratch: Path) -> Result:
    env = _cache_env(run, scratch)
    (scratch / "case.json").write_text(CASE)
    run(scratch, "recommend", "case.json", env=env)  # fills the cache
    marker = scratch / "PWNED"
    for entry in _entries(scratch):
        entry.write_bytes(pickle.dumps(_Payload(str(marker))))
    status, seconds, _out, err = run(scratch, "recommend", "case.json", env=env)
    seen = "CODE RAN (PWNED created)" if marker.exists() else "no code ran"
    return status, seconds, f"{seen}; {first(err) or 'options printed'}"


@attack("cache: planted FIFO", "every cache entry replaced by a FIFO")
def cache_fifo(run: Run, scratch: Path) -> Result:
    env = _cache_env(run, scratch)
    (scratch / "case.json").write_text(CASE)
    run(scratch, "recommend", "case.json", env=env)
    for entry in _entries(scratch):
        entry.unlink()
        os.mkfifo(entry)
    status, seconds, _out, err = run(scratch, "recommend", "case.json", env=env, timeout=10)
    return status, seconds, "hangs" if status is None else (first(err) or "options printed")


@attack("cache: shared directory", "cache directory world-writable, entry owned by another user")
def cache_shared(run: Run, scratch: Path) -> Result:
    env = _cache_env(run, scratch)
    (scratch / "case.json").write_text(CASE)
    _, _, before, _ = run(scratch, "recommend", "case.json", "--format", "json", env=env)
    os.chmod(scratch / "cache", 0o777)
    marker = scratch / "PWNED"
    for entry in _entries(scratch):
        entry.write_bytes(pickle.dumps(_Payload(str(marker))))
        if os.geteuid() == 0:
            os.chown(entry, 65534, 65534)
    status, seconds, after, err = run(scratch, "recommend", "case.json", "--format", "json", env=env)
    same = "same options" if _options(before) == _options(after) else "OPTIONS CHANGED"
    ran = "CODE RAN" if marker.exists() else "no code ran"
    return status, seconds, f"{ran}; {same}; {first(err)}".rstrip("; ")


def _options(text: str) -> list[str] | None:
    try:
        return [o["id"] for o in json.loads(text)["treatments"]]
    except (ValueError, KeyError, TypeError):
        return None


def _batch_file(scratch: Path, count: int = 50) -> str:
    (scratch / "cases.jsonl").write_text((CASE + "\n") * count)
    return "cases.jsonl"


@attack("-o a device file", "batch -o NULL, NULL made by mknod as /dev/null is (root)")
def output_device(run: Run, scratch: Path) -> Result:
    if os.geteuid() != 0:
        return None, 0.0, "skipped (needs root for mknod)"
    device = scratch / "null"
    os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    status, seconds, _, err = run(scratch, "batch", _batch_file(scratch), "-o", "null")
    kind = "still a device" if stat.S_ISCHR(device.lstat().st_mode) else "REPLACED by a regular file"
    return status, seconds, f"{kind}; {first(err)}"


@attack("-o /dev/stdout", "batch -o LINK, LINK -> /proc/self/fd/1 (a pipe)")
def output_stdout(run: Run, scratch: Path) -> Result:
    (scratch / "stdout").symlink_to("/proc/self/fd/1")
    status, seconds, out, _err = run(scratch, "batch", _batch_file(scratch, 3), "-o", "stdout")
    lines = len([line for line in out.splitlines() if line.startswith("{")])
    link = "link kept" if (scratch / "stdout").is_symlink() else "LINK REPLACED by a file"
    return status, seconds, f"{lines} of 3 results on the pipe; {link}"


@attack("-o a symlink", "batch -o LINK, LINK -> real.jsonl")
def output_symlink(run: Run, scratch: Path) -> Result:
    (scratch / "real.jsonl").write_text("old\n")
    (scratch / "out.jsonl").symlink_to("real.jsonl")
    status, seconds, _, _err = run(scratch, "batch", _batch_file(scratch, 3), "-o", "out.jsonl")
    link = "link kept" if (scratch / "out.jsonl").is_symlink() else "LINK REPLACED by a file"
    written = len((scratch / "real.jsonl").read_text().splitlines())
    return status, seconds, f"{link}; real.jsonl has {written} lines"


@attack("-o a 0444 file", "batch -o OUT, OUT read-only (mode 0444)")
def output_mode(run: Run, scratch: Path) -> Result:
    out = scratch / "out.jsonl"
    out.write_text("old\n")
    out.chmod(0o444)
    status, seconds, _, err = run(scratch, "batch", _batch_file(scratch, 3), "-o", "out.jsonl")
    mode = stat.S_IMODE(out.stat().st_mode)
    return status, seconds, f"mode {mode:04o} after; {first(err)}"


@attack("-o a directory", "batch CASES (2,000 lines) -o EXISTING_DIR")
def output_directory(run: Run, scratch: Path) -> Result:
    (scratch / "dir").mkdir()
    return plain(*run(scratch, "batch", _batch_file(scratch, 2000), "-o", "dir"))


def _tumors(count: int) -> str:
    sites = ["head", "body", "tail", "duodenum"]
    tumors = [{"site": sites[i % 4]} for i in range(count)]
    return json.dumps({"tumor_type": "gastrinoma", "tumors": tumors})


@attack("1,000 tumors", "recommend a case with 1,000 tumors")
def tumors_1000(run: Run, scratch: Path) -> Result:
    (scratch / "case.json").write_text(_tumors(1000))
    return plain(*run(scratch, "recommend", "case.json"))


@attack("300 tumors", "recommend a case with 300 tumors")
def tumors_300(run: Run, scratch: Path) -> Result:
    (scratch / "case.json").write_text(_tumors(300))
    return plain(*run(scratch, "recommend", "case.json"))


@attack("100 tumors", "recommend a case with 100 tumors (the limit)")
def tumors_100(run: Run, scratch: Path) -> Result:
    (scratch / "case.json").write_text(_tumors(100))
    return plain(*run(scratch, "recommend", "case.json"))


def _alias_bomb() -> str:
    text = 'a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]\n'
    for i in range(1, 10):
        name, previous = chr(ord("a") + i), chr(ord("a") + i - 1)
        text += f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]\n"
    return text + "tumor_type: gastrinoma\n"


@attack("YAML alias bomb", "recommend a 382-byte YAML case of nested aliases (9^10 nodes)")
def alias_bomb(run: Run, scratch: Path) -> Result:
    (scratch / "bomb.yaml").write_text(_alias_bomb())
    return plain(*run(scratch, "recommend", "bomb.yaml"))


@attack("case -> /dev/zero", "recommend zero.yaml, a symlink to /dev/zero")
def case_zero(run: Run, scratch: Path) -> Result:
    (scratch / "zero.yaml").symlink_to("/dev/zero")
    return plain(*run(scratch, "recommend", "zero.yaml"))


@attack("case is a FIFO", "recommend fifo.yaml, a FIFO no one writes to")
def case_fifo(run: Run, scratch: Path) -> Result:
    os.mkfifo(scratch / "fifo.yaml")
    status, seconds, _out, err = run(scratch, "recommend", "fifo.yaml", timeout=10)
    return status, seconds, "hangs" if status is None else first(err)


def _kb(scratch: Path, edit: Callable[[Path], None]) -> str:
    target = scratch / "kb"
    shutil.copytree(KB_SOURCE[0], target, ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
    edit(target)
    return "kb"


def _add_finding(kb: Path, text: str) -> None:
    with open(kb / "findings.yaml", "a", encoding="utf-8") as out:
        out.write("\n" + text)


def _count_finding(number: int, bound: str, value: int, where: str = "{site: [head, body, tail]}") -> str:
    return (
        f"  - id: extra_finding_{number}\n    label: extra finding {number}\n    rule:\n"
        f"      id: FND-{50 + number}\n      when:\n        - count: tumors\n"
        f"          where: {where}\n          {bound}: {value}\n"
    )


@attack("KB count at_least: 1000000", "recommend --kb KB, KB's findings add a count at_least: 1000000")
def kb_huge_count(run: Run, scratch: Path) -> Result:
    kb = _kb(scratch, lambda k: _add_finding(k, _count_finding(1, "at_least", 1_000_000)))
    (scratch / "case.json").write_text(CASE)
    return plain(*run(scratch, "recommend", "case.json", "--kb", kb))


@attack("KB count exactly: 50", "kb check --kb KB, KB's findings add a count exactly: 50")
def kb_exactly_50(run: Run, scratch: Path) -> Result:
    kb = _kb(scratch, lambda k: _add_finding(k, _count_finding(1, "exactly", 50)))
    return plain(*run(scratch, "kb", "check", "--kb", kb, "--no-progress"))


def _aliased_any(kb: Path) -> None:
    rules = (kb / "rules" / "gastrinoma.yaml").read_text()
    anchor = (
        "      - &choice\n        any:\n"
        + "".join(
            f"          - {{fact: spread, contains: {v}}}\n" for v in ("lymph_nodes", "liver", "distant")
        )
        + "          - {fact: resectable, is: true}\n"
    )
    extra = anchor + "      - *choice\n" * 15
    marker = "  - id: GAS-02\n    when:\n"
    rules = rules.replace(marker, marker + extra, 1)
    (kb / "rules" / "gastrinoma.yaml").write_text(rules)


@attack("KB 16 aliased any", "recommend --kb KB, one rule with 16 aliased 4-way `any:` (4^16 branches)")
def kb_aliased_any(run: Run, scratch: Path) -> Result:
    kb = _kb(scratch, _aliased_any)
    (scratch / "case.json").write_text(CASE)
    return plain(*run(scratch, "recommend", "case.json", "--kb", kb))


def _many_rules(kb: Path, count: int = 1000) -> None:
    rules = ["rules:"]
    for i in range(count):
        rules.append(
            f"  - id: OTH-{100 + i}\n    when:\n"
            f"      - {{fact: resectable, is: {'true' if i % 2 else 'false'}}}\n"
            "    offers: [{treatment: supportive_care}]\n    strength: may include\n"
            '    quote: "Treatment of other pancreatic neuroendocrine tumors may include the following:"'
        )
    path = kb / "rules" / "other.yaml"
    text = path.read_text()
    path.write_text(text.rstrip("\n") + "\n" + "\n".join(rules[1:]) + "\n")


@attack("KB 1,000 added rules", "kb check --kb KB, KB with 1,000 rules added to other.yaml")
def kb_many_rules(run: Run, scratch: Path) -> Result:
    kb = _kb(scratch, _many_rules)
    return plain(*run(scratch, "kb", "check", "--kb", kb, "--no-progress"))


def two_counts(kb: Path) -> None:
    """Two count findings: the red team's edit (one recommend() took 24 s)."""
    _add_finding(kb, _count_finding(1, "at_least", 5, "{size: small}"))
    _add_finding(kb, _count_finding(2, "exactly", 4, "{site: head, size: large}"))


def seven_counts(kb: Path) -> None:
    """Seven count findings, on sites and sizes."""
    filters = [
        ("{site: head}", 3),
        ("{site: body}", 3),
        ("{site: tail}", 3),
        ("{size: small}", 4),
        ("{size: large}", 4),
        ("{site: head, size: small}", 2),
        ("{site: duodenum, size: large}", 2),
    ]
    for i, (where, n) in enumerate(filters):
        _add_finding(kb, _count_finding(i, "exactly" if i % 2 else "at_least", n, where))


NOT_FOUND = '{"tumor_type": "insulinoma", "tumor_found": false, "spread": []}'


@attack(
    "KB +2 count findings", "recommend --kb KB (2 count findings added), a case whose tumors are restricted"
)
def kb_two_counts(run: Run, scratch: Path) -> Result:
    kb = _kb(scratch, two_counts)
    (scratch / "case.json").write_text(NOT_FOUND)
    return plain(*run(scratch, "recommend", "case.json", "--kb", kb))


@attack(
    "KB +7 count findings", "recommend --kb KB (7 count findings added), a case whose tumors are restricted"
)
def kb_seven_counts(run: Run, scratch: Path) -> Result:
    kb = _kb(scratch, seven_counts)
    (scratch / "case.json").write_text(NOT_FOUND)
    return plain(*run(scratch, "recommend", "case.json", "--kb", kb))


@attack("kb check +7 count findings", "kb check --kb KB (7 count findings added)")
def kb_check_seven(run: Run, scratch: Path) -> Result:
    kb = _kb(scratch, seven_counts)
    return plain(*run(scratch, "kb", "check", "--kb", kb, "--no-progress"))


def _batch(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")


def _batch_run(run: Run, scratch: Path, lines: list[str]) -> Result:
    (scratch / "in.jsonl").write_bytes(_batch(lines))
    status, seconds, out, err = run(scratch, "batch", "in.jsonl")
    results = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    numbers = [r.get("line") for r in results]
    return status, seconds, f"{len(results)} of {len(lines)} results, lines {numbers}; {first(err)}"


@attack("batch: lone surrogate", "batch: a line with notes \\ud800 among good lines")
def batch_surrogate(run: Run, scratch: Path) -> Result:
    return _batch_run(run, scratch, [CASE, '{"tumor_type": "gastrinoma", "notes": "\\ud800"}', CASE])


@attack("batch: 600 nested [", "batch: a line of 600 nested [ among good lines")
def batch_nested(run: Run, scratch: Path) -> Result:
    return _batch_run(run, scratch, [CASE, "[" * 600 + "]" * 600, CASE])


@attack("batch: 1,000 nested [", "batch: a line of 1,000 nested [ among good lines")
def batch_nested_more(run: Run, scratch: Path) -> Result:
    return _batch_run(run, scratch, [CASE, "[" * 1000 + "]" * 1000, CASE])


@attack("batch: U+2028 in a string", "batch: notes holding U+2028, then a bad line 3")
def batch_separator(run: Run, scratch: Path) -> Result:
    return _batch_run(run, scratch, ['{"tumor_type": "gastrinoma", "notes": "a\u2028b\u0085c"}', CASE, "{"])


def _case_file(run: Run, scratch: Path, name: str, text: str, *more: str) -> Result:
    (scratch / name).write_text(text, encoding="utf-8", errors="surrogatepass")
    return plain(*run(scratch, "recommend", name, *more))


@attack("deep JSON", "recommend: 100,000 nested [ in JSON")
def deep_json(run: Run, scratch: Path) -> Result:
    return _case_file(
        run, scratch, "c.json", '{"tumor_type": "gastrinoma", "notes": ' + "[" * 100_000 + "]" * 100_000 + "}"
    )


@attack("deep TOML", "recommend: 100,000 nested [ in TOML")
def deep_toml(run: Run, scratch: Path) -> Result:
    return _case_file(
        run, scratch, "c.toml", 'tumor_type = "gastrinoma"\nx = ' + "[" * 100_000 + "]" * 100_000 + "\n"
    )


@attack("deep YAML", "recommend: 100,000 nested [ in YAML")
def deep_yaml(run: Run, scratch: Path) -> Result:
    return _case_file(
        run, scratch, "c.yaml", "tumor_type: gastrinoma\nx: " + "[" * 100_000 + "]" * 100_000 + "\n"
    )


@attack("YAML ? [a] key", "recommend: a YAML complex key")
def yaml_complex_key(run: Run, scratch: Path) -> Result:
    return _case_file(run, scratch, "c.yaml", "? [a]\n: 1\ntumor_type: gastrinoma\n")


@attack("YAML !!int abc", "recommend: tumor_type: !!int abc")
def yaml_bad_int(run: Run, scratch: Path) -> Result:
    return _case_file(run, scratch, "c.yaml", "tumor_type: !!int abc\n")


@attack("5,000-digit int (YAML)", "recommend: a 5,000-digit integer in YAML")
def yaml_big_int(run: Run, scratch: Path) -> Result:
    return _case_file(run, scratch, "c.yaml", "tumor_type: gastrinoma\nx: " + "9" * 5000 + "\n")


@attack("5,000-digit int (TOML)", "recommend: a 5,000-digit integer in TOML")
def toml_big_int(run: Run, scratch: Path) -> Result:
    return _case_file(run, scratch, "c.toml", 'tumor_type = "gastrinoma"\nx = ' + "9" * 5000 + "\n")


SURROGATE = '{"tumor_type": "gastrinoma", "notes": "\\ud800"}'


@attack("lone surrogate: text", "recommend: notes \\ud800 (JSON escape)")
def surrogate_text(run: Run, scratch: Path) -> Result:
    return _case_file(run, scratch, "c.json", SURROGATE)


@attack("lone surrogate: json", "recommend --format json: notes \\ud800")
def surrogate_json(run: Run, scratch: Path) -> Result:
    return _case_file(run, scratch, "c.json", SURROGATE, "--format", "json")


@attack("lone surrogate: report", "report -o r.html: notes \\ud800")
def surrogate_report(run: Run, scratch: Path) -> Result:
    (scratch / "c.json").write_text(SURROGATE)
    return plain(*run(scratch, "report", "c.json", "-o", "r.html"))


@attack("stdin closed", "recommend - with standard input closed")
def stdin_closed(run: Run, scratch: Path) -> Result:
    return plain(*run(scratch, "recommend", "-", stdin=None, close_stdin=True))


@attack("binary stdin", "recommend - with bytes that are not UTF-8")
def stdin_binary(run: Run, scratch: Path) -> Result:
    return plain(*run(scratch, "recommend", "-", stdin=b"\xff\xfe\x00tumor_type: \xc3"))


@attack("KB file not UTF-8", "recommend --kb KB, KB's vipoma.yaml holds invalid UTF-8")
def kb_not_utf8(run: Run, scratch: Path) -> Result:
    kb = _kb(scratch, lambda k: (k / "rules" / "vipoma.yaml").write_bytes(b"\xff\xfe rules: []\n"))
    (scratch / "case.json").write_text(CASE)
    return plain(*run(scratch, "recommend", "case.json", "--kb", kb))


@attack("KB dangling symlink", "recommend --kb KB, KB's vipoma.yaml a dangling symlink")
def kb_dangling(run: Run, scratch: Path) -> Result:
    def edit(k: Path) -> None:
        (k / "rules" / "vipoma.yaml").unlink()
        (k / "rules" / "vipoma.yaml").symlink_to(scratch / "nowhere.yaml")

    kb = _kb(scratch, edit)
    (scratch / "case.json").write_text(CASE)
    return plain(*run(scratch, "recommend", "case.json", "--kb", kb))


@attack("KB symlink to /etc/passwd", "kb check --kb KB, KB's rules/x.yaml -> /etc/passwd")
def kb_passwd(run: Run, scratch: Path) -> Result:
    kb = _kb(scratch, lambda k: (k / "rules" / "x.yaml").symlink_to("/etc/passwd"))
    status, seconds, out, err = run(scratch, "kb", "check", "--kb", kb, "--no-progress")
    echoed = "PASSWD ECHOED" if "root:" in out + err else "not echoed"
    said = next((line for line in out.splitlines() if "x.yaml" in line), first(out))
    return status, seconds, f"{echoed}; {said.strip()[:100]}"


@attack("--source /dev/zero", "kb check --source /dev/zero")
def source_zero(run: Run, scratch: Path) -> Result:
    return plain(*run(scratch, "kb", "check", "--source", "/dev/zero", "--no-progress"))


@attack("10^5 bad spread items", "recommend: spread holds 100,000 bad values (lines printed)")
def spread_items(run: Run, scratch: Path) -> Result:
    (scratch / "c.json").write_text(json.dumps({"tumor_type": "gastrinoma", "spread": ["lungs"] * 100_000}))
    status, seconds, _out, err = run(scratch, "recommend", "c.json")
    return status, seconds, f"{len(err.splitlines())} lines on stderr; {first(err)}"


@attack("U+202E in title", "recommend: title holding U+202E (right-to-left override)")
def bidi_title(run: Run, scratch: Path) -> Result:
    return _case_file(run, scratch, "c.json", '{"tumor_type": "gastrinoma", "title": "abc\u202edef"}')


@attack(
    "Patient.from_dict self-reference", "python: Patient.from_dict of a case whose notes list holds itself"
)
def from_dict_cycle(run: Run, scratch: Path) -> Result:
    code = (
        "import pnet_expert\nx = []\nx.append(x)\n"
        "try:\n    pnet_expert.Patient.from_dict({'tumor_type': 'gastrinoma', 'spread': x})\n"
        "except pnet_expert.CaseError as e:\n    print('CaseError:', e)\n"
    )
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=run.env(scratch),
        capture_output=True,
        timeout=run.timeout,
        check=False,
    )
    return done.returncode, time.monotonic() - started, first(_text(done.stdout)) or first(_text(done.stderr))


def _repl(run: Run, scratch: Path, name: str, text: str | None) -> Result:
    if text is not None:
        (scratch / name).write_text(text, encoding="utf-8", errors="surrogatepass")
    script = f"load {name}\ngastrinoma\nfacts\nquit\n".encode()
    status, seconds, out, err = run(scratch, "consult", stdin=script, timeout=20)
    alive = "session kept" if "The facts of this case" in out else "SESSION LOST"
    said = next((line for line in out.splitlines() if line.startswith(f"{name}:")), "")
    return status, seconds, f"{alive}; {said.strip()[:90] or first(err)}"


@attack("REPL load deep JSON", "consult: load a 100,000-deep JSON, then go on")
def repl_deep(run: Run, scratch: Path) -> Result:
    return _repl(
        run, scratch, "c.json", '{"tumor_type": "gastrinoma", "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    )


@attack("REPL load alias bomb", "consult: load the YAML alias bomb, then go on")
def repl_bomb(run: Run, scratch: Path) -> Result:
    return _repl(run, scratch, "bomb.yaml", _alias_bomb())


@attack("REPL load FIFO", "consult: load a FIFO, then go on")
def repl_fifo(run: Run, scratch: Path) -> Result:
    os.mkfifo(scratch / "fifo.yaml")
    return _repl(run, scratch, "fifo.yaml", None)


@attack("REPL load /dev/zero", "consult: load a symlink to /dev/zero, then go on")
def repl_zero(run: Run, scratch: Path) -> Result:
    (scratch / "zero.yaml").symlink_to("/dev/zero")
    return _repl(run, scratch, "zero.yaml", None)


@attack("REPL surrogate case", "consult: load a case with notes \\ud800, then options, report, save")
def repl_surrogate(run: Run, scratch: Path) -> Result:
    (scratch / "s.json").write_text(SURROGATE)
    script = b"load s.json\noptions\nreport r.md\nsave out.yaml\nfacts\nquit\n"
    status, seconds, out, err = run(scratch, "consult", stdin=script, timeout=20)
    alive = "session kept" if "The facts of this case" in out else "SESSION LOST"
    said = first(err) or next((line for line in out.splitlines() if line.startswith("notes:")), "")[:80]
    return status, seconds, f"{alive}; {said}"


@attack("REPL ESC and NUL", "consult: piped input holding ESC[2J and NUL")
def repl_control(run: Run, scratch: Path) -> Result:
    status, seconds, out, _err = run(scratch, "consult", stdin=b"\x1b[2Jgastrinoma\x00\nquit\n", timeout=20)
    raw = [name for name, ch in (("ESC", "\x1b"), ("NUL", "\x00")) if ch in out]
    return status, seconds, ("RAW " + " and ".join(raw) + " echoed") if raw else "no raw control characters"


@attack("REPL 10 MB line", "consult: one 10 MB line, then quit")
def repl_long_line(run: Run, scratch: Path) -> Result:
    status, seconds, out, err = run(scratch, "consult", stdin=b"x" * 10_000_000 + b"\nquit\n", timeout=120)
    said = next((line for line in out.splitlines() if "line" in line.lower()), "")
    return status, seconds, first(err) or said[:90]


def _signal_batch(run: Run, scratch: Path, signum: int) -> Result:
    lines = (CASE + "\n") * 40_000
    (scratch / "big.jsonl").write_text(lines)
    env = run.env(scratch)
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "pnet_expert", "batch", "big.jsonl", "--jobs", "2", "-o", "OUT.jsonl"],
        cwd=scratch,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    time.sleep(4.0)
    children = _children(process.pid)
    process.send_signal(signum)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    time.sleep(1.5)
    alive = [pid for pid in children if _alive(pid)]
    for pid in alive:
        os.kill(pid, signal.SIGKILL)
    temporary = [p.name for p in scratch.iterdir() if p.name.startswith(".OUT")]
    sizes = sum((scratch / name).stat().st_size for name in temporary) >> 20
    left = f"{len(alive)} of {len(children)} workers left running; " + (
        f"temp file left ({sizes} MiB)" if temporary else "no temp file left"
    )
    return process.returncode, time.monotonic() - started, left


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@attack("SIGTERM batch --jobs 2", "SIGTERM to batch --jobs 2 -o OUT.jsonl, 40,000 lines, after 4 s")
def sigterm_batch(run: Run, scratch: Path) -> Result:
    return _signal_batch(run, scratch, signal.SIGTERM)


@attack("SIGKILL batch --jobs 2", "SIGKILL to batch --jobs 2 -o OUT.jsonl, 40,000 lines, after 4 s")
def sigkill_batch(run: Run, scratch: Path) -> Result:
    return _signal_batch(run, scratch, signal.SIGKILL)


# ---------------------------------------------------------------- running them


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--checkout", type=Path, default=ROOT, help="the checkout whose pnet_expert is attacked"
    )
    parser.add_argument(
        "--timeout", type=float, default=30.0, help="seconds before an attack counts as a hang"
    )
    parser.add_argument(
        "--only", nargs="*", default=None, help="attacks whose name contains one of these words"
    )
    parser.add_argument("--json", type=Path, help="also write the results here, as JSON")
    args = parser.parse_args(argv)
    run = Run(args.checkout.resolve(), args.timeout)
    KB_SOURCE[0] = run.checkout / "knowledge_base"
    rows = []
    print("| attack | what | exit | time | seen |")
    print("|---|---|---|---|---|")
    for name, (what, function) in ATTACKS.items():
        if args.only and not any(word.lower() in name.lower() for word in args.only):
            continue
        with tempfile.TemporaryDirectory(prefix="pnet-attack-") as scratch:
            try:
                status, seconds, seen = function(run, Path(scratch))
            except Exception as exc:
                status, seconds, seen = None, 0.0, f"harness: {type(exc).__name__}: {exc}"
        shown = "hang (killed)" if status is None and "skipped" not in seen else str(status)
        print(f"| {name} | {what} | {shown} | {seconds:.2f} s | {seen} |", flush=True)
        rows.append(
            {"attack": name, "what": what, "exit": status, "seconds": round(seconds, 3), "seen": seen}
        )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
