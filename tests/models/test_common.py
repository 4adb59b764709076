"""scikit-learn common checks over every model of the package (a registry, imodels-style).

The scorecard uses n_splits=3 here only to keep the checks quick; the booster is small.
"""

from screening.models import BoostedRiskModel, RiskScorecard
from sklearn.utils.estimator_checks import parametrize_with_checks

ESTIMATORS = [
    RiskScorecard(n_splits=3, random_state=0),
    BoostedRiskModel(max_iter=15, min_samples_leaf=5, cv=3, random_state=0),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible(estimator, check):
    check(estimator)
