"""A synthetic local authority: records as an LA's MIS would export them, plus the oracle."""

from __future__ import annotations

import datetime
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from screening.features import Records

from . import _tables
from ._calendar import SchoolCalendar, add_months, autumn_census_day
from ._events import regime_bounds, simulate
from ._population import assign_schools, make_pupils, make_schools
from ._social_care import draw_episodes, episodes_table

_TABLE_NAMES = ("pupils", "enrolments", "attendance", "suspensions", "sen")
_BAD_N_PUPILS = ("n_pupils must be an integer >= 100, got {0!r}. Use at least a few thousand "
                 "pupils for realistic rates.")
_BAD_YEARS = ("n_census must be an integer >= 2, got {0!r}. The demo needs earlier censuses "
              "with complete outcomes and a final one with an incomplete window.")
_BAD_EXTRACT = ("extract_date must be after the last census ({0}), got {1}. Pass a date in "
                "the academic year of the last census, e.g. {2}.")
_NOT_A_CENSUS = ("true_risk is only defined at the generator's census dates; {0} is not one. "
                 "Use one of la.census_dates: {1}.")
_BAD_HORIZON = ("horizon_months must be an integer from 1 to 12, got {0!r}. The oracle knows "
                "the hazard only up to 12 months ahead.")
_BAD_TARGET = "target must be 'suspension' or 'permanent', got {0!r}."
_BAD_FORMAT = "format must be 'csv' or 'parquet', got {0!r}."


class SyntheticLA:
    """A synthetic local authority made by :func:`make_local_authority`.

    Attributes
    ----------
    records : features.Records
        The tables (pupils, enrolments, attendance, suspensions, sen) in the input
        contract, with ``extract_date`` set.
    census_dates : list of pandas.Timestamp
        Autumn census days covered (first Thursday in October), oldest first. The
        12-month outcome window of the last one is incomplete at ``extract_date``.
    extract_date : pandas.Timestamp
        The day the data were "extracted"; nothing later is in the records.
    schools : pandas.DataFrame
        ``school``, ``phase`` and ``practice`` (the school's log-rate effect on
        suspensions, a generator internal shown for teaching and checks).
    seed : int
    """

    def __init__(self, *, records: Records, census_dates: list[pd.Timestamp],
                 extract_date: pd.Timestamp, schools: pd.DataFrame, seed: int,
                 _oracle: dict[str, Any]) -> None:
        self.records = records
        self.census_dates = census_dates
        self.extract_date = extract_date
        self.schools = schools
        self.seed = seed
        self._oracle = _oracle

    def __repr__(self):
        first, last = self.census_dates[0].date(), self.census_dates[-1].date()
        return (f"SyntheticLA(seed={self.seed}, pupils={len(self._raw('pupils'))}, "
                f"censuses {first}..{last}, extract_date={self.extract_date.date()})")

    def _raw(self, name: str) -> pd.DataFrame:
        table = self.records.raw[name]
        assert table is not None  # the generator fills every table
        return table

    def true_risk(self, as_of: str | datetime.date | np.datetime64, horizon_months: int = 12,
                  target: Literal["suspension", "permanent"] = "suspension", *,
                  year_groups: Sequence[int] = (5, 6, 7)) -> pd.Series:
        """The generator's exact probability of the outcome, for the cohort at ``as_of``.

        Parameters
        ----------
        as_of : date-like
            One of ``census_dates``.
        horizon_months : int, default=12
            Window ``[as_of, as_of + horizon_months)``; 1 to 12.
        target : {'suspension', 'permanent'}, default='suspension'
            ``'suspension'``: at least one suspension or permanent exclusion;
            ``'permanent'``: at least one permanent exclusion.
        year_groups : tuple of int, default=(5, 6, 7)
            The cohort: pupils on roll at ``as_of`` whose year group (by date of birth)
            is in these.

        Returns
        -------
        pandas.Series
            Named ``true_risk``, indexed by ``upn`` (sorted), values in (0, 1) (for
            ``'permanent'``, exactly 0 for pupils already permanently excluded).

        Notes
        -----
        The probability conditions on everything the generator has decided by ``as_of``,
        including each pupil's latent propensity and pre-drawn moves (when they will
        leave the LA), but not on any suspension on or after ``as_of``. The suspensions
        in the records are drawn from exactly this probability, so labels built from the
        records are Bernoulli draws of it (for the last census only up to
        ``extract_date``).

        Examples
        --------
        >>> la = make_local_authority(n_pupils=2_000, seed=1)
        >>> risk = la.true_risk(la.census_dates[-2])
        >>> bool(risk.between(0, 1, inclusive="neither").all()), risk.name
        (True, 'true_risk')
        """
        o = self._oracle
        t = pd.Timestamp(as_of)
        if t not in self.census_dates:
            raise ValueError(_NOT_A_CENSUS.format(
                t.date(), [str(d.date()) for d in self.census_dates]))
        if (isinstance(horizon_months, bool) or not isinstance(horizon_months, (int, np.integer))
                or not 1 <= horizon_months <= 12):
            raise ValueError(_BAD_HORIZON.format(horizon_months))
        if target not in ("suspension", "permanent"):
            raise ValueError(_BAD_TARGET.format(target))
        return _oracle_risk(o, t, horizon_months, target, year_groups)

    def allocations(self, as_of: str | datetime.date | np.datetime64) -> pd.DataFrame:
        """Allocated secondary places for the September after ``as_of``, as the
        ``allocations`` table of the input contract.

        Every pupil on roll at ``as_of`` whose records show an entry to a secondary
        school in the following September gets that school as an allocation, decided
        on National Offer Day (1 March of that year). Add the table to the records to
        screen Year 6 before the move and write the transition handover.

        Examples
        --------
        >>> la = make_local_authority(n_pupils=2_000, seed=2)
        >>> a = la.allocations("2023-03-20")
        >>> list(a.columns), bool(len(a) > 0)
        (['upn', 'school', 'start_date', 'decided_date'], True)
        """
        t = pd.Timestamp(as_of)
        year = t.year if t.month < 9 else t.year + 1
        sept = pd.Timestamp(f"{year}-09-01")
        enr = self._raw("enrolments")
        entry = pd.to_datetime(enr["entry_date"])
        leave = pd.to_datetime(enr["leaving_date"])
        phase = enr["phase"].astype("string")
        on_roll = set(enr.loc[(entry < t) & (leave.isna() | (leave >= t)), "upn"].astype(str))
        moves = enr[(entry >= sept - pd.Timedelta(days=20)) & (entry < sept + pd.Timedelta(
            days=40)) & phase.isin(["secondary", "all-through"]).fillna(False).to_numpy()]
        moves = moves[moves["upn"].astype(str).isin(on_roll)]
        out = pd.DataFrame({"upn": moves["upn"].astype(str).to_numpy(),
                            "school": moves["school"].astype(str).to_numpy(),
                            "start_date": pd.to_datetime(moves["entry_date"]).to_numpy(),
                            "decided_date": pd.Timestamp(f"{year}-03-01")})
        return out.drop_duplicates("upn").sort_values("upn").reset_index(drop=True)

    def write(self, folder: str | os.PathLike[str],
              format: Literal["csv", "parquet"] = "csv") -> Path:
        """Write the tables as ``NAME.csv`` or ``NAME.parquet`` plus ``metadata.json``.

        Dates are ISO ``YYYY-MM-DD``; ``metadata.json`` holds ``extract_date``, the census
        dates and the generator settings. Returns the folder as a :class:`pathlib.Path`.

        Examples
        --------
        >>> import tempfile, os
        >>> la = make_local_authority(n_pupils=1_000, seed=2)
        >>> with tempfile.TemporaryDirectory() as d:
        ...     print(*sorted(os.listdir(la.write(d))))
        attendance.csv enrolments.csv metadata.json pupils.csv sen.csv suspensions.csv
        """
        if format not in ("csv", "parquet"):
            raise ValueError(_BAD_FORMAT.format(format))
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        has_episodes = self.records.raw.get("episodes") is not None
        names = _TABLE_NAMES + (("episodes",) if has_episodes else ())
        for name in names:
            df = self._raw(name).copy()
            # Categorical id columns (upn, school) are compact in memory, but pandas
            # converts their whole category array for every chunk it writes: decode once.
            for col in df.columns:
                if isinstance(df[col].dtype, pd.CategoricalDtype):
                    df[col] = df[col].astype("str")
            if format == "csv":
                df.to_csv(folder / f"{name}.csv", index=False, date_format="%Y-%m-%d")
            else:
                df.to_parquet(folder / f"{name}.parquet", index=False)
        meta = {
            "extract_date": str(self.extract_date.date()),
            "census_dates": [str(d.date()) for d in self.census_dates],
            "source": "screening.datasets.make_local_authority",
            "seed": self.seed,
            "n_pupils": int(len(self._raw("pupils"))),
        }
        (folder / "metadata.json").write_text(json.dumps(meta, indent=2) + "\n")
        return folder


def _oracle_risk(o, t, horizon_months=12, target="suspension", year_groups=(5, 6, 7)):
    """The oracle of :meth:`SyntheticLA.true_risk` from the generator internals ``o``."""
    cal = o["cal"]
    T = cal.index(np.datetime64(t.date(), "D"))
    w_hi = cal.index(add_months(np.datetime64(t.date(), "D"), horizon_months)) - 1
    lam = np.zeros(o["on_start"].size)
    for reg in o["regimes"]:
        for lo, hi, rate, rate_p in reg.pieces:
            if hi < T or lo > w_hi:
                continue
            days = cal.count(np.maximum(max(lo, T), o["on_start"]),
                             np.minimum(min(hi, w_hi), o["on_end"]))
            r = rate_p if target == "permanent" else rate.astype(np.float64) + rate_p
            lam += r * days
    prob = -np.expm1(-lam)
    if target == "permanent":
        prob = np.where(o["pdate"] < T, 0.0, prob)
    year = t.year - (1 if t.month < 9 else 0)
    yg = year - o["cohort"] - 5
    seg_p, seg_s, seg_e = o["seg"]
    on = np.zeros(yg.size, bool)
    on[seg_p[(seg_s < T) & (seg_e >= T)]] = True
    who = np.flatnonzero(on & np.isin(yg, list(year_groups)))
    out = pd.Series(prob[who], index=pd.Index(o["upn"][who], name="upn", dtype="str"),
                    name="true_risk")
    return out.sort_index()


def _setup(n_pupils, seed, first_census_year, n_census, extract_date, social_care=False):
    """Draw everything but the suspensions; return the generator state as a dict.

    With ``social_care``, the episodes are drawn from their own stream (``p["episodes"]``)
    after everything else, so nothing else drawn here changes.
    """
    years = list(range(first_census_year, first_census_year + n_census))
    census = [autumn_census_day(y) for y in years]
    if extract_date is None:
        extract = np.datetime64(f"{years[-1] + 1}-03-31", "D")
    else:
        extract = np.datetime64(pd.Timestamp(extract_date).date(), "D")
    if extract <= census[-1]:
        raise ValueError(_BAD_EXTRACT.format(census[-1], extract,
                                             f"{years[-1] + 1}-03-31"))
    plus12 = [add_months(c, 12) for c in census]
    cal = SchoolCalendar(first_census_year - 1, max(extract, plus12[-1]))
    rng = np.random.default_rng(seed)
    n = int(n_pupils)
    schools = make_schools(rng, n)
    p = make_pupils(rng, n, cal, years, 3 * len(cal.years))
    assign_schools(rng, p, schools)
    if social_care:
        p["episodes"] = draw_episodes(seed, p, cal, cal.index(extract))
    census_idx = [cal.index(c) for c in census]
    extract_idx = cal.index(extract)
    bounds = regime_bounds(census_idx, [cal.index(d) for d in plus12], 0, extract_idx)
    return {"rng": rng, "cal": cal, "census": census, "extract": extract,
            "extract_idx": extract_idx, "bounds": bounds, "schools": schools, "p": p}


def _draw(state, rng):
    """Draw the suspensions and registrations; return ``(events, seg, oracle)``.

    ``state["p"]`` is updated in place (permanent exclusions): pass a state with a deep
    copy of ``p`` to redraw from the same population, as the Monte-Carlo check of the
    oracle does. ``oracle`` lacks ``"upn"`` (set it before :func:`_oracle_risk`).
    """
    cal, p = state["cal"], state["p"]

    def term_of(day):
        year = int(str(cal.date(day))[:4])
        year -= 1 if int(str(cal.date(day))[5:7]) < 9 else 0
        return 3 * (year - cal.first_year)

    events, regimes = simulate(rng, p, state["schools"], cal, state["bounds"],
                               state["extract_idx"], term_of)
    seg = _tables.segments(rng, p, events, cal, state["extract_idx"])
    oracle = {
        "cal": cal, "regimes": regimes, "cohort": p["cohort"],
        "on_start": p["on_start"], "on_end": p["on_end"], "pdate": p["pdate"],
        "seg": (seg["pupil"], seg["start"], seg["end"]),
    }
    return events, seg, oracle


def make_local_authority(n_pupils: int = 20_000, seed: int = 0, *, first_census_year: int = 2019,
                         n_census: int = 6,
                         extract_date: str | datetime.date | np.datetime64 | None = None,
                         la_code: int = 887, social_care: bool = False) -> SyntheticLA:
    """Generate a synthetic local authority's pupil records with a known true risk.

    Pupils in Years 1-11 at six autumn censuses (by default 2019-10-03 to 2024-10-03),
    their schools (primaries, secondaries, a special school, alternative provision),
    characteristics, SEN spells, termly attendance and suspensions, calibrated to the
    national 2016/17 exclusion statistics (see Notes). Suspensions
    follow a hazard known to the generator, so :meth:`SyntheticLA.true_risk` gives each
    pupil's exact probability of the outcome: the oracle any model is judged against.

    Parameters
    ----------
    n_pupils : int, default=20_000
        Number of distinct pupils in the ``pupils`` table.
    seed : int, default=0
        Everything is a deterministic function of the seed.
    first_census_year : int, default=2019
        Year of the first autumn census. Records start on 1 September of the year before
        (a year of history before the first census); enrolments go back to Reception.
    n_census : int, default=6
        Number of autumn censuses.
    extract_date : date-like, optional
        Default 31 March after the last census, so the last census's 12-month outcome
        window is incomplete ("today's" cohort) and the earlier ones are complete.
    la_code : int, default=887
        The three-digit LA number used in the pupils' UPNs.
    social_care : bool, default=False
        Also generate an ``episodes`` table of ``child_in_need`` (about 4% of pupils at
        a census) and ``child_protection`` (about 0.7%) episodes, which raise the
        exclusion hazard while current (see Notes). Drawn from their own random stream:
        with ``False`` the records are exactly those of earlier versions for a seed.

    Returns
    -------
    SyntheticLA

    Notes
    -----
    What is simulated (all vectorised; loops only over terms and years):

    - **Pupils**: 16 birth cohorts, so every census has Years 1-11; dates of birth spread
      over the year; about 14% arrive from another LA after Reception and about 10% leave
      the LA (more often pupils at risk). Sex, census ethnicity codes in a national-like
      mix (including WROM, WIRT, BCRB, REFU, NOBT), FSM in the last 6 years (~25%, by
      ethnicity), EAL (~20%), looked after (~1%).
    - **Schools**: one primary per ~250 primary-age pupils, one secondary per ~1,000
      secondary-age pupils, special school(s) and AP/PRU(s). Each has a heavy-tailed
      suspension "practice" effect (primaries vary most), so a few schools make most
      suspensions.
    - **Enrolments** from Reception entry (or arrival): Year 6 -> 7 transfer (primary
      leaving date 31 August or the end of the summer term, secondary entry 1 September
      or the first day of term), in-year moves (more likely for pupils at risk),
      permanent exclusion -> AP place to the end of the school year -> a new school,
      dual registration at AP for some pupils with repeated suspensions, leaving the LA.
    - **A latent behaviour propensity** per pupil and term (AR(1), shifted by sex, FSM
      and looked-after status) drives termly **attendance** (overall absence ~6%,
      persistent absence ~17%, unauthorised share varying by pupil, ~1% of term rows
      missing), **SEN** (support ~14%, EHC plans ~4% at a census, spells with start and
      end dates, some escalating K -> E, primary need codes with SEMH tied to the
      propensity) and **suspensions**.
    - **Suspensions**: a hazard per school day from year group, school practice, the
      propensity, SEN status and need, suspensions in the last 12 months and ever, a
      recent school move, and direct effects of sex, FSM, EAL and ethnicity; see
      ``_events`` for how the hazard is fixed at each census so that
      :meth:`SyntheticLA.true_risk` is exact. Reasons use the pre-2020 list (PD) before
      1 September 2020 and the new list (DB) after; ~2% are lunchtime (LNCH); lengths
      1-10 days (2-20 sessions). About 1.5% of events are permanent exclusions (PERM),
      only the first per pupil. **Repeats**: after a first suspension a pupil's hazard
      rises until the next census (self-exciting; it leaves the oracle exact), so a
      suspended pupil has about 2 suspensions a year, as nationally (2.08 in 2016/17).

    - **Social care** (``social_care=True``): children-in-need and child-protection
      episodes, more likely for pupils with a high propensity, on FSM or looked after;
      while one is current at a census, the permanent-exclusion hazard is multiplied by
      about 4 (child in need) or 3.5 (child protection plan), the adjusted figures of
      the Timpson review (2019), and suspensions by the square root of that (an
      assumption). The status that counts is the one at the census, so the oracle stays
      exact.

    Calibration (``BASE``/``COEF`` in ``_events``): the share of pupils with at least one
    suspension in the 12 months after a census matches the national 2016/17 share by
    year group (Y5 1.0%, Y6 1.2%, Y7 3.4%, Y8 5.2%, ...), and the group ratios are close
    to national (boys/girls ~2.6, disadvantaged ~3.6, SEN support and EHC ~4 x no SEN,
    Black Caribbean ~2.5 x and Gypsy/Roma ~3.7 x all pupils); ``REPEAT`` sets about 2.0
    suspensions per suspended pupil per academic year (national 2016/17: 2.08).

    History: enrolments go back to Reception entry; attendance, suspensions and SEN
    spells are recorded from 1 September of the year before the first census (SEN spells
    keep their real, possibly earlier, start dates). Records end at ``extract_date``.
    Not modelled: bank holidays, COVID-19 closures, out-of-year-group pupils,
    attendance at dual-registration AP places.

    Examples
    --------
    >>> la = make_local_authority(n_pupils=2_000, seed=0)
    >>> [str(d.date()) for d in la.census_dates[:2]], str(la.extract_date.date())
    (['2019-10-03', '2020-10-01'], '2025-03-31')
    >>> len(la.records.raw["pupils"])
    2000
    """
    if (isinstance(n_pupils, bool) or not isinstance(n_pupils, (int, np.integer))
            or n_pupils < 100):
        raise ValueError(_BAD_N_PUPILS.format(n_pupils))
    if (isinstance(n_census, bool) or not isinstance(n_census, (int, np.integer))
            or n_census < 2):
        raise ValueError(_BAD_YEARS.format(n_census))
    state = _setup(n_pupils, seed, first_census_year, n_census, extract_date, social_care)
    rng, cal, p, schools = state["rng"], state["cal"], state["p"], state["schools"]
    extract, extract_idx = state["extract"], state["extract_idx"]
    events, seg, oracle = _draw(state, rng)
    upn = _tables.make_upns(rng, p, la_code)
    upn_cat = pd.Index(upn, dtype="str")
    tables = {
        "pupils": _tables.pupils_table(p, upn, cal),
        "enrolments": _tables.enrolments_table(seg, upn_cat, schools, cal, extract_idx),
        "attendance": _tables.attendance_table(rng, p, seg, upn_cat, schools, cal,
                                               extract_idx),
        "suspensions": _tables.suspensions_table(rng, p, events, upn_cat, schools, cal,
                                                 extract_idx),
        "sen": _tables.sen_table(p, upn_cat, cal, extract_idx),
    }
    if social_care:
        tables["episodes"] = episodes_table(p["episodes"], upn_cat, cal, extract_idx)
    extract_ts = pd.Timestamp(str(extract))
    records = Records(**tables, source=f"synthetic local authority (seed={seed})",
                      extract_date=extract_ts)
    oracle["upn"] = upn
    census = state["census"]
    school_frame = pd.DataFrame({"school": schools["urn"],
                                 "phase": _tables.PHASES[schools["phase"]],
                                 "practice": schools["effect"].astype(float)})
    return SyntheticLA(records=records, census_dates=[pd.Timestamp(str(c)) for c in census],
                       extract_date=extract_ts, schools=school_frame, seed=seed,
                       _oracle=oracle)
