"""grader/sandbox/limits.py: one name per quantity, and the policy that derives the rest."""
from __future__ import annotations

from grader.sandbox.clock import Budget
from grader.sandbox.isolation import rlimit_values
from grader.core.settings import current
from grader.sandbox.limits import Limits, limits_for


def test_an_exercise_s_numbers_make_its_limits():
    limits = limits_for(time_limit_s=20, call_time_limit_s=4, memory_mb=2048)
    assert (limits.time_limit_s, limits.call_time_limit_s, limits.memory_mb) == (20, 4, 2048)
    # the kernel's backstop stands above the grader's own CPU count, which stops a run first
    assert limits.rlimit_cpu_s == 20 * current().rlimit_cpu_factor > limits.time_limit_s
    assert limits.wall_ceiling_s == 20 * current().wall_factor


def test_the_backstop_is_what_rlimit_cpu_gets_and_the_budget_counts_the_time_limit():
    limits = Limits(time_limit_s=5, call_time_limit_s=2, memory_mb=512, rlimit_cpu_s=11.7)
    assert rlimit_values(limits, running=0)["cpu_s"] == 11
    budget = Budget.start(limits.time_limit_s, lambda: 0.0)
    assert (budget.time_limit_s, budget.wall_ceiling_s) == (5, limits.wall_ceiling_s)
