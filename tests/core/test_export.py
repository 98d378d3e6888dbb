import pandas as pd

from core import export


def test_formula_cells_are_neutralised():
    frame = pd.DataFrame(
        {"name": ['=HYPERLINK("x")', "+1", "-2", "@SUM(A1)", "Acme", None], "n": [1, 2, 3, 4, 5, 6]}
    )
    text = export.to_csv(frame).decode("utf-8-sig")
    assert text.splitlines() == [
        "name,n",
        '"\'=HYPERLINK(""x"")",1',
        "'+1,2",
        "'-2,3",
        "'@SUM(A1),4",
        "Acme,5",
        ",6",
    ]


def test_numbers_stay_numbers():
    assert export.to_csv(pd.DataFrame({"delta": [-5.0]})).decode("utf-8-sig").splitlines() == [
        "delta",
        "-5.0",
    ]
