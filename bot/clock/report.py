"""What one clock pass did, for logs and `gatebot clock --once`."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from bot.digests.flows import DigestReport


@dataclass
class PassReport:
    """What one clock pass did."""

    projects: int = 0
    posted: int = 0
    reminded: int = 0
    skipped: int = 0
    failed: int = 0
    retaken: int = 0
    deferred: int = 0  # transient failures: tried again after the backoff
    seconds: float = 0.0
    digests: DigestReport = field(default_factory=DigestReport)

    def summary(self) -> str:
        """Return the pass as one line for logs and `gatebot clock --once`."""
        counts = ", ".join(
            f"{f.name} {getattr(self, f.name)}"
            for f in fields(self)
            if f.name not in {"seconds", "digests"}
        )
        line = f"clock pass: {counts} in {self.seconds:.2f}s"
        if self.digests:  # a quiet week says nothing about digests, keeping the line short
            parts = (f"{f.name} {getattr(self.digests, f.name)}" for f in fields(DigestReport))
            line += "; digests " + ", ".join(p for p in parts if not p.startswith("alerts"))
            line += f"; escape alerts {self.digests.alerts}"
        return line

    def __str__(self) -> str:
        return self.summary()

    @property
    def idle(self) -> bool:
        """Return whether the pass posted, skipped or retried nothing (most passes)."""
        counts = (self.posted, self.reminded, self.skipped, self.failed, self.retaken)
        return not any(counts) and not self.deferred and not self.digests
