"""German-like news text: titles, leads, paragraphs, captions and tags.

The text only has to look like the site's (umlauts, „typographic quotes“, dashes, numbers
with decimal commas) so that parsing and normalisation meet realistic input; it is
generated from word lists by a seeded ``random.Random``, so it is reproducible.
"""

from __future__ import annotations

import random
import re

PEOPLE = (
    ("Präsident", "Alexander Lukaschenko"),
    ("Premierminister", "Roman Golowtschenko"),
    ("Außenminister", "Maxim Ryschenkow"),
    ("Vorsitzende des Rates der Republik", "Natalja Kotschanowa"),
    ("Leiter der Präsidialverwaltung", "Dmitri Krutoi"),
    ("Wirtschaftsminister", "Juri Tschebotar"),
    ("Vize-Premier", "Wiktor Karankewitsch"),
    ("Gouverneur des Gebiets Gomel", "Iwan Krupko"),
    ("Botschafter", "Denis Sidorenko"),
    ("Sportminister", "Sergej Kowaltschuk"),
)
INSTITUTIONS = (
    "die belarussische Regierung",
    "das Außenministerium von Belarus",
    "die Nationalbank",
    "der Pressedienst des Präsidenten",
    "das Nationale Statistikkomitee",
    "die Industrie- und Handelskammer",
    "das Ministerium für Landwirtschaft und Ernährung",
    "die Eurasische Wirtschaftskommission",
    "das Exekutivkomitee der Stadt Minsk",
    "der Ministerrat",
)
COUNTRIES = (
    "Russland",
    "Kasachstan",
    "China",
    "Usbekistan",
    "Aserbaidschan",
    "Vietnam",
    "Simbabwe",
    "Kuba",
    "Armenien",
    "der Türkei",
    "Ägypten",
    "Tadschikistan",
)
CITIES = ("Minsk", "Brest", "Gomel", "Grodno", "Witebsk", "Mogiljow", "Soligorsk", "Nowopolozk")
REGIONS = ("Brest", "Gomel", "Grodno", "Witebsk", "Mogiljow", "Minsk")
TOPICS = (
    "die Zusammenarbeit in der Landwirtschaft",
    "den Ausbau der Handelsbeziehungen",
    "gemeinsame Projekte im Maschinenbau",
    "die Lieferung von Kalidünger",
    "die Modernisierung der Milchbetriebe",
    "die Entwicklung der Logistik an der Grenze",
    "neue Wege für den Export von Lebensmitteln",
    "die Vorbereitung auf die Erntekampagne",
    "die Ergebnisse des ersten Halbjahres",
    "ein Programm für die Jugendpolitik",
    "den Bau eines Wohnviertels für junge Familien",
    "die Sicherheit im Unionsstaat",
    "den Austausch von Studierenden",
    "die Förderung des Tourismus",
    "die Digitalisierung der Verwaltung",
)
PARTICIPLES = (
    "besprochen",
    "erörtert",
    "vorgestellt",
    "bewertet",
    "hervorgehoben",
    "analysiert",
    "unterstützt",
    "angekündigt",
)
OCCASIONS = (
    "am Montag",
    "am Dienstag",
    "heute in Minsk",
    "während eines Arbeitstreffens",
    "im Rahmen des Forums der Regionen",
    "bei einer Sitzung des Ministerrats",
    "in einem Gespräch mit Journalisten",
    "auf einer Pressekonferenz",
    "bei einem Besuch im Gebiet Witebsk",
    "am Rande des Wirtschaftsforums",
)
GOODS = ("Milchprodukten", "Traktoren", "Kalidünger", "Holzprodukten", "Fleisch", "Lastwagen")
PERIODS = (
    "im ersten Quartal",
    "im Januar/August",
    "in den vergangenen fünf Monaten",
    "im vergangenen Jahr",
    "seit Jahresbeginn",
)
QUOTES = (
    "Wir müssen die Zusammenarbeit mit unseren Partnern weiter ausbauen",
    "Die Ergebnisse sind gut, aber wir dürfen uns nicht ausruhen",
    "Belarus ist offen für alle, die mit uns ehrlich arbeiten wollen",
    "Das ist eine Frage der Sicherheit unseres Landes",
    "Unsere Betriebe haben gezeigt, dass sie konkurrenzfähig sind",
    "Wir haben gemeinsam viel erreicht – und es gibt noch viel zu tun",
    "Jeder Bürger soll die Ergebnisse spüren",
)
EVENTS = (
    "Internationales Musikfestival",
    "Ausstellung moderner Kunst",
    "Forum der Regionen",
    "Tag der Wissenschaft",
    "Erntedankfest „Dazhynki“",
    "Jugendwettbewerb",
    "Buchmesse",
)
EXHIBITIONS = ("Parallelwelten", "Erbe", "Spuren", "Heimat", "Farben des Sommers", "Wege")
VENUES = ("Philharmonie", "Zoo", "Theater", "Nationalbibliothek")
SPORTS = (
    "Biathlon",
    "Rudern",
    "Ringen",
    "Eishockey",
    "Leichtathletik",
    "Rhythmische Sportgymnastik",
)
COMPETITIONS = (
    "den Spielen der GUS-Staaten",
    "der Weltmeisterschaft",
    "dem Weltcup",
    "dem Turnier",
)
TAGS = (
    "Russland",
    "Kasachstan",
    "China",
    "Handel",
    "Export",
    "Landwirtschaft",
    "Unionsstaat",
    "Industrie",
    "Kultur",
    "Bildung",
    "Tourismus",
    "Sport",
    "Gedenken",
    "Jugend",
    "Medizin",
    "Wahlen",
)
GALLERY_CAPTIONS = (
    ("Premierminister Roman Golowtschenko", "Премьер-министр Роман Головченко"),
    ("Teilnehmer der Gedenkveranstaltung", "Участники памятного мероприятия"),
    ("Blick auf die Gedenkstätte", "Вид на мемориальный комплекс"),
    ("Schüler legen Blumen nieder", "Школьники возлагают цветы"),
    ("Ehrenwache am Ewigen Feuer", "Почетный караул у Вечного огня"),
    ("Die Gäste des Festivals", "Гости фестиваля"),
)
PHOTOGRAPHERS = ("Alexander Kuschner", "Andrej Pokumeiko", "Maxim Guchman", "BelTA")
UPDATE_SENTENCES = (
    "Weitere Einzelheiten sollen in den kommenden Tagen bekannt gegeben werden.",
    "Die Gespräche werden am Nachmittag fortgesetzt.",
    "Die Seiten vereinbarten, sich im Herbst erneut zu treffen.",
    "Die Veranstaltung dauerte mehr als drei Stunden.",
)


def surname(person: tuple[str, str]) -> str:
    return person[1].split()[-1]


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


class TextGen:
    """Draws German news text from one ``random.Random``; every call consumes randomness."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def _pct(self) -> str:
        return f"{self.rng.randint(1, 40)},{self.rng.randint(0, 9)}"

    def title(self, rubric: str) -> str:
        r = self.rng
        person, country, city = r.choice(PEOPLE), r.choice(COUNTRIES), r.choice(CITIES)
        topic, region, event = capitalise(r.choice(TOPICS)), r.choice(REGIONS), r.choice(EVENTS)
        sport = r.choice(SPORTS)
        by_rubric = {
            "president": (
                f"Lukaschenko: {topic} bleibt eine Priorität",
                f"Lukaschenko trifft den Botschafter von {country} in {city}",
                f"Lukaschenko gratuliert den Bürgern in {city} zum Feiertag",
            ),
            "politics": (
                f"Belarus und {country} besprechen {r.choice(TOPICS)}",
                f"{surname(person)}: {topic} wird fortgesetzt",
                f"Delegation aus {country} zu Besuch im Gebiet {region}",
            ),
            "economics": (
                f"Belarus steigert Export nach {country} um {self._pct()} Prozent",
                f"Produktion von {r.choice(GOODS)} im Gebiet {region} wächst",
                f"Handelsumsatz mit {country} erreicht ${self._pct()} Mrd.",
            ),
            "society": (
                f"{event} in {city} eröffnet",
                f"Ausstellung „{r.choice(EXHIBITIONS)}“ in {city}",
                f"{r.randint(2, 90)} Jahre {r.choice(VENUES)} in {city}",
            ),
            "sport": (
                f"Belarus gewinnt {r.randint(2, 30)} Medaillen im {sport}",
                f"{sport}: Belarussische Mannschaft siegt bei {r.choice(COMPETITIONS)}",
            ),
            "fotoreportage": (
                f"{event} in {city}",
                f"Erinnerungsaktion in {r.choice(('Chatyn', 'Brest', 'Trostenez'))}",
            ),
        }
        title = r.choice(by_rubric[rubric])
        if r.random() < 0.7:
            title += f" – {r.choice(PERIODS if rubric == 'economics' else OCCASIONS)}"
        return title

    def sentence(self) -> str:
        r = self.rng
        person, country, topic = r.choice(PEOPLE), r.choice(COUNTRIES), r.choice(TOPICS)
        speaker, occasion, done = (
            f"{person[0]} {person[1]}",
            r.choice(OCCASIONS),
            r.choice(PARTICIPLES),
        )
        source = r.choice(("des Pressedienstes", "des Ministeriums", "der Botschaft"))
        partner = capitalise(country.removeprefix("der "))
        forms = (
            f"{capitalise(r.choice(INSTITUTIONS))} hat {occasion} {topic} {done}.",
            f"{capitalise(occasion)} hat {speaker} {topic} {done}.",
            f"„{r.choice(QUOTES)}“, sagte {speaker}.",
            f"Der Handel mit {country} ist {r.choice(PERIODS)} um {self._pct()} Prozent gestiegen.",
            f"Nach Angaben {source} wurden {r.randint(2, 60)} Verträge unterzeichnet.",
            f"{partner} ist für Belarus ein wichtiger Partner – das betonte {speaker} {occasion}.",
            f"Es geht vor allem um {topic} – so {person[1]}.",
            f"Zuvor hatte {r.choice(INSTITUTIONS)} {topic} {done}.",
            f"Die Produktion soll bis {r.randint(2025, 2030)} um {self._pct()} Prozent wachsen.",
            f"An der Feier in {r.choice(CITIES)} nahmen {r.randint(2, 90) * 10} Gäste teil.",
            f"Der Wert der Verträge beläuft sich auf {r.randint(5, 900)} Mio. US-Dollar.",
        )
        return r.choice(forms)

    def paragraph(self) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(1, 3)))

    def lead(self) -> str:
        return self.sentence()

    def caption(self) -> str:
        r = self.rng
        person = r.choice(PEOPLE)
        return r.choice(
            (
                "Archivfoto",
                f"{person[1]}. Archivfoto",
                f"{person[1]}. Foto des Außenministeriums",
                f"{r.choice(CITIES)}. Foto: {r.choice(PHOTOGRAPHERS)}",
            )
        )

    def gallery_captions(self, count: int) -> list[tuple[str, str]]:
        """Distinct German photo captions, each with its Russian original."""
        return self.rng.sample(GALLERY_CAPTIONS, count)

    def credit(self) -> str:
        name = self.rng.choice(PHOTOGRAPHERS)
        return self.rng.choice((f"Foto: {name}", f"Foto von {name}"))

    def tags(self) -> list[str]:
        return self.rng.sample(TAGS, self.rng.randint(1, 4))

    def update(self) -> str:
        return self.rng.choice(UPDATE_SENTENCES) + " " + self.sentence()


_UMLAUTS = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "s"})


def slugify(title: str, limit: int = 120) -> str:
    """The site's URL slug of a title.

    >>> slugify('BelTA-Ausstellung "Parallelwelten" in Moskau eröffnet')
    'belta-ausstellung-parallelwelten-in-moskau-eroffnet'
    >>> slugify("Export stieg im Januar/August auf $32,8 Mrd.")
    'export-stieg-im-januaraugust-auf-328-mrd'
    >>> slugify("Treffen in St. Petersburg")
    'treffen-in-st.-petersburg'
    """
    text = title.lower().translate(_UMLAUTS)
    text = re.sub(r"\s+", "-", text)
    text = re.sub(r"[^a-z0-9.-]", "", text)
    text = re.sub(r"-{2,}", "-", text).strip("-.")
    return text[:limit].rstrip("-.")
