"""Every text the console shows, in Danish, kept here so a gettext catalogue can follow.

Templates and code name these constants and functions; no page carries a literal text of
its own. Counts go through `plural`, the one place a catalogue's ngettext will replace.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from runner.states import State

PRODUCT = "Robotkonsollen"
LANGUAGE = "da"


def plural(count: int, one: str, many: str) -> str:
    """`count` with the noun in its form: "1 emne", "3 emner"."""
    return f"{count} {one if count == 1 else many}"


# -- page chrome ---------------------------------------------------------------------------

NAV_OVERVIEW = "Overblik"
NAV_QUEUE = "Kø"
MAIN_MENU = "Hovedmenu"
SIGNED_IN_AS = "Logget ind som"
LOG_OUT = "Log ud"
SKIP_TO_CONTENT = "Gå til indholdet"
ZONE_NOTE = "Alle tider er dansk tid (Europe/Copenhagen)."

# -- login ---------------------------------------------------------------------------------

LOGIN_TITLE = "Log ind"
LOGIN_INTRO = "Log ind med dit brugernavn og din adgangskode til robotkonsollen."
USER_NAME = "Brugernavn"
PASSWORD = "Adgangskode"
LOGIN_BUTTON = "Log ind"
LOGIN_FAILED = "Forkert brugernavn eller adgangskode."
LOGIN_MISSING = "Skriv både brugernavn og adgangskode."


def login_locked(minutes: int) -> str:
    return (f"For mange mislykkede forsøg på at logge ind. Brugeren er spærret i op til "
            f"{plural(minutes, 'minut', 'minutter')}; prøv igen senere, eller kontakt en administrator.")


def session_expired(minutes: float) -> str:
    shown = max(1, round(minutes))
    return f"Du blev logget ud, fordi konsollen ikke har været brugt i {plural(shown, 'minut', 'minutter')}."


LOGGED_OUT = "Du er logget ud."

# -- errors --------------------------------------------------------------------------------

NOT_LOGGED_IN = "Du er ikke logget ind."
TOKEN_INVALID = "Nøglen er ugyldig eller tilbagekaldt."
CSRF_FAILED = ("Formularen er udløbet eller kom ikke fra konsollen. Gå tilbage, genindlæs siden og "
               "prøv igen.")
FORBIDDEN_TITLE = "Ingen adgang"
NO_ROLE = "Din bruger har ingen rolle, der giver adgang til konsollen. Kontakt en administrator."
ROLE_MISSING = "Din bruger har ikke den rolle, som handlingen kræver. Kontakt en administrator."
FORM_EXPIRED_TITLE = "Formularen kan ikke bruges"
NOT_FOUND_TITLE = "Siden findes ikke"
NOT_FOUND = "Der er ingen side på denne adresse."
METHOD_NOT_ALLOWED = "Handlingen er ikke mulig på denne adresse."
INVALID_INPUT = "Ugyldigt input."
SERVER_ERROR_TITLE = "Noget gik galt"
SERVER_ERROR = "Konsollen kunne ikke svare. Prøv igen om lidt; fortsætter fejlen, så kontakt driften."
BACK_TO_OVERVIEW = "Tilbage til overblikket"
ERROR_TITLE = "Fejl"
CONFLICT_TITLE = "Handlingen er ikke mulig"
NOT_AN_EXCEPTION = ("Emnet venter ikke længere på en medarbejder, så handlingen er ikke udført. "
                    "Genindlæs emnet for at se, hvor det står nu.")
ITEM_NOT_FOUND = "Emnet findes ikke, eller du har ikke adgang til det."

# -- overview ------------------------------------------------------------------------------

OVERVIEW_TITLE = "Overblik"
OVERVIEW_INTRO = "Status for robotterne lige nu. Siden opdaterer sig selv hvert halve minut."
UPDATED_AT = "Opdateret"
ALL_BOTS = "Alle robotter"
WHOLE_STATUS = "Samlet status"
BOTS_TITLE = "Robotterne"
BOT = "Robot"
STATUS = "Status"
REASONS = "Hvorfor"
PAUSED_FLAG = "På pause"
NO_BOTS = "Ingen robotter er slået til i denne installation."
COUNTS_TITLE = "Emner pr. tilstand"
COUNTS_CAPTION = "Antal arbejdsemner i køen pr. robot og tilstand."
TOTAL = "I\u00a0alt"  # one line in a column heading

STATUS_NAMES: Mapping[str, str] = MappingProxyType({
    "green": "Grøn",
    "yellow": "Gul",
    "red": "Rød",
})
STATUS_MEANINGS: Mapping[str, str] = MappingProxyType({
    "green": "kører normalt",
    "yellow": "kræver opmærksomhed",
    "red": "kræver handling nu",
})

SOFT_HYPHEN = "\u00ad"  # where a narrow table column may break a long word, with a hyphen
NO_BREAK = "\u00a0"  # two short words a column heading keeps on one line
STATE_NAMES: Mapping[State, str] = MappingProxyType({
    State.NEW: "Venter",
    State.DEFERRED: "Udskudt",
    State.IN_PROGRESS: f"I{NO_BREAK}gang",
    State.DONE: "Færdig",
    State.BUSINESS_EXCEPTION: f"Forretnings{SOFT_HYPHEN}undtagelse",
    State.SYSTEM_EXCEPTION: f"System{SOFT_HYPHEN}undtagelse",
    State.RESOLVED: "Løst manuelt",
    State.REJECTED: "Afvist",
})

# -- the reasons behind a traffic light ----------------------------------------------------

HEALTHY = "Kører normalt."
ALL_HEALTHY = "Alle robotter kører normalt."
CIRCUIT_OPEN = "Afbryderen er slået fra efter gentagne systemfejl; robotten tager ingen nye emner."


def paused(reason: str | None) -> str:
    why = f": {reason}" if reason else ""
    return f"Sat på pause{why}. Nye kørsler og nye emner venter; emnet i hånden gøres færdigt."


def overdue(count: int) -> str:
    theirs = "sin" if count == 1 else "deres"
    return f"{plural(count, 'emne', 'emner')} har overskredet {theirs} forfaldsdato."


def last_run_failed(task: str) -> str:
    return f"Seneste kørsel af opgaven {task} fejlede."


def exceptions_waiting(count: int) -> str:
    return f"{plural(count, 'undtagelse', 'undtagelser')} venter på en medarbejder."


def due_soon(count: int) -> str:
    return f"{plural(count, 'emne', 'emner')} forfalder inden for et døgn."


def bot_reason(bot: str, reason: str) -> str:
    """A bot's reason as the whole installation's light gives it."""
    return f"{bot}: {reason}"


# -- the queue -----------------------------------------------------------------------------

QUEUE_TITLE = "Kø"
QUEUE_INTRO = ("Alle arbejdsemner, ældste først. Filtrene står i adressen, så en visning kan "
               "gemmes som bogmærke eller sendes til en kollega.")
FILTERS_TITLE = "Filtre"
FILTER_BUTTON = "Vis"
FILTER_RESET = "Nulstil"
ANY = "Alle"
TASK = "Opgave"
STATE = "Tilstand"
CODE = "Kode"
REFERENCE = "Reference"
ASSIGNEE = "Tildelt"
SINCE = "Ændret fra"
UNTIL = "Ændret til og med"
DATE_PLACEHOLDER = "åååå-mm-dd"
ITEM_ID = "Id"
ATTEMPTS = "Forsøg"
DUE = "Forfald"
NO_ITEMS = "Ingen emner passer til filtrene."
NEXT_PAGE = "Næste side"
FIRST_PAGE = "Første side"
STATE_COUNTS_TITLE = "Antal pr. tilstand"
STATE_COUNTS_NOTE = ("Tallene tæller alle emner, også dem, du ikke kan åbne; er en robot valgt, "
                     "kun robottens.")
OVERDUE_TAG = "Forfalden"
LEASE_EXPIRED_TAG = "Robottens lås er udløbet"
FILTER_INVALID = "Et eller flere filtre er ugyldige; se felterne nedenfor."
NOT_A_STATE = "Ukendt tilstand"
LIMIT_RANGE = "Skal være et helt tal fra 1 til 500"
NOT_A_CURSOR = "Ugyldig side"


def open_item(item_id: int) -> str:
    return f"Åbn emne {item_id}"


# -- one item ------------------------------------------------------------------------------


def item_title(item_id: int) -> str:
    return f"Emne {item_id}"


BACK_TO_QUEUE = "Tilbage til køen"
ITEM_FACTS = "Emnet"
ERROR_KIND = "Fejltype"
ERROR_TEXT = "Fejltekst"
ERROR_KINDS: Mapping[str, str] = MappingProxyType({"business": "Forretningsfejl", "system": "Systemfejl"})
NO_ERROR = "Ingen fejl registreret."
PAYLOAD_TITLE = "Data"
DECISION_TITLE = "Afgørelse"
NO_DECISION = "Robotten har ikke truffet en afgørelse for emnet endnu."
CHECKPOINTS_TITLE = "Trin udført"
NO_CHECKPOINTS = "Ingen trin er udført."
CHECKPOINT = "Trin"
RECEIPT = "Kvittering"
ATTEMPT = "Forsøg"
AT = "Tidspunkt"
MAX_ATTEMPTS = "Højst forsøg"
CREATED = "Oprettet"
UPDATED = "Senest ændret"
NOBODY = "Ingen"
AUDIT_TITLE = "Historik"
NO_AUDIT = "Ingen handlinger registreret."
AUDIT_HIDDEN = "Din rolle giver ikke adgang til revisionssporet."
ACTOR = "Hvem"
ACTION = "Handling"
WHY = "Begrundelse"
CHANGED = "Ændret"
ARTIFACTS_TITLE = "Filer"
NO_ARTIFACTS = "Ingen filer gemt for emnet."
ARTIFACT_KIND = "Slags"
ARTIFACT_NAME = "Navn"
ACTION_NAMES: Mapping[str, str] = MappingProxyType({
    "retry": "Prøvet igen",
    "resolve": "Løst manuelt",
    "reject": "Afvist",
    "assign": "Tildelt",
    "release": "Frigivet",
})

# -- exception actions ---------------------------------------------------------------------

ACTIONS_TITLE = "Behandl undtagelsen"
ACTIONS_INTRO = "Emnet venter på en medarbejder. Vælg, hvad der skal ske med det."
RETRY_TITLE = "Prøv igen"
RETRY_INTRO = "Sender emnet tilbage i køen med de samme data."
RETRY_BUTTON = "Prøv igen"
CORRECT_TITLE = "Ret data og prøv igen"
CORRECT_INTRO = ("Ret felterne og send emnet tilbage i køen. Robotten træffer en ny afgørelse ud "
                 "fra de rettede data; de gamle og nye værdier gemmes i historikken.")
CORRECT_BUTTON = "Gem rettelser og prøv igen"
CORRECT_INVALID = "Rettelserne er ikke gemt. Ret felterne markeret nedenfor."
REQUIRED_MARK = "skal udfyldes"
RESOLVE_TITLE = "Løs manuelt"
RESOLVE_INTRO = "Emnet er gjort færdigt uden robotten. Skriv, hvad der er gjort."
NOTE = "Notat"
RESOLVE_BUTTON = "Markér som løst"
REJECT_TITLE = "Afvis"
REJECT_INTRO = "Emnet skal ikke gøres. Skriv hvorfor."
REASON = "Begrundelse"
REJECT_BUTTON = "Afvis emnet"
ASSIGN_BUTTON = "Tildel mig"
RELEASE_BUTTON = "Frigiv"
ASSIGNED_TO_YOU = "Emnet er tildelt dig."
UNSUPPORTED_PAYLOAD = "Opgavens data kan ikke rettes her, fordi opgaven ikke findes i denne installation."
DONE_NOTICES: Mapping[str, str] = MappingProxyType({
    "retry": "Emnet er sendt tilbage i køen.",
    "resolve": "Emnet er markeret som løst.",
    "reject": "Emnet er afvist.",
    "assign": "Emnet er tildelt dig.",
    "release": "Emnet er frigivet.",
})


def assigned_to(name: str) -> str:
    return f"Tildelt {name}."
