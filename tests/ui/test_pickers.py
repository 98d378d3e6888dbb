"""A long list is searched on the server before it reaches the browser; a short one is a plain selectbox."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def customers(count: int) -> None:
    import pandas as pd
    import streamlit as st

    from ui import pickers

    names = pd.Series([f"Customer {n:04d}" for n in range(count)], index=range(100, 100 + count))
    chosen = pickers.pick("Customer", names, "customer", "customer", current=105, nothing="No customer")
    many = pickers.pick_many("Customers", names, "many", "customer")
    st.write(f"chosen {chosen}; many {many}")


def run(count: int) -> AppTest:
    return AppTest.from_function(customers, kwargs={"count": count}).run()


def test_a_short_list_is_a_plain_selectbox():
    app = run(3)
    assert not app.text_input
    assert app.selectbox[0].options == ["No customer", "Customer 0000", "Customer 0001", "Customer 0002"]
    # The current choice (id 105) is not among them: "No customer".
    assert app.selectbox[0].value is None and app.multiselect[0].options == [
        "Customer 0000",
        "Customer 0001",
        "Customer 0002",
    ]


def test_a_long_list_offers_the_matches_of_a_search():
    app = run(1_200)
    # Before a search: nothing but the current choice is sent.
    assert app.selectbox[0].options == ["No customer", "Customer 0005"]
    assert app.multiselect[0].options == []
    app.text_input(key="customer_find").input("customer 11").run()
    # "Customer 1100" … "Customer 1199": 100 match, the first 50 are offered after the current choice.
    options = app.selectbox[0].options
    assert options[:3] == ["No customer", "Customer 0005", "Customer 1100"] and len(options) == 52
    assert options[-1] == "Customer 1149"
    assert app.caption[0].value == (
        "100 of 1,200 customers match 'customer 11'; the first 50 are offered, type more to narrow."
    )
    app.selectbox[0].set_value(1245).run()  # Customer 1145
    assert app.markdown[-1].value == "chosen 1245; many []"


def test_what_is_chosen_stays_offered_while_searching_again():
    app = run(1_200)
    app.text_input(key="many_find").input("0042").run()
    assert app.multiselect[0].options == ["Customer 0042"]
    app.multiselect[0].set_value([142]).run()
    app.text_input(key="many_find").input("0007").run()
    assert app.multiselect[0].options == ["Customer 0042", "Customer 0007"]
    assert app.markdown[-1].value == "chosen 105; many [142]"
