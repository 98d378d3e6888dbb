"""Mapping and validating import files, on small hand-made files (reading: test_import_reading.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from core import imports

ACCOUNTS = {"accounts": pd.Series([11, 12], index=["ACC-1", "ACC-2"])}
USAGE_HEADER = "account,week_start,active_users,logins,key_feature_events,seats_used\n"


def check(
    text: str, entity: str, known: dict[str, pd.Series] | None = None, mapping=None
) -> imports.Validated:
    frame = imports.read_table(text.encode(), "file.csv")
    chosen = (mapping or (lambda columns: imports.auto_map(columns, entity)))(list(frame.columns))
    return imports.validate(frame, entity, chosen, known or ACCOUNTS)


def problems(validated: imports.Validated) -> list[tuple[int, str, str, str]]:
    return [tuple(row) for row in validated.problems.itertuples(index=False)]


# --- auto_map --------------------------------------------------------------------------------------


def test_auto_map_matches_names_labels_and_aliases_ignoring_case_spaces_underscores_hyphens():
    columns = ["ACCOUNT-ID", "week start", "Active_Users", "LOGINS", "key features", "Seats Used", "Notes"]
    assert imports.auto_map(columns, "usage").columns == {
        "ACCOUNT-ID": "account",
        "week start": "week_start",
        "Active_Users": "active_users",
        "LOGINS": "logins",
        "key features": "key_feature_events",
        "Seats Used": "seats_used",
        "Notes": None,
    }


def test_auto_map_gives_a_field_to_the_first_column_naming_it():
    assert imports.auto_map(["NPS", "Score", "Type"], "surveys").columns == {
        "NPS": "score",
        "Score": None,
        "Type": "kind",
    }


def test_unknown_entity_and_field_are_value_errors():
    with pytest.raises(ValueError, match="'widgets' is not one of accounts, contacts"):
        imports.auto_map(["a"], "widgets")
    frame = pd.DataFrame({"a": ["1"]})
    with pytest.raises(ValueError, match="'colour' is not a field of Weekly product usage"):
        imports.validate(frame, "usage", imports.Mapping({"a": "colour"}), ACCOUNTS)
    with pytest.raises(ValueError, match="no column 'b'"):
        imports.validate(frame, "usage", imports.Mapping({"b": "account"}), ACCOUNTS)


# --- validate: the kinds ---------------------------------------------------------------------------


def test_valid_usage_rows_are_typed_and_resolved():
    validated = check(USAGE_HEADER + "ACC-2, 2026-11-16 ,10,20,5,8\nACC-1,2026-11-23,0,0,0,0\n", "usage")
    assert validated.ok
    rows = validated.rows
    assert rows["row"].tolist() == [2, 3]
    assert rows["account"].tolist() == ["ACC-2", "ACC-1"]
    assert rows["account_id"].tolist() == [12, 11]
    assert rows["week_start"].tolist() == [pd.Timestamp("2026-11-16"), pd.Timestamp("2026-11-23")]
    assert rows["active_users"].tolist() == [10, 0]
    assert str(rows["logins"].dtype) == "Int64"


def test_whole_numbers():
    validated = check(
        USAGE_HEADER
        + "ACC-1,2026-11-16,ten,1.5,-1,1,234\n".replace("1,234", '"1,234"')
        + "ACC-1,2026-11-23,+3,99999999999,0,\n",
        "usage",
    )
    must = "must be a whole number from 0 to 2,147,483,647"
    assert problems(validated) == [
        (2, "active_users", "ten", f"Active users {must}"),
        (2, "logins", "1.5", "'1.5' is not a whole number"),
        (2, "key_feature_events", "-1", f"Key feature events {must}"),
        (2, "seats_used", "1,234", f"Seats used {must} (write 1234, without thousands separators)"),
        (3, "logins", "99999999999", f"Logins {must}"),
    ]
    assert validated.rows["active_users"].tolist()[1] == 3
    # A blank count is unknown, not zero and not a problem.
    assert validated.rows["seats_used"].isna().tolist() == [True, True]


def test_whole_numbers_written_with_a_decimal_point_are_whole():
    validated = check(USAGE_HEADER + "ACC-1,2026-11-16,4.0,12.00,0.0,\nACC-2,2026-11-16,,3,1,-0.0\n", "usage")
    assert validated.ok
    assert validated.rows["active_users"].tolist() == [4, pd.NA]
    assert validated.rows["logins"].tolist() == [12, 3]
    assert validated.rows["seats_used"].tolist() == [pd.NA, 0]


def test_numbers_are_rounded_to_cents_and_checked():
    validated = check(
        "account,churned_on,reason,arr_lost\n"
        "ACC-1,2026-01-01,budget,1234.567\n"
        'ACC-2,2026-01-01,budget,"12,500.50"\n',
        "churn",
    )
    assert validated.rows["arr_lost"].tolist()[0] == 1234.57
    assert problems(validated) == [
        (
            3,
            "arr_lost",
            "12,500.50",
            "ARR lost must be a number from 0 to 999,999,999,999.99 (write 1234.5, without thousands separators)",
        )
    ]


def test_negative_and_non_numbers():
    validated = check(
        "month,channel,amount\n2026-01-01,events,-5\n2026-02-01,events,1e3\n2026-03-01,events,.5\n", "spend"
    )
    assert [p[3] for p in problems(validated)] == ["Amount must be a number from 0 to 999,999,999,999.99"] * 2
    assert validated.rows["amount"].tolist()[2] == 0.5


def test_dates_are_iso_only():
    validated = check(
        "account,churned_on,reason,arr_lost\n"
        "ACC-1,2026-02-30,a,1\n"
        "ACC-2,03/04/2026,a,1\n"
        "ACC-3,1850-01-01,a,1\n",
        "churn",
        {"accounts": pd.Series([11, 12, 13], index=["ACC-1", "ACC-2", "ACC-3"])},
    )
    assert problems(validated) == [
        (2, "churned_on", "2026-02-30", "not a date (use YYYY-MM-DD)"),
        (3, "churned_on", "03/04/2026", "not a date (use YYYY-MM-DD)"),
        (4, "churned_on", "1850-01-01", "outside the years 1900 to 2099"),
    ]


def test_datetimes_and_booleans():
    validated = check(
        "external_id,account,opened_at,closed_at,severity,category,sla_breached,escalated\n"
        "T1,ACC-1,2026-05-01 09:30,2026-05-01T10:00:00,high,billing,Yes,n\n"
        "T2,ACC-1,2026-05-01,,LOW,complaint,1,\n"
        "T3,ACC-1,01/05/2026 09:30,,urgent,technical,maybe,0\n",
        "tickets",
    )
    assert problems(validated) == [
        (4, "opened_at", "01/05/2026 09:30", "not a date and time (use YYYY-MM-DD HH:MM:SS)"),
        (4, "sla_breached", "maybe", "'maybe' is not yes or no (use true/false, yes/no, 1/0 or y/n)"),
    ]
    rows = validated.rows
    assert rows["opened_at"].tolist()[:2] == [pd.Timestamp("2026-05-01 09:30"), pd.Timestamp("2026-05-01")]
    assert rows["closed_at"].tolist()[0] == pd.Timestamp("2026-05-01 10:00")
    assert rows["severity"].tolist()[:2] == ["high", "low"]
    assert rows["sla_breached"].tolist() == [True, True, False]
    assert rows["escalated"].tolist() == [False, False, False]


def test_choices_are_matched_case_insensitively_and_named_when_wrong():
    validated = check(
        "external_id,name,industry,segment,region,product,employees,arr,seats_purchased,customer_since,renewal_date\n"
        "A1,Acme,Retail,enterprise,emea,Analytics,10,100,5,2024-01-01,2027-01-01\n"
        "A2,Beta,Retail,platinum,EMEA,Analytics,10,100,5,2024-01-01,2027-01-01\n",
        "accounts",
        {"users": pd.Series(dtype="Int64")},
    )
    assert validated.rows["segment"].tolist()[0] == "Enterprise"
    assert validated.rows["region"].tolist()[0] == "EMEA"
    assert problems(validated) == [
        (3, "segment", "platinum", "'platinum' is not one of SMB, Mid-Market, Enterprise")
    ]


def test_unknown_references_and_optional_ones():
    validated = check(
        "external_id,account,contact,kind,score,responded_on\n"
        "S1,ACC-999,,nps,9,2026-01-01\n"
        "S2,ACC-1,C-7,nps,9,2026-01-01\n"
        "S3,ACC-2,C-1,nps,9,2026-01-01\n",
        "surveys",
        {**ACCOUNTS, "contacts": pd.Series([5], index=["C-1"])},
    )
    assert problems(validated) == [
        (2, "account", "ACC-999", "account 'ACC-999' does not exist"),
        (3, "contact", "C-7", "contact 'C-7' does not exist"),
    ]
    assert validated.rows["contact_id"].tolist()[2] == 5
    assert pd.isna(validated.rows["contact_id"].tolist()[0])


def test_nps_and_csat_ranges_are_checked_by_kind():
    validated = check(
        "external_id,account,kind,score,responded_on\n"
        "S1,ACC-1,nps,11,2026-01-01\n"
        "S2,ACC-1,csat,0,2026-01-01\n"
        "S3,ACC-1,csat,6,2026-01-01\n"
        "S4,ACC-1,nps,0,2026-01-01\n"
        "S5,ACC-1,csat,5,2026-01-01\n"
        "S6,ACC-1,nps,8.5,2026-01-01\n",
        "surveys",
    )
    assert problems(validated) == [
        (2, "score", "11", "NPS score must be a whole number from 0 to 10"),
        (3, "score", "0", "CSAT score must be a whole number from 1 to 5"),
        (4, "score", "6", "CSAT score must be a whole number from 1 to 5"),
        (7, "score", "8.5", "'8.5' is not a whole number"),
    ]


def test_text_is_stored_as_given_and_too_long_text_is_a_problem():
    long_name = "x" * 201
    validated = check(
        "external_id,account,name,planned_on\n"
        'M1,ACC-1,=HYPERLINK("http://evil"),2026-01-01\n'
        "M2,ACC-1,<script>alert(1)</script>,2026-01-01\n"
        f"M3,ACC-1,{long_name},2026-01-01\n",
        "milestones",
    )
    assert validated.rows["name"].tolist()[:2] == ['=HYPERLINK("http://evil")', "<script>alert(1)</script>"]
    assert problems(validated) == [(4, "name", long_name, "longer than 200 characters")]


def test_lists_are_split_trimmed_and_deduplicated():
    validated = check(
        "external_id,title,asset_type,company_size,region,approval_status,url,industries,products\n"
        "X1,Story,case_study,SMB,EMEA,approved,https://x,Retail; Software;;Retail,\n",
        "assets",
        {"accounts": pd.Series(dtype="Int64"), "contacts": pd.Series(dtype="Int64")},
    )
    assert validated.ok
    assert validated.rows["industries"].tolist() == [("Retail", "Software")]
    assert validated.rows["products"].tolist() == [()]


def test_duplicates_name_the_first_row():
    validated = check(
        "external_id,account,name,planned_on\nM1,ACC-1,a,2026-01-01\nM2,ACC-1,b,2026-01-01\nM1,ACC-2,c,2026-01-01\n",
        "milestones",
    )
    assert problems(validated) == [(4, "external_id", "M1", "duplicate of row 2 (same external id)")]


def test_usage_weeks_start_on_monday():
    validated = check(USAGE_HEADER + "ACC-1,2026-11-18,1,1,1,1\n", "usage")
    assert problems(validated) == [
        (2, "week_start", "2026-11-18", "a Wednesday; weeks start on Monday (use 2026-11-16)")
    ]


def test_spend_months_start_on_the_first():
    validated = check("month,channel,amount\n2026-03-15,events,10\n2026-03-01,Events,10\n", "spend")
    assert problems(validated) == [(2, "month", "2026-03-15", "not the first of a month (use 2026-03-01)")]


def test_spend_duplicates_compare_parsed_choices():
    validated = check("month,channel,amount\n2026-03-01,events,10\n2026-03-01,EVENTS,12\n", "spend")
    assert problems(validated) == [(3, "month", "2026-03-01", "duplicate of row 2 (same month and channel)")]


def test_ticket_closed_before_opened():
    validated = check(
        "external_id,account,opened_at,closed_at,severity,category\n"
        "T1,ACC-1,2026-05-02 09:00,2026-05-01 09:00,high,billing\n",
        "tickets",
    )
    assert problems(validated) == [
        (2, "closed_at", "2026-05-01 09:00", "closed before it was opened (2026-05-02 09:00:00)")
    ]


def test_outreach_answers_follow_the_outcome():
    validated = check(
        "external_id,contact,purpose,channel,owner_role,sent_on,responded_on,outcome\n"
        "O1,C-1,reference,email,csm,2026-05-02,2026-05-01,agreed\n"
        "O2,C-1,reference,email,csm,2026-05-02,,declined\n"
        "O3,C-1,reference,email,csm,2026-05-02,2026-05-03,no_response\n"
        "O4,C-1,reference,email,csm,2026-05-02,,no_response\n",
        "outreach",
        {"contacts": pd.Series([5], index=["C-1"]), "users": pd.Series(dtype="Int64")},
    )
    assert problems(validated) == [
        (2, "responded_on", "2026-05-01", "before the ask was sent (2026-05-02)"),
        (3, "responded_on", "", "required when the outcome is 'declined'"),
        (4, "responded_on", "2026-05-03", "leave it empty when the outcome is 'no_response'"),
    ]
    assert validated.rows["follow_up_number"].isna().tolist() == [True] * 4


def test_mapping_problems_are_row_zero():
    frame = pd.DataFrame({"acct": ["ACC-1"], "A": ["1"], "B": ["2"]})
    mapping = imports.Mapping({"acct": "account", "A": "logins", "B": "logins"})
    validated = imports.validate(frame, "usage", mapping, ACCOUNTS)
    assert problems(validated)[:2] == [
        (0, "Week start", "", "required: no column of the file is mapped to it"),
        (0, "Logins", "", "2 columns are mapped to Logins ('A', 'B'); map only one"),
    ]


def test_hand_made_frame_rows_are_numbered_from_two():
    frame = pd.DataFrame({"account": ["ACC-1", "nope"], "week_start": ["2026-11-16"] * 2})
    for field in ("active_users", "logins", "key_feature_events", "seats_used"):
        frame[field] = "1"
    validated = imports.validate(frame, "usage", imports.auto_map(list(frame.columns), "usage"), ACCOUNTS)
    assert problems(validated) == [(3, "account", "nope", "account 'nope' does not exist")]
    assert list(validated.problems.columns) == ["row", "column", "value", "problem"]
    assert validated.problems["row"].dtype == "int64"


def test_long_values_are_shortened_in_messages_but_not_in_the_value_column():
    code = "R" * 100
    validated = check(
        "external_id,referral,event,occurred_at\nE1," + code + ",opened,2026-05-01 10:00\n",
        "referral_events",
        {"referrals": pd.Series(dtype="Int64")},
    )
    [(row, column, value, problem)] = problems(validated)
    assert value == code
    assert problem == "referral code '" + "R" * 59 + "…' does not exist"


def test_every_entity_of_the_brief_is_importable_with_a_key_among_its_fields():
    assert list(imports.ENTITIES) == [
        "accounts",
        "contacts",
        "usage",
        "usage_events",
        "subscriptions",
        "surveys",
        "tickets",
        "milestones",
        "triggers",
        "outreach",
        "assets",
        "purchases",
        "spend",
        "referrals",
        "referral_events",
        "churn",
    ]
    for spec in imports.ENTITIES.values():
        names = [field.name for field in spec.fields]
        assert set(spec.key) <= set(names)
        assert all(spec.field(name).required for name in spec.key)
        assert all(field.kind in imports.KINDS for field in spec.fields)
    assert imports.ENTITIES["surveys"].label == "NPS / CSAT answers"


def test_field_guide_says_what_each_column_accepts():
    guide = imports.field_guide("surveys").set_index("column")
    assert guide.loc["score", "accepts"] == "a whole number: NPS 0–10, CSAT 1–5"
    assert guide.loc["kind", "accepts"] == "one of nps, csat"
    assert guide.loc["responded_on", "accepts"] == "a date, YYYY-MM-DD"
    assert guide.loc["account", "accepts"] == (
        "an account's external id (or its name, when no other account has it), already stored"
    )
    assert bool(guide.loc["external_id", "required"]) and not bool(guide.loc["comment", "required"])
    accounts = imports.field_guide("accounts").set_index("column")
    assert accounts.loc["employees", "accepts"] == "a whole number, 0 or more"
    assert (
        accounts.loc["seats_purchased", "also_named"]
        == "Seats purchased, seats, licenses, licences, seat count"
    )
    assert not bool(accounts.loc["arr", "required"]) and bool(accounts.loc["external_id", "required"])


def test_a_required_field_without_a_column_is_one_problem_not_one_per_row():
    frame = pd.DataFrame({"external_id": ["C-1", "C-2", "C-3"], "name": ["A", "B", "C"]})
    checked = imports.validate(frame, "contacts", imports.auto_map(list(frame.columns), "contacts"), ACCOUNTS)
    assert checked.problems.to_dict("records") == [
        {
            "row": 0,
            "column": "Account",
            "value": "",
            "problem": "required: no column of the file is mapped to it",
        }
    ]


# --- real exports: date-times, skipped rows, value maps, constants -----------------------------------


def test_iso_date_times_are_accepted_in_date_fields_as_their_utc_day():
    validated = check(
        "account,churned_on\n"
        "ACC-1,2024-03-05 13:22:00\n"
        "ACC-2,2024-03-05T23:30:00-02:00\n"
        "ACC-1,2024-03-07T00:10:00Z\n"
        "ACC-2,2024-03-08\n",
        "churn",
    )
    assert validated.ok
    assert validated.rows["churned_on"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-03-05",
        "2024-03-06",
        "2024-03-07",
        "2024-03-08",
    ]


def test_date_times_with_a_zone_are_stored_in_utc():
    validated = check(
        "external_id,account,opened_at\nT1,ACC-1,2024-03-05T13:22:00+01:00\nT2,ACC-1,2024-03-05 13:22\n",
        "tickets",
    )
    assert validated.ok
    assert validated.rows["opened_at"].dt.strftime("%Y-%m-%d %H:%M").tolist() == [
        "2024-03-05 12:22",
        "2024-03-05 13:22",
    ]


def test_survey_rows_without_a_score_are_skipped_and_counted():
    validated = check(
        "ticket_id,account_id,satisfaction_score,submitted_at\n"
        "T1,ACC-1,5,2024-01-02 10:00:00\n"
        "T2,ACC-1,,2024-01-03 10:00:00\n"
        "T3,ACC-2,,2024-01-04 10:00:00\n"
        "T4,ACC-2,9,2024-01-05 10:00:00\n",
        "surveys",
        mapping=lambda columns: imports.Mapping(
            {
                "ticket_id": "external_id",
                "account_id": "account",
                "satisfaction_score": "score",
                "submitted_at": "responded_on",
            },
            constants={"kind": "csat"},
        ),
    )
    assert validated.notes == ("2 rows skipped: no score",)
    assert problems(validated) == [
        (5, "satisfaction_score", "9", "CSAT score must be a whole number from 1 to 5")
    ]
    assert validated.rows["row"].tolist() == [2, 5]
    assert validated.rows["kind"].tolist() == ["csat", "csat"]


def test_value_maps_translate_file_values_and_problems_name_the_file_value():
    frame = imports.read_table(
        b"id,name,country,tier\nA1,Acme,US,Basic\nA2,Beta,de,Enterprise\nA3,Gamma,XX,Pro\n", "a.csv"
    )
    mapping = imports.Mapping(
        {"id": "external_id", "name": "name", "country": "region", "tier": "segment"},
        values={
            "region": {"US": "North America", "DE": "EMEA"},
            "segment": {"basic": "SMB", "Pro": "Mid-Market"},
        },
    )
    validated = imports.validate(frame, "accounts", mapping, {})
    assert problems(validated) == [
        (4, "country", "XX", "'XX' is not one of North America, EMEA, APAC, LATAM")
    ]
    assert validated.rows["region"].tolist()[:2] == ["North America", "EMEA"]
    assert validated.rows["segment"].tolist() == ["SMB", "Enterprise", "Mid-Market"]


def test_an_account_without_a_name_column_is_named_by_its_id_and_only_given_fields_are_stored():
    frame = imports.read_table(b"customerID,Tenure Months,Churn Label\n7590-VHVEG,1,No\n", "a.csv")
    mapping = imports.auto_map(list(frame.columns), "accounts")
    assert mapping.columns == {"customerID": "external_id", "Tenure Months": None, "Churn Label": None}
    assert mapping.attributes == {"Tenure Months": "Tenure Months", "Churn Label": "Churn Label"}
    validated = imports.validate(frame, "accounts", mapping, {})
    assert validated.ok
    assert validated.rows[["external_id", "name"]].to_numpy().tolist() == [["7590-VHVEG", "7590-VHVEG"]]
    assert validated.fields == ("external_id", "name")


def test_a_churn_flag_turns_flagged_rows_into_churn_events_dated_by_a_constant():
    frame = imports.read_table(
        b"CustomerID,Churn Label,Churn Reason\nC1,Yes,Competitor\nC2,No,\nC3,yes,\nC4,,\n", "t.csv"
    )
    mapping = imports.auto_map(list(frame.columns), "churn")
    assert mapping.columns == {"CustomerID": "account", "Churn Label": "churned", "Churn Reason": "reason"}
    mapping = imports.Mapping(mapping.columns, constants={"churned_on": "2024-12-31"})
    known = {"accounts": pd.Series([1, 2, 3, 4], index=["C1", "C2", "C3", "C4"])}
    validated = imports.validate(frame, "churn", mapping, known)
    assert validated.ok
    assert validated.notes == ("2 rows skipped: not churned",)
    assert validated.rows["account_id"].tolist() == [1, 3]
    assert validated.rows["reason"].tolist()[0] == "Competitor" and pd.isna(validated.rows["reason"].iloc[1])
    assert "churned" not in validated.fields


def test_repeat_churn_of_one_account_on_different_days_is_not_a_duplicate():
    validated = check("account,churned_on\nACC-1,2024-01-31\nACC-1,2024-09-30\nACC-1,2024-09-30\n", "churn")
    assert problems(validated) == [
        (4, "account", "ACC-1", "duplicate of row 3 (same account and churned on)")
    ]


def test_a_constant_and_a_column_for_one_field_is_a_value_error():
    frame = pd.DataFrame({"kind": ["nps"]})
    with pytest.raises(ValueError, match="Kind is set for every row and also read from column 'kind'"):
        imports.validate(frame, "surveys", imports.Mapping({"kind": "kind"}, constants={"kind": "csat"}), {})


def test_usage_events_find_their_account_through_a_subscription_or_a_user():
    frame = imports.read_table(
        b"subscription_id,user_id,usage_date,feature_name,usage_count\n"
        b"S1,,2024-01-01,export,3\n"
        b",u-7,2024-01-02 08:00:00,login,\n"
        b",u-unknown,2024-01-02,login,1\n"
        b"S9,,2024-01-02,login,1\n",
        "events.csv",
    )
    mapping = imports.auto_map(list(frame.columns), "usage_events")
    assert mapping.columns == {
        "subscription_id": "subscription",
        "user_id": "user",
        "usage_date": "at",
        "feature_name": "feature",
        "usage_count": "count",
    }
    known = {
        "accounts": pd.Series(dtype="Int64"),
        "subscription_accounts": pd.Series([11], index=["S1"]),
        "contact_accounts": pd.Series([12], index=["u-7"]),
    }
    validated = imports.validate(frame, "usage_events", mapping, known)
    assert problems(validated) == [
        (
            4,
            "Account",
            "",
            "no account: give an account id, a subscription id or a user id that an earlier "
            "import tied to an account (a contact's external id)",
        ),
        (5, "subscription_id", "S9", "subscription 'S9' does not exist"),
    ]
    assert validated.rows["account_id"].tolist()[:2] == [11, 12]


def test_value_suggestions_know_countries_severities_and_close_spellings():
    region = imports.entity_spec("accounts").field("region")
    assert imports.suggest_values(region, ["US", "Germany", "jp", "EMEA", "Atlantis", "Latam"]) == {
        "US": "North America",
        "Germany": "EMEA",
        "jp": "APAC",
    }
    severity = imports.entity_spec("tickets").field("severity")
    assert imports.suggest_values(severity, ["P1", "Critical", "normal", "lo"]) == {
        "P1": "urgent",
        "Critical": "urgent",
        "normal": "medium",
        "lo": "low",
    }
    segment = imports.entity_spec("accounts").field("segment")
    assert imports.suggest_values(segment, ["Enterprize", "Basic"]) == {"Enterprize": "Enterprise"}


def test_a_profile_that_no_longer_fits_says_which_columns_are_missing():
    profile = imports.Mapping(
        {"Acct": "external_id", "Country": "region"}, values={"region": {"US": "North America"}}
    )
    with pytest.raises(ValueError, match="The profile does not fit this file: it has no column 'Country'."):
        imports.with_profile(["Acct", "Name"], "accounts", profile)
    fitted = imports.with_profile(["Acct", "Name", "Country", "Plan"], "accounts", profile)
    assert fitted.columns == {"Acct": "external_id", "Name": "name", "Country": "region", "Plan": None}
    assert fitted.attributes == {"Plan": "Plan"}
    assert imports.Mapping.from_json(fitted.to_json()) == fitted


def test_problems_are_grouped_by_column_and_distinct_value_with_their_first_rows():
    validated = check(
        "id,name,region\n"
        + "".join(
            f"A{i},N{i},{region}\n" for i, region in enumerate(["US", "EMEA", "US", "DE", "US", "US", "DE"])
        ),
        "accounts",
    )
    grouped = imports.group_problems(validated.problems)
    not_one = "is not one of North America, EMEA, APAC, LATAM"
    assert grouped.to_numpy().tolist() == [
        ["region", "US", f"'US' {not_one}", 4, "2, 4, 6"],
        ["region", "DE", f"'DE' {not_one}", 2, "5, 8"],
    ]


def test_custom_attributes_are_typed_by_their_cells_and_keep_their_kind():
    from core.imports import attributes

    frame = pd.DataFrame(
        {
            "Tenure": ["1", "34", "", "2.5"],
            "Partner": ["Yes", "No", "yes", ""],
            "Signed": ["2024-01-05", "", "2023-12-31", "2024-02-01"],
            "Contract": ["Month-to-month", "One year", "Two year", "1"],
            "Churn Value": ["1", "0", "0", "1"],
        }
    )
    names = {column: column for column in frame.columns}
    values, kinds, problems = attributes.attribute_values(frame, pd.Series([0, 1, 2, 3]), names, {})
    assert kinds == {
        "Tenure": "number",
        "Partner": "bool",
        "Signed": "date",
        "Contract": "text",
        "Churn Value": "number",
    }
    assert problems.empty
    tenure = values[values["name"] == "Tenure"]
    assert tenure["position"].tolist() == [0, 1, 3] and tenure["number_value"].tolist() == [1.0, 34.0, 2.5]
    partner = values[values["name"] == "Partner"]
    assert partner["number_value"].tolist() == [1.0, 0.0, 1.0]
    _, _, refused = attributes.attribute_values(
        frame, pd.Series([0, 1]), {"Contract": "Tenure"}, {"Tenure": "number"}
    )
    assert refused.to_numpy().tolist() == [
        [2, "Contract", "Month-to-month", "not a number: custom attribute 'Tenure' holds a number"],
        [3, "Contract", "One year", "not a number: custom attribute 'Tenure' holds a number"],
    ]
