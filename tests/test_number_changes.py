"""Change and qualifier rules of the quantity finder, each on several sentences written for these tests."""

from __future__ import annotations

import pytest

from extractors.numbers import Quantity, find_quantities


def only(nlp, text: str, number: str) -> Quantity:
    """The one quantity whose number surface is `number`."""
    found = [q for q in find_quantities(nlp(text)) if q.number == number]
    assert len(found) == 1, [q.number for q in find_quantities(nlp(text))]
    return found[0]


@pytest.mark.parametrize(
    ("text", "number", "change"),
    [
        # a measure, a percentage or a share as the object of a verb of change says by how much
        ("The runner lost 12 kilograms before the race.", "12", "down"),
        ("Copper shed 0.4% in early trade.", "0.4%", "down"),
        ("The peso strengthened 1.2% against the euro.", "1.2%", "up"),
        ("The currency weakened 3 percent over the month.", "3 percent", "down"),
        ("Shares leapt 12 percent on Monday.", "12 percent", "up"),
        ("The budget deficit narrowed by $2 billion.", "$2 billion", "down"),
        ("The gap between them widened 3 percent.", "3 percent", "up"),
        ("A narrow majority of 52 percent backed it.", "52 percent", "="),
        ("The slender 6.5-meter research rocket stood on the pad.", "6.5", "="),
        ("The pension fund lost half its value in the crash.", "half", "down"),
        # "points" measure a move the way a unit does
        ("The FTSE fell 35.5 points by the close.", "35.5", "down"),
        ("The index added 12.4 points on Tuesday.", "12.4", "up"),
        ("Economists had not expected the 0.5-point rise in inflation.", "0.5", "up"),
        # a count of things lost stays a count; an apposition after a comma restates the object
        ("The club lost 14 members this season.", "14", "="),
        ("The bank cut 900 jobs, about 6 per cent of its staff.", "6 per cent", "~"),
    ],
)
def test_measured_objects_of_verbs_of_change(nlp, text, number, change):
    assert only(nlp, text, number).change == change


@pytest.mark.parametrize(
    ("text", "number", "change"),
    [
        ("Bond yields fell 4 points, or 1.5%, on the news.", "1.5%", "down"),
        ("The index climbed 80 points, or 2%, in a day.", "2%", "up"),
        ("Oil rose 3% ($2) after the announcement.", "$2", "up"),
        # the levels a figure moved between are values, not changes
        ("Turnout rose by 6 percent, from 52 percent to 58 percent, this year.", "52 percent", "="),
        ("Prices climbed 10%, from $40 to $44.", "$40", "="),
    ],
)
def test_a_restated_change_is_a_change_and_its_endpoints_are_not(nlp, text, number, change):
    assert only(nlp, text, number).change == change


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("The forward grabbed 12 rebounds in the final.", "12"),
        ("The company has made three cuts to its forecast this year.", "three"),
        ("The network announced two increases in fees.", "two"),
    ],
)
def test_a_count_of_changes_is_not_a_change(nlp, text, number):
    assert only(nlp, text, number).change == "="


@pytest.mark.parametrize(
    ("text", "number", "change"),
    [
        ("The patient lost a further 8 kilograms over the summer.", "8", "down"),
        ("The shares shed another 5% on Friday.", "5%", "down"),
        ("The firm hired a further 300 engineers.", "300", "up"),
    ],
)
def test_a_further_amount_takes_the_direction_of_its_verb(nlp, text, number, change):
    assert only(nlp, text, number).change == change


@pytest.mark.parametrize(
    ("text", "number", "change"),
    [
        ("He faces up to a $10,000 penalty.", "$10,000", "<"),
        ("The regulator imposed more than a $2 million fine.", "$2 million", ">"),
        ("Banks may lend up to an additional 20 per cent of the total.", "20 per cent", "<"),
        ("The real figure is closer to 40%.", "40%", "~"),
        ("Turnout came closer to 60 percent in the cities.", "60 percent", "~"),
        ("Each investor may hold the maximum 5 per cent of shares.", "5 per cent", "<"),
        ("The offence carries a maximum 14 years in prison.", "14", "<"),
    ],
)
def test_qualifiers_across_an_article_and_caps(nlp, text, number, change):
    assert only(nlp, text, number).change == change


def test_a_preposition_before_an_article_heads_its_own_phrase(nlp):
    assert only(nlp, "The board argued over a $50 fee for members.", "$50").change == "="


@pytest.mark.parametrize(
    ("text", "number", "change"),
    [
        ("The new bridge is double the length of the old one.", "double", "="),
        ("Rents are now nearly triple what they were in 2010.", "triple", "~"),
        ("Its budget is almost double that of its rival.", "double", "~"),
    ],
)
def test_double_the_size_is_a_ratio(nlp, text, number, change):
    quantity = only(nlp, text, number)
    assert (quantity.kind, quantity.change, quantity.excluded) == ("ratio", change, None)
    assert quantity.value == int(number != "triple") * 2 + int(number == "triple") * 3


@pytest.mark.parametrize(
    "text",
    ["The company doubled its profit.", "He hit a double in the third inning.", "She ordered a double espresso.",
     "The city would more than double its bus fleet.", "They plan to triple their output by 2030."],
)
def test_double_as_a_verb_or_noun_is_no_multiple(nlp, text):
    assert not [q for q in find_quantities(nlp(text)) if q.number.lower() == "double"]


# --- currency notation ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number", "value", "unit"),
    [
        ("The club lost 75 USD million over three seasons.", "75 USD million", 75e6, "USD"),
        ("The port earned 12 EUR billion last year.", "12 EUR billion", 12e9, "EUR"),
        ("The ticket went up to 17 USD 25.", "17 USD 25", 17.25, "USD"),
        ("A coffee there costs 4 EUR 50 now.", "4 EUR 50", 4.5, "EUR"),
        ("The ticket costs 15 dollars and 50 at the door.", "15 dollars and 50", 15.5, "USD"),
    ],
)
def test_scales_and_cents_after_a_currency_code(nlp, text, number, value, unit):
    quantity = only(nlp, text, number)
    assert (quantity.value, quantity.unit) == (pytest.approx(value), unit)


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("The cost is $4.25 and 32 is the quantity.", ["$4.25", "32"]),
        ("Roses sell for $30 a dozen at the market.", ["$30"]),
        ("Eggs averaged 64.2 cents a dozen in May.", ["64.2 cents"]),
        ("Pencils cost 5 dollars a hundred at the shop.", ["5 dollars"]),
        ("The stalls charged 10 $ and 30 $.", ["10 $", "30 $"]),
    ],
)
def test_cents_join_only_whole_units_and_a_price_is_quoted_per_count(nlp, text, numbers):
    assert [q.number for q in find_quantities(nlp(text)) if q.excluded is None] == numbers


def test_a_dozen_of_things_still_counts(nlp):
    assert only(nlp, "She bought a dozen eggs for 3 euros.", "a dozen").excluded is None


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("I tried to call Bob 3 times yesterday.", "3"),
        ("Nadal has beaten Federer 24 times.", "24"),
        ("The team has visited Paris 5 times since May.", "5"),
    ],
)
def test_times_after_a_name_count_occasions(nlp, text, number):
    assert only(nlp, text, number).excluded is None


# --- numbers that name, dial or place rather than count -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number", "reason"),
    [
        ("A neighbour called 911 after the crash.", "911", "phone"),
        ("Residents were told to dial 999 at once.", "999", "phone"),
        ("He sank a 3-pointer at the buzzer.", "3", "compound"),
        ("They bought a two-seater for the summer.", "two", "compound"),
        ("Police found a .38-caliber revolver.", ".38", "compound"),
        ("The farmer kept a 12-gauge shotgun.", "12", "compound"),
        ("The 10-year note yielded more on Monday.", "10", "name"),
        ("Investors sold two-year bonds all week.", "two", "name"),
        ("Three-month copper rose on the exchange.", "Three", "name"),
        ("The city faces a level 4 out of 5 risk of storms.", "5", "name"),
        ("The new signing, who is 23, scored twice.", "23", "age"),
        ("She told the court she is 19.", "19", "age"),
    ],
)
def test_numbers_that_name_or_dial(nlp, text, number, reason):
    assert only(nlp, text, number).excluded == reason


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("He won the 100-meter race in record time.", "100"),
        ("The union has a 40-member board.", "40"),
        ("Call volumes rose to 911 a day.", "911"),
        ("The answer is 42.", "42"),
        ("The bond fell 10 points in a year.", "10"),
        ("The court heard that the loan ran for 10 years.", "10"),
    ],
)
def test_amounts_beside_those_constructions_stay_claims(nlp, text, number):
    assert only(nlp, text, number).excluded is None


def test_bond_prices_in_32nds_are_fractions(nlp):
    quantity = only(nlp, "The 30-year bond last rose 7/32 in price.", "7/32")
    assert (quantity.value, quantity.excluded) == (pytest.approx(7 / 32), None)


@pytest.mark.parametrize("text", ["6 p.m.\n\nThe senator spoke.", "1 p.m.\n\nVoters waited."])
def test_a_figure_under_an_adverb_at_the_root_ends_its_climb(nlp, text):
    # A time heading parses as its own sentence with "p.m." as the root: the climb past adjectives
    # and adverbs stops there instead of asking the root for its head again and again.
    assert [q.number for q in find_quantities(nlp(text))][:1] == [text.split()[0]]
