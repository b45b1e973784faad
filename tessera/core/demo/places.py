"""Towns where the demo partners are, with the language spoken there and local number formats.

In the patterns, '#' stands for a digit and '?' for a capital letter.
"""

from dataclasses import dataclass
from random import Random


@dataclass(frozen=True)
class Town:
    name: str
    postcode: str
    phone: str
    language: str


def fill(pattern: str, rng: Random) -> str:
    return "".join(
        rng.choice("0123456789") if char == "#" else rng.choice("ABCEGHJKLMNPRTVWXZ") if char == "?" else char for char in pattern
    )


TOWNS = {
    "BE": (
        Town("Antwerpen", "2000", "+32 3 ### ## ##", "nl"),
        Town("Mechelen", "2800", "+32 15 ## ## ##", "nl"),
        Town("Turnhout", "2300", "+32 14 ## ## ##", "nl"),
        Town("Leuven", "3000", "+32 16 ## ## ##", "nl"),
        Town("Hasselt", "3500", "+32 11 ## ## ##", "nl"),
        Town("Genk", "3600", "+32 89 ## ## ##", "nl"),
        Town("Brugge", "8000", "+32 50 ## ## ##", "nl"),
        Town("Kortrijk", "8500", "+32 56 ## ## ##", "nl"),
        Town("Roeselare", "8800", "+32 51 ## ## ##", "nl"),
        Town("Gent", "9000", "+32 9 ### ## ##", "nl"),
        Town("Aalst", "9300", "+32 53 ## ## ##", "nl"),
        Town("Anderlecht", "1070", "+32 2 ### ## ##", "fr"),
        Town("Wavre", "1300", "+32 10 ## ## ##", "fr"),
        Town("Nivelles", "1400", "+32 67 ## ## ##", "fr"),
        Town("Liège", "4000", "+32 4 ### ## ##", "fr"),
        Town("Namur", "5000", "+32 81 ## ## ##", "fr"),
        Town("Charleroi", "6000", "+32 71 ## ## ##", "fr"),
        Town("Mons", "7000", "+32 65 ## ## ##", "fr"),
        Town("Tournai", "7500", "+32 69 ## ## ##", "fr"),
    ),
    "FR": (
        Town("Lille", "59000", "+33 3 20 ## ## ##", "fr"),
        Town("Roubaix", "59100", "+33 3 20 ## ## ##", "fr"),
        Town("Arras", "62000", "+33 3 21 ## ## ##", "fr"),
        Town("Amiens", "80000", "+33 3 22 ## ## ##", "fr"),
        Town("Reims", "51100", "+33 3 26 ## ## ##", "fr"),
        Town("Metz", "57000", "+33 3 87 ## ## ##", "fr"),
        Town("Strasbourg", "67000", "+33 3 88 ## ## ##", "fr"),
        Town("Paris", "75011", "+33 1 43 ## ## ##", "fr"),
        Town("Lyon", "69007", "+33 4 78 ## ## ##", "fr"),
        Town("Nantes", "44000", "+33 2 40 ## ## ##", "fr"),
    ),
    "NL": (
        Town("Rotterdam", "30## ??", "+31 10 ### ####", "nl"),
        Town("Amsterdam", "10## ??", "+31 20 ### ####", "nl"),
        Town("Utrecht", "35## ??", "+31 30 ### ####", "nl"),
        Town("Eindhoven", "56## ??", "+31 40 ### ####", "nl"),
        Town("Breda", "48## ??", "+31 76 ### ####", "nl"),
        Town("Tilburg", "50## ??", "+31 13 ### ####", "nl"),
        Town("Venlo", "59## ??", "+31 77 ### ####", "nl"),
        Town("Nijmegen", "65## ??", "+31 24 ### ####", "nl"),
        Town("Zwolle", "80## ??", "+31 38 ### ####", "nl"),
    ),
    "DE": (
        Town("Köln", "506##", "+49 221 #######", "de"),
        Town("Düsseldorf", "402##", "+49 211 #######", "de"),
        Town("Aachen", "520##", "+49 241 #######", "de"),
        Town("Essen", "451##", "+49 201 #######", "de"),
        Town("Dortmund", "441##", "+49 231 #######", "de"),
        Town("Duisburg", "470##", "+49 203 #######", "de"),
        Town("Bielefeld", "336##", "+49 521 #######", "de"),
        Town("Frankfurt am Main", "603##", "+49 69 ########", "de"),
        Town("Stuttgart", "701##", "+49 711 #######", "de"),
        Town("München", "803##", "+49 89 ########", "de"),
    ),
}

# What customers and suppliers of a metal furniture maker do, as a word in their trade name.
TRADES = {
    ("customer", "nl"): (
        "Kantoorinrichting",
        "Logistiek",
        "Magazijninrichting",
        "Bedrijfsinrichting",
        "Industriebenodigdheden",
        "Opslagsystemen",
        "Werkplaatsinrichting",
        "Technische Handel",
        "Transport",
        "Garage-uitrusting",
    ),
    ("customer", "fr"): (
        "Équipements",
        "Logistique",
        "Agencement",
        "Rayonnages",
        "Fournitures Industrielles",
        "Manutention",
        "Mobilier de Bureau",
        "Stockage",
        "Distribution",
        "Outillage",
    ),
    ("customer", "de"): (
        "Lagertechnik",
        "Betriebseinrichtungen",
        "Logistik",
        "Büroeinrichtung",
        "Werkstattausrüstung",
        "Industriebedarf",
        "Regalsysteme",
        "Fördertechnik",
    ),
    ("supplier", "nl"): (
        "Staalhandel",
        "Metaalservice",
        "Bevestigingstechniek",
        "Poedercoating",
        "Buizenhandel",
        "Verzinkerij",
        "Plaatbewerking",
        "Wielen en Zwenkwielen",
    ),
    ("supplier", "fr"): (
        "Aciers",
        "Métaux",
        "Visserie",
        "Peintures Industrielles",
        "Tubes et Profilés",
        "Galvanisation",
        "Quincaillerie Industrielle",
        "Roulettes",
    ),
    ("supplier", "de"): (
        "Stahlhandel",
        "Metallhandel",
        "Schraubenwerk",
        "Pulverlacke",
        "Rohrhandel",
        "Verzinkerei",
        "Beschläge",
        "Rollen und Räder",
    ),
}

LEGAL_FORMS = {
    ("BE", "nl"): ("NV", "BV", "BV"),
    ("BE", "fr"): ("SA", "SRL", "SRL"),
    ("FR", "fr"): ("SAS", "SARL", "SA"),
    ("NL", "nl"): ("B.V.", "B.V.", "N.V."),
    ("DE", "de"): ("GmbH", "GmbH", "GmbH & Co. KG", "AG"),
}

TOP_LEVEL_DOMAINS = {"BE": "be", "FR": "fr", "NL": "nl", "DE": "de"}
