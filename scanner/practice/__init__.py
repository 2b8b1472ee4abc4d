"""How releases actually happened: the clouds' own deployment records.

Configuration shows what a team can do; the records show what it does. With
`--history DAYS`, a provider reads each unit's deployment records (the kinds'
`history` readers) and hands them over on the Observation as a `History`
(records.py). The core then derives the unit's practice (derive.py, into
practice.py's `Practice`): releases per week, failure and rollback rates,
when releases happen, and whether they keep to a maintenance window
(windows.py), and applies it to the verdict (effect.py): practice never
raises a level, a windowed unit is capped at 2, a level-5 unit whose
automatic rollbacks worked is confirmed.

Providers never decide any of this: they only report records, what the
records cover, and windows the configuration declares.
"""
