#!/usr/bin/env python3
"""Reference CLV run with the Python library lifetimes 0.11.3, timed step by step.

Reads orders from a Headtail database (live customers only) or from a CSV file with the
header customer_id,date,amount, then times:

  load          SQL or CSV into a pandas DataFrame (dates parsed, amounts in major units)
  summary       lifetimes.utils.summary_data_from_transaction_data
  bgnbd         BetaGeoFitter(penalizer_coef=0).fit on all customers
  gamma_gamma   GammaGammaFitter(penalizer_coef=0).fit on repeat buyers
                (frequency > 0 and monetary_value > 0)
  clv           GammaGammaFitter.customer_lifetime_value over all customers, times --margin
                (lifetimes' 30-day months); with --out, Headtail's months instead (see below)
  rfm           with --rfm only: pandas RFM quintile scoring (see rfm_scores)

and prints one JSON object on stdout. With --out FILE, the per-customer results Headtail's
evaluation writes are computed and written too, each step timed:

  p_alive       BetaGeoFitter.conditional_probability_alive
  expected      conditional_expected_number_of_purchases_up_to_time over --months months
  clv           the discounted CLV as Headtail defines it (see clv_by_month): months of
                365.2425 / 12 days, not lifetimes' 30
  write         customer_id,p_alive,expected_purchases,clv to FILE (CLV in major units)

The margin is one share for everyone (--margin); Headtail takes each customer's own from
order costs, and the default margin for orders without one, so the two agree when the
orders carry no cost (as the generated ones of evaluate_bench).

Time units (--unit):

  day   freq='D': purchases on one day count once, t_x and T in days.
  week  freq='D' with freq_multiplier=7: the same purchase days, t_x and T in days / 7.
        This is the definition of Fader, Hardie & Lee (2005) and of Headtail's own models.
  With --week-periods, week means lifetimes' freq='W' instead: purchases are grouped by
  calendar week (Monday to Sunday), so several purchases in one week count once, and
  t_x and T are whole weeks between week periods.

Log-likelihoods are summed over customers (key "ll_sum"), in the chosen time unit, so they
compare with published values. lifetimes itself keeps the mean negative log-likelihood per
customer in `_negative_log_likelihood_`, for BG/NBD on times rescaled so that max T = 1.

Peak memory is ru_maxrss of this process (KiB on Linux), in MB (10^6 bytes).

    "$(tests/bench/lifetimes-venv.sh)" tests/bench/lifetimes_reference.py \
        --db headtail.sqlite --as-of 2026-11-23 --unit week --rfm
    "$(tests/bench/lifetimes-venv.sh)" tests/bench/lifetimes_reference.py \
        --db headtail.sqlite --as-of 2025-12-31 --out lifetimes.csv
"""

import argparse
import json
import resource
import sqlite3
import sys
import time
import warnings

import numpy as np
import pandas as pd

import lifetimes
from lifetimes import BetaGeoFitter, GammaGammaFitter
from lifetimes.utils import ConvergenceError, summary_data_from_transaction_data

warnings.simplefilter("ignore", FutureWarning)

# Live customers' orders up to the as-of date. Money is stored in minor units. A plain scan
# of orders: through the date index, reading most of the table takes several times longer.
ORDERS_SQL = """
SELECT o.customer_id, o.ordered_on, o.amount_minor
FROM orders o NOT INDEXED JOIN customers c ON c.id = o.customer_id
WHERE c.deleted_at IS NULL AND c.erased_at IS NULL AND o.ordered_on <= ?
"""


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--db", help="Headtail SQLite database")
    src.add_argument("--orders", help="CSV with header customer_id,date,amount (major units)")
    p.add_argument("--as-of", required=True, help="calibration end YYYY-MM-DD, inclusive")
    p.add_argument("--unit", choices=["day", "week"], default="day")
    p.add_argument("--week-periods", action="store_true", help="with --unit week: lifetimes' freq='W'")
    p.add_argument("--currency", help="with --db: only orders in this currency (default: all)")
    p.add_argument("--minor-per-major", type=float, default=100.0, help="with --db: e.g. 100 fen per yuan")
    p.add_argument("--margin", type=float, default=0.3, help="share of revenue kept as profit")
    p.add_argument("--discount", type=float, default=0.01, help="monthly discount rate")
    p.add_argument("--months", type=int, default=12, help="CLV horizon in months")
    p.add_argument("--rfm", action="store_true", help="also time pandas RFM quintile scoring")
    p.add_argument("--out", help="write P(alive), expected purchases and CLV per customer to this CSV")
    args = p.parse_args(argv)
    if args.out and args.week_periods:
        p.error("--out needs days between purchases (no --week-periods), as Headtail counts them")
    if args.week_periods and args.unit != "week":
        p.error("--week-periods needs --unit week")
    if args.currency and not args.db:
        p.error("--currency needs --db")
    return args


def load_db(path, as_of, currency, minor_per_major):
    sql, params = ORDERS_SQL, [as_of]
    if currency:
        sql += " AND o.currency = ?"
        params.append(currency)
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as con:
        df = pd.read_sql_query(sql, con, params=params)
    return pd.DataFrame(
        {
            "customer_id": df["customer_id"].to_numpy(),
            "date": pd.to_datetime(df["ordered_on"], format="%Y-%m-%d"),
            "amount": df["amount_minor"].to_numpy(dtype=float) / minor_per_major,
        }
    )


def load_csv(path, as_of):
    df = pd.read_csv(path, dtype={"customer_id": "int64", "date": "string", "amount": "float64"})
    df["date"] = pd.to_datetime(df["date"], format="%Y-%m-%d")
    return df[df["date"] <= pd.Timestamp(as_of)].reset_index(drop=True)


def rfm_scores(orders, as_of):
    """RFM quintiles of the customers who bought in the 365 days ending on as_of.

    R = days from the customer's last order to as_of, F = number of orders, M = sum of
    amounts, all within the window (as_of - 364 days .. as_of). Each measure is ranked with
    rank(method='first') (ties broken by row order, customers sorted by id) and cut into
    five equal-count groups with qcut; scores 1..5, 5 best: least R, most F, most M.
    """
    end = pd.Timestamp(as_of)
    window = orders[orders["date"] > end - pd.Timedelta(days=365)]
    g = window.groupby("customer_id", sort=True)
    rfm = pd.DataFrame(
        {
            "recency_days": (end - g["date"].max()).dt.days,
            "frequency": g.size(),
            "monetary": g["amount"].sum(),
        }
    )
    labels = [1, 2, 3, 4, 5]
    rfm["r"] = pd.qcut(rfm["recency_days"].rank(method="first", ascending=False), 5, labels=labels).astype(int)
    rfm["f"] = pd.qcut(rfm["frequency"].rank(method="first"), 5, labels=labels).astype(int)
    rfm["m"] = pd.qcut(rfm["monetary"].rank(method="first"), 5, labels=labels).astype(int)
    rfm["score"] = rfm["r"] * 100 + rfm["f"] * 10 + rfm["m"]
    return rfm


def fit(model, *data, **kw):
    """Fits with lifetimes' defaults; on its ConvergenceError (BFGS stopping on precision loss
    with a near-zero gradient) tries once more with tol=1e-6. Returns the tol that worked."""
    try:
        model.fit(*data, **kw)
        return 1e-7
    except ConvergenceError:
        model.fit(*data, tol=1e-6, **kw)
        return 1e-6


# Headtail's month: a twelfth of the Gregorian year, in days.
DAYS_PER_MONTH = 365.2425 / 12


def clv_by_month(bgf, ggf, summary, months, month, discount, margin):
    """Headtail's CLV: the expected purchases of each month (the cumulative expectation at
    the month's end minus the previous one), discounted by (1 + discount)^m, summed, times
    the expected spend per purchase and the margin. lifetimes' customer_lifetime_value does
    the same with months of 30 days (freq='D'); `month` is the month in the fitted unit."""
    f, r, T = summary["frequency"], summary["recency"], summary["T"]
    spend = ggf.conditional_expected_average_profit(f, summary["monetary_value"])
    value = np.zeros(len(summary))
    previous = np.zeros(len(summary))
    for m in range(1, months + 1):
        cumulative = bgf.conditional_expected_number_of_purchases_up_to_time(m * month, f, r, T).to_numpy()
        value += np.maximum(cumulative - previous, 0.0) / (1 + discount) ** m
        previous = cumulative
    return margin * np.asarray(spend, dtype=float) * value


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6


def main(argv=None):
    args = parse_args(argv)
    seconds = {}
    start = time.perf_counter()

    def lap(name, since):
        now = time.perf_counter()
        seconds[name] = round(now - since, 3)
        return now

    t = start
    if args.db:
        orders = load_db(args.db, args.as_of, args.currency, args.minor_per_major)
    else:
        orders = load_csv(args.orders, args.as_of)
    t = lap("load", t)

    if args.unit == "day":
        freq, multiplier, clv_freq = "D", 1, "D"
    elif args.week_periods:
        freq, multiplier, clv_freq = "W", 1, "W"
    else:
        freq, multiplier, clv_freq = "D", 7, "W"
    summary = summary_data_from_transaction_data(
        orders,
        "customer_id",
        "date",
        monetary_value_col="amount",
        observation_period_end=args.as_of,
        freq=freq,
        freq_multiplier=multiplier,
    )
    t = lap("summary", t)

    bgf = BetaGeoFitter(penalizer_coef=0.0)
    bgf_tol = fit(bgf, summary["frequency"], summary["recency"], summary["T"])
    t = lap("bgnbd", t)

    repeaters = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
    ggf = GammaGammaFitter(penalizer_coef=0.0)
    ggf_tol = fit(ggf, repeaters["frequency"], repeaters["monetary_value"])
    t = lap("gamma_gamma", t)

    if args.out:
        unit_days = 1 if args.unit == "day" else 7
        p_alive = bgf.conditional_probability_alive(summary["frequency"], summary["recency"], summary["T"])
        t = lap("p_alive", t)
        horizon = args.months * DAYS_PER_MONTH / unit_days
        expected = bgf.conditional_expected_number_of_purchases_up_to_time(
            horizon, summary["frequency"], summary["recency"], summary["T"]
        )
        t = lap("expected", t)
        month = DAYS_PER_MONTH / unit_days
        clv = clv_by_month(bgf, ggf, summary, args.months, month, args.discount, args.margin)
        t = lap("clv", t)
        pd.DataFrame(
            {
                "customer_id": summary.index.to_numpy(),
                "p_alive": np.asarray(p_alive, dtype=float),
                "expected_purchases": expected.to_numpy(),
                "clv": clv,
            }
        ).to_csv(args.out, index=False, float_format="%.10g")
        t = lap("write", t)
    else:
        clv = args.margin * ggf.customer_lifetime_value(
            bgf,
            summary["frequency"],
            summary["recency"],
            summary["T"],
            summary["monetary_value"],
            time=args.months,
            discount_rate=args.discount,
            freq=clv_freq,
        )
        t = lap("clv", t)

    if args.rfm:
        rfm = rfm_scores(orders, args.as_of)
        t = lap("rfm", t)
    seconds["total"] = round(t - start, 3)
    peak = peak_mb()

    # Summed log-likelihoods at the fitted parameters, on unscaled times (not timed).
    n_bg = len(summary)
    bg_ll = -n_bg * BetaGeoFitter._negative_log_likelihood(
        np.log(bgf.params_[["r", "alpha", "a", "b"]].to_numpy()),
        summary["frequency"].to_numpy(),
        summary["recency"].to_numpy(),
        summary["T"].to_numpy(),
        np.ones(n_bg),
        0.0,
    )
    gg_ll = -len(repeaters) * ggf._negative_log_likelihood_
    p = bgf.params_
    g = ggf.params_
    result = {
        "library": f"lifetimes {lifetimes.__version__}",
        "versions": {m.__name__: m.__version__ for m in (np, pd, __import__("scipy"))},
        "as_of": args.as_of,
        "unit": "week (calendar periods)" if args.week_periods else args.unit,
        "customers": n_bg,
        "repeaters": len(repeaters),
        "orders": len(orders),
        "repeat_periods": int(summary["frequency"].sum()),
        "seconds": seconds,
        "peak_mb": round(peak, 1),
        "bgnbd": {k: float(p[k]) for k in ("r", "alpha", "a", "b")} | {"ll_sum": float(bg_ll), "tol": bgf_tol},
        "gamma_gamma": {"p": float(g["p"]), "q": float(g["q"]), "gamma": float(g["v"])}
        | {"ll_sum": float(gg_ll), "tol": ggf_tol},
        "clv": {"months": args.months, "monthly_discount": args.discount, "margin": args.margin}
        | {"month_days": DAYS_PER_MONTH if args.out else "lifetimes (30 days, or 4.345 weeks)"},
        "clv_sum": float(clv.sum()),
    }
    if args.rfm:
        result["rfm_customers"] = len(rfm)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
