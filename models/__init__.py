"""Interpretable risk models: the points scorecard, its explanations and its export.

Generic scikit-learn code: it knows nothing of pupils. Whatever it needs from a
feature dictionary (monotone directions, plain-English names) is passed in.
"""

__all__: list[str] = []
