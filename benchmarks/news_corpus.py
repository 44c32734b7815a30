"""A corpus of short news-like documents with known gold entities, for the
learning-curve benchmark (learning_curve.py).

Two kinds of document, shuffled together with a seed:

- hand-written: short articles written for this corpus, entities marked by hand
  as ``[surface|LABEL]`` with the labels and span conventions of OntoNotes (the
  scheme en_core_web_sm predicts): titles outside PERSON, "the" inside names
  that take it ("the United States", "the World Bank"), relative dates whole.
- generated: sentences filled in from templates whose names come from pools of
  people, organisations and places drawn with Zipf-like weights (a few names
  recur in many documents, most in few), as wire news repeats names. The pools
  lean on the region of the bundled article, whose names the base model gets
  wrong ("Armenia" as ORG or PERSON, "Mirzoyan" as NORP, "Nagorno-Karabakh"
  and "CSTO" missed).

Every sentence of the corpus is distinct (a generated one is re-drawn if it
repeats one), so a held-out document shares names with the reviewed ones,
never a sentence. Gold offsets come from the markup and are checked against
the text (``NewsDocument.check``).

    python benchmarks/news_corpus.py [--seed 0] [--show N]
"""

from __future__ import annotations

import argparse
import random
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

MARK = re.compile(r"\[([^\[\]|]+)\|([A-Z_]+)\]")
LABELS = frozenset(  # en_core_web_sm's (OntoNotes 5)
    {"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART"}
    | {"LAW", "LANGUAGE", "DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL"}
)
DEFAULT_SEED = 0
DEFAULT_GENERATED = 70

Entity = tuple[int, int, str]  # start, end (exclusive), label


@dataclass(frozen=True, slots=True)
class NewsDocument:
    text: str
    entities: tuple[Entity, ...]
    origin: str  # "hand" or "generated"
    surfaces: tuple[str, ...]  # each entity's text, as marked: checked against the offsets

    def check(self) -> None:
        """Every gold span's text is the marked surface; spans are sorted and disjoint."""
        last_end = 0
        for (start, end, label), surface in zip(self.entities, self.surfaces, strict=True):
            got = self.text[start:end]
            assert got == surface, f"gold span {start}..{end} reads {got!r}, not {surface!r}"
            assert label in LABELS, f"unknown label {label} on {surface!r}"
            assert start >= last_end, f"gold span {surface!r} overlaps the one before"
            assert surface == surface.strip(), f"gold span {surface!r} has outer spaces"
            last_end = end

    def sentences(self) -> list[str]:
        return [s for s in self.text.split("\n") if s]


def parse(marked: str) -> tuple[str, list[Entity], list[str]]:
    """Plain text, entities and their surfaces from ``[surface|LABEL]`` markup."""
    text: list[str] = []
    entities: list[Entity] = []
    surfaces: list[str] = []
    pos = 0
    length = 0
    for match in MARK.finditer(marked):
        before = marked[pos : match.start()]
        text.append(before)
        length += len(before)
        surface, label = match.group(1), match.group(2)
        entities.append((length, length + len(surface), label))
        surfaces.append(surface)
        text.append(surface)
        length += len(surface)
        pos = match.end()
    text.append(marked[pos:])
    plain = "".join(text)
    if "[" in plain or "]" in plain or "|" in plain:
        raise ValueError(f"unbalanced entity markup in: {marked}")
    return plain, entities, surfaces


def document(sentences: Sequence[str], origin: str) -> NewsDocument:
    """One document, a sentence per line, from marked sentences."""
    text, entities, surfaces = parse("\n".join(sentences))
    doc = NewsDocument(text, tuple(entities), origin, tuple(surfaces))
    doc.check()
    return doc


# ---- hand-written articles ----------------------------------------------------------

HAND_WRITTEN: tuple[tuple[str, ...], ...] = (
    (
        "[Armenia|GPE] and [Azerbaijan|GPE] agreed on [Friday|DATE] to resume border talks "
        "in [Tbilisi|GPE].",
        "Officials from both sides said the [first|ORDINAL] meeting would take place within "
        "[two weeks|DATE].",
    ),
    (
        "Prime Minister [Nikol Pashinian|PERSON] flew to [Brussels|GPE] on [Monday|DATE] for "
        "talks with [European Union|ORG] leaders.",
        "[Pashinian|PERSON] told reporters that [Armenia|GPE] wanted closer ties with "
        "[Europe|LOC] but would not rush into anything.",
    ),
    (
        "Heavy snow closed the highway between [Yerevan|GPE] and [Gyumri|GPE] for "
        "[six hours|TIME] on [Wednesday|DATE].",
        "The emergency ministry said [about 300|CARDINAL] vehicles were stranded on the road.",
    ),
    (
        "[The Central Bank of Armenia|ORG] left its key interest rate unchanged at "
        "[7.25 percent|PERCENT] on [Tuesday|DATE].",
        "Inflation stood at [3.1 percent|PERCENT] in [March|DATE], below the bank's target.",
    ),
    (
        "[Azerbaijan|GPE]'s state oil company [SOCAR|ORG] signed a gas supply deal with "
        "[Bulgaria|GPE] worth [$1.2 billion|MONEY].",
        "The contract runs until [2030|DATE] and covers [two|CARDINAL] pipelines.",
    ),
    (
        "[Ilham Aliyev|PERSON] said on [Thursday|DATE] that a peace treaty with "
        "[Armenia|GPE] could be signed [this year|DATE].",
        "Speaking in [Baku|GPE], the [Azerbaijani|NORP] president said [Yerevan|GPE] must "
        "change its constitution before any deal.",
    ),
    (
        "[Georgia|GPE]'s parliament passed a law on foreign agents despite large protests in "
        "[Tbilisi|GPE].",
        "[The European Commission|ORG] said the law was at odds with [Georgia|GPE]'s bid to "
        "join the bloc.",
    ),
    (
        "[Henrikh Mkhitaryan|PERSON] scored twice as [Inter Milan|ORG] beat [Lazio|ORG] on "
        "[Saturday|DATE].",
        "The [Armenian|NORP] midfielder now has [seven|CARDINAL] goals [this season|DATE].",
    ),
    (
        "[Microsoft|ORG] opened a research office in [Yerevan|GPE] that will employ "
        "[about 150|CARDINAL] engineers.",
        "[Armenia|GPE]'s technology sector grew by [nearly 20 percent|PERCENT] "
        "[last year|DATE], according to the government.",
    ),
    (
        "[Russia|GPE] has withdrawn its peacekeepers from [Nagorno-Karabakh|GPE], "
        "[Kremlin|ORG] spokesman [Dmitry Peskov|PERSON] confirmed on [Friday|DATE].",
        "The force of [nearly 2,000|CARDINAL] troops had been deployed after the [2020|DATE] war.",
    ),
    (
        "[Turkey|GPE] and [Armenia|GPE] have kept their border closed since [1993|DATE].",
        "Special envoys [Serdar Kilic|PERSON] and [Ruben Rubinyan|PERSON] met "
        "[four|CARDINAL] times [last year|DATE] to discuss reopening it.",
    ),
    (
        "A magnitude [5.1|CARDINAL] earthquake struck northern [Iran|GPE] on [Sunday|DATE], "
        "[the United States Geological Survey|ORG] said.",
        "No casualties were reported in [Tabriz|GPE], the nearest large city.",
    ),
    (
        "A court in [Baku|GPE] sentenced [Ruben Vardanyan|PERSON], a former state minister of "
        "[Nagorno-Karabakh|GPE], to [20 years|DATE] in prison on [Monday|DATE].",
        "[Vardanyan|PERSON] has denied all the charges against him.",
    ),
    (
        "[Gazprom|ORG] raised the price of gas for [Armenia|GPE] by [10 percent|PERCENT] "
        "from [April 1|DATE].",
        "The company is the country's only supplier of natural gas.",
    ),
    (
        "The [Armenian|NORP] film [Amerikatsi|WORK_OF_ART] opened in cinemas across "
        "[France|GPE] on [Wednesday|DATE].",
        "Its director, [Michael Goorjian|PERSON], grew up in [California|GPE].",
    ),
    (
        "Wildfires burned [more than 500 hectares|QUANTITY] of forest in [Armenia|GPE]'s "
        "[Syunik|GPE] province [last week|DATE].",
        "Firefighters from [Georgia|GPE] and [Iran|GPE] helped to put out the flames.",
    ),
    (
        "[Kazakhstan|GPE] will build its [first|ORDINAL] nuclear power plant with "
        "[Rosatom|ORG], President [Kassym-Jomart Tokayev|PERSON] announced.",
        "The plant is due to open in [2035|DATE].",
    ),
    (
        "[The World Bank|ORG] approved a [$100 million|MONEY] loan to repair roads in "
        "northern [Armenia|GPE].",
        "Work will begin in [the spring|DATE] and last [three years|DATE].",
    ),
    (
        "[Armenia|GPE] froze its participation in [the Collective Security Treaty "
        "Organization|ORG] in [February|DATE].",
        "[Pashinian|PERSON] said the alliance had failed to protect the country in "
        "[2021|DATE] and [2022|DATE].",
    ),
    (
        "[Thousands|CARDINAL] of people rallied in [Yerevan|GPE] on [Sunday|DATE] to demand "
        "the resignation of the government.",
        "The protest was led by Archbishop [Bagrat Galstanyan|PERSON], a senior cleric of "
        "[the Armenian Apostolic Church|ORG].",
    ),
    (
        "[Apple|ORG] shares fell [4 percent|PERCENT] on [Thursday|DATE] after the company "
        "warned of weaker demand in [China|GPE].",
        "Analysts at [Morgan Stanley|ORG] cut their price target to [$210|MONEY].",
    ),
    (
        "[Novak Djokovic|PERSON] won his [24th|ORDINAL] major title at "
        "[the U.S. Open|EVENT] in [New York|GPE].",
        "The [Serbian|NORP] beat [Daniil Medvedev|PERSON] in straight sets.",
    ),
    (
        "[The European Parliament|ORG] voted on [Wednesday|DATE] to ban the sale of new "
        "petrol cars from [2035|DATE].",
        "[Germany|GPE] and [Italy|GPE] had asked for exemptions for synthetic fuels.",
    ),
    (
        "Scientists at [the University of Cambridge|ORG] said on [Monday|DATE] that they had "
        "found water vapour in the atmosphere of a distant planet.",
        "The planet lies [about 120 light years|QUANTITY] from [Earth|LOC].",
    ),
    (
        "[Iran|GPE] opened a consulate in [Kapan|GPE], the main town of [Armenia|GPE]'s "
        "southern [Syunik|GPE] region, in [October|DATE].",
        "[Tehran|GPE] has warned that it will not accept any change to its border with "
        "[Armenia|GPE].",
    ),
    (
        "[Jeyhun Bayramov|PERSON], [Azerbaijan|GPE]'s foreign minister, met "
        "[Ararat Mirzoyan|PERSON] in [Almaty|GPE] for [two days|DATE] of talks.",
        "[Kazakhstan|GPE]'s foreign ministry called the meeting constructive.",
    ),
    (
        "[Armenia|GPE] will buy [French|NORP] air defence radars under a contract signed in "
        "[Paris|GPE] on [Tuesday|DATE].",
        "The deal is [Armenia|GPE]'s [third|ORDINAL] arms purchase from [France|GPE] since "
        "[2023|DATE].",
    ),
    (
        "[Amazon|ORG] said it would invest [$8 billion|MONEY] in data centres in "
        "[Georgia|GPE], the [U.S.|GPE] state, over [the next decade|DATE].",
        "The project is expected to create [about 1,000|CARDINAL] jobs.",
    ),
    (
        "Rescuers pulled [two|CARDINAL] climbers from a crevasse on [Mount Aragats|LOC] on "
        "[Saturday|DATE].",
        "Both were taken to a hospital in [Yerevan|GPE] with minor injuries.",
    ),
    (
        "[Vladimir Putin|PERSON] did not travel to the [BRICS|ORG] summit in "
        "[Johannesburg|GPE] because of an international arrest warrant.",
        "[Sergei Lavrov|PERSON] led the [Russian|NORP] delegation instead.",
    ),
    (
        "[Armenia|GPE] became the [124th|ORDINAL] member of [the International Criminal "
        "Court|ORG] on [February 1, 2024|DATE].",
        "[Moscow|GPE] called the decision hostile.",
    ),
    (
        "Passenger numbers at [Zvartnots International Airport|FAC] rose to "
        "[5.8 million|CARDINAL] [last year|DATE], a record.",
        "The airport is run by [Armenia International Airports|ORG], which belongs to the "
        "[Argentine|NORP] billionaire [Eduardo Eurnekian|PERSON].",
    ),
    (
        "[Georgian Dream|ORG] won [54 percent|PERCENT] of the vote in [October|DATE], the "
        "election commission said.",
        "President [Salome Zourabichvili|PERSON] refused to recognise the result.",
    ),
    (
        "[NASA|ORG] postponed its next crewed lunar mission until [2026|DATE].",
        "Engineers in [Houston|GPE] found problems with the heat shield of the capsule.",
    ),
    (
        "[The International Monetary Fund|ORG] expects [Armenia|GPE]'s economy to grow by "
        "[5.5 percent|PERCENT] in [2025|DATE].",
        "[Georgia|GPE] and [Azerbaijan|GPE] are forecast to grow more slowly.",
    ),
    (
        "[Hikmet Hajiyev|PERSON], an adviser to [Aliyev|PERSON], accused [France|GPE] of "
        "arming [Armenia|GPE].",
        "[Paris|GPE] rejected the claim on [Thursday|DATE].",
    ),
    (
        "A train carrying [Kazakh|NORP] grain reached [Armenia|GPE] through "
        "[Azerbaijan|GPE] and [Georgia|GPE] for the [first|ORDINAL] time in "
        "[November|DATE].",
        "The [22|CARDINAL] wagons crossed [three|CARDINAL] borders in [four days|DATE].",
    ),
    (
        "[Maria Zakharova|PERSON], the spokeswoman of the [Russian|NORP] foreign ministry, "
        "said [Yerevan|GPE] was making a mistake.",
        "[Armenia|GPE] has moved closer to [the European Union|ORG] since [2023|DATE].",
    ),
    (
        "[Armenian|NORP] weightlifter [Simon Martirosyan|PERSON] won a silver medal in "
        "[Paris|GPE] on [Saturday|DATE].",
        "It was his [second|ORDINAL] medal after [Rio de Janeiro|GPE] in [2016|DATE].",
    ),
    (
        "Temperatures in [Yerevan|GPE] reached [42 degrees Celsius|QUANTITY] on "
        "[Tuesday|DATE], the highest since records began in [1885|DATE].",
        "Doctors advised people to stay indoors in the afternoon.",
    ),
    (
        "[Elon Musk|PERSON] said [Tesla|ORG] would cut [about 10 percent|PERCENT] of its "
        "workforce.",
        "The company employed [more than 140,000|CARDINAL] people at [the end of 2023|DATE].",
    ),
    (
        "[Ukraine|GPE] received its [first|ORDINAL] [F-16|PRODUCT] fighter jets from "
        "[Denmark|GPE] and the [Netherlands|GPE] in [August|DATE].",
        "[Volodymyr Zelensky|PERSON] thanked the pilots in a video address.",
    ),
    (
        "The [Matenadaran|ORG] in [Yerevan|GPE] holds [more than 23,000|CARDINAL] old manuscripts.",
        "[UNESCO|ORG] recognised the collection in [1997|DATE].",
    ),
    (
        "Police in [Tbilisi|GPE] detained [more than 40|CARDINAL] protesters outside "
        "parliament on [Thursday|DATE].",
        "[Georgia|GPE]'s interior ministry said officers had been attacked with fireworks.",
    ),
    (
        "[Air Arabia|ORG] will start flights from [Sharjah|GPE] to [Gyumri|GPE] in [June|DATE].",
        "[Gyumri|GPE] is [Armenia|GPE]'s [second|ORDINAL] largest city.",
    ),
    (
        "[Toivo Klaar|PERSON], the [EU|ORG] special representative for the "
        "[South Caucasus|LOC], ended his mission in [August|DATE].",
        "He had held the post for [six years|DATE].",
    ),
    (
        "Grape growers in [Armavir|GPE] say the harvest is down by [a third|CARDINAL] after "
        "a late frost in [April|DATE].",
        "Most of their grapes are sold to [the Yerevan Brandy Company|ORG], owned by "
        "[Pernod Ricard|ORG].",
    ),
    (
        "[Iran|GPE]'s president [Masoud Pezeshkian|PERSON] visited [Yerevan|GPE] on "
        "[Monday|DATE], his [first|ORDINAL] trip to [Armenia|GPE].",
        "He and [Pashinian|PERSON] signed [four|CARDINAL] agreements on transport and energy.",
    ),
    (
        "[Armenia|GPE]'s parliament approved the [2025|DATE] budget by [64|CARDINAL] votes "
        "to [zero|CARDINAL] on [Wednesday|DATE].",
        "Opposition lawmakers boycotted the session.",
    ),
    (
        "The [Yerevan|GPE] metro closed [three|CARDINAL] stations for repairs on [Saturday|DATE].",
        "The [Soviet|NORP]-era system carries [about 50,000|CARDINAL] passengers a day.",
    ),
    (
        "[Alen Simonyan|PERSON], the speaker of [the National Assembly|ORG], said the "
        "referendum could take place in [2027|DATE].",
        "[Armenia|GPE]'s current constitution was adopted in [2015|DATE].",
    ),
    (
        "[Fitch|ORG] upgraded [Armenia|GPE]'s credit rating on [Friday|DATE], citing strong "
        "growth and falling debt.",
        "The agency said public debt would fall to [48 percent|PERCENT] of output.",
    ),
    (
        "[Hakan Fidan|PERSON] said [Turkey|GPE] would open the border with [Armenia|GPE] "
        "once a peace deal with [Azerbaijan|GPE] was signed.",
        "The [Turkish|NORP] foreign minister spoke in [Ankara|GPE] on [Tuesday|DATE].",
    ),
    (
        "Chess grandmaster [Levon Aronian|PERSON] won a tournament in [Saint Louis|GPE] on "
        "[Sunday|DATE], beating [Fabiano Caruana|PERSON] in the last round.",
        "[Aronian|PERSON] has played for [the United States|GPE] since [2021|DATE].",
    ),
    (
        "The [Georgian|NORP] government suspended talks on [EU|ORG] membership until [2028|DATE].",
        "Prime Minister [Irakli Kobakhidze|PERSON] said [Georgia|GPE] would not be blackmailed.",
    ),
    (
        "[Samsung|ORG] reported an operating profit of [10.4 trillion won|MONEY] for "
        "[the third quarter|DATE], beating forecasts.",
        "Sales of memory chips in [South Korea|GPE] and [China|GPE] rose sharply.",
    ),
    (
        "Floods in [Tavush|GPE] and [Lori|GPE] killed [four|CARDINAL] people in [May|DATE].",
        "Water from the [Debed|LOC] washed away [two|CARDINAL] bridges.",
    ),
    (
        "[Ursula von der Leyen|PERSON] hosted [Pashinian|PERSON] and [Blinken|PERSON] in "
        "[Brussels|GPE] on [April 5|DATE].",
        "[Baku|GPE] criticised the meeting as one-sided.",
    ),
    (
        "[SpaceX|ORG] launched [22|CARDINAL] [Starlink|PRODUCT] satellites from "
        "[Florida|GPE] on [Tuesday|DATE].",
        "It was the company's [100th|ORDINAL] launch [this year|DATE].",
    ),
    (
        "Journalists from [Azatutyun|ORG], the [Armenian|NORP] service of "
        "[Radio Free Europe|ORG], were denied entry to the hearing.",
        "The court in [Yerevan|GPE] gave no reason.",
    ),
    (
        "[Kyrgyzstan|GPE] and [Tajikistan|GPE] signed a border treaty in [Bishkek|GPE] in "
        "[March|DATE], ending a dispute that had led to deadly clashes in [2022|DATE].",
        "Presidents [Sadyr Japarov|PERSON] and [Emomali Rahmon|PERSON] attended the ceremony.",
    ),
    (
        "[Armenia|GPE] exported [$1.9 billion|MONEY] worth of gold to "
        "[the United Arab Emirates|GPE] in [the first half of 2024|DATE].",
        "Economists say most of the gold came from [Russia|GPE].",
    ),
    (
        "[Pashinian|PERSON]'s [Civil Contract|ORG] party holds [71|CARDINAL] of the "
        "[107|CARDINAL] seats in parliament.",
        "The next election is due in [June 2026|DATE].",
    ),
    (
        "[Mirzoyan|PERSON] said on [Wednesday|DATE] that [Armenia|GPE] had sent a new draft "
        "of the peace treaty to [Baku|GPE].",
        "[Bayramov|PERSON] said [Azerbaijan|GPE] would reply within [a month|DATE].",
    ),
)


# ---- generated sentences -------------------------------------------------------------

# Pools, most frequent first (the draw weights fall as 1 / rank).
PEOPLE: tuple[tuple[str, str], ...] = (  # full name, surname
    ("Nikol Pashinian", "Pashinian"),
    ("Ilham Aliyev", "Aliyev"),
    ("Ararat Mirzoyan", "Mirzoyan"),
    ("Jeyhun Bayramov", "Bayramov"),
    ("Antony Blinken", "Blinken"),
    ("Dmitry Peskov", "Peskov"),
    ("Sergei Lavrov", "Lavrov"),
    ("Hakan Fidan", "Fidan"),
    ("Irakli Kobakhidze", "Kobakhidze"),
    ("Kaja Kallas", "Kallas"),
    ("Alen Simonyan", "Simonyan"),
    ("Hikmet Hajiyev", "Hajiyev"),
    ("Maria Zakharova", "Zakharova"),
    ("Suren Papikyan", "Papikyan"),
    ("Mher Grigoryan", "Grigoryan"),
    ("Shahin Mustafayev", "Mustafayev"),
    ("Anna Vardapetyan", "Vardapetyan"),
    ("Tigran Khachatryan", "Khachatryan"),
    ("Arsen Torosyan", "Torosyan"),
    ("Elchin Amirbayov", "Amirbayov"),
)
COUNTRIES = (
    "Armenia",
    "Azerbaijan",
    "Russia",
    "Georgia",
    "Turkey",
    "Iran",
    "the United States",
    "France",
    "Kazakhstan",
    "Ukraine",
    "India",
    "Belarus",
)
CITIES = (
    "Yerevan",
    "Baku",
    "Tbilisi",
    "Moscow",
    "Brussels",
    "Ankara",
    "Washington",
    "Gyumri",
    "Paris",
    "Kapan",
    "Ganja",
    "Vanadzor",
    "Goris",
    "Astana",
)
REGIONS = ("Nagorno-Karabakh", "Syunik", "Nakhchivan", "Tavush", "Shirak", "Lori")
ORGS = (
    "the European Union",
    "the CSTO",
    "NATO",
    "the OSCE",
    "the Eurasian Economic Union",
    "the United Nations",
    "the World Bank",
    "the State Department",
    "the Collective Security Treaty Organization",
    "the International Monetary Fund",
    "the European Commission",
    "the Asian Development Bank",
)
COMPANIES = (
    "Gazprom",
    "SOCAR",
    "Rosatom",
    "Ucom",
    "Ameriabank",
    "Zangezur Copper Molybdenum Combine",
    "South Caucasus Railway",
    "Electric Networks of Armenia",
)
AGENCIES = ("Armenpress", "Reuters", "Interfax", "Azatutyun", "APA", "News.am", "Turan")
PARTIES = ("Civil Contract", "Georgian Dream", "Armenia Alliance", "the New Azerbaijan Party")
NORP_ADJ = (
    "Armenian",
    "Azerbaijani",
    "Russian",
    "Georgian",
    "Turkish",
    "Iranian",
    "French",
    "American",
    "European",
)
NORP_PLURAL = ("Armenians", "Azerbaijanis", "Georgians", "Russians", "Iranians")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
ORDINALS = ("first", "second", "third", "fourth", "fifth")
SMALL = ("two", "three", "four", "five", "six", "seven", "eight")
QUARTERS = ("the first quarter", "the second quarter", "the third quarter")

TEMPLATES: tuple[str, ...] = (
    "{PERSON} met {PERSON} in {CITY} on {DAY}.",
    "{COUNTRY} and {COUNTRY} agreed on {DAY} to hold a {ORDINAL} round of talks in {CITY}.",
    "{SURNAME} said {COUNTRY} would not join {ORG} without a vote in parliament.",
    "Speaking to {AGENCY} on {DAY}, {PERSON} said talks with {COUNTRY} had stalled.",
    "{ORG} will lend {COUNTRY} {MONEY} to rebuild roads in {REGION}.",
    "Inflation in {COUNTRY} slowed to {PERCENT} in {MONTH}, the central bank said.",
    "{APPROX} {NORP_PLURAL} have left {REGION} since {YEAR}, according to {ORG}.",
    "The {NORP} foreign ministry summoned the {NORP} ambassador on {DAY}.",
    "{SURNAME} is expected to visit {COUNTRY} in {MONTH}, {AGENCY} reported.",
    "{COUNTRY} has asked {ORG} to send observers to its border with {COUNTRY}.",
    "{PERSON} called {SURNAME} on {DAY} to discuss the situation in {REGION}.",
    "Trade between {COUNTRY} and {COUNTRY} rose by {PERCENT} in {YEAR}.",
    "Officials in {CITY} said the {ORDINAL} aid convoy had reached {REGION}.",
    "{ORG} said on {DAY} that {COUNTRY} had met the conditions of the program.",
    "{SURNAME}'s office said the meeting with {PERSON} lasted {HOURS}.",
    "In {CITY}, {NUMBER} people marched to parliament on {DAY} against the deal with {COUNTRY}.",
    "{COUNTRY} will host a summit of {ORG} in {MONTH_YEAR}.",
    "The {NORP} defence ministry said its troops had come under fire near {CITY} on {DAY}.",
    "{PERSON}, who leads {PARTY}, said the party would contest the election in {YEAR}.",
    "{SURNAME} and {SURNAME} shook hands in front of the cameras in {CITY}.",
    "{COUNTRY}'s economy grew {PERCENT} in {QUARTER}, the statistics office said.",
    "Flights between {CITY} and {CITY} resumed on {DAY} after a break of {YEARS}.",
    "{ORG} fined {COMPANY} {MONEY} for breaking competition rules.",
    "{NORP} and {NORP} officials met behind closed doors in {CITY} on {DAY}.",
    "Asked about {COUNTRY}, {SURNAME} said the door to dialogue remained open.",
    "The border crossing near {CITY} handled {NUMBER} trucks in {MONTH}.",
    "{AGENCY} quoted {PERSON} as saying that {ORG} had failed {COUNTRY}.",
    "A delegation led by {PERSON} arrived in {CITY} on {DAY} for {DAYS_SPAN} of talks.",
    "{COUNTRY} recalled its ambassador to {COUNTRY} for consultations on {DAY}.",
    "Exports of brandy from {COUNTRY} to {COUNTRY} fell by {PERCENT} in {YEAR}.",
    "{COMPANY} said on {DAY} it would invest {MONEY} in {REGION} over {YEARS}.",
    "{SURNAME} accused {COUNTRY} of blocking the talks, {AGENCY} reported on {DAY}.",
    "{PERSON} will travel to {CITY} [next week|DATE], a spokesman for {PARTY} said.",
    "The {NORP} government approved a plan to build {NUMBER} homes in {REGION}.",
)
LABEL_OF = {
    "PERSON": "PERSON",
    "SURNAME": "PERSON",
    "COUNTRY": "GPE",
    "CITY": "GPE",
    "REGION": "GPE",
    "ORG": "ORG",
    "COMPANY": "ORG",
    "AGENCY": "ORG",
    "PARTY": "ORG",
    "NORP": "NORP",
    "NORP_PLURAL": "NORP",
    "DAY": "DATE",
    "MONTH": "DATE",
    "YEAR": "DATE",
    "MONTH_YEAR": "DATE",
    "QUARTER": "DATE",
    "YEARS": "DATE",
    "DAYS_SPAN": "DATE",
    "HOURS": "TIME",
    "ORDINAL": "ORDINAL",
    "NUMBER": "CARDINAL",
    "APPROX": "CARDINAL",
    "MONEY": "MONEY",
    "PERCENT": "PERCENT",
}
SLOT = re.compile(r"\{([A-Z_]+)\}")


def zipf_choice(rng: random.Random, pool: Sequence[str]) -> str:
    """A draw from ``pool`` with weight 1 / rank (the first is the most common)."""
    return rng.choices(pool, weights=[1 / (rank + 1) for rank in range(len(pool))])[0]


def fill(rng: random.Random, slot: str) -> str:
    """A surface for one template slot (without markup)."""
    if slot == "PERSON":
        return zipf_choice(rng, [full for full, _ in PEOPLE])
    if slot == "SURNAME":
        return zipf_choice(rng, [short for _, short in PEOPLE])
    pools: dict[str, Sequence[str]] = {
        "COUNTRY": COUNTRIES,
        "CITY": CITIES,
        "REGION": REGIONS,
        "ORG": ORGS,
        "COMPANY": COMPANIES,
        "AGENCY": AGENCIES,
        "PARTY": PARTIES,
        "NORP": NORP_ADJ,
        "NORP_PLURAL": NORP_PLURAL,
    }
    if slot in pools:
        return zipf_choice(rng, pools[slot])
    if slot == "DAY":
        return rng.choice(DAYS)
    if slot == "MONTH":
        return rng.choice(MONTHS)
    if slot == "YEAR":
        return str(rng.randint(2015, 2025))
    if slot == "MONTH_YEAR":
        return f"{rng.choice(MONTHS)} {rng.randint(2024, 2026)}"
    if slot == "QUARTER":
        return rng.choice(QUARTERS)
    if slot == "YEARS":
        return f"{rng.choice(SMALL)} years"
    if slot == "DAYS_SPAN":
        return f"{rng.choice(SMALL)} days"
    if slot == "HOURS":
        return f"{rng.choice(SMALL)} hours"
    if slot == "ORDINAL":
        return rng.choice(ORDINALS)
    if slot == "NUMBER":
        return f"{rng.randint(2, 95) * 100:,}"
    if slot == "APPROX":
        return f"about {rng.randint(2, 95) * 100:,}"
    if slot == "MONEY":
        return f"${rng.randint(2, 90) * 5} million"
    if slot == "PERCENT":
        return f"{rng.randint(1, 15)}.{rng.randint(0, 9)} percent"
    raise KeyError(f"no pool for template slot {slot}")


def generate_sentence(rng: random.Random, template: str) -> str:
    """The template with its slots filled, as marked text; the same slot kind twice
    gets two different surfaces ("{COUNTRY} and {COUNTRY}")."""
    used: set[str] = set()

    def one(match: re.Match[str]) -> str:
        slot = match.group(1)
        surface = fill(rng, slot)
        while surface in used or any(surface in u or u in surface for u in used):
            surface = fill(rng, slot)
        used.add(surface)
        article, _, name = surface.partition(" ")
        if article == "the" and name.isupper():  # "the [OSCE|ORG]", as OntoNotes marks it
            return f"the [{name}|{LABEL_OF[slot]}]"
        return f"[{surface}|{LABEL_OF[slot]}]"

    marked = SLOT.sub(one, template)
    return capitalize_first(marked)


def capitalize_first(marked: str) -> str:
    """Upper-case the sentence's first letter, inside markup or not ("the CSTO" -> "The CSTO")."""
    i = 1 if marked.startswith("[") else 0
    return marked[:i] + marked[i].upper() + marked[i + 1 :]


# ---- the corpus ---------------------------------------------------------------------


def build_corpus(
    seed: int = DEFAULT_SEED, generated: int = DEFAULT_GENERATED
) -> list[NewsDocument]:
    """The hand-written articles and ``generated`` documents of 3-4 generated
    sentences, shuffled with ``seed``; every sentence in it is distinct."""
    rng = random.Random(seed)
    seen: set[str] = set()
    docs = []
    for article in HAND_WRITTEN:
        for sentence in article:
            assert sentence not in seen, f"hand-written sentence twice: {sentence}"
            seen.add(sentence)
        docs.append(document(article, "hand"))
    for _ in range(generated):
        sentences = []
        for template in rng.sample(TEMPLATES, rng.randint(3, 4)):
            sentence = generate_sentence(rng, template)
            while sentence in seen:
                sentence = generate_sentence(rng, template)
            seen.add(sentence)
            sentences.append(sentence)
        docs.append(document(sentences, "generated"))
    rng.shuffle(docs)
    texts = [d.text for d in docs]
    assert len(set(texts)) == len(texts), "two documents have the same text"
    return docs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--show", type=int, default=3, help="documents to print")
    args = parser.parse_args()
    docs = build_corpus(args.seed)
    labels = Counter(label for d in docs for _, _, label in d.entities)
    origins = Counter(d.origin for d in docs)
    sentences = sum(len(d.sentences()) for d in docs)
    print(f"{len(docs)} documents ({dict(origins)}), {sentences} sentences")
    print("entities:", dict(labels.most_common()))
    for doc in docs[: args.show]:
        print("---", doc.origin)
        print(doc.text)
        print([(doc.text[s:e], label) for s, e, label in doc.entities])


if __name__ == "__main__":
    main()
