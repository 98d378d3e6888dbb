"""The one door for writes: role check → validation → one transaction → version check → audit row → log line.

One module per feature; callers import from here: `from db import service`, `service.update_settings(...)`.
"""

from db.service.advocates import (
    issue_referral_code,
    log_outreach,
    move_stage,
    nominate,
    record_response,
    record_reward,
    record_thank_you,
)
from db.service.assets import (
    AssetDraft,
    Upload,
    create_asset,
    edit_asset,
    log_asset_use,
    mark_assets_reviewed,
    record_asset_approval,
    restore_asset,
    retire_assets,
)
from db.service.base import (
    MAX_NOTE_LENGTH,
    SESSION_ENDED,
    Actor,
    PermissionDenied,
    StaleEdit,
    ValidationError,
    audit,
    clean_text,
    now,
    write,
)
from db.service.digests import set_digest_frequency
from db.service.references import (
    assign_reference,
    complete_reference,
    create_reference_request,
    record_deal_outcome,
)
from db.service.sentiment import record_sentiment
from db.service.settings import RESCORING_SETTINGS, run_scoring, update_settings
from db.service.users import (
    MAX_EMAIL_LENGTH,
    MAX_NAME_LENGTH,
    change_role,
    create_user,
    hash_password,
    log_out,
    reset_password,
    set_user_disabled,
)

__all__ = [
    "MAX_EMAIL_LENGTH",
    "MAX_NAME_LENGTH",
    "MAX_NOTE_LENGTH",
    "RESCORING_SETTINGS",
    "SESSION_ENDED",
    "Actor",
    "AssetDraft",
    "PermissionDenied",
    "StaleEdit",
    "Upload",
    "ValidationError",
    "assign_reference",
    "audit",
    "change_role",
    "clean_text",
    "complete_reference",
    "create_asset",
    "create_reference_request",
    "create_user",
    "edit_asset",
    "hash_password",
    "issue_referral_code",
    "log_asset_use",
    "log_out",
    "log_outreach",
    "mark_assets_reviewed",
    "move_stage",
    "nominate",
    "now",
    "record_asset_approval",
    "record_deal_outcome",
    "record_response",
    "record_reward",
    "record_sentiment",
    "record_thank_you",
    "reset_password",
    "restore_asset",
    "retire_assets",
    "run_scoring",
    "set_digest_frequency",
    "set_user_disabled",
    "update_settings",
    "write",
]
