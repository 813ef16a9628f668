"""Units and the quantity forms of issue 10, on sentences written for these tests, with the real model;
the unit in JSON Lines, in the database and through the migration of an existing database."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner

from db.database import open_database
from db.migrations import MIGRATIONS, migrate
from extractors.number_units import currency_code, dollar_of, measure_unit
from extractors.numbers import Quantity, find_quantities
from extractors.text import extract_page, site_country
from monitor.cli import cli


def only(nlp, text: str, number: str, dollar: str = "USD") -> Quantity:
    found = [q for q in find_quantities(nlp(text), dollar=dollar) if q.number == number]
    assert len(found) == 1, [q.number for q in find_quantities(nlp(text), dollar=dollar)]
    return found[0]


def claims(nlp, text: str) -> list[str]:
    return [q.number for q in find_quantities(nlp(text)) if q.excluded is None]


# --- money: the ISO code from the sign, code or word -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number", "value", "unit"),
    [
        ("The mayor set aside $4.5 million for repairs.", "$4.5 million", 4.5e6, "USD"),
        ("Exports earned US$1-billion last season.", "US$1-billion", 1e9, "USD"),
        ("The miner wrote down $77million of assets.", "$77million", 77e6, "USD"),
        ("Tickets cost A$45 each at the door.", "A$45", 45, "AUD"),
        ("The Canadian unit paid C$12 a share.", "C$12", 12, "CAD"),
        ("The ward received R2.5bn in grants.", "R2.5bn", 2.5e9, "ZAR"),
        ("A litre of milk now costs Rs 60 in the city.", "Rs 60", 60, "INR"),
        ("Farmers were offered RM2.70 per kilo of rubber.", "RM2.70", 2.7, "MYR"),
        ("The club paid €3 million for the striker.", "€3 million", 3e6, "EUR"),
        ("The house sold for £640,000 in June.", "£640,000", 640000, "GBP"),
        ("The ride-hailing fare rose to ¥900 in Tokyo.", "¥900", 900, "JPY"),
        ("Each trader was fined 2m/- by the council.", "2m/-", 2e6, "KES"),
        ("The hawkers paid Sh500,000 in permits.", "Sh500,000", 5e5, "KES"),
        ("The bank lent the farmers 300 million rand last year.", "300 million rand", 3e8, "ZAR"),
        ("The village borrowed 40,000 shillings from the fund.", "40,000 shillings", 4e4, "KES"),
        ("The hospital charged 1,200 rupees for the scan.", "1,200 rupees", 1200, "INR"),
        ("The province spent 8 billion yuan on the bridge.", "8 billion yuan", 8e9, "CNY"),
        ("The start-up raised EUR50m from investors.", "EUR50m", 5e7, "EUR"),
        ("The fund holds USD10m in bonds.", "USD10m", 1e7, "USD"),
        ("The miner raised AUD1.5m in a placement.", "AUD1.5m", 1.5e6, "AUD"),
        ("The treasury sold 125 million Australian dollars of bonds.", "125 million Australian dollars", 1.25e8,
         "AUD"),
        ("Delegates paid 5 Swiss francs for coffee.", "5 Swiss francs", 5, "CHF"),
        ("The tender came in at 30 MEUR, below the estimate.", "30 MEUR", 3e7, "EUR"),
        ("The ticket is 15 € at the gate.", "15 €", 15, "EUR"),
        ("The stall sold it for 3 dollars 50 cents.", "3 dollars 50 cents", 3.5, "USD"),
        ("The meal cost twelve dollars and forty cents.", "twelve dollars and forty cents", 12.4, "USD"),
        ("The loan was 12,34,567 rupees in all.", "12,34,567 rupees", 1234567, "INR"),
        ("The resort has spent more than $2B on repairs.", "$2B", 2e9, "USD"),
        ("The start-up raised €1.5M from investors.", "€1.5M", 1.5e6, "EUR"),
        ("The firm withdrew its one-yen bid for the contract.", "one-yen", 1, "JPY"),
    ],
)
def test_money_carries_its_currency_code(nlp, text, number, value, unit):
    quantity = only(nlp, text, number)
    assert (quantity.kind, quantity.value, quantity.unit) == ("money", pytest.approx(value), unit)


def test_a_bare_dollar_sign_is_the_dollar_of_the_sites_country(nlp):
    text = "The council spent $2 million on roads."
    assert only(nlp, text, "$2 million", dollar=dollar_of("AU")).unit == "AUD"
    assert only(nlp, text, "$2 million", dollar=dollar_of("NZ")).unit == "NZD"
    assert only(nlp, text, "$2 million", dollar=dollar_of(None)).unit == "USD"
    assert only(nlp, text, "$2 million", dollar=dollar_of("DE")).unit == "USD"
    # a sign that names its dollar keeps it whatever the site
    assert only(nlp, "It cost US$5 in total.", "US$5", dollar=dollar_of("AU")).unit == "USD"


def test_the_sites_country_comes_from_its_domain_or_its_declared_locale():
    assert site_country("https://www.smh.com.au/national/story", None, "") == "AU"
    assert site_country("https://www.bbc.co.uk/news/1", None, "") == "GB"
    assert site_country("https://example.com/a", None, '<html lang="en-NZ"><body>') == "NZ"
    assert site_country("https://example.com/a", None, '<html lang="en">') is None
    assert site_country(None, "https://www.stuff.co.nz/x", "") == "NZ"


def test_an_extracted_page_carries_its_country():
    body = "".join(f"<p>Paragraph {i} of the story says the council spent $2 million on new roads.</p>"
                   for i in range(5))
    page = extract_page(f'<html lang="en-CA"><head><title>Roads</title></head><body><article>{body}'
                        f"</article></body></html>", url="https://example.org/roads")
    assert page.country == "CA"


def test_currency_words_and_signs_map_to_iso_codes():
    assert currency_code("$", "CAD") == "CAD"
    assert currency_code("US$") == "USD"
    assert currency_code("rand") == "ZAR"
    assert currency_code("/-") == "KES"
    assert currency_code("shillings") == "KES"
    assert currency_code("nonsense") is None


def test_a_lower_case_word_before_a_figure_is_not_a_currency_code(nlp):
    quantity = only(nlp, "The team will try 5 new players next week.", "5")
    assert (quantity.kind, quantity.unit) == ("count", None)


# --- percentages and measures --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number", "unit"),
    [
        ("Turnout rose 4 percent on the year.", "4 percent", "percent"),
        ("The party gained 3 percentage points in the poll.", "3 percentage points", "percentage point"),
        ("Unemployment stood at 7.2% in May.", "7.2%", "percent"),
    ],
)
def test_percentages_say_percent_or_percentage_point(nlp, text, number, unit):
    assert only(nlp, text, number).unit == unit


@pytest.mark.parametrize(
    ("text", "number", "value", "unit"),
    [
        ("The pipeline runs 120 km to the coast.", "120", 120, "kilometer"),
        ("The new plant will produce 450 MW of power.", "450", 450, "megawatt"),
        ("Police clocked the car at 95 mph on the bypass.", "95", 95, "mile_per_hour"),
        ("The port handled 30 metric tons of grain.", "30", 30, "metric_ton"),
        ("Households now get 30Mbps on the new network.", "30Mbps", 30, "megabit / second"),
        ("The engine makes 640bhp at full tilt.", "640bhp", 640, "brake_horsepower"),
        ("The boxer weighed in at 200lbs on Friday.", "200lbs", 200, "pound"),
        ("The storm dropped 75mm of rain overnight.", "75", 75, "millimeter"),
        ("The console plays games at 60fps on high settings.", "60fps", 60, "frame_per_second"),
        ("Winter nights can fall to -30C in the north.", "-30C", -30, "degree_Celsius"),
    ],
)
def test_measures_carry_pints_unit_name(nlp, text, number, value, unit):
    quantity = only(nlp, text, number)
    assert (quantity.kind, quantity.value, quantity.unit) == ("measure", value, unit)


def test_an_indefinite_amount_carries_its_unit(nlp):
    quantity = only(nlp, "The repairs took well over a year to finish.", "a year")
    assert (quantity.kind, quantity.value, quantity.unit) == ("measure", 1, "year")


def test_a_unit_library_names_units_and_leaves_words_alone():
    assert measure_unit("km") == "kilometer"
    assert measure_unit("MW") == "megawatt"
    assert measure_unit("tonnes") == "metric_ton"
    assert measure_unit("people") is None
    assert measure_unit("in") is None


def test_counts_have_no_unit(nlp):
    assert only(nlp, "The clinic treated 340 patients last month.", "340").unit is None


def test_a_duration_in_two_units_is_one_amount(nlp):
    quantity = only(nlp, "The rescue took 2 minutes and 30 seconds from the call.", "2 minutes and 30 seconds")
    assert (quantity.value, quantity.unit) == (150, "second")
    height = only(nlp, "The goalkeeper stands 6 feet 2 inches tall.", "6 feet 2 inches")
    assert (height.value, height.unit) == (74, "inch")


# --- forms kept whole -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number", "value", "low", "high"),
    [
        ("Bids came in between $40,000 and $90,000 per plot.", "$40,000 and $90,000", None, 40000, 90000),
        ("Support fell to 61%–63% in the last poll.", "61%–63%", None, 61, 63),
        ("The course runs 8 1/2 miles along the river.", "8 1/2", 8.5, None, None),
        ("Add ½ cup of sugar to the batter.", "½", 0.5, None, None),
        ("The firm pledged quarter million dollars to the school.", "quarter million dollars", 250000, None, None),
        ("A crowd of around 60, 000 fans packed the stadium.", "60, 000", 60000, None, None),
        ("The tablet has a 9- or 10-inch screen.", "9- or 10", None, 9, 10),
        ("Fines range from €500,000 to over €30 million.", "€500,000 to over €30 million", None, 5e5, 3e7),
        ("Repairs could cost anywhere from one to three billion dollars.", "one to three billion dollars", None,
         1e9, 3e9),
    ],
)
def test_ranges_and_numbers_in_two_tokens_stay_whole(nlp, text, number, value, low, high):
    quantity = only(nlp, text, number)
    assert (quantity.value, quantity.low, quantity.high) == (value, low, high)


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("The number of members went from 120 to 180 this year.", ["120", "180"]),
        ("The bill raises the limit for a family of four from $54,000 to $70,000.", ["four", "$54,000", "$70,000"]),
    ],
)
def test_a_move_between_two_levels_is_not_a_range(nlp, text, numbers):
    assert claims(nlp, text) == numbers


def test_a_shared_unit_reaches_both_ends_of_a_coordination(nlp):
    quantity = only(nlp, "The tablet has a 9- or 10-inch screen.", "9- or 10")
    assert (quantity.kind, quantity.unit) == ("measure", "inch")


@pytest.mark.parametrize(
    ("text", "number", "value", "kind"),
    [
        ("Prices rose fourfold over the decade.", "fourfold", 4, "ratio"),
        ("Tens of thousands marched through the capital.", "Tens of thousands", 10000, "count"),
    ],
)
def test_multiples_and_vague_magnitudes(nlp, text, number, value, kind):
    quantity = only(nlp, text, number)
    assert (quantity.value, quantity.kind) == (value, kind)


def test_a_vague_magnitude_takes_its_unit(nlp):
    quantity = find_quantities(nlp("Refugees walked hundreds of kilometres to the border."))[0]
    assert (quantity.kind, quantity.unit, quantity.change) == ("measure", "kilometer", ">")


# --- what is not a claim ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number", "reason"),
    [
        ("The champion improved his record to 21-0-1 on Saturday.", "21-0-1", "score"),
        ("United sealed a 3-1 win at home.", "3-1", "score"),
        ("The visitors slumped to a 0-2 defeat.", "0-2", "score"),
        ("For copies call 1-800-555-0199 during office hours.", "1-800-555-0199", "phone"),
        ("Pay into account 4410-22871093-5512 by Friday.", "4410-22871093-5512", "code"),
        ("Shares of Toyota (TSE: 7203) slipped.", "7203", "ticker"),
        ("The S&P 500 closed higher on Friday.", "500", "name"),
        ("Analysts expect the iPhone 16 to sell well.", "16", "name"),
        ("The FTSE 100 fell in early trade.", "100", "name"),
        ("The airline ordered more A321neo jets.", "A321neo", "code"),
        ("The deal was signed on Oct. 14, after months of talks.", "14", "date"),
        ("Sales in the 2019 quarter were weak.", "2019", "year"),
        ("The study had three aims: 1) map the river; 2) count the fish.", "2", "list"),
        ("Once the bridge opens, traffic will ease.", "Once", "frequency"),
        ("The town was once the largest port in the region.", "once", "frequency"),
        ("The climbers tried once more to reach the summit.", "once", "frequency"),
        ("The board meets twice a month.", "twice", "frequency"),
        ("The clinic reached them more than twice weekly.", "twice", "frequency"),
        ("Negotiators revived talks on a two-state solution.", "two", "compound"),
        ("The driver, 31, was taken to hospital.", "31", "age"),
        ("Stadia streams games to a 4K TV.", "4K", "name"),
        ("The game renders at 1080p on the console.", "1080p", "code"),
        ("Now 31, she runs the family farm.", "31", "age"),
    ],
)
def test_numbers_in_names_records_and_dates_are_not_claims(nlp, text, number, reason):
    assert only(nlp, text, number).excluded == reason


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("The two leaders have met twice since March.", "twice"),
        ("The inspectors have visited the site only once.", "once"),
        ("The report runs to about 2000 pages.", "2000"),
        ("The rocket separated 30 seconds after launch.", "30"),
        ("Officials said that in 2015, 25 people drowned.", "25"),
        ("The candidate served for seven years on the board.", "seven"),
        ("The bank raised rates once this year.", "once"),
        ("The striker signed a two-year contract in May.", "two"),
        ("Her channel passed 10K subscribers in a week.", "10K"),
        ("Stays ranged from just over one day to a week.", "one"),
    ],
)
def test_real_claims_are_not_dropped_by_exclusions(nlp, text, number):
    assert number in claims(nlp, text)


def test_a_score_is_not_split_into_fragments(nlp):
    assert [q.number for q in find_quantities(nlp("They won 4-1 in the final."))] == ["4-1"]


# --- change and qualifier --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number", "change"),
    [
        ("The agency hired a further 120 inspectors.", "120", "up"),
        ("The ministry will send an additional 300 troops.", "300", "up"),
        ("Hospitals opened extra 40 beds this winter.", "40", "up"),
        ("The budget was cut by 8% this year.", "8%", "down"),
        ("Rents saw an increase of 4% in March and 9% in April.", "9%", "up"),
        ("The retailer reported a loss of $12 million for the year.", "$12 million", "="),
        ("Members pay a minimum contribution of $25 a month.", "$25", "="),
        ("The trial lasted just under 3 weeks.", "3", "<"),
        ("Appeals must be heard in no longer than 40 days.", "40", "<"),
        ("The queue was 20 minutes or so at noon.", "20", "~"),
        ("Fares were cut by a further 10 per cent in May.", "10 per cent", "down"),
        ("Rents rose 3% in 2019, 4% in 2020 and 5% in 2021.", "5%", "up"),
        ("The central bank cut its main rate by a quarter-point.", "a quarter", "down"),
    ],
)
def test_change_and_qualifier_words(nlp, text, number, change):
    assert only(nlp, text, number).change == change


# --- the unit in JSON Lines and in the database ----------------------------------------------------------------------


def test_jsonl_records_carry_the_unit(tmp_path):
    article = tmp_path / "story.txt"
    article.write_text("The city will spend R3bn on water pipes, and rainfall fell 12 percent to 400 mm.\n",
                       encoding="utf-8")
    result = CliRunner().invoke(cli, ["extract", str(article), "--format", "jsonl", "--quantities"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.output.splitlines()]
    units = {r["number"]: r["unit"] for r in records if r["record"] == "claim"}
    assert units["R3bn"] == "ZAR"
    assert units["12 percent"] == "percent"
    assert all("unit" in r for r in records if r["record"] in ("claim", "quantity"))


def test_the_database_stores_and_counts_units(tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "story.txt").write_text(
        "The council approved a budget of €40 million on Monday, officials said. "
        "The new tram line will run 14 km through the centre, and fares will rise 5 percent.\n", encoding="utf-8")
    db_path = tmp_path / "claims.db"
    result = CliRunner().invoke(cli, ["ingest", str(folder), "--db", str(db_path)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    with sqlite3.connect(db_path) as connection:
        units = dict(connection.execute("SELECT number, unit FROM claims").fetchall())
        counted = dict(connection.execute(
            "SELECT value, claims FROM claim_facet_counts WHERE facet = 'unit'").fetchall())
        detail_units = {row[0] for row in connection.execute("SELECT unit FROM claim_details")}
    assert units["€40 million"] == "EUR"
    assert units["14"] == "kilometer"
    assert units["5 percent"] == "percent"
    assert counted["EUR"] == 1 and counted["kilometer"] == 1
    assert {"EUR", "kilometer", "percent"} <= detail_units


def test_the_unit_migration_upgrades_an_existing_database(tmp_path):
    path = tmp_path / "old.db"
    db = sqlite_utils.Database(path)
    db.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    before = [(name, step) for name, step in MIGRATIONS if name != "m008_claim_units"]
    for name, step in before:
        with db.atomic():
            step(db)
            db.execute("INSERT INTO _migrations VALUES (?, datetime('now'))", [name])
    db.execute("INSERT INTO articles (url, fetched_at, text, text_hash, extractor_version) "
               "VALUES ('https://example.org/a', '2026-01-01', 'text', 'h', '0.3.0')")
    db.execute("INSERT INTO claims (article_id, sentence, sentence_start, start_char, end_char, text, number, "
               "value, kind, change, extractor_version, created_at, updated_at) VALUES "
               "(1, 'It cost $5.', 0, 8, 10, '$5', '$5', 5, 'money', '=', '0.3.0', 'now', 'now')")
    db.conn.commit()
    db.close()

    assert migrate(sqlite_utils.Database(path)) == ["m008_claim_units"]
    upgraded = open_database(path)
    assert upgraded.execute("SELECT text, unit FROM claims").fetchall() == [("$5", None)]
    upgraded.execute("UPDATE claims SET unit = 'USD' WHERE id = 1")
    counts = dict(upgraded.execute("SELECT value, claims FROM claim_facet_counts WHERE facet = 'unit'").fetchall())
    assert counts == {"USD": 1}
    assert "unit" in [column.name for column in upgraded["claim_details"].columns]
    assert Path(path).exists()
