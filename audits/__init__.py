"""Disproportionality and fairness audits of any scores or flags."""

__all__: list[str] = []
