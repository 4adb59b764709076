"""Problem and warning texts of the input contract (tests match on these constants).

Each problem row carries one of these texts in ``problem`` and a matching hint in
``fix``. Texts are formatted with ``str.format``; keep the placeholders stable.
"""

# ----------------------------------------------------------------------- problems (errors)
MISSING_TABLE = "required table '{table}' is missing"
MISSING_TABLE_FIX = "Add {table}.csv (or {table}.parquet) with columns {columns}."
MISSING_COLUMN = "required column '{column}' is missing"
MISSING_COLUMN_FIX = "Add the column (or rename yours to '{column}'); columns found: {found}."
DUPLICATE_COLUMN = "column '{column}' appears more than once"
DUPLICATE_COLUMN_FIX = "Keep one column of each name (names are compared without spaces)."
EMPTY_VALUE = "empty required value"
EMPTY_VALUE_FIX = "Fill in the value, or remove the row if it is not a real record."
BAD_DATE = "not a date (expected YYYY-MM-DD or DD/MM/YYYY)"
BAD_DATE_FIX = "Write the date as YYYY-MM-DD (or DD/MM/YYYY)."
MIXED_DATE_FORMAT = "date not in this column's format ({fmt})"
MIXED_DATE_FORMAT_FIX = ("Use one date format per column; most values in this column are "
                         "{fmt}.")
IMPOSSIBLE_DATE = "impossible date (no such day)"
IMPOSSIBLE_DATE_FIX = ("Check day and month (slash dates are read day first, DD/MM/YYYY; "
                       "a US MM/DD export must be converted).")
DATE_OUT_OF_RANGE = "date outside the supported range (years 1678 to 2261)"
DATE_OUT_OF_RANGE_FIX = "Check the year; it is probably mistyped."
DATE_TOO_EARLY = "date before {earliest}"
DATE_TOO_EARLY_FIX = "Check the year; dates before {earliest} are not plausible here."
FUTURE_DATE = "date after the extract date ({extract})"
FUTURE_DATE_FIX = "Check the year, or pass the right extract_date."
END_BEFORE_START = "'{end}' is before '{start}'"
END_BEFORE_START_FIX = "Swap or correct the two dates."
NOT_A_NUMBER = "not a number"
NOT_A_NUMBER_FIX = "Write a whole number of sessions, e.g. 12."
NEGATIVE_COUNT = "negative count"
NEGATIVE_COUNT_FIX = "Counts of sessions are >= 0; check the sign."
ABSENCE_EXCEEDS_POSSIBLE = "authorised + unauthorised absence exceeds possible sessions"
ABSENCE_EXCEEDS_POSSIBLE_FIX = ("Check the three counts: absence sessions are part of the "
                                "possible sessions.")
DUPLICATE_PUPIL = "upn appears more than once in pupils"
DUPLICATE_PUPIL_FIX = "Keep one row per pupil (merge or remove the duplicates)."
DUPLICATE_ROW = "exact duplicate of an earlier row"
DUPLICATE_ROW_FIX = "Remove the duplicated row."
SESSION_MARKED_TWICE = "session has more than one mark"
SESSION_MARKED_TWICE_FIX = "Keep one mark per pupil, date and session (AM/PM)."
UNKNOWN_CODE = "unknown {what} code"
UNKNOWN_CODE_FIX = "Use one of: {allowed}."
UNKNOWN_PUPIL = "upn not found in pupils"
UNKNOWN_PUPIL_FIX = "Add the pupil to pupils, or remove rows for pupils not in the extract."
UNREADABLE_FILE = "file cannot be read: {error}"
UNREADABLE_FILE_FIX = "Save the table as UTF-8 CSV with a header row, or as Parquet."
NOT_UTF8 = "file is not UTF-8 text: {error}"
NOT_UTF8_FIX = ("Save the file as UTF-8 (in Excel: Save As, 'CSV UTF-8'); the row given is "
                "the data row of the first character that cannot be read.")
MISSING_SUSPENSIONS_FIX = ("Add suspensions.csv with the header upn,start_date,category; it "
                           "may have no rows when there were no suspensions.")
EMPTY_FILE = "file is empty (not even a header row)"
EMPTY_FILE_FIX = "Write at least the header row: {columns} (a table may have no rows)."
NOT_WHOLE_COUNT = "not a whole number of sessions"
NOT_WHOLE_COUNT_FIX = "Session counts are whole numbers (half a day is one session)."
NOT_FINITE = "not a finite number"
NOT_FINITE_FIX = "Write a number of sessions, e.g. 12 (inf and NaN are not counts)."
NOT_A_CELL = "not a single value ({kind})"
NOT_A_CELL_FIX = ("Each cell holds one text, number or date; a list, set, dict or undecodable "
                  "bytes cannot be read. Store one value per cell.")
TWO_FILES = "both {table}.csv and {table}.parquet are present"
TWO_FILES_FIX = "Keep only one file per table."

# ----------------------------------------------------------------------- warnings
BAD_UPN_CHECK = "UPN check letter is wrong"
BAD_UPN_CHECK_FIX = "Check the UPN against the MIS; it may be mistyped."
IMPLAUSIBLE_SESSIONS = "implausible number of possible sessions for the period"
IMPLAUSIBLE_SESSIONS_FIX = ("A period has at most 2 sessions per weekday; check the counts "
                            "and the period dates.")
OVERLAPPING_ENROLMENT = "enrolment overlaps an enrolment at another school"
OVERLAPPING_ENROLMENT_FIX = ("Fine for dual registration; otherwise correct the leaving "
                             "date of the earlier enrolment.")
PROVISION_N_SET_ASIDE = "{n} row(s) with provision N (no special provision) set aside"
PROVISION_N_SET_ASIDE_FIX = "Nothing to do; N means no SEN, so these rows are not spells."
UNKNOWN_ETHNICITY = "unknown ethnicity code"
UNKNOWN_ETHNICITY_FIX = ("Use a census main code (e.g. WBRI, BCRB, REFU); the value is kept "
                         "but has no major group.")
UNKNOWN_PHASE = "unknown phase"
UNKNOWN_PHASE_FIX = "Use one of: primary, middle, secondary, all-through, special, ap."

#: Problem texts that are warnings, not errors.
WARNING_TEXTS = (BAD_UPN_CHECK, IMPLAUSIBLE_SESSIONS, OVERLAPPING_ENROLMENT,
                 PROVISION_N_SET_ASIDE, UNKNOWN_ETHNICITY, UNKNOWN_PHASE)
