"""Marketing's upkeep of the asset library: add and edit an asset, record the customer's approval, review,
retire and restore. Each form calls one service write and reports back through ui.writes."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from core import asset_files as file_rules
from core import assets
from core import vocabulary as v
from db import asset_files, service
from db.service import Actor
from db.service.assets import MAX_QUOTE_LENGTH, MAX_SUMMARY_LENGTH, MAX_URL_LENGTH
from ui import data, pickers, text
from ui.writes import attempt, show_stale

APPROVAL_LABELS = {"pending": "Pending", "approved": "Approved", "rejected": "Rejected"}
UPLOAD_TYPES = sorted({extension.lstrip(".") for kind in file_rules.KINDS for extension in kind.extensions})
UPLOAD_HELP = (
    f"{file_rules.ALLOWED}, at most {file_rules.MAX_FILE_BYTES // 2**20} MB. Checked by its content; "
    "shown only to people logged in."
)
# How far ahead "Reviewed, still good" moves the review-by date unless changed.
NEXT_REVIEW_DAYS = 365


def _day(value: object) -> dt.date | None:
    return None if pd.isna(value) else pd.Timestamp(value).date()


def download(asset_id: int, asset: pd.Series) -> None:
    """The asset's uploaded file as a download, read on the server when clicked: never a static URL."""
    if pd.isna(asset.get("file_key")):
        return
    key = asset["file_key"]
    st.download_button(
        f"Download {asset['file_name']}",
        lambda: asset_files.read(key),
        file_name=asset["file_name"],
        mime=asset["file_type"],
        on_click="ignore",
        key=f"asset_file_{asset_id}",
        icon=":material/download:",
    )


def _customer(key: str, current: int | None) -> int | None:
    """The featured customer, chosen outside the form so that its contacts can be offered inside it."""
    names = data.account_names()["name"].sort_values()
    return pickers.pick("Customer", names, f"{key}_customer", "customer", current, nothing="No customer")


def _now(current: pd.Series | None, field: str, default: object = None) -> object:
    """The edited asset's value of field, or default when adding or when the asset has none."""
    return default if current is None or pd.isna(current[field]) else current[field]


def _draft_fields(key: str, account_id: int | None, current: pd.Series | None) -> service.AssetDraft:
    """The add or edit form's fields, filled with current (an asset of the library) when editing."""
    asset_type, title, summary, quote = _content_fields(key, current)
    contact_id = _contact_field(key, account_id, current)
    industries, products, size, region = _audience_fields(key, current)
    left, right = st.columns(2)
    published_on = left.date_input(
        "Published on",
        value=_day(_now(current, "published_on")),
        max_value=dt.date.today(),
        key=f"{key}_published",
    )
    review_by = right.date_input("Review by", value=_day(_now(current, "review_by")), key=f"{key}_review_by")
    url = st.text_input("Link", value=_now(current, "url", ""), max_chars=MAX_URL_LENGTH, key=f"{key}_url")
    return service.AssetDraft(
        asset_type=asset_type,
        title=title,
        company_size=size,
        region=region,
        industries=tuple(industries),
        products=tuple(products),
        summary=summary,
        quote=quote,
        account_id=None if account_id is None else int(account_id),
        contact_id=None if contact_id is None else int(contact_id),
        url=url,
        published_on=published_on,
        review_by=review_by,
    )


def _content_fields(key: str, current: pd.Series | None) -> tuple[str, str, str, str]:
    """Type, title, summary and quote."""
    left, right = st.columns([1, 2])
    asset_type = left.selectbox(
        "Type",
        v.ASSET_TYPES,
        index=v.ASSET_TYPES.index(_now(current, "asset_type", v.ASSET_TYPES[0])),
        format_func=assets.TYPE_LABELS.get,
        key=f"{key}_type",
    )
    title = right.text_input("Title", value=_now(current, "title", ""), max_chars=200, key=f"{key}_title")
    summary = st.text_area(
        "Summary", value=_now(current, "summary", ""), max_chars=MAX_SUMMARY_LENGTH, key=f"{key}_summary"
    )
    quote = st.text_area(
        "Quote", value=_now(current, "quote", ""), max_chars=MAX_QUOTE_LENGTH, key=f"{key}_quote", height=80
    )
    return asset_type, title, summary, quote


def _contact_field(key: str, account_id: int | None, current: pd.Series | None) -> int | None:
    """The featured contact among the chosen customer's contacts, or None for nobody."""
    contacts = data.contacts_of(account_id) if account_id is not None else pd.DataFrame(columns=["name"])
    contact_options = [None, *contacts.index]
    current_contact = _now(current, "contact_id")
    return st.selectbox(
        "Featured contact",
        contact_options,
        index=contact_options.index(current_contact) if current_contact in contact_options else 0,
        format_func=lambda contact: "Nobody" if contact is None else contacts.at[contact, "name"],
        key=f"{key}_contact",
    )


def _audience_fields(key: str, current: pd.Series | None) -> tuple[list[str], list[str], str, str]:
    """Industries, products, company size and region."""
    left, right = st.columns(2)
    industries = left.multiselect(
        "Industries",
        v.INDUSTRIES,
        default=[i for i in _now(current, "industries", "").split(", ") if i in v.INDUSTRIES],
        key=f"{key}_industries",
    )
    products = right.multiselect(
        "Products",
        v.PRODUCTS,
        default=[p for p in _now(current, "products", "").split(", ") if p in v.PRODUCTS],
        key=f"{key}_products",
    )
    left, right = st.columns(2)
    size = left.selectbox(
        "Company size",
        v.SEGMENTS,
        index=v.SEGMENTS.index(_now(current, "company_size", v.SEGMENTS[0])),
        key=f"{key}_size",
    )
    region = right.selectbox(
        "Region", v.REGIONS, index=v.REGIONS.index(_now(current, "region", v.REGIONS[0])), key=f"{key}_region"
    )
    return industries, products, size, region


def _upload(key: str) -> service.Upload | None:
    uploaded = st.file_uploader(
        "File (instead of or beside the link)",
        type=UPLOAD_TYPES,
        help=UPLOAD_HELP,
        max_upload_size=file_rules.MAX_FILE_BYTES // 2**20,
        key=key,
    )
    return None if uploaded is None else service.Upload(uploaded.name, uploaded.getvalue())


def add_asset(actor: Actor) -> None:
    """A new asset with a link or an uploaded file; it awaits the customer's approval. Drawn once opened."""
    box = st.expander("Add asset", icon=":material/add:", key="add_asset_open", on_change="rerun")
    if not box.open:
        return
    with box:
        account_id = _customer("add_asset", None)
        with st.form("add_asset", clear_on_submit=True):
            draft = _draft_fields("add_asset", account_id, None)
            upload = _upload("add_asset_file")
            if st.form_submit_button("Add asset"):
                attempt(
                    lambda: service.create_asset(data.engine(), actor, draft, upload),
                    f"Added '{draft.title.strip()}'; it awaits the customer's approval.",
                )


def edit_asset(actor: Actor, library: pd.DataFrame) -> None:
    """Edit one asset of the library, record the customer's approval, or retire it. Drawn once opened."""
    box = st.expander("Edit an asset", icon=":material/edit:", key="edit_asset_open", on_change="rerun")
    if not box.open:
        return
    with box:
        show_stale()
        asset_id = pickers.pick(
            "Asset to edit",
            library["title"].sort_values(),
            "edit_asset_choice",
            "asset",
            placeholder="Choose an asset to edit",
        )
        if asset_id is None:
            return
        asset = library.loc[asset_id]
        version = int(asset["version"])
        # The version in every key: after a save, or a refused stale one, the form starts from the database.
        key = f"edit_{asset_id}_{version}"
        account = asset["account_id"]
        account_id = _customer(key, None if pd.isna(account) else int(account))
        with st.form(f"{key}_form"):
            draft = _draft_fields(key, account_id, asset)
            upload = _upload(f"{key}_file")
            if st.form_submit_button("Save changes"):
                attempt(
                    lambda: service.edit_asset(data.engine(), actor, int(asset_id), version, draft, upload),
                    f"Saved '{draft.title.strip()}'.",
                )
        # A download button cannot sit inside a form.
        download(asset_id, asset)
        _approval(actor, int(asset_id), asset, key)
        if st.button("Retire this asset", key=f"{key}_retire", icon=":material/archive:"):
            attempt(
                lambda: service.retire_assets(data.engine(), actor, {int(asset_id): version}),
                f"Retired '{asset['title']}': it no longer shows in the library or in matching.",
            )


def _approval(actor: Actor, asset_id: int, asset: pd.Series, key: str) -> None:
    with st.form(f"{key}_approval"):
        st.markdown("**The customer's approval**")
        left, middle, right, last = st.columns(4)
        status = left.selectbox(
            "Approval",
            v.APPROVAL_STATUSES,
            index=v.APPROVAL_STATUSES.index(asset["approval_status"]),
            format_func=APPROVAL_LABELS.get,
            key=f"{key}_status",
        )
        approved_by = middle.text_input(
            "Approved by",
            value="" if pd.isna(asset["approved_by"]) else asset["approved_by"],
            max_chars=200,
            key=f"{key}_approved_by",
        )
        approved_on = right.date_input(
            "Approved on",
            value=_day(asset["approved_on"]) or dt.date.today(),
            max_value=dt.date.today(),
            key=f"{key}_approved_on",
        )
        until = last.date_input(
            "Holds until (empty: no end)", value=_day(asset["approval_until"]), key=f"{key}_until"
        )
        if st.form_submit_button("Record approval"):
            attempt(
                lambda: service.record_asset_approval(
                    data.engine(),
                    actor,
                    asset_id,
                    int(asset["version"]),
                    status=status,
                    approved_by=approved_by,
                    approved_on=approved_on,
                    approval_until=until,
                ),
                f"Recorded the customer's answer for '{asset['title']}': {APPROVAL_LABELS[status].lower()}.",
            )


def refresh_or_retire(actor: Actor, stale: pd.DataFrame) -> None:
    """Bulk actions on the stale list: 'Reviewed, still good' (a new review-by date) or retire."""
    if stale.empty:
        return
    chosen = pickers.pick_many("Stale assets", stale["title"], "stale_chosen", "stale asset")
    with st.form("stale_actions"):
        left, middle, right = st.columns([2, 1, 1], vertical_alignment="bottom")
        review_by = left.date_input(
            "Next review by",
            value=dt.date.today() + dt.timedelta(days=NEXT_REVIEW_DAYS),
            min_value=dt.date.today() + dt.timedelta(days=1),
            key="stale_review_by",
        )
        reviewed = middle.form_submit_button("Reviewed, still good", icon=":material/task_alt:")
        retire = right.form_submit_button("Retire", icon=":material/archive:")
    versions = {int(asset_id): int(stale.at[asset_id, "version"]) for asset_id in chosen}
    if reviewed:
        attempt(
            lambda: service.mark_assets_reviewed(data.engine(), actor, versions, review_by),
            lambda count: (
                f"Marked {count} asset{'s' if count != 1 else ''} reviewed until {review_by:%d %b %Y}."
            ),
        )
    if retire:
        attempt(
            lambda: service.retire_assets(data.engine(), actor, versions),
            lambda count: f"Retired {count} asset{'s' if count != 1 else ''}.",
        )


def retired(actor: Actor) -> None:
    """Retired assets, each with Restore; the list is drawn once opened."""
    gone = data.retired_assets()
    if gone.empty:
        return
    box = st.expander(
        f"Retired assets ({len(gone):,})", icon=":material/archive:", key="retired_open", on_change="rerun"
    )
    if not box.open:
        return
    with box:
        for asset_id, asset in gone.iterrows():
            left, right = st.columns([4, 1], vertical_alignment="center")
            left.markdown(
                text.literal(
                    f"{asset['title']} · {assets.TYPE_LABELS.get(asset['asset_type'], asset['asset_type'])} · "
                    f"retired {asset['retired_on']:%d %b %Y}"
                )
            )
            if right.button("Restore", key=f"restore_{asset_id}_{asset['version']}"):
                attempt(
                    lambda asset_id=asset_id, asset=asset: service.restore_asset(
                        data.engine(), actor, int(asset_id), int(asset["version"])
                    ),
                    f"Restored '{asset['title']}' to the library.",
                )
