"""Gate rituals as plain domain code: the catalog of gates, the sprint calendar, test power."""

from bot.gates.calendar import (
    CalendarError,
    Occurrence,
    SprintCalendar,
    add_working_hours,
    local_datetime,
    occurrence_key,
    time_zone,
)
from bot.gates.catalog import (
    Decision,
    Gate,
    GateError,
    GateKind,
    NumberInput,
    Phase,
    Question,
    gate_for,
    phase_gate,
    question_keys,
    validate_overrides,
)
from bot.gates.power import (
    Duration,
    PowerInputError,
    PowerPlan,
    power_plan,
    sample_size,
    test_duration,
)

__all__ = [
    "CalendarError",
    "Decision",
    "Duration",
    "Gate",
    "GateError",
    "GateKind",
    "NumberInput",
    "Occurrence",
    "Phase",
    "PowerInputError",
    "PowerPlan",
    "Question",
    "SprintCalendar",
    "add_working_hours",
    "gate_for",
    "local_datetime",
    "occurrence_key",
    "phase_gate",
    "power_plan",
    "question_keys",
    "sample_size",
    "test_duration",
    "time_zone",
    "validate_overrides",
]
