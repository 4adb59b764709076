"""Error and note texts of the audits package.

Every message says what is wrong, where, and how to fix it. Tests match on
these constants, so change the wording here and nowhere else.
"""

# --- errors -------------------------------------------------------------------
_FRAME_TYPE = (
    "audit() needs a pandas DataFrame as `frame`; got {0}. "
    "Wrap your data first, e.g. pandas.DataFrame(data)."
)
_NO_GROUPS = (
    "audit() needs at least one group column in `groups`; got none. "
    "Pass e.g. groups=['sex', 'fsm']."
)
_GROUP_SPEC = (
    "Each entry of `groups` must be a column name of `frame` or a named pandas Series "
    "aligned with it; got {0!r}. Pass a column name, or give the Series a name."
)
_COLUMN_MISSING = (
    "Column {0!r} (given as `{1}`) is not in frame. Available columns: {2}. "
    "Check the spelling, or pass the values as an array aligned with frame."
)
_LENGTH_MISMATCH = (
    "`{0}` has {1} values but frame has {2} rows; pass one value per row of frame "
    "(same order), or a column name."
)
_INDEX_MISMATCH = (
    "`{0}` is a pandas object whose index does not match frame.index. "
    "Align it first (e.g. series.reindex(frame.index)) or pass series.to_numpy() "
    "to align by position."
)
_NEED_FLAG_OR_SCORE = (
    "audit() needs `flag` (who was flagged) or `score` (a risk score); got neither. "
    "Pass flag='flagged', or score='risk' with capacity= or threshold=."
)
_NEED_CAPACITY = (
    "Only `score` was given, so audit() cannot tell who is flagged. "
    "Pass capacity= (a fraction 0 < c < 1 of rows, or a whole number of pupils) "
    "or threshold= (flag when score >= threshold), or pass flag=."
)
_FLAG_AND_RULE = (
    "Pass either `flag` or a flagging rule (`capacity` / `threshold`), not both; "
    "got flag and {0}. Drop one of them."
)
_CAPACITY_AND_THRESHOLD = (
    "Pass either `capacity` or `threshold`, not both. Keep the one that defines your flags."
)
_BINARY_VALUES = (
    "`{0}` must hold only 0/1 or True/False; found {1} other value(s), e.g. {2!r}. "
    "Convert it first, e.g. (frame[col] == 'Y')."
)
_MISSING_VALUES = (
    "`{0}` has {1} missing value(s) (first at row position {2}). "
    "Drop those rows or fill them before auditing; missing {0} cannot be counted."
)
_SCORE_VALUES = (
    "`score` must be numeric; got dtype {0}. Pass a probability or points column."
)
_MIN_CELL = "`min_cell` must be an int >= 0; got {0!r}. Use min_cell=10 (default) or 0 to disable."
_N_BOOT = "`n_boot` must be an int >= 0 (0 skips intervals); got {0!r}. Use n_boot=1000."
_CI = "`ci` must be a number strictly between 0 and 1; got {0!r}. Use ci=0.95."
_REFERENCE_TYPE = (
    "`reference` must be a dict {{attribute: group}}, e.g. {{'sex': 'F'}}; got {0!r}."
)
_REFERENCE_ATTRIBUTE = (
    "reference names attribute {0!r}, which is not audited. Audited attributes: {1}. "
    "Use one of these names (intersections are named like 'sex × fsm')."
)
_REFERENCE_GROUP = (
    "reference group {1!r} for attribute {0!r} does not occur in the data. "
    "Groups present: {2}. Use one of these labels."
)
_INTERSECTION_SPEC = (
    "Each entry of `intersections` must be a tuple of two or more group column names, "
    "e.g. ('sex', 'fsm'); got {0!r}."
)
_EMPTY_FRAME = "frame has no rows; there is nothing to audit. Check the filter that built it."
_CONTROL_SPEC = (
    "`controls` must be a column name or a list of column names (e.g. ['school']); got {0!r}."
)
_UNKNOWN_CONTROL = (
    "breakdown({0!r}): no such control. Controls in this report: {1}. "
    "Pass controls=[...] to audit() to add one."
)

# --- notes shown in the `note` column ------------------------------------------
NOTE_SUPPRESSED = (
    "suppressed: fewer than {0} pupils, or needed to stop a suppressed cell being recovered"
)
NOTE_EMPTY = "no pupils in this group"
NOTE_FLAG_HIDDEN = "flag counts and rates hidden: a count between 1 and {0}"
NOTE_OUTCOME_HIDDEN = "outcome counts and rates hidden: a count between 1 and {0}"
NOTE_REFERENCE = "reference group"
NOTE_NO_FLAGS = "no pupils flagged: ratio interval undefined"
NOTE_REF_NO_FLAGS = "reference group has no flags: flag ratios undefined"
NOTE_NO_POSITIVES = "no outcome positives: tpr, fnr, auc undefined"
NOTE_NO_NEGATIVES = "no outcome negatives: fpr, auc undefined"
NOTE_REF_NO_POSITIVES = "reference group has no outcome positives: base ratio undefined"
NOTE_ZERO_BASE = "outcome rate is zero: amplification undefined"
NOTE_PARTIAL_BOOT = "interval from {0} of {1} resamples (others undefined)"
NOTE_REF_ABSENT = "reference group absent or hidden here: ratios undefined"
_NESTED_SPEC = (
    "Each entry of `nested` must be a pair (fine, coarse) of audited group names, e.g. "
    "{{'ethnicity': 'ethnicity_major'}} or [('ethnicity', 'ethnicity_major')]; got {0!r}."
)
_NESTED_UNKNOWN = (
    "`nested` names {0!r}, which is not among the audited groups {1}. Add it to `groups` "
    "or correct the name."
)
_NESTED_NOT = (
    "`nested` declares that {0!r} lies within {1!r}, but in the data some {0} group "
    "appears under more than one {1} group. Fix the mapping (each {0} value must belong "
    "to one {1} value) or drop the declaration; nesting found in the data is used anyway."
)
_REFERENCE_RULE = (
    "`reference` must be 'largest', 'lowest', 'cohort' or a dict {{attribute: group}}; got "
    "{0!r}. 'largest' compares with each attribute's largest group, 'lowest' with its "
    "group of lowest flag rate, 'cohort' with the whole cohort."
)
_BAND = (
    "`band` must be a pair (low, high) with 0 < low < 1 < high, e.g. (0.8, 1.25); got {0!r}."
)
_UNIT = (
    "`unit` must be a non-empty plural noun for what the rows are (e.g. 'pupils', "
    "'defendants', 'students'); got {0!r}."
)
_RECENT_TYPE = (
    "`recent` must be a pandas DataFrame of the recent cohort, with the same group columns "
    "as `frame` and an outcome column named by `recent_outcome`; got {0}."
)
_RECENT_OUTCOME = (
    "`recent` was given without `recent_outcome`: name the column of `recent` that holds "
    "the outcome (0/1), e.g. recent_outcome='outcome'."
)
_RECENT_GROUPS = (
    "The recent cohort has no column {0!r} (an audited group). Build `recent` with the same "
    "group columns as `frame`; intersections are rebuilt from them."
)
_TESTS = (
    "`tests` names {0!r}, which is not a ratio this audit can test. Choose from {1}."
)
_SYMBOLS = (
    "`symbols` must be True or False; got {0!r}. Pass symbols=True to write the government "
    "statistics symbols (c, low, z) in place of blank cells."
)

# --- notes added for the linked suppression and the new columns ----------------------
NOTE_POOLED = (
    "fewer than {0} pupils have no recorded value: they are counted with {1!r} (so that "
    "hiding them does not force hiding a real group); no counts shown here"
)
NOTE_POOLED_INTO = "includes the pupils whose {0} is not recorded (fewer than {1})"
NOTE_ERRORS_HIDDEN = (
    "error rates hidden: one of the counts behind them (flagged or not, with or without "
    "the outcome) is between 1 and {0}, or could be derived from other tables"
)
NOTE_OVERALL_HIDDEN = (
    "ratio to the unit's overall rate hidden: the unit's total is protected"
)
NOTE_RECENT_HIDDEN = (
    "recent outcome ratio hidden: the recent cohort's count for this group or its "
    "reference is between 1 and {0}, or needed to protect one"
)
NOTE_RECENT_ABSENT = "no pupils of this group in the recent cohort"
NOTE_LOW = "ratio shown but the group has fewer than {0} outcomes: treat with caution"
_COVARIATES = (
    "`covariates` must be a list of column names of frame, e.g. ['sen', 'fsm', 'sex', "
    "'year_group']; got {0!r}."
)
NOTE_ADJ_SEPARATION = (
    "not estimable: every pupil of this group, or none, has the outcome (separation); "
    "the group is left out of the model"
)
NOTE_ADJ_UNSTABLE = (
    "not estimable: the model cannot separate this group's effect from the covariates "
    "(a very large or unstable coefficient)"
)
NOTE_ADJ_NO_VARIATION = "not estimable: the outcome does not vary among the pupils left"
NOTE_ADJ_NO_CONTRAST = (
    "not estimable: the pupils left (after setting aside groups and levels whose outcome "
    "never varies) do not compare the groups, e.g. all are in one group")
NOTE_ADJ_HIDDEN = "counts hidden: a count (or a difference from the main table) from 1 to {0}"
NOTE_ADJ_ALIASED = "left out of this model as they duplicate the groups: {0}"
NOTE_ADJ_DROPPED = (
    "{0} covariate level(s) where the outcome never varies were left out (their pupils "
    "are not in n)"
)
_METRICS = (
    "`metrics` must be a function f(y_true, y_pred) or a dict of name -> function, e.g. "
    "{{'recall': sklearn.metrics.recall_score}}; got {0!r}."
)

# --- why a cell of the HTML report is blank (one plain sentence each) ---------------
WHY_NO_OUTCOME = "No outcome was given to the audit, so outcome-based figures do not apply."
WHY_NO_SCORE = "No score was given to the audit, so mean scores and AUCs do not apply."
WHY_NO_RECENT = (
    "No recent cohort was given, so flags are not compared with recent outcomes here."
)
WHY_NO_BOOT = "The audit ran without a bootstrap (n_boot=0), so no intervals were computed."
WHY_HIDDEN = (
    "Hidden to protect small numbers: shown, it would give (alone or with other figures in "
    "this report) a count between 1 and {0}."
)
WHY_REFERENCE = "This is the reference group: it is compared with itself, so there is no interval."
WHY_UNDEFINED = (
    "Undefined: the rate needs pupils (or outcomes, or flags) that this group or its "
    "reference does not have, or the interval would be degenerate."
)
WHY_NOT_TESTED = "Not tested: only the ratios listed in the method are tested."
WHY_CONC = (
    "Hidden: with the breakdown by unit this figure could give a unit's small count (or "
    "tell a hidden count from zero)."
)
