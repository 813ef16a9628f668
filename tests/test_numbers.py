"""Quantity finder: each construction and each exclusion, on sentences written for these tests, with the real model."""

from __future__ import annotations

import pytest

from extractors.numbers import Quantity, find_quantities


def quantities(nlp, text: str) -> list[Quantity]:
    return find_quantities(nlp(text))


def only(nlp, text: str, number: str) -> Quantity:
    """The one quantity whose number surface is `number`."""
    found = [q for q in quantities(nlp, text) if q.number == number]
    assert len(found) == 1, [q.number for q in quantities(nlp, text)]
    return found[0]


def claims(nlp, text: str) -> list[str]:
    return [q.number for q in quantities(nlp, text) if q.excluded is None]


# --- numbers and their values -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number", "value"),
    [
        ("The council approved 12,450 new permits.", "12,450", 12450),
        ("The lake is 3.75 metres deep at its centre.", "3.75", 3.75),
        ("Twenty-five volunteers cleaned the beach.", "Twenty-five", 25),
        ("She baked a dozen loaves for the fair.", "a dozen", 12),
        ("The festival drew 1.5 million visitors.", "1.5 million", 1_500_000),
        ("Nearly three hundred thousand homes lost power.", "three hundred thousand", 300_000),
        ("The storm left half a million homes without power.", "half a million", 500_000),
        ("The town will house a quarter million residents.", "a quarter million", 250_000),
        ("The project ran for five-and-a-half years.", "five-and-a-half", 5.5),
    ],
)
def test_values_of_digits_and_words(nlp, text, number, value):
    assert only(nlp, text, number).value == pytest.approx(value)


@pytest.mark.parametrize(
    ("text", "number", "value"),
    [
        ("Half of the respondents said no.", "Half", 0.5),
        ("A third of the pupils walk to school.", "A third", 1 / 3),
        ("Two-thirds of the budget goes on salaries.", "Two-thirds", 2 / 3),
        ("One in five tenants is behind on rent.", "One in five", 0.2),
    ],
)
def test_fractions_and_proportions_are_ratios(nlp, text, number, value):
    quantity = only(nlp, text, number)
    assert quantity.value == pytest.approx(value)
    assert quantity.kind == "ratio"


def test_parts_of_a_whole_are_two_counts(nlp):
    text = "Seven of the 40 engineers quit, and 12 out of more than 90 drivers joined a union."
    assert claims(nlp, text) == ["Seven", "40", "12", "90"]
    assert only(nlp, text, "90").change == ">"


# --- money and percentages ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number", "value"),
    [
        ("The club paid $30 million for the striker.", "$30 million", 30e6),
        ("The deal is worth £2.3bn to the firm.", "£2.3bn", 2.3e9),
        ("The utility owes R4bn to its lenders.", "R4bn", 4e9),
        ("A ticket costs Rs 300 on weekdays.", "Rs 300", 300),
        ("The port received €5m in grants.", "€5m", 5e6),
        ("The fund holds US$1.2 trillion in assets.", "US$1.2 trillion", 1.2e12),
        ("They raised 40 million dollars last spring.", "40 million dollars", 40e6),
    ],
)
def test_money_is_in_units(nlp, text, number, value):
    quantity = only(nlp, text, number)
    assert quantity.value == pytest.approx(value)
    assert quantity.kind == "money"


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("Turnout reached 17% in the north.", "17%"),
        ("Turnout reached 17 percent in the north.", "17 percent"),
        ("Turnout reached 17 per cent in the north.", "17 per cent"),
    ],
)
def test_percentages_keep_the_percent_figure(nlp, text, number):
    quantity = only(nlp, text, number)
    assert (quantity.value, quantity.kind) == (17, "percent")


def test_percentage_points_fall(nlp):
    quantity = only(nlp, "Unemployment fell 3 percentage points over the year.", "3 percentage points")
    assert (quantity.value, quantity.kind, quantity.change) == (3, "percent", "down")


# --- ranges -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number", "low", "high", "kind"),
    [
        ("Each patient needs three to four visits a month.", "three to four", 3, 4, "count"),
        ("The survey covered between 10 and 20 schools.", "10 and 20", 10, 20, "count"),
        ("Support stands at 18-25 percent in most polls.", "18-25 percent", 18, 25, "percent"),
        ("Crowds of 350–375 million watched the final.", "350–375 million", 350e6, 375e6, "count"),
        ("The repair takes four to eight weeks.", "four to eight", 4, 8, "measure"),
    ],
)
def test_ranges_have_bounds_and_no_value(nlp, text, number, low, high, kind):
    quantity = only(nlp, text, number)
    assert (quantity.value, quantity.low, quantity.high, quantity.kind) == (None, low, high, kind)


def test_from_to_is_two_values_not_a_range(nlp):
    text = "The grant rose from $150,000 to $210,000 this year."
    assert claims(nlp, text) == ["$150,000", "$210,000"]


def test_two_or_three_is_an_approximate_range(nlp):
    quantity = only(nlp, "They waited two or three hours at the border.", "two or three")
    assert (quantity.low, quantity.high, quantity.change, quantity.kind) == (2, 3, "~", "measure")


# --- measures -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number", "value"),
    [
        ("The new bridge spans 1,200 metres of river.", "1,200", 1200),
        ("The farm produces 4.5 GW of solar power.", "4.5", 4.5),
        ("They unveiled a 12-meter statue in the square.", "12", 12),
        ("The hearing lasted nine hours.", "nine", 9),
        ("The bakery has operated for almost a century.", "a century", 100),
    ],
)
def test_measurements_with_units(nlp, text, number, value):
    quantity = only(nlp, text, number)
    assert (quantity.value, quantity.kind) == (value, "measure")


# --- change -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number", "change"),
    [
        ("More than 6,000 runners finished the race.", "6,000", ">"),
        ("Around 250 families were moved.", "250", "~"),
        ("Nearly 40 percent of voters stayed home.", "40 percent", "~"),
        ("At least 12 boats sank in the storm.", "12", ">"),
        ("The law allows up to 30 days of leave.", "30", "<"),
        ("Less than 5 percent of the money was spent.", "5 percent", "<"),
        ("An estimated 900 birds nest on the cliff.", "900", "~"),
        ("Exports fell 8 percent in March.", "8 percent", "down"),
        ("The club's membership rose by about 300 after the merger.", "300", "up"),
        ("The shop sold 20 percent fewer umbrellas this summer.", "20 percent", "down"),
        ("The report found a 15 percent decline in attendance.", "15 percent", "down"),
        ("Ticket prices jumped 12% in a year.", "12%", "up"),
        ("The city plans to cut emissions by half.", "half", "down"),
        ("The agency hired 45 inspectors.", "45", "="),
        ("Visitor numbers climbed to 9,000 in July.", "9,000", "="),
    ],
)
def test_change_from_qualifiers_and_words_of_change(nlp, text, number, change):
    assert only(nlp, text, number).change == change


def test_text_holds_the_qualifier_and_number_the_figure(nlp):
    quantity = only(nlp, "More than 6,000 runners finished the race.", "6,000")
    assert quantity.text == "More than 6,000"


# --- subjects -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number", "subject"),
    [
        ("Police detained 312 suspected smugglers and couriers at the port.", "312",
         "suspected smugglers and couriers"),
        ("The clinic handed out 30 percent fewer flu vaccines and boosters.", "30 percent",
         "flu vaccines and boosters"),
        ("About half of the local shops closed early.", "half", "local shops"),
    ],
)
def test_subject_is_the_counted_noun_phrase(nlp, text, number, subject):
    assert only(nlp, text, number).subject == subject


# --- exclusions ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number", "reason"),
    [
        ("The plant opened on March 14 after a long delay.", "14", "date"),
        ("The plant opened in 2016 after a long delay.", "2016", "year"),
        ("The museum was busiest in the 1990s.", "1990s", "year"),
        ("The plant sales grew most in the first three months of the year.", "three", "date"),
        ("The plant opened two years ago.", "two", "date"),
        ("The shift starts at 6 pm every day.", "6", "time"),
        ("The shift starts at 18:30 every day.", "18:30", "time"),
        ("Marta, 31, runs the bakery on the corner.", "31", "age"),
        ("A 47-year-old driver was arrested.", "47", "age"),
        ("She finished third in the final.", "third", "ordinal"),
        ("It was the 40th annual parade.", "40th", "ordinal"),
        ("The song reached No. 3 in the charts.", "3", "ordinal"),
        ("Doctors warned of a COVID-19 surge.", "COVID-19", "code"),
        ("Leaders met at the G7 summit.", "G7", "code"),
        ("The airline ordered the Boeing 787 for long routes.", "787", "name"),
        ("The court ruled on Section 230 of the act.", "230", "name"),
        ("One of the officers declined to comment.", "One", "pronoun"),
        ("One day the river simply flooded.", "One", "pronoun"),
        ("The office moved to 88 Harbour Street last year.", "88", "address"),
        ("Once again the river flooded.", "Once", "frequency"),
        ("She spent a decade as a chemist at 3M before she retired.", "3", "name"),
        ("A 3M spokesperson declined to comment.", "3", "name"),
        ("The carrier switched on its 5G network in the capital.", "5", "name"),
        ("The library lends 3D printers to its members.", "3D", "name"),
        ("The family has two sons aged 14 and 9.", "14", "age"),
        ("The family has two sons aged 14 and 9.", "9", "age"),
        ("The camp takes children ages 6 to 11 each summer.", "6 to 11", "age"),
        ("One rainy weekend, the whole village turned out for the fair.", "One", "pronoun"),
        ("But Local 12 members voted to strike on Friday.", "12", "name"),
        ("The drivers of Teamsters Local 705 ratified the deal.", "705", "name"),
    ],
)
def test_exclusions_say_why(nlp, text, number, reason):
    assert only(nlp, text, number).excluded == reason


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("The factory shipped 3M units last quarter.", "3"),
        ("The temperature fell to 5C overnight.", "5C"),
        ("Each member aged 14 pays 20 dollars a year.", "20 dollars"),
        ("The striker played one season at the club.", "one"),
        ("The family has two sons aged 14 and 9.", "two"),
        ("Local 40 schools closed early because of the storm.", "40"),
    ],
)
def test_counts_beside_names_and_ages_stay_claims(nlp, text, number):
    assert only(nlp, text, number).excluded is None


def test_phone_numbers_are_excluded_whole(nlp):
    found = quantities(nlp, "Readers can call 555-201-7788 with tips.")
    assert found and {q.excluded for q in found} == {"phone"}


def test_one_counted_as_a_number_is_a_claim(nlp):
    quantity = only(nlp, "The fire destroyed one house and damaged four others.", "one")
    assert (quantity.excluded, quantity.value) == (None, 1)


def test_a_third_case_is_an_ordinal_not_a_fraction(nlp):
    assert only(nlp, "Officials confirmed a third case of measles.", "a third").excluded == "ordinal"


def test_every_mention_comes_in_text_order_with_offsets(nlp):
    text = "In 2021, Dana, 40, paid $12 for 3 kg of apples."
    found = quantities(nlp, text)
    assert [q.number for q in found] == ["2021", "40", "$12", "3"]
    assert all(text[q.start:q.end] == q.text for q in found)
    assert [q.excluded for q in found] == ["year", "age", None, None]
