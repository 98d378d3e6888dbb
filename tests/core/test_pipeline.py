import datetime as dt

import numpy as np
import pandas as pd
import pytest

from core import pipeline
from core.settings import DEFAULTS


def change_rows(rows: list[tuple[int, str | None, str, str]]) -> pd.DataFrame:
    """Stage changes as advocacy.stage_changes returns them: (advocate_id, from_stage, to_stage, changed_at)."""
    frame = pd.DataFrame(rows, columns=["advocate_id", "from_stage", "to_stage", "changed_at"])
    frame["changed_at"] = pd.to_datetime(frame["changed_at"], format="ISO8601")
    return frame


def attempt_rows(rows: list[tuple]) -> pd.DataFrame:
    """Outreach attempts as advocacy.outreach returns them: (advocate_id, follow_up_number, channel, sent_on, outcome)."""
    frame = pd.DataFrame(rows, columns=["advocate_id", "follow_up_number", "channel", "sent_on", "outcome"])
    frame.insert(0, "id", range(1, len(frame) + 1))
    frame["purpose"] = "reference"
    frame["owner_role"] = "csm"
    frame["sent_on"] = pd.to_datetime(frame["sent_on"], format="ISO8601")
    answered = frame["outcome"] != "no_response"
    frame["responded_on"] = frame["sent_on"].where(answered)
    return frame


def owed_rows(rows: list[tuple[int, str, str]]) -> pd.DataFrame:
    """Events owing a thank-you as advocacy.owed_thank_yous returns them: (advocate_id, reason, on)."""
    frame = pd.DataFrame(rows, columns=["advocate_id", "reason", "on"])
    frame["on"] = pd.to_datetime(frame["on"], format="ISO8601")
    return frame


def thanked_rows(rows: list[tuple[int, str, str]]) -> pd.DataFrame:
    """Thank-yous as advocacy.thank_yous returns them: (advocate_id, reason, sent_on)."""
    frame = pd.DataFrame(rows, columns=["advocate_id", "reason", "sent_on"])
    frame.insert(2, "channel", "email")
    frame["sent_on"] = pd.to_datetime(frame["sent_on"], format="ISO8601")
    return frame


# ---- stage counts, conversion, time in stage ------------------------------------------


def test_stage_counts_list_every_stage_in_order():
    advocates = pd.DataFrame({"stage": ["asked", "candidate", "asked", "retired", "agreed"]})
    counts = pipeline.stage_counts(advocates)
    assert counts.to_dict("records") == [
        {"stage": "Candidate", "advocates": 1},
        {"stage": "Nominated", "advocates": 0},
        {"stage": "Asked", "advocates": 2},
        {"stage": "Agreed", "advocates": 1},
        {"stage": "Reference-ready", "advocates": 0},
        {"stage": "Paused", "advocates": 0},
        {"stage": "Declined", "advocates": 0},
        {"stage": "Retired", "advocates": 1},
    ]


def test_conversion_counts_a_later_stage_as_reaching_the_earlier_ones():
    changes = change_rows(
        [
            (1, None, "candidate", "2026-01-01"),
            (1, "candidate", "nominated", "2026-01-02"),
            (1, "nominated", "asked", "2026-01-03"),
            (1, "asked", "agreed", "2026-01-04"),
            (2, None, "candidate", "2026-01-01"),
            (2, "candidate", "asked", "2026-01-02"),  # skipped nomination
            (2, "asked", "declined", "2026-01-03"),
            (3, None, "candidate", "2026-01-01"),
            (3, "candidate", "nominated", "2026-01-02"),
            (3, "nominated", "paused", "2026-01-03"),
            (4, None, "candidate", "2026-01-01"),
            (5, None, "candidate", "2026-01-01"),
            (5, "candidate", "nominated", "2026-01-02"),
            (5, "nominated", "asked", "2026-01-03"),
            (5, "asked", "agreed", "2026-01-04"),
            (5, "agreed", "reference_ready", "2026-01-05"),
            (6, "candidate", "paused", "2026-01-01"),  # only a side exit: on no main-path stage
        ]
    )
    table = pipeline.conversion(changes)
    # reached: candidate 1–5 = 5; nominated 1, 2, 3, 5 = 4; asked 1, 2, 5 = 3; agreed 1, 5 = 2; ready 5 = 1
    assert table["from_stage"].tolist() == ["Candidate", "Nominated", "Asked", "Agreed"]
    assert table["to_stage"].tolist() == ["Nominated", "Asked", "Agreed", "Reference-ready"]
    assert table["reached"].tolist() == [5, 4, 3, 2]
    assert table["went_on"].tolist() == [4, 3, 2, 1]
    assert table["conversion"].tolist() == pytest.approx([0.8, 0.75, 2 / 3, 0.5])


def test_conversion_from_a_stage_nobody_reached_is_nan():
    table = pipeline.conversion(change_rows([(1, None, "candidate", "2026-01-01")]))
    assert table["reached"].tolist() == [1, 0, 0, 0]
    assert table["conversion"].iloc[0] == 0.0
    assert table["conversion"].iloc[1:].isna().all()


def test_time_in_stage_counts_finished_stays_only():
    changes = change_rows(
        [
            (2, "asked", "declined", "2026-01-09"),  # out of order on purpose
            (1, None, "candidate", "2026-01-01"),
            (1, "candidate", "nominated", "2026-01-11"),
            (1, "nominated", "asked", "2026-01-15 12:00"),
            (1, "asked", "agreed", "2026-01-20"),
            (2, None, "candidate", "2026-01-01"),
            (2, "candidate", "asked", "2026-01-03"),
            (3, None, "candidate", "2026-01-01"),
            (3, "candidate", "nominated", "2026-01-05"),
            (4, None, "candidate", "2026-02-01"),
        ]
    )
    table = pipeline.time_in_stage(changes)
    # candidate: 10 (1), 2 (2), 4 (3) → sorted 2, 4, 10: median 4, p75 at position 1.5 = 4 + 0.5·6 = 7
    # nominated: 1 stayed 11 Jan → 15 Jan 12:00 = 4.5 (3 is still nominated)
    # asked: 1 stayed 15 Jan 12:00 → 20 Jan = 4.5, 2 stayed 3 → 9 Jan = 6: median 5.25, p75 4.5 + 0.75·1.5 = 5.625
    # agreed and declined are still current: no finished stay
    assert table["stage"].tolist() == ["Candidate", "Nominated", "Asked"]
    assert table["stays"].tolist() == [3, 1, 2]
    assert table["median_days"].tolist() == pytest.approx([4, 4.5, 5.25])
    assert table["p75_days"].tolist() == pytest.approx([7, 4.5, 5.625])


def test_days_in_stage_counts_whole_days():
    advocates = pd.DataFrame(
        {
            "stage_changed_at": pd.to_datetime(
                ["2026-01-10 23:30", "2026-01-20 08:00", "2025-12-31 00:00"], format="ISO8601"
            )
        }
    )
    # 10 Jan → 20 Jan = 10; today = 0; 31 Dec → 20 Jan = 20
    assert pipeline.days_in_stage(advocates, dt.date(2026, 1, 20)).tolist() == [10, 0, 20]


def test_in_stage_longest_waiting_first_with_reference_availability():
    advocates = pd.DataFrame(
        {
            "id": [1, 2, 3, 4],
            "contact_name": ["Ann", "Bo", "Cy", "Di"],
            "stage": ["agreed", "agreed", "asked", "agreed"],
            "stage_changed_at": pd.to_datetime(
                ["2026-01-10", "2025-12-21 15:00", "2025-11-01", "2026-01-15"], format="ISO8601"
            ),
        }
    )
    fatigue = pd.DataFrame(
        {"available_on": pd.to_datetime(["2026-02-01", "2026-01-10"])},
        index=pd.Index([1, 4], name="advocate_id"),
    )
    table = pipeline.in_stage(advocates, "agreed", dt.date(2026, 1, 20), fatigue)
    assert table["contact_name"].tolist() == ["Bo", "Ann", "Di"]
    assert table["days_in_stage"].tolist() == [30, 10, 5]
    # Ann is fatigued until 1 Feb; Bo has no reference activity (free today); Di's day has passed
    assert (
        table["available_on"].tolist() == pd.to_datetime(["2026-01-20", "2026-02-01", "2026-01-10"]).tolist()
    )
    assert table["fatigued"].tolist() == [False, True, False]


# ---- the follow-up rule ---------------------------------------------------------------

ASK_AND_THREE = [
    (1, 0, "email", "2026-01-10", "no_response"),
    (1, 1, "phone", "2026-01-17", "no_response"),
    (1, 2, "video_call", "2026-01-24", "no_response"),
    (1, 3, "email", "2026-01-31", "no_response"),
]


def test_follow_ups_allowed_up_to_three():
    for done in range(1, 4):  # the ask plus 0, 1, 2 follow-ups
        attempts = attempt_rows(ASK_AND_THREE[:done])
        assert pipeline.check_follow_up(attempts, 1, DEFAULTS) is None
        assert pipeline.next_follow_up(attempts, 1) == done


def test_a_fourth_follow_up_is_refused():
    attempts = attempt_rows(ASK_AND_THREE)
    assert pipeline.check_follow_up(attempts, 1, DEFAULTS) == (
        "Follow-up refused: the ask of 10 Jan 2026 already had 3 follow-ups, the most allowed is 3. "
        "Ask again once the re-circle window has passed."
    )


def test_the_follow_up_limit_follows_the_setting():
    attempts = attempt_rows(ASK_AND_THREE[:2])
    assert pipeline.check_follow_up(attempts, 1, {**DEFAULTS, "max_follow_ups": 1}) == (
        "Follow-up refused: the ask of 10 Jan 2026 already had 1 follow-up, the most allowed is 1. "
        "Ask again once the re-circle window has passed."
    )
    assert pipeline.check_follow_up(
        attempt_rows(ASK_AND_THREE[:1]), 1, {**DEFAULTS, "max_follow_ups": 0}
    ) == (
        "Follow-up refused: the ask of 10 Jan 2026 already had 0 follow-ups, the most allowed is 0. "
        "Ask again once the re-circle window has passed."
    )


def test_no_follow_up_without_an_ask():
    other = attempt_rows([(2, 0, "email", "2026-01-10", "no_response")])
    assert pipeline.check_follow_up(other, 1, DEFAULTS) == "There is no ask to follow up: log the ask first."
    assert pipeline.next_follow_up(other, 1) == 0
    # a stray follow-up with no ask before it is no ask either
    stray = attempt_rows([(1, 1, "email", "2026-01-10", "no_response")])
    assert pipeline.check_follow_up(stray, 1, DEFAULTS) == "There is no ask to follow up: log the ask first."


def test_no_follow_up_once_answered():
    answered = attempt_rows([(1, 0, "email", "2026-01-10", "responded")])
    assert (
        pipeline.check_follow_up(answered, 1, DEFAULTS)
        == "The ask of 10 Jan 2026 was answered (responded): no follow-up is needed."
    )
    agreed_on_follow_up = attempt_rows(
        [(1, 0, "email", "2026-01-10", "no_response"), (1, 1, "phone", "2026-01-17", "agreed")]
    )
    assert (
        pipeline.check_follow_up(agreed_on_follow_up, 1, DEFAULTS)
        == "The ask of 10 Jan 2026 was answered (agreed): no follow-up is needed."
    )


def test_numbering_restarts_after_a_new_ask():
    attempts = attempt_rows(
        [
            *ASK_AND_THREE,
            (2, 0, "email", "2026-01-12", "no_response"),
            (1, 0, "phone", "2026-04-20", "no_response"),
        ]
    )
    assert pipeline.check_follow_up(attempts, 1, DEFAULTS) is None
    assert pipeline.next_follow_up(attempts, 1) == 1
    attempts = attempt_rows(
        [
            *ASK_AND_THREE,
            (1, 0, "phone", "2026-04-20", "no_response"),
            (1, 1, "email", "2026-04-27", "declined"),
        ]
    )
    assert (
        pipeline.check_follow_up(attempts, 1, DEFAULTS)
        == "The ask of 20 Apr 2026 was answered (declined): no follow-up is needed."
    )


# ---- follow-ups due -------------------------------------------------------------------

DUE_TODAY = dt.date(2026, 2, 20)
DUE_ATTEMPTS = [
    # answered history
    (20, 0, "video_call", "2026-01-05", "agreed"),
    (21, 0, "video_call", "2026-01-05", "declined"),
    (22, 0, "phone", "2026-01-05", "agreed"),
    (23, 0, "in_person", "2026-01-05", "responded"),
    (24, 0, "phone", "2026-01-05", "agreed"),
    # 1: unanswered 10 days → due
    (1, 0, "email", "2026-02-10", "no_response"),
    # 2: unanswered 5 days → not yet
    (2, 0, "email", "2026-02-15", "no_response"),
    # 3: unanswered exactly 7 days → due
    (3, 0, "video_call", "2026-02-13", "no_response"),
    # 4: three follow-ups already → not due
    (4, 0, "email", "2026-01-10", "no_response"),
    (4, 1, "phone", "2026-01-17", "no_response"),
    (4, 2, "video_call", "2026-01-24", "no_response"),
    (4, 3, "in_person", "2026-02-01", "no_response"),
    # 5: asked 75 days ago (20 Feb − 75 = 7 Dec): past the re-circle window → not due
    (5, 0, "email", "2025-12-07", "no_response"),
    (5, 1, "phone", "2026-02-01", "no_response"),
    # 6: asked 74 days ago → due, second follow-up
    (6, 0, "email", "2025-12-08", "no_response"),
    (6, 1, "phone", "2026-02-01", "no_response"),
    # 7: answered → not due
    (7, 0, "email", "2026-02-01", "responded"),
]


# By agreement rate in DUE_ATTEMPTS: phone 2/5, video_call 1/4, email 0/6, in_person 0/2, social_dm unused.
ORDER = ["phone", "video_call", "email", "in_person", "social_dm"]


def test_follow_ups_due_with_the_best_untried_channel():
    due = pipeline.follow_ups_due(attempt_rows(DUE_ATTEMPTS), DUE_TODAY, DEFAULTS, ORDER)
    assert due.columns.tolist() == [
        "advocate_id",
        "sent_on",
        "channel",
        "follow_up_number",
        "next_follow_up",
        "days_waiting",
        "suggested_channel",
    ]
    # longest waiting first: 6 (1 Feb → 20 Feb = 19), 1 (10), 3 (7)
    assert due.to_dict("records") == [
        {
            "advocate_id": 6,
            "sent_on": pd.Timestamp("2026-02-01"),
            "channel": "phone",
            "follow_up_number": 1,
            "next_follow_up": 2,
            "days_waiting": 19,
            "suggested_channel": "video_call",  # email and phone used on this ask
        },
        {
            "advocate_id": 1,
            "sent_on": pd.Timestamp("2026-02-10"),
            "channel": "email",
            "follow_up_number": 0,
            "next_follow_up": 1,
            "days_waiting": 10,
            "suggested_channel": "phone",
        },
        {
            "advocate_id": 3,
            "sent_on": pd.Timestamp("2026-02-13"),
            "channel": "video_call",
            "follow_up_number": 0,
            "next_follow_up": 1,
            "days_waiting": 7,
            "suggested_channel": "phone",
        },
    ]


def test_follow_ups_due_follow_the_settings():
    settings = {**DEFAULTS, "follow_up_due_days": 5, "max_follow_ups": 4, "recircle_days": 76}
    due = pipeline.follow_ups_due(attempt_rows(DUE_ATTEMPTS), DUE_TODAY, settings, ORDER)
    assert sorted(due["advocate_id"]) == [1, 2, 3, 4, 5, 6]
    # 4 used email, phone, video_call, in_person: only social_dm is untried
    assert due.set_index("advocate_id").loc[4, "suggested_channel"] == "social_dm"


@pytest.mark.parametrize(
    ("channels", "suggested"),
    [
        # email converts best but was the last channel used: the next best, in_person
        (["phone", "in_person", "social_dm", "video_call", "email"], "in_person"),
        (["email", "phone", "in_person", "social_dm", "video_call"], "email"),
    ],
)
def test_when_every_channel_was_tried_propose_the_best_but_not_the_last(channels, suggested):
    days = ["2026-01-10", "2026-01-17", "2026-01-24", "2026-01-31", "2026-02-07"]
    rows = [
        (1, n, channel, day, "no_response")
        for n, (channel, day) in enumerate(zip(channels, days, strict=True))
    ]
    rows.append((9, 0, "email", "2026-01-05", "agreed"))
    order = ["email", "in_person", "phone", "social_dm", "video_call"]
    due = pipeline.follow_ups_due(attempt_rows(rows), DUE_TODAY, {**DEFAULTS, "max_follow_ups": 5}, order)
    assert due["advocate_id"].tolist() == [1]
    assert due["next_follow_up"].tolist() == [5]
    assert due["suggested_channel"].tolist() == [suggested]


def test_nothing_due():
    due = pipeline.follow_ups_due(attempt_rows(DUE_ATTEMPTS[:5]), DUE_TODAY, DEFAULTS, ORDER)
    assert due.empty
    assert "suggested_channel" in due.columns


# ---- owed thank-yous ------------------------------------------------------------------

THANKS_TODAY = dt.date(2026, 3, 20)


def test_owed_thank_yous_overdue_first_then_newest():
    owed = owed_rows(
        [
            (1, "agreement", "2026-03-01"),  # thanked on 2 Mar → settled
            (1, "reference_fulfilled", "2026-03-05"),  # only agreement thank-yous → 15 days, overdue
            (2, "agreement", "2026-03-15"),  # thank-you went to advocate 1 → 5 days
            (2, "referral_converted", "2026-03-10"),  # thanked the day before → 10 days, overdue
            (3, "agreement", "2026-03-12"),  # 8 days → overdue
            (3, "agreement", "2026-03-13"),  # 7 days → not yet overdue
            (3, "referral_converted", "2026-03-18"),  # thanked the same day → settled
            (4, "agreement", "2026-03-25"),  # in the future → not owed yet
            (5, "agreement", "2026-03-19"),  # 1 day
        ]
    )
    thanked = thanked_rows(
        [
            (1, "agreement", "2026-03-02"),
            (1, "agreement", "2026-03-10"),
            (1, "agreement", "2026-03-16"),
            (2, "referral_converted", "2026-03-09"),
            (3, "referral_converted", "2026-03-18"),
        ]
    )
    table = pipeline.owed_thank_yous(owed, thanked, THANKS_TODAY, DEFAULTS)
    assert list(table.itertuples(index=False, name=None)) == [
        (3, "agreement", pd.Timestamp("2026-03-12"), 8, True),
        (2, "referral_converted", pd.Timestamp("2026-03-10"), 10, True),
        (1, "reference_fulfilled", pd.Timestamp("2026-03-05"), 15, True),
        (5, "agreement", pd.Timestamp("2026-03-19"), 1, False),
        (2, "agreement", pd.Timestamp("2026-03-15"), 5, False),
        (3, "agreement", pd.Timestamp("2026-03-13"), 7, False),
    ]
    assert table.columns.tolist() == ["advocate_id", "reason", "on", "days_waiting", "overdue"]


def test_one_thank_you_after_two_events_settles_both():
    owed = owed_rows([(1, "agreement", "2026-03-01"), (1, "agreement", "2026-03-05")])
    thanked = thanked_rows([(1, "agreement", "2026-03-06")])
    assert pipeline.owed_thank_yous(owed, thanked, THANKS_TODAY, DEFAULTS).empty


def test_overdue_follows_the_setting():
    owed = owed_rows([(1, "agreement", "2026-03-15")])
    table = pipeline.owed_thank_yous(
        owed, thanked_rows([]), THANKS_TODAY, {**DEFAULTS, "thank_you_due_days": 4}
    )
    assert table["overdue"].tolist() == [True]  # 5 days > 4


def test_owed_before_any_thank_you_was_ever_sent():
    # An empty thank_yous table reads with object columns and a seconds-resolution date column.
    thanked = pd.DataFrame(
        {
            "advocate_id": pd.Series([], dtype=object),
            "reason": pd.Series([], dtype=object),
            "channel": pd.Series([], dtype=object),
            "sent_on": pd.Series([], dtype="datetime64[s]"),
        }
    )
    owed = owed_rows([(1, "agreement", "2026-03-01")])
    table = pipeline.owed_thank_yous(owed, thanked, THANKS_TODAY, DEFAULTS)
    assert list(table.itertuples(index=False, name=None)) == [
        (1, "agreement", pd.Timestamp("2026-03-01"), 19, True)
    ]


def test_nothing_owed():
    owed = owed_rows([])
    table = pipeline.owed_thank_yous(owed, thanked_rows([]), THANKS_TODAY, DEFAULTS)
    assert table.empty
    assert table.columns.tolist() == ["advocate_id", "reason", "on", "days_waiting", "overdue"]
    assert np.issubdtype(table["overdue"].dtype, np.bool_)


def test_awaiting_answer_is_the_latest_unanswered_attempt_of_the_latest_ask():
    attempts = pd.DataFrame(
        {
            "id": [1, 2, 3],
            "advocate_id": [7, 7, 8],
            "channel": ["email", "phone", "email"],
            "follow_up_number": [0, 1, 0],
            "sent_on": pd.to_datetime(["2026-10-01", "2026-10-10", "2026-10-01"]),
            "responded_on": pd.to_datetime([None, None, "2026-10-02"]),
            "outcome": ["no_response", "no_response", "agreed"],
        }
    )
    assert pipeline.awaiting_answer(attempts, 7)["id"] == 2
    assert pipeline.awaiting_answer(attempts, 8) is None  # answered
    assert pipeline.awaiting_answer(attempts, 9) is None  # never asked
