#!/usr/bin/env bash
# Out-of-sample checks of the January calibration (issue 16):
#   halves:   calibrate on the first half of the weekdays, predict the second half
#   odd_even: calibrate on odd days of the month, predict the even ones
#   halves_back, even_odd: the same the other way (second half -> first, even -> odd)
#   friday, saturday: the shipped weekday calibration predicts Fridays and Saturdays
# Each prediction keeps the calibration's behaviour and takes only the predicted days'
# volumes and staffing (ccsim validate --predict). One run per case of GROUPS x REPS
# replications (seed 1) in OUT/<case>/; analyse.py splits it into GROUPS independent
# validations of REPS replications each (they stand for seeds 1..GROUPS) and writes
# OUT/table.csv (tidy: case, group, target, log, sim, difference, tolerance, met),
# OUT/ceiling.csv (the hourly r a perfect model could reach) and OUT/tables.md.
# Usage: run.sh [OUT] [REPS] [GROUPS] [CASES...] (default: 5 5, halves odd_even friday
# saturday).
# CALIBRATE_OPTS (environment), e.g. "--availability states", "--reaction off" (the
# model before agents were called back) or "--reserve-from scan" (where the direct-line
# reserve starts, read off the calibration days in a row): calibration options, passed
# to the validations too but --reserve-from (the calibrated files' headers carry it); when set, friday and
# saturday are predicted by a weekday calibration made with them ($OUT/weekday.yaml)
# instead of the shipped configs/scenario/anonymous_bank.yaml (calibrated with the
# defaults, --reaction on included).
# VALIDATE_OPTS (environment), e.g. "--day-mix": options of the validations only (the
# calibrations do not take them).
# LOG (environment): another log of the same format (default: the shipped January one);
# friday and saturday are then predicted by its own weekday calibration ($OUT/weekday.yaml).
# CPU is shared: run it under nice (nice -n 10 run.sh ...). engine=auto runs these
# validations on the fast engine when it compiles every feature of the scenario, else on
# SimPy (same figures, slower): what it lacks is sim/fast/engine.py's LACKS (today the
# spells a waiting caller ends, away_when_idle / not_ready.yields).
set -euo pipefail
OUT=${1:-outputs/out_of_sample}
REPS=${2:-5}
GROUPS_=${3:-5}
shift $(( $# > 3 ? 3 : $# ))
CASES=${*:-halves odd_even friday saturday}
SHIPPED=sim/data/anonymous_bank_january1999.txt.gz
LOG=${LOG:-$SHIPPED}
OPTS=${CALIBRATE_OPTS:-}
# the validations take the calibration options but --reserve-from: a calibrated file's
# header carries the reserve it was calibrated with (--reserve-from scan included)
VOPTS="$(echo "$OPTS" | sed -E 's/--reserve-from[ =][^ ]+//g') ${VALIDATE_OPTS:-}"
mkdir -p "$OUT"
calibrate() {  # name days
    # shellcheck disable=SC2086  # OPTS is a list of options
    [ -f "$OUT/$1.yaml" ] || ccsim calibrate "$LOG" --name "$1" --days "$2" $OPTS \
        --out "$OUT/$1.yaml" --report-dir "$OUT/$1" > "$OUT/$1.log"
}
weekday() {  # the weekday scenario that predicts other day types
    if [ -n "$OPTS" ] || [ "$LOG" != "$SHIPPED" ]; then
        calibrate weekday all; echo "$OUT/weekday.yaml"
    else echo configs/scenario/anonymous_bank.yaml; fi
}
run() {  # case scenario-file days predict
    [ -f "$OUT/$1/intervals.parquet" ] && return
    # shellcheck disable=SC2086
    ccsim validate "$LOG" --scenario "$2" --days "$3" --predict "$4" --seed 1 $VOPTS \
        --n-reps $(( REPS * GROUPS_ )) --out "$OUT/$1" > "$OUT/$1.log" 2>&1 \
        || true  # exit 1 = a target missed: analysed per group below, not fatal here
}
for c in $CASES; do
    case $c in
        halves) calibrate first_half first-half
                run halves "$OUT/first_half.yaml" first-half weekday:second-half ;;
        odd_even) calibrate odd_days odd
                  run odd_even "$OUT/odd_days.yaml" odd weekday:even ;;
        halves_back) calibrate second_half second-half
                     run halves_back "$OUT/second_half.yaml" second-half weekday:first-half ;;
        even_odd) calibrate even_days even
                  run even_odd "$OUT/even_days.yaml" even weekday:odd ;;
        friday) run friday "$(weekday)" all friday ;;
        saturday) run saturday "$(weekday)" all saturday ;;
        *) echo "unknown case $c" >&2; exit 2 ;;
    esac
done
"$(dirname "$(command -v ccsim)")/python" "$(dirname "$0")/analyse.py" "$LOG" "$OUT" \
    "$REPS" | tee "$OUT/tables.md"
