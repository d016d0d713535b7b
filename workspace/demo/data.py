"""The demo: the real cooperation bodies of shared/corpus, their members and people.

Descriptions are quoted from the bodies' own public texts.
"""
from __future__ import annotations

WORKSPACES = [
    {
        "slug": "sydsverige",
        "name": "Regionsamverkan Sydsverige",
        "description": (
            "Regionsamverkan Sydsverige är ett samarbete mellan Region Blekinge, Region Halland, "
            "Region Jönköpings län, Region Kalmar län, Region Kronoberg och Region Skåne kring bland "
            "annat infrastruktur, kollektivtrafik, kultur, arbetsmarknad och kompetensförsörjning, "
            "bredband och digitalisering samt energiförsörjning. Samarbete sker på politisk och på "
            "tjänstemannanivå, där både styrande och oppositionspolitiker medverkar."
        ),
        "decision_rule": "consensus",
        "members": [
            ("Region Blekinge", "region"),
            ("Region Halland", "region"),
            ("Region Jönköpings län", "region"),
            ("Region Kalmar län", "region"),
            ("Region Kronoberg", "region"),
            ("Region Skåne", "region"),
        ],
    },
    {
        "slug": "sosk",
        "name": "Sydöstra Skånes samarbetskommitté",
        "description": (
            "Kommunerna i sydöstra Skåne, Ystad, Simrishamn, Sjöbo och Tomelilla, samverkar genom "
            "Sydöstra Skånes samarbetskommitté (SÖSK). Vi använder varandras tillgångar som en "
            "gemensam resurs och skapar tillsammans hållbar utveckling, attraktivitet och tillväxt "
            "för hela Skåne. Samarbetet utgår från Ledningsplanen för sydöstra Skåne, som följs upp "
            "i samband med delårs- samt årsbokslut."
        ),
        "decision_rule": "consensus",
        "members": [
            ("Ystads kommun", "municipality"),
            ("Simrishamns kommun", "municipality"),
            ("Sjöbo kommun", "municipality"),
            ("Tomelilla kommun", "municipality"),
        ],
    },
    {
        "slug": "sodertorn",
        "name": "Södertörnskommunernas samarbetskommitté",
        "description": (
            "Södertörns åtta kommuner är en attraktiv del av Stockholmsregionen. Genom gemensamt "
            "agerande har frågor kring infrastruktur drivits framgångsrikt, t.ex. utbyggnaderna av "
            "väg 73, Nynäsbanan, Tvärförbindelse Södertörn och E4:ans breddning. Kommittén följer "
            "varje år upp sin verksamhetsplan."
        ),
        "decision_rule": "consensus",
        "members": [
            ("Botkyrka kommun", "municipality"),
            ("Haninge kommun", "municipality"),
            ("Huddinge kommun", "municipality"),
            ("Nykvarns kommun", "municipality"),
            ("Nynäshamns kommun", "municipality"),
            ("Salems kommun", "municipality"),
            ("Södertälje kommun", "municipality"),
            ("Tyresö kommun", "municipality"),
        ],
    },
    {
        "slug": "sormland",
        "name": "Samverkan Sörmland",
        "description": (
            "Region Sörmland och Länsstyrelsen i Södermanlands län arbetar gemensamt inom områden "
            "som hälsa och livsvillkor, boendemiljöer, växande näringsliv och tillgänglighet. En "
            "avsiktsförklaring mellan parterna har skrivits under för ett starkt och hållbart "
            "Sörmland, idag och i framtiden."
        ),
        "decision_rule": "majority",
        "members": [
            ("Region Sörmland", "region"),
            ("Länsstyrelsen i Södermanlands län", "authority"),
        ],
    },
]

# (email, name, organisation, [(workspace slug, role, side)])
PEOPLE = [
    ("kansli@demo.example", "Karin Kansli", "Kansliet för Regionsamverkan Sydsverige",
     [("sydsverige", "secretariat", None)]),
    ("tjansteman.skane@demo.example", "Sara Lindqvist", "Region Skåne",
     [("sydsverige", "official", None)]),
    ("tjansteman.kronoberg@demo.example", "Lars Holm", "Region Kronoberg",
     [("sydsverige", "official", None)]),
    ("politiker.blekinge@demo.example", "Anders Berg", "Region Blekinge",
     [("sydsverige", "politician", "ruling")]),
    ("politiker.halland@demo.example", "Maria Nilsson", "Region Halland",
     [("sydsverige", "politician", "opposition")]),
    ("politiker.jonkoping@demo.example", "Erik Johansson", "Region Jönköpings län",
     [("sydsverige", "politician", "ruling")]),
    ("politiker.kalmar@demo.example", "Eva Karlsson", "Region Kalmar län",
     [("sydsverige", "politician", "opposition")]),
    ("politiker.kronoberg@demo.example", "Johan Ek", "Region Kronoberg",
     [("sydsverige", "politician", "ruling")]),
    ("politiker.skane@demo.example", "Anna Persson", "Region Skåne",
     [("sydsverige", "politician", "ruling")]),
    ("lasare@demo.example", "Leo Läsare", "Region Halland",
     [("sydsverige", "reader", None)]),
    ("tjansteman.ystad@demo.example", "Ylva Strand", "Ystads kommun",
     [("sosk", "official", None)]),
    ("kansli.sosk@demo.example", "Sofia Kansli", "Ystads kommun",
     [("sosk", "secretariat", None)]),
    ("kansli.sodertorn@demo.example", "Tove Kansli", "Huddinge kommun",
     [("sodertorn", "secretariat", None)]),
    ("kansli.sormland@demo.example", "Stina Kansli", "Region Sörmland",
     [("sormland", "secretariat", None)]),
]
