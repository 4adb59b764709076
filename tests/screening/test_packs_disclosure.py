"""The overview of a per-school screen leaks no hidden count, even to a reader who knows
the rule, and so each school's number of flags (and its size from 10 pupils).

The overview leaves out the audit's tables by school as a precaution: the audit's
suppression treats a school's number of flags as a count it may hide, while the rule
"the top 5% of each school" makes it public. (On this small LA the whole audit leaks
nothing to this reader either; the check is run on what the overview shows.)"""

import pytest

import screening
from screening import audits
from screening._packs import overview_audit
from tests.audits.intruder import Intruder


@pytest.fixture(scope="module")
def spied():
    seen = {}
    real = audits.audit

    def spy(frame, **kw):
        seen.update(frame=frame, kw=kw, rep=real(frame, **kw))
        return seen["rep"]

    la = screening.datasets.make_local_authority(n_pupils=1200, seed=4)
    d = la.census_dates
    scr = screening.Screener(random_state=0, n_boot=20, capacity=0.05,
                             capacity_by="school").fit(la.records, as_of=d[-4:-2])
    mp = pytest.MonkeyPatch()
    mp.setattr(audits, "audit", spy)
    try:
        result = scr.screen(la.records, as_of=d[-1])
    finally:
        mp.undo()
    return result, seen


def _attack(result, seen, rep):
    kw, frame = seen["kw"], seen["frame"]
    intr = Intruder(frame, rep, groups=kw["groups"], flag=kw["flag"],
                    controls=["year_group", "school"]).read_report()
    # the rule is public: "the top 5% of each school" gives each school's number of
    # flags (none under 20 pupils); a school's size is taken as public from 10 pupils
    for school, part in result.scores.groupby("school"):
        if len(part) >= 10:
            intr.count({"school": str(school)}, len(part))
        intr.count({"school": str(school), "f": "1"}, int(part["flagged"].sum()))
    res = intr.attack()
    # a school's own total is public by the rule: not a hidden cell the overview gives away
    return [r for r in res.recovered if not r[0].startswith("school=")], res.checked


def test_the_overview_audit_resists_a_reader_who_knows_the_rule(spied):
    result, seen = spied
    recovered, checked = _attack(result, seen, overview_audit(result))
    assert checked > 50
    assert recovered == [], recovered[:5]
