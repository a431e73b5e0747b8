"""What the console asks of the roster. User IDs are compared without regard to case."""

from .models import Enrollment, Role, Section, normalise_user_id


def sections_taught_by(user_id: str) -> list[Section]:
    """The sections where the person is enrolled as a teacher (with their school), by title."""
    return list(Section.objects.filter(enrollments__user_id=normalise_user_id(user_id),
                                       enrollments__role=Role.TEACHER).select_related("school").distinct())


def students_of(section: Section) -> list[str]:
    """The user IDs enrolled as students in the section, sorted."""
    return list(Enrollment.objects.filter(section=section, role=Role.STUDENT)
                .order_by("user_id").values_list("user_id", flat=True))


def teaches(teacher_user_id: str, student_user_id: str) -> bool:
    """Whether the student is enrolled as a student in a section where the teacher is enrolled
    as a teacher. Other staff in a class (administrator, proctor, aide) teach nobody."""
    return Enrollment.objects.filter(
        role=Role.STUDENT, user_id=normalise_user_id(student_user_id),
        section__enrollments__role=Role.TEACHER, section__enrollments__user_id=normalise_user_id(teacher_user_id),
    ).exists()


def is_roster_staff(user_id: str) -> bool:
    """Whether the person is enrolled anywhere as a teacher or other staff."""
    return Enrollment.objects.filter(user_id=normalise_user_id(user_id), role__in=[Role.TEACHER, Role.STAFF]).exists()
