"""Small OneRoster 1.1 CSV bundles for the tests, written as a folder or a zip archive, with the
full 1.1 headers (every column, most left empty, as real exports do)."""

import csv
import io
import zipfile
from pathlib import Path

HEADERS = {
    "manifest.csv": "propertyName,value",
    "orgs.csv": "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId",
    "users.csv": "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,"
                 "familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password",
    "classes.csv": "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,"
                   "schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods",
    "enrollments.csv": "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,"
                       "beginDate,endDate",
}


def org(sourced_id, name, **fields):
    return {"sourcedId": sourced_id, "name": name, "type": "school", **fields}


def user(sourced_id, username, role="student", email="", enabled="true", **fields):
    return {"sourcedId": sourced_id, "enabledUser": enabled, "orgSourcedIds": "lhs", "role": role,
            "username": username, "givenName": username.split("@")[0], "familyName": "X", "email": email, **fields}


def section(sourced_id, title, school="lhs", **fields):
    return {"sourcedId": sourced_id, "title": title, "courseSourcedId": "course-1", "classType": "scheduled",
            "schoolSourcedId": school, "termSourcedIds": "term-1", **fields}


def enrol(sourced_id, class_id, user_id, role="student", **fields):
    return {"sourcedId": sourced_id, "classSourcedId": class_id, "schoolSourcedId": "lhs", "userSourcedId": user_id,
            "role": role, **fields}


def text(name, rows) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEADERS[name].split(","), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


class Bundle:
    def __init__(self, **files):
        # users=[...] for users.csv; a str is the file's whole text, as it is.
        self.files = {f"{name}.csv": rows for name, rows in files.items()}

    def contents(self) -> dict[str, str]:
        return {name: rows if isinstance(rows, str) else text(name, rows) for name, rows in self.files.items()}

    def folder(self, path: Path) -> Path:
        path.mkdir(parents=True, exist_ok=True)
        for name, content in self.contents().items():
            (path / name).write_text(content, encoding="utf-8")
        return path

    def zip(self, path: Path, folder: str = "", extra: dict[str, str] | None = None) -> Path:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, content in self.contents().items():
                archive.writestr(folder + name, content)
            for name, content in (extra or {}).items():
                archive.writestr(name, content)
        return path


def good_bundle(**changes) -> Bundle:
    """Two schools, three sections; teachers and students matched by username, by username in a
    configured domain and by email; someone without an account; rows that are left out."""
    files = {
        "orgs": [org("lhs", "Lincoln High School"), org("rms", "Roosevelt Middle School"),
                 org("old", "Closed School", status="tobedeleted")],
        "users": [
            user("t1", "ana.torres", role="teacher"),                                  # + @district.example
            user("t2", "jokafor@district.example", role="teacher"),                    # as it is
            user("a1", "david.cohen", role="aide"),
            user("s1", "csmith1234"),                                                  # + @student.district.example
            user("s2", "100234", email="MGarcia2201@student.district.example"),        # by email
            user("s3", "pwalker1190"),                                                 # no account
            user("s4", "nrossi1057", enabled="false"),
            user("s5", "kwhite1166", status="tobedeleted"),
        ],
        "classes": [
            section("c1", "Algebra II", classCode="ALG2-02", periods="2", grades="10,11"),
            section("c2", "Biology"),
            section("c3", "Science 7", school="rms"),
            section("c4", "Latin", school="old"),
        ],
        "enrollments": [
            enrol("e1", "c1", "t1", "teacher", primary="true"),
            enrol("e2", "c1", "s1"),
            enrol("e3", "c1", "s2"),
            enrol("e4", "c1", "s3"),
            enrol("e5", "c2", "t2", "teacher"),
            enrol("e6", "c2", "s2"),
            enrol("e7", "c2", "s1", status="tobedeleted"),
            enrol("e8", "c2", "s4"),
            enrol("e9", "c2", "s5"),
            enrol("e10", "c2", "a1", "aide"),
            enrol("e11", "c4", "s1"),
        ],
    }
    files.update(changes)
    return Bundle(**files)
