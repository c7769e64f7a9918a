"""Extra sections of the tjänsteutlåtanden, configured by an admin."""

from sqlalchemy import func, select

from app.audit import AuditEntry
from app.extensions import db
from app.organisation.models import Municipality
from tests.factories import csrf_token
from workflows.models import ReportSectionDefinition
from workflows.operations import required_sections, section_titles


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(ReportSectionDefinition))


def test_admin_adds_a_required_section_that_reports_then_need(login_as):
    client = login_as("admin")
    page = client.get("/admin/avsnitt").get_data(as_text=True)
    assert "Barnrättsperspektiv" in page and "Beskrivning av ärendet" in page
    response = client.post(
        "/admin/avsnitt",
        data={
            "csrf_token": csrf_token(client, "/admin/avsnitt"),
            "title": "Jämställdhet ur ett § 5-perspektiv",
            "is_required": "y",
        },
    )
    assert response.status_code == 302
    municipality = db.session.scalar(select(Municipality))
    item = db.session.scalar(select(ReportSectionDefinition).where(ReportSectionDefinition.title.like("Jämställdhet%")))
    assert item.key == "jamstalldhet_ur_ett_5_perspektiv" and item.is_required
    titles = list(section_titles(municipality).values())
    assert titles[:3] == ["Sammanfattning", "Beskrivning av ärendet", "Förvaltningens synpunkter"]
    assert titles[-1] == "Jämställdhet ur ett § 5-perspektiv"
    assert required_sections(municipality)[item.key] == "Jämställdhet ur ett § 5-perspektiv"
    assert (
        db.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "report_section.added", AuditEntry.object_id == item.id)
        ).user.email
        == "admin@huddinge.example"
    )


def test_retiring_a_section_removes_it_from_new_reports(login_as):
    client = login_as("admin")
    item = db.session.scalar(
        select(ReportSectionDefinition).where(ReportSectionDefinition.title == "Barnrättsperspektiv")
    )
    url = f"/admin/avsnitt/{item.id}/andra"
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "title": "Barnrättsperspektiv"})
    assert response.status_code == 302
    db.session.refresh(item)
    assert not item.is_active and "Barnrättsperspektiv" not in section_titles(item.municipality).values()


def test_bad_sections_are_refused_and_nothing_is_stored(login_as):
    client = login_as("admin")
    before = _count()
    for title, message in [
        ("", "måste fyllas i"),
        ("Sammanfattning", "finns redan i alla"),
        ("barnrättsperspektiv", "finns redan"),
        ("x" * 101, "högst 100"),
    ]:
        response = client.post(
            "/admin/avsnitt", data={"csrf_token": csrf_token(client, "/admin/avsnitt"), "title": title}
        )
        assert response.status_code == 422, title
        assert message in response.get_data(as_text=True)
    assert _count() == before


def test_only_admins_configure_sections(login_as):
    client = login_as("registrator")
    assert client.get("/admin/avsnitt").status_code == 403
    assert (
        client.post("/admin/avsnitt", data={"csrf_token": csrf_token(client, "/profil"), "title": "X"}).status_code
        == 403
    )
