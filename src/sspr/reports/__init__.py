"""Reports for the console: registration coverage over the people the portal knows, activity over
time from the audit trail and the delivery queue, and the help desk's load. Plain figures here;
the console's pages (web/reports.py) draw them and services/reports.py scopes them to the reader."""
