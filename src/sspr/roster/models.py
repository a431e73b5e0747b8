"""The roster as last imported: schools, sections (OneRoster's classes) and enrolments.

Replaced whole by every import (`importer.replace_roster`), so nothing else may point at these
rows: keep a section's `sourced_id`, never its primary key."""

from django.db import models
from django.utils.translation import gettext_lazy as _


def normalise_user_id(user_id: str) -> str:
    return user_id.strip().lower()


class School(models.Model):
    """A OneRoster org that a section belongs to (usually of type "school")."""

    sourced_id = models.CharField(max_length=255, unique=True)
    name = models.CharField(max_length=255)

    class Meta:
        ordering = ["name", "sourced_id"]

    def __str__(self):
        return self.name


class Section(models.Model):
    """A OneRoster class: one group of students with its teachers."""

    sourced_id = models.CharField(max_length=255, unique=True)
    title = models.CharField(max_length=255)
    class_code = models.CharField(max_length=255, blank=True)
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="sections")
    # As the bundle gives them, comma-separated: "1,2" or "09,10".
    periods = models.CharField(max_length=255, blank=True)
    grades = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["title", "class_code", "sourced_id"]

    def __str__(self):
        return f"{self.title} ({self.class_code})" if self.class_code else self.title


class Role(models.TextChoices):
    TEACHER = "teacher", _("Teacher")
    STUDENT = "student", _("Student")
    # OneRoster's administrator, proctor and aide: adults in the class who are not its teacher.
    # They count as staff (is_roster_staff) but teach nobody (teaches, sections_taught_by).
    STAFF = "staff", _("Other staff")


class Enrollment(models.Model):
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="enrollments")
    # The portal user ID the roster's person was matched to, lowercased.
    user_id = models.CharField(max_length=254)
    role = models.CharField(max_length=10, choices=Role.choices)
    primary = models.BooleanField(default=False)

    class Meta:
        ordering = ["section", "role", "user_id"]
        constraints = [models.UniqueConstraint(fields=["section", "user_id", "role"], name="roster_one_enrollment")]
        indexes = [models.Index(fields=["user_id", "role"], name="roster_user_role")]

    def __str__(self):
        return f"{self.user_id} ({self.role}) in {self.section_id}"
