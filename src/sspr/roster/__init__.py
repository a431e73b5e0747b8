"""Rosters: the schools, sections and enrolments of a OneRoster 1.1 CSV bundle, matched to portal
user IDs (`importer.py`, behind `sspr roster import`), the questions the console asks of them
(`queries.py`), and the class sign-in sheet (`sheet.py`).

Domain code: nothing here takes a request, and nothing here asks the directory itself; the
importer is handed the look-up to use (`sspr.services.people.find`)."""
