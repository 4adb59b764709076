"""Synthetic data: a local authority's pupil records with a known true risk.

:func:`make_local_authority` generates pupils, schools, enrolments, attendance, SEN and
suspensions in the input contract, calibrated to national exclusion statistics, and a
:class:`SyntheticLA` whose :meth:`~SyntheticLA.true_risk` is the generator's exact
probability of the outcome (the oracle).

>>> from screening.datasets import make_local_authority
>>> la = make_local_authority(n_pupils=1_000, seed=0)
>>> la.records  # doctest: +ELLIPSIS
Records(pupils=1000, enrolments=..., attendance=..., suspensions=..., sen=...)
"""

from ._local_authority import SyntheticLA, make_local_authority

__all__ = ["make_local_authority", "SyntheticLA"]
