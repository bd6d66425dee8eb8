"""Word lists for synthetic Danish people, places and workplaces."""


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FEMALE = _words(
    "Anne Kirsten Mette Hanne Helle Susanne Lene Maria Marianne Lone Camilla Pia Louise "
    "Charlotte Tina Bente Jette Rikke Karen Sara Julie Ida Emma Freja Sofie Line Maja "
    "Mathilde Nanna Cecilie Signe Laura Katrine Birgitte Inge Dorthe Malene Trine Stine "
    "Astrid"
)
MALE = _words(
    "Jens Peter Lars Michael Henrik Søren Thomas Jan Niels Anders Morten Jesper Mads Rasmus "
    "Martin Christian Per Hans Ole Kim Frederik Mikkel Jonas Kasper Emil Lucas Oliver Magnus "
    "Tobias Simon Jakob Torben Bo Allan Brian Carsten Finn Poul Erik Kristian"
)
MIDDLE = _words(
    "Marie Louise Kristine Holm Skov Bach Krogh Lund Dahl Juul Munk"
)
SURNAMES = _words(
    "Nielsen Jensen Hansen Pedersen Andersen Christensen Larsen Sørensen Rasmussen Jørgensen "
    "Petersen Madsen Kristensen Olsen Thomsen Christiansen Poulsen Johansen Møller Mortensen "
    "Knudsen Jakobsen Mikkelsen Olesen Frederiksen Laursen Henriksen Lund Schmidt Eriksen "
    "Holm Kristiansen Clausen Simonsen Svendsen Andreasen Iversen Jeppesen Mogensen Jacobsen "
    "Vestergaard Nissen Lauridsen Kjær Dahl Bach Østergaard Damgaard Berg Søndergaard"
)
STREETS = (
    "Nørrebrogade",
    "Amagerbrogade",
    "Vesterbrogade",
    "Østerbrogade",
    "Jagtvej",
    "Frederikssundsvej",
    "Valby Langgade",
    "Istedgade",
    "Tagensvej",
    "Griffenfeldsgade",
    "Blegdamsvej",
    "Strandboulevarden",
    "Gammel Kongevej",
    "Enghavevej",
    "Sundholmsvej",
    "Holmbladsgade",
    "Peter Bangs Vej",
    "Roskildevej",
    "Bellahøjvej",
    "Tingbjerg Allé",
    "Ålholmvej",
    "Gothersgade",
    "Kronprinsessegade",
    "Refshalevej",
    "Ryesgade",
    "Ravnsborggade",
    "Husumvej",
    "Degnemose Allé",
    "Bispebjerg Bakke",
    "Lyngbyvej",
)
POSTAL = (
    ("2100", "København Ø"),
    ("2200", "København N"),
    ("2300", "København S"),
    ("2400", "København NV"),
    ("2450", "København SV"),
    ("2500", "Valby"),
    ("2700", "Brønshøj"),
    ("2720", "Vanløse"),
    ("1360", "København K"),
    ("1620", "København V"),
    ("2000", "Frederiksberg"),
    ("2770", "Kastrup"),
)
PLACES = _words(
    "Solsikken Mælkebøtten Regnbuen Kastanjen Egetræet Myretuen Spiren Lærkereden Troldehøjen "
    "Bikuben Valmuen Havtornen Skovbrynet Fyrtårnet Ankeret Søstjernen Vibeengen Bøgely "
    "Lindegården Rosenhaven Kløverbladet Stjernen Nordlyset Humlebien Pilebæk Birkelund "
    "Engblommen Hasselnødden Ahornen Tusindfryd Mosebo Strandparken Kildevæld Elmegården "
    "Guldsmeden Sommerfuglen Tranehøj Hyldebæret Rønnebærret Skovstjernen"
)
DISTRICTS = (
    "Amager",
    "Vesterbro",
    "Nørrebro",
    "Østerbro",
    "Valby",
    "Vanløse",
    "Brønshøj",
    "Bispebjerg",
    "Sydhavnen",
    "Christianshavn",
    "Indre By",
    "Sundby",
    "Husum",
    "Tingbjerg",
    "Nordvest",
    "Kongens Enghave",
)

# administration -> unit name patterns ({p}: a place, {d}: a district) and child-facing flag
UNIT_PATTERNS = {
    "BUF": (
        ("Børnehuset {p}", True),
        ("Vuggestuen {p}", True),
        ("Skolen på {d}", True),
        ("Fritidscentret {p}", True),
        ("Klubhuset {p}", True),
    ),
    "SOF": (
        ("Bostedet {p}", True),
        ("Socialcenter {d}", False),
        ("Botilbuddet {p}", False),
        ("Familiehuset {d}", True),
    ),
    "SUF": (
        ("Plejehjemmet {p}", False),
        ("Hjemmeplejen {d}", False),
        ("Sundhedshuset {d}", False),
        ("Rehabiliteringscenter {d}", False),
    ),
    "KFF": (("{d} Bibliotek", True), ("Kulturhuset {p}", False), ("Svømmehallen {d}", True)),
    "TMF": (("Vej og Park {d}", False), ("Byggeri København, team {p}", False), ("Renhold {d}", False)),
    "ØKF": (
        ("Koncernservice, Løn og Personale", False),
        ("Koncernservice, Økonomi", False),
        ("Koncernservice, IT-drift", False),
        ("Borgerservice {d}", False),
    ),
    "BIF": (
        ("Jobcenter {d}", False),
        ("Ungdommens Uddannelsesvejledning {d}", True),
        ("Integrationshuset {p}", False),
    ),
}
ADMIN_WEIGHTS = {"BUF": 35, "SUF": 22, "SOF": 13, "KFF": 8, "TMF": 8, "ØKF": 7, "BIF": 7}

# administration -> (position, agreement, monthly salary at 37 h, may be tjenestemand)
POSITIONS = {
    "BUF": (
        ("Pædagog", "KL-PAED", 34200, False),
        ("Pædagogmedhjælper", "KL-PMH", 28900, False),
        ("Lærer", "KL-LAER", 41500, True),
        ("Skoleleder", "KL-LEDER", 56800, True),
    ),
    "SOF": (
        ("Socialrådgiver", "KL-SOCR", 39800, False),
        ("Pædagog", "KL-PAED", 34200, False),
        ("Socialpædagog", "KL-SOCP", 35100, False),
    ),
    "SUF": (
        ("Social- og sundhedsassistent", "KL-SOSU", 31800, False),
        ("Social- og sundhedshjælper", "KL-SOSU", 29100, False),
        ("Sygeplejerske", "KL-SYGPL", 38400, False),
        ("Ergoterapeut", "KL-TERA", 36200, False),
    ),
    "KFF": (
        ("Bibliotekar", "KL-BIBL", 37600, False),
        ("Kulturmedarbejder", "KL-HK", 32400, False),
        ("Svømmelærer", "KL-3F", 29800, False),
    ),
    "TMF": (
        ("Ingeniør", "KL-AC", 47900, False),
        ("Gartner", "KL-3F", 30100, False),
        ("Byggesagsbehandler", "KL-AC", 45200, False),
    ),
    "ØKF": (
        ("Lønkonsulent", "KL-HK", 34800, False),
        ("Fuldmægtig", "KL-AC", 44600, True),
        ("Økonomimedarbejder", "KL-HK", 33500, False),
        ("Kontorchef", "KL-LEDER", 62500, True),
    ),
    "BIF": (("Jobkonsulent", "KL-HK", 35400, False), ("Socialrådgiver", "KL-SOCR", 39800, False)),
}
HOURLY_POSITIONS = (
    ("Vikar", "KL-PMH", 172.40),
    ("Timelønnet medhjælper", "KL-PMH", 168.90),
    ("Afløser", "KL-SOSU", 184.60),
    ("Rengøringsassistent", "KL-3F", 176.30),
    ("Timelønnet underviser", "KL-LAER", 241.10),
)
PENSION_PCT = {
    "KL-PAED": 15.44,
    "KL-PMH": 12.50,
    "KL-LAER": 18.07,
    "KL-LEDER": 18.07,
    "KL-SOCR": 18.07,
    "KL-SOCP": 15.44,
    "KL-SOSU": 12.50,
    "KL-SYGPL": 15.44,
    "KL-TERA": 15.44,
    "KL-BIBL": 18.07,
    "KL-HK": 12.90,
    "KL-3F": 12.00,
    "KL-AC": 18.07,
}
SUPPLEMENT_REASONS = (
    "Særlig indsats ved flytning af afdelingen",
    "Projektledelse af digitaliseringsprojekt",
    "Ekstra vagter i sommerperioden",
    "Oplæring af nye kolleger",
    "Resultatløn efter aftale 2024",
    "Særlig indsats under sygdomsperiode i teamet",
    "Koordinering af kvalitetsrevision",
)
RECORD_LINES = (
    "Københavns Byrets dom af 14. marts 2019: overtrædelse af straffelovens § 244, betinget fængsel 30 dage.",
    "Retten i Glostrups dom af 2. oktober 2016: overtrædelse af straffelovens § 276, bøde.",
    "Retten på Frederiksbergs dom af 9. juni 2021: overtrædelse af lov om euforiserende stoffer, bøde.",
)
