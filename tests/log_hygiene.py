"""Log hygiene: capture every log record of the whole test run, then look for secrets and
post bodies in it. tests/conftest.py installs the handler and runs the check when the
session finishes; a finding fails the run (exit code 1) with a report.

A module of its own because pytest imports conftest.py once as `conftest` and the tests
import it again as `tests.conftest`: the captured lines must live in one place.
"""
import logging
import re

CAPTURED_LOG: list[str] = []
FORBIDDEN_IN_LOG: dict[str, re.Pattern] = {
    # itsdangerous tokens: invitations, sessions, CSRF ("Ij…" is a signed JSON string)
    "a signed token": re.compile(r"\b(?:eyJ|Ij)[\w-]{10,}\.[\w-]{4,}\.[\w-]{10,}"),
    "an invitation link": re.compile(r"/einladung/[\w.-]{20,}"),
    "a CSRF token": re.compile(r"csrf_token\W{1,5}[\w.-]{20,}"),
    "a TOTP secret": re.compile(r"otpauth://|secret=[A-Z2-7]{16,}"),
}


def forbid(kind: str, *texts: str) -> None:
    """Add literal texts (a test password, post bodies) the log must never hold."""
    FORBIDDEN_IN_LOG[kind] = re.compile("|".join(map(re.escape, texts)))


class _CollectingHandler(logging.Handler):
    """Keeps every formatted record, traceback included."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            CAPTURED_LOG.append(self.format(record))
        except Exception:  # noqa: BLE001 (a broken record must not break the run)
            self.handleError(record)


def install() -> None:
    handler = _CollectingHandler(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    logging.getLogger().addHandler(handler)
    # Everything the app itself logs, at every level; other libraries at the root
    # logger's level (WARNING), as in production.
    logging.getLogger("kitu_exchange").setLevel(logging.DEBUG)


def log_leaks(lines: list[str]) -> list[str]:
    """What the log must not hold: one finding per kind and line."""
    return [f"{kind}: …{line[max(0, found.start() - 120):found.end() + 40]!r}…"
            for line in lines for kind, pattern in FORBIDDEN_IN_LOG.items()
            if (found := pattern.search(line))]


def check(session) -> None:
    """At the end of the run: report findings and make pytest exit non-zero."""
    leaks = log_leaks(CAPTURED_LOG)
    if not leaks:
        return
    report = [f"The log of this run holds {len(leaks)} secret(s) or post bodies:",
              *leaks[:20]]
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter:
        reporter.write_sep("=", "log hygiene check failed", red=True, bold=True)
        for line in report:
            reporter.write_line(line)
    else:
        print("\n".join(report))
    session.exitstatus = 1  # pytest.ExitCode.TESTS_FAILED
