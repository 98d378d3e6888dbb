"""Reference requests and the library's writes and reads on SQLite and PostgreSQL."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from core import settings as settings_rules
from db import service
from db.models import AssetUsage, AuditLog, ReferenceRequest
from db.reads import accounts as account_reads
from db.reads import assets as asset_reads
from tests.db.factories import add_user, build_references

PAT, DEE = 1, 2


def actor(engine, role: str) -> service.Actor:
    return service.Actor(
        id=add_user(engine, f"user_{role}", role), username=f"user_{role}", name=role, role=role
    )


@pytest.fixture
def world(engine):
    build_references(engine)
    return {role: actor(engine, role) for role in ("sales", "marketing")}


def request(engine, who, **overrides) -> int:
    values = dict(
        prospect="Prospect X", industry="Retail", deal_size=80_000, deal_stage="proposal", kind="call"
    )
    return service.create_reference_request(engine, who, **{**values, **overrides})


def stored(engine, request_id: int) -> ReferenceRequest:
    with engine.connect() as conn:
        return conn.execute(select(ReferenceRequest).where(ReferenceRequest.id == request_id)).one()


def count(engine, model) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(model))


def test_a_request_is_needed_within_the_sla_and_fulfilled_by_a_reference_ready_advocate(engine, world):
    sales, marketing = world["sales"], world["marketing"]
    request_id = request(engine, sales)
    row = stored(engine, request_id)
    assert (row.status, row.requested_by) == ("open", sales.id)
    assert row.needed_by - row.requested_at == dt.timedelta(
        hours=settings_rules.DEFAULTS["reference_sla_hours"]
    )

    service.assign_reference(engine, marketing, request_id, row.version, advocate_id=1)
    row = stored(engine, request_id)
    assert (row.status, row.assigned_advocate_id) == ("assigned", 1)
    service.complete_reference(engine, marketing, request_id, row.version, "done")
    service.record_deal_outcome(engine, sales, request_id, stored(engine, request_id).version, "won", 90_000)
    row = stored(engine, request_id)
    assert (row.status, row.outcome, row.won_amount) == ("done", "won", 90_000)
    deals = asset_reads.advocate_deals(engine)
    assert deals.loc[1].to_dict() == {"uses": 1, "won": 1, "lost": 0, "won_amount": 90_000}
    with engine.connect() as conn:
        actions = list(conn.scalars(select(AuditLog.action).order_by(AuditLog.id)))
    assert actions == [
        "create_reference_request",
        "assign_reference",
        "complete_reference",
        "record_deal_outcome",
    ]


def test_fatigue_is_enforced_on_assignment(engine, world):
    sales, marketing = world["sales"], world["marketing"]
    first = request(engine, sales, prospect="First")
    service.assign_reference(engine, marketing, first, stored(engine, first).version, advocate_id=1)
    second = request(engine, sales, prospect="Second")
    with pytest.raises(service.ValidationError) as refused:
        service.assign_reference(engine, marketing, second, stored(engine, second).version, advocate_id=1)
    # One activity today: the 30-day cool-down runs until today + 30.
    until = service.now().date() + dt.timedelta(days=30)
    assert str(refused.value) == (
        f"Pat cannot take this reference: fatigued: cool-down of 30 days after {service.now().date():%d %b %Y}; "
        f"available again on {until:%d %b %Y}."
    )
    assert stored(engine, second).status == "open"


def test_only_reference_ready_and_eligible_advocates_and_approved_assets_are_assigned(engine, world):
    sales, marketing = world["sales"], world["marketing"]
    request_id = request(engine, sales)
    version = stored(engine, request_id).version
    # Dee only agreed, and her latest NPS is 3.
    with pytest.raises(service.ValidationError, match=r"not reference-ready \(stage: agreed\); latest NPS 3"):
        service.assign_reference(engine, marketing, request_id, version, advocate_id=2)
    with pytest.raises(
        service.ValidationError, match=r"'Draft video' is not approved by the customer \(pending\)"
    ):
        service.assign_reference(engine, marketing, request_id, version, asset_id=2)
    with pytest.raises(service.ValidationError, match="Assign either one advocate or one asset"):
        service.assign_reference(engine, marketing, request_id, version, advocate_id=1, asset_id=1)
    service.assign_reference(engine, marketing, request_id, version, asset_id=1)
    with pytest.raises(service.ValidationError, match="Someone changed the request for Prospect X"):
        service.assign_reference(engine, marketing, request_id, version, asset_id=1)


def test_a_done_asset_request_counts_as_a_use_with_its_outcome(engine, world):
    sales, marketing = world["sales"], world["marketing"]
    request_id = request(engine, sales, kind="asset")
    service.assign_reference(engine, marketing, request_id, stored(engine, request_id).version, asset_id=1)
    service.complete_reference(engine, marketing, request_id, stored(engine, request_id).version, "done")
    service.log_asset_use(engine, sales, 1, "Prospect Y", "lost", 20_000)
    service.record_deal_outcome(engine, sales, request_id, stored(engine, request_id).version, "won", 75_000)
    deals = asset_reads.asset_deals(engine)
    assert deals.loc[1].to_dict() == {"uses": 2, "won": 1, "lost": 1, "won_amount": 75_000}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"prospect": "  "}, "Prospect: required."),
        ({"kind": "lunch"}, "Kind 'lunch' is not one of call, visit, webinar, asset."),
        ({"deal_size": -1}, "Deal size -1.00: must be between 0 and 1,000,000,000."),
        ({"deal_size": None}, "Deal size: required."),
        ({"region": "Mars"}, "Region 'Mars' is not one of North America, EMEA, APAC, LATAM."),
        ({"needed_by": dt.datetime(2020, 1, 1)}, "Needed by 01 Jan 2020 00:00 is not in the future."),
    ],
)
def test_bad_requests_name_the_field_and_store_nothing(engine, world, overrides, message):
    before = count(engine, ReferenceRequest)
    with pytest.raises(service.ValidationError) as refused:
        request(engine, world["sales"], **overrides)
    assert str(refused.value) == message
    assert (count(engine, ReferenceRequest), count(engine, AuditLog)) == (before, 0)


def test_sales_cannot_assign_and_nobody_logs_an_unapproved_asset(engine, world):
    sales = world["sales"]
    request_id = request(engine, sales)
    with pytest.raises(service.PermissionDenied):
        service.assign_reference(engine, sales, request_id, stored(engine, request_id).version, asset_id=1)
    with pytest.raises(service.ValidationError, match="not approved"):
        service.log_asset_use(engine, sales, 2, "Prospect Z")
    assert count(engine, AssetUsage) == 0


def test_library_reads_tags_and_the_featured_customers_state(engine, world):
    tags = asset_reads.tags(engine)
    library = asset_reads.library(engine, dt.date(2026, 11, 25), None, tags)
    assert library.loc[1, "industries"] == "Apparel, Retail"
    assert library.loc[1, "products"] == "Analytics"
    assert library.loc[2, "products"] == ""
    assert not library.loc[1, "account_churned"] and not library.loc[1, "contact_left"]
    customers = account_reads.customers_by_industry(engine, dt.date(2026, 11, 25)).set_index("industry")
    assert customers["customers"].to_dict() == {"Retail": 2}  # account 3 churned
