import datetime as dt

import pandas as pd
import pytest

from core import board, export
from core.settings import DEFAULTS

AS_OF = dt.date(2026, 11, 22)


def board_rows() -> pd.DataFrame:
    """Three accounts as db.reads.accounts.board returns them: stored sub-scores plus facts."""
    return pd.DataFrame(
        {
            "name": ["A", "B", "C"],
            "owner": ["Amy", "Amy", "Bo"],
            "segment": ["SMB", "Enterprise", "SMB"],
            "industry": ["Retail", "Retail", "Software"],
            "arr": [10_000.0, 200_000.0, 30_000.0],
            "renewal_date": pd.to_datetime(["2027-01-01", "2026-12-22", "2026-11-01"]),
            "seats_purchased": [10, 100, 20],
            "seats_used": [10, 40, 5],
            "usage": [90.0, 20.0, 50.0],
            "outcomes": [100.0, 30.0, None],
            "utilisation": [100.0, 50.0, 50.0],
            "feedback": [100.0, 20.0, 70.0],
            "support": [100.0, 40.0, 100.0],
            "score_4_weeks_ago": [95.0, 60.0, None],
        },
        index=pd.Index([1, 2, 3], name="account_id"),
    )


def test_board_table_scores_flags_and_arrows():
    table = board.board_table(board_rows(), DEFAULTS, AS_OF)
    # B: (20·30 + 30·15 + 50·15 + 20·20 + 40·20) / 100 = 30
    assert table.loc[2, "score"] == pytest.approx(30)
    assert table["band"].tolist() == ["healthy", "at_risk", "watch"]
    assert table.loc[2, "trend"] == pytest.approx(-30) and table.loc[2, "trend_arrow"] == "↓"
    assert table.loc[2, "sharp_drop"] and table.loc[2, "renewal_at_risk"]  # renews in 30 days
    assert table.loc[1, "upsell"] and not table.loc[3, "upsell"]
    assert table.loc[3, "trend_arrow"] == ""
    assert table.loc[2, "top_reason_label"] == "Product usage"
    assert table["days_to_renewal"].tolist() == [40, 30, -21]


def test_trend_arrow_threshold():
    assert board.trend_arrow(pd.Series([3.0, 2.9, -2.9, -3.0, None])).tolist() == ["↑", "→", "→", "↓", ""]


def test_filters_combine():
    table = board.board_table(board_rows(), DEFAULTS, AS_OF)
    assert list(board.filter_board(table, board.BoardFilter()).index) == [1, 2, 3]
    assert list(board.filter_board(table, board.BoardFilter(owners=("Amy",), segments=("SMB",))).index) == [1]
    assert list(board.filter_board(table, board.BoardFilter(bands=("at_risk", "watch"))).index) == [2, 3]
    assert list(board.filter_board(table, board.BoardFilter(flag="sharp_drop")).index) == [2]
    # Renewal already past (account 3) is not "within 60 days".
    assert list(board.filter_board(table, board.BoardFilter(renewal_within_days=60)).index) == [1, 2]


def test_sorting_puts_unknowns_last():
    table = board.board_table(board_rows(), DEFAULTS, AS_OF)
    assert list(board.sort_board(table, "Lowest score first").index) == [2, 3, 1]
    assert list(board.sort_board(table, "Biggest 4-week drop first").index) == [2, 1, 3]
    assert list(board.sort_board(table, "Highest ARR first").index) == [2, 3, 1]


def test_summary_tiles():
    summary = board.summarise(board.board_table(board_rows(), DEFAULTS, AS_OF))
    assert summary.by_band["accounts"].tolist() == [1, 1, 1, 0]
    assert summary.arr_at_risk == 200_000
    assert summary.new_drops == 1


def test_sparklines_in_week_order():
    history = pd.DataFrame({"account_id": [1, 1, 2], "score": [80.0, 70.04, None]})
    assert board.sparklines(history).to_dict() == {1: [80.0, 70.0], 2: []}


def test_export_table_columns():
    frame = board.export_table(board.board_table(board_rows(), DEFAULTS, AS_OF))
    assert list(frame.columns[:4]) == ["account_id", "account", "owner", "segment"]
    assert frame.loc[1, "score"] == 30.0 and frame.loc[1, "sharp_drop"]


def attribute_values() -> pd.DataFrame:
    """Custom attributes as db.reads.accounts.attribute_values reads them: accounts 1 and 2 have values, account 3 none."""
    return pd.DataFrame(
        {
            "Contract": ["Two year", "Monthly"],
            "Partner": [True, None],
            "Charges": [70.5, 20.0],
            "Since": pd.to_datetime(["2024-03-05", None]),
            "owner": ["Zed", None],
        },
        index=pd.Index([1, 2], name="account_id"),
    ).astype({"Contract": "str", "Partner": "boolean", "owner": "str"})


@pytest.mark.parametrize(
    "chosen,expected",
    [
        (board.AttributeFilter("Contract"), [1, 2, 3]),  # nothing picked: no filter
        (board.AttributeFilter("Contract", values=("Two year",)), [1]),
        (
            board.AttributeFilter("Contract", values=("Monthly", None)),
            [2, 3],
        ),  # None: unknown, as for account 3
        (board.AttributeFilter("Partner", values=(False,)), []),
        (board.AttributeFilter("Partner", values=(None,)), [2, 3]),
        (board.AttributeFilter("Charges", between=(20, 70)), [2]),
        (board.AttributeFilter("Charges", between=(20, 70.5)), [1, 2]),  # both ends in; unknown never
        (board.AttributeFilter("Since", between=(dt.date(2024, 3, 5), dt.date(2024, 3, 5))), [1]),
    ],
)
def test_attribute_filter(chosen, expected):
    table = board.board_table(board_rows(), DEFAULTS, AS_OF)
    filtered = board.filter_board(table, board.BoardFilter(attribute=chosen), attribute_values())
    assert list(filtered.index) == expected


def test_attribute_filter_combines_with_the_others():
    table = board.board_table(board_rows(), DEFAULTS, AS_OF)
    chosen = board.BoardFilter(
        segments=("SMB",), attribute=board.AttributeFilter("Contract", ("Monthly", None))
    )
    assert list(board.filter_board(table, chosen, attribute_values()).index) == [3]


def test_export_carries_the_custom_attributes():
    table = board.sort_board(board.board_table(board_rows(), DEFAULTS, AS_OF), "Lowest score first")
    frame = board.export_table(table, attribute_values())
    assert list(frame.columns[-5:]) == ["Contract", "Partner", "Charges", "Since", "owner (custom attribute)"]
    assert frame["owner"].tolist() == ["Amy", "Bo", "Amy"]  # the board's own column keeps its name
    csv = export.to_csv(frame).decode("utf-8-sig").splitlines()
    # Rows in board order (2, 3, 1); account 3 has no values: blank cells.
    assert [line.split(",")[-5:] for line in csv[1:]] == [
        ["Monthly", "", "20.0", "", ""],
        ["", "", "", "", ""],
        ["Two year", "True", "70.5", "2024-03-05", "Zed"],
    ]


def test_churn_risk_shows_in_percent_sorts_and_goes_to_the_export_with_its_why():
    risks = pd.Series([0.042, 0.61], index=pd.Index([1, 3], name="account_id"))
    table = board.board_table(board_rows(), DEFAULTS, AS_OF, risks=risks)
    assert table["churn_risk"].tolist()[0] == pytest.approx(4.2) and pd.isna(table.loc[2, "churn_risk"])
    assert list(board.sort_board(table, "Highest churn risk first").index) == [3, 1, 2]
    whys = pd.Series(["tenure 40 months −3 pts", "no risk shown", "billing month +9 pts"], index=[1, 2, 3])
    frame = board.export_table(table, whys=whys)
    assert frame["churn_risk_pct"].tolist()[::2] == [4.2, 61.0]
    # Account 2 has no risk this week: its why is blank too.
    assert frame["churn_risk_why"].tolist()[::2] == ["tenure 40 months −3 pts", "billing month +9 pts"]
    assert pd.isna(frame.loc[1, "churn_risk_why"])


def test_without_a_fit_the_churn_risk_is_unknown():
    table = board.board_table(board_rows(), DEFAULTS, AS_OF)
    assert table["churn_risk"].isna().all()
    assert board.export_table(table)["churn_risk_why"].isna().all()


def test_sparklines_keep_each_accounts_rows_in_order_when_accounts_interleave():
    history = pd.DataFrame({"account_id": [2, 1, 2, 1, 3], "score": [50.0, 80.0, 55.26, None, 60.0]})
    assert board.sparklines(history).to_dict() == {1: [80.0], 2: [50.0, 55.3], 3: [60.0]}


def test_sparklines_of_no_history_are_none():
    history = pd.DataFrame(columns=["account_id", "score"])
    assert board.sparklines(history).empty


def test_place_in_the_board_order_names_the_neighbours():
    order = [7, 3, 9]
    assert board.place_in(order, 7) == board.Place(position=1, total=3, previous=None, next=3)
    assert board.place_in(order, 3) == board.Place(position=2, total=3, previous=7, next=9)
    assert board.place_in(order, 9) == board.Place(position=3, total=3, previous=3, next=None)


def test_an_account_off_the_board_has_no_place():
    assert board.place_in([7, 3], 4) is None
    assert board.place_in([], 4) is None
