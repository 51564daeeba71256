"""experiments/out_of_sample/analyse.py: the noise of the log's levels and a perfect
model's chance to meet the out-of-sample targets (docs/calibration.md, *What limits the levels*)."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from simhelpers import experiment_script


@pytest.fixture(scope="module")
def an():
    return experiment_script("analyse")


def test_chance_met_is_the_normal_probability_of_the_band(an):
    assert an.chance_met(1.0, 1.0) == pytest.approx(0.682689, abs=1e-6)
    assert an.chance_met(1.0, 0.6, 0.8) == pytest.approx(0.682689, abs=1e-6)  # sd 1
    assert an.chance_met(1.96, 1.0) == pytest.approx(0.950004, abs=1e-6)
    assert an.chance_met(0.5, 0.0) == 1.0


def _log(waits_by_day: list[list[float]]) -> pd.DataFrame:
    rows = [{"date": pd.Timestamp("1999-01-03") + pd.Timedelta(days=d), "t_arrival": 36000.0,
             "class": "p1_PS", "outcome": "served", "wait_s": w}
            for d, waits in enumerate(waits_by_day) for w in waits]
    return pd.DataFrame(rows)


def _run(waits_by_rep: list[float], answered: float = 2.0) -> pd.DataFrame:
    return pd.DataFrame({"rep": range(len(waits_by_rep)), "start_s": 36000.0,
                         "class": "p1_PS", "asked": answered, "answered": answered,
                         "abandoned": 0.0, "p_wait": 1.0, "asa_s": waits_by_rep,
                         "service_level": 0.0})


def test_level_noise_by_hand(an):
    # two log days of two served callers each: mean waits 10 s and 30 s (20 s overall);
    # four replications of one mean day: 22 s each, so the pooled run is +10 % and the
    # model's own noise is zero: a perfect model meets +-10 % only through the log's days
    log, iv = _log([[10.0, 10.0], [30.0, 30.0]]), _run([22.0] * 4)
    rows = {r["level"]: r for r in an.level_noise("c", log, iv, 2)}
    w = rows["mean_wait_served_s"]
    assert (w["log"], w["sim_pooled"], w["log_days"]) == (20.0, 22.0, 2)
    assert w["difference"] == pytest.approx(0.10)
    assert w["sd_log_model"] == 0.0 and w["sd_group"] == 0.0
    assert w["chance_met_model"] == 1.0 and math.isnan(w["z_model"])
    # over the log's days: waits 20 and 60 s on 2 served each, ratio 20: residuals -20,
    # +20, variance 800, sd of the ratio over 2 days sqrt(800 / 2) / 2 = 10 s (+-50 %)
    assert w["sd_log_days"] == pytest.approx(0.5)
    assert w["chance_met_days"] == pytest.approx(math.erf(2.0 / (10.0 * math.sqrt(2))))
    assert w["z_days"] == pytest.approx(0.2)
    assert rows["abandon_rate"]["difference"] == 0.0


def test_chance_all_groups_against_one_log(an):
    # one group: the band's probability of the two noises combined
    assert an.chance_all(1.0, 0.6, 0.8, 1) == pytest.approx(an.chance_met(1.0, 1.0), abs=1e-4)
    # an exact log: independent groups, the product
    assert an.chance_all(1.0, 0.0, 1.0, 3) == pytest.approx(0.682689 ** 3, abs=1e-6)
    # exact groups: all of them meet it exactly when the log lies within the band
    assert an.chance_all(1.0, 1.0, 0.0, 5) == pytest.approx(0.682689, abs=1e-3)
    # groups judged against the same log are not independent: more than the product
    assert an.chance_all(1.0, 0.6, 0.8, 5) > an.chance_met(1.0, 1.0) ** 5


def test_flag_all_fail_by_exchangeability(an):
    # one group: the integral over the log's longest is the flag's own exact chance,
    # C(S, k) / C(D + S, k), k the fewest days beyond that miss it: 5 against 5 days from
    # 4 (3 is chance 10 / 120 = 0.083), 5 against 9 days from 3 (10 / 364 = 0.027)
    assert an.flag_fails_from(5, 5) == 4 and an.flag_fails_from(9, 5) == 3
    assert an.flag_all_fail(5, 5, 1) == pytest.approx(5 / 210)
    assert an.flag_all_fail(9, 5, 1) == pytest.approx(10 / 364)
    # groups judged against the same log fail together more often than independently
    assert an.flag_all_fail(9, 5, 5) > (10 / 364) ** 5
    # one log unit against 5 runs: no count is beyond chance 1 / 6, the flag cannot fail
    assert an.flag_fails_from(1, 5) is None and an.flag_all_fail(1, 5, 5) == 0.0


def test_a_day_mix_replication_is_itself_a_log_of_the_days(an, tmp_path):
    """A ``--day-mix`` run simulates all D compared days in each replication: the
    model's sd of a D-day log is then the sd of one replication (draws D / D), not of a
    D-th of one, and a group of REPS replications holds REPS x D days for the long-wait
    flag. Two log days; four 2-day replications with mean waits 18, 22, 18, 22 s (2
    served each): residuals -4, +4, -4, +4 on 36, 44, 36, 44 s, variance 64 / 3, sd of
    the ratio sqrt(64 / 3) / 2 = 2.31 s over one replication (11.5 % of 20 s); read as
    mean days it would be 1.63 s (draws 2)."""
    log, iv = _log([[10.0, 10.0], [30.0, 30.0]]), _run([18.0, 22.0, 18.0, 22.0])
    mixed = {r["level"]: r for r in an.level_noise("c", log, iv, 2, per_rep=2)}
    plain = {r["level"]: r for r in an.level_noise("c", log, iv, 2)}
    sd = math.sqrt(64 / 3) / 2
    assert mixed["mean_wait_served_s"]["sd_log_model"] == pytest.approx(sd / 20)
    assert plain["mean_wait_served_s"]["sd_log_model"] == pytest.approx(sd / math.sqrt(2) / 20)
    # the runs of the two days in a row, against the log as one unit: 2 a group
    assert mixed["mean_wait_served_s"]["flag_all_groups_fail"] == an.flag_all_fail(1, 2, 2)
    (tmp_path / "resolved_config.yaml").write_text("scenario:\n  horizon: {days: 9}\n")
    assert an.days_per_rep(tmp_path) == 9
    assert an.days_per_rep(tmp_path / "none") == 1


def test_met_summary_counts_group_targets_per_case_and_overall(an):
    """The README's 'group-targets met' row and total come from this line."""
    t = pd.DataFrame({"case": ["halves"] * 3 + ["friday"] * 2,
                      "met": [True, False, True, True, True]})
    assert an.met_summary(t) == "group-targets met: halves 2/3, friday 2/2; all 4/5"
