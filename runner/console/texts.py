"""Every text the console shows, in Danish, through the one gettext catalogue (`catalogue`).

Templates and code name these constants and functions; no page carries a literal text of
its own. Each text is a whole sentence passed to `_` (values go in by name, `{task}`, after
translation) or, where it counts something, to `ngettext` with a sentence for each form, so
a translator sees every sentence whole. `python -m runner.console.catalogue` extracts them
into `locale/console.pot`.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from runner.console.catalogue import _, language, ngettext
from runner.states import State

PRODUCT = _("Robotkonsollen")
LANGUAGE = language()  # the pages' lang attribute


# -- page chrome ---------------------------------------------------------------------------

NAV_OVERVIEW = _("Overblik")
NAV_QUEUE = _("Kø")
MAIN_MENU = _("Hovedmenu")
SIGNED_IN_AS = _("Logget ind som")
LOG_OUT = _("Log ud")
SKIP_TO_CONTENT = _("Gå til indholdet")
ZONE_NOTE = _("Alle tider er dansk tid (Europe/Copenhagen).")

# -- login ---------------------------------------------------------------------------------

LOGIN_TITLE = _("Log ind")
LOGIN_INTRO = _("Log ind med dit brugernavn og din adgangskode til robotkonsollen.")
USER_NAME = _("Brugernavn")
PASSWORD = _("Adgangskode")
LOGIN_BUTTON = _("Log ind")
LOGIN_FAILED = _("Forkert brugernavn eller adgangskode.")
LOGIN_MISSING = _("Skriv både brugernavn og adgangskode.")


def login_locked(minutes: int) -> str:
    return ngettext("For mange mislykkede forsøg på at logge ind. Brugeren er spærret i op til "
                    "{n} minut; prøv igen senere, eller kontakt en administrator.",
                    "For mange mislykkede forsøg på at logge ind. Brugeren er spærret i op til "
                    "{n} minutter; prøv igen senere, eller kontakt en administrator.",
                    minutes).format(n=minutes)


def session_expired(minutes: float) -> str:
    shown = max(1, round(minutes))
    return ngettext("Du blev logget ud, fordi konsollen ikke har været brugt i {n} minut.",
                    "Du blev logget ud, fordi konsollen ikke har været brugt i {n} minutter.",
                    shown).format(n=shown)


LOGGED_OUT = _("Du er logget ud.")

# -- errors --------------------------------------------------------------------------------

NOT_LOGGED_IN = _("Du er ikke logget ind.")
TOKEN_INVALID = _("Nøglen er ugyldig eller tilbagekaldt.")
CSRF_FAILED = _("Formularen er udløbet eller kom ikke fra konsollen. Gå tilbage, genindlæs siden og "
               "prøv igen.")
FORBIDDEN_TITLE = _("Ingen adgang")
NO_ROLE = _("Din bruger har ingen rolle, der giver adgang til konsollen. Kontakt en administrator.")
ROLE_MISSING = _("Din bruger har ikke den rolle, som handlingen kræver. Kontakt en administrator.")
FORM_EXPIRED_TITLE = _("Formularen kan ikke bruges")
NOT_FOUND_TITLE = _("Siden findes ikke")
NOT_FOUND = _("Der er ingen side på denne adresse.")
METHOD_NOT_ALLOWED = _("Handlingen er ikke mulig på denne adresse.")
INVALID_INPUT = _("Ugyldigt input.")
SERVER_ERROR_TITLE = _("Noget gik galt")
SERVER_ERROR = _("Konsollen kunne ikke svare. Prøv igen om lidt; fortsætter fejlen, så kontakt driften.")
BACK_TO_OVERVIEW = _("Tilbage til overblikket")
ERROR_TITLE = _("Fejl")
CONFLICT_TITLE = _("Handlingen er ikke mulig")
NOT_AN_EXCEPTION = _("Emnet venter ikke længere på en medarbejder, så handlingen er ikke udført. "
                    "Genindlæs emnet for at se, hvor det står nu.")
ITEM_NOT_FOUND = _("Emnet findes ikke, eller du har ikke adgang til det.")

# -- overview ------------------------------------------------------------------------------

OVERVIEW_TITLE = _("Overblik")
OVERVIEW_INTRO = _("Status for robotterne lige nu. Siden opdaterer sig selv hvert halve minut.")
UPDATED_AT = _("Opdateret")
ALL_BOTS = _("Alle robotter")
WHOLE_STATUS = _("Samlet status")
BOTS_TITLE = _("Robotterne")
BOT = _("Robot")
STATUS = _("Status")
REASONS = _("Hvorfor")
PAUSED_FLAG = _("På pause")
NO_BOTS = _("Ingen robotter er slået til i denne installation.")
COUNTS_TITLE = _("Emner pr. tilstand")
COUNTS_CAPTION = _("Antal arbejdsemner i køen pr. robot og tilstand.")
TOTAL = _("I\u00a0alt")  # one line in a column heading

STATUS_NAMES: Mapping[str, str] = MappingProxyType({
    "green": _("Grøn"),
    "yellow": _("Gul"),
    "red": _("Rød"),
})
STATUS_MEANINGS: Mapping[str, str] = MappingProxyType({
    "green": _("kører normalt"),
    "yellow": _("kræver opmærksomhed"),
    "red": _("kræver handling nu"),
})

SOFT_HYPHEN = "\u00ad"  # where a narrow table column may break a long word, with a hyphen
NO_BREAK = "\u00a0"  # two short words a column heading keeps on one line
STATE_NAMES: Mapping[State, str] = MappingProxyType({
    State.NEW: _("Venter"),
    State.DEFERRED: _("Udskudt"),
    State.IN_PROGRESS: _("I\u00a0gang"),
    State.DONE: _("Færdig"),
    State.BUSINESS_EXCEPTION: _("Forretnings\u00adundtagelse"),
    State.SYSTEM_EXCEPTION: _("System\u00adundtagelse"),
    State.RESOLVED: _("Løst manuelt"),
    State.REJECTED: _("Afvist"),
})

# -- the reasons behind a traffic light ----------------------------------------------------

HEALTHY = _("Kører normalt.")
ALL_HEALTHY = _("Alle robotter kører normalt.")
CIRCUIT_OPEN = _("Afbryderen er slået fra efter gentagne systemfejl; robotten tager ingen nye emner.")


def paused(reason: str | None) -> str:
    if reason:
        return _("Sat på pause: {reason}. Nye kørsler og nye emner venter; emnet i hånden gøres "
                 "færdigt.").format(reason=reason)
    return _("Sat på pause. Nye kørsler og nye emner venter; emnet i hånden gøres færdigt.")


def overdue(count: int) -> str:
    return ngettext("{n} emne har overskredet sin forfaldsdato.",
                    "{n} emner har overskredet deres forfaldsdato.", count).format(n=count)


def last_run_failed(task: str) -> str:
    return _("Seneste kørsel af opgaven {task} fejlede.").format(task=task)


def exceptions_waiting(count: int) -> str:
    return ngettext("{n} undtagelse venter på en medarbejder.",
                    "{n} undtagelser venter på en medarbejder.", count).format(n=count)


def due_soon(count: int) -> str:
    return ngettext("{n} emne forfalder inden for et døgn.",
                    "{n} emner forfalder inden for et døgn.", count).format(n=count)


def bot_reason(bot: str, reason: str) -> str:
    """A bot's reason as the whole installation's light gives it."""
    return _("{bot}: {reason}").format(bot=bot, reason=reason)


# -- the queue -----------------------------------------------------------------------------

QUEUE_TITLE = _("Kø")
QUEUE_INTRO = _("Alle arbejdsemner, ældste først. Filtrene står i adressen, så en visning kan "
               "gemmes som bogmærke eller sendes til en kollega.")
FILTERS_TITLE = _("Filtre")
FILTER_BUTTON = _("Vis")
FILTER_RESET = _("Nulstil")
ANY = _("Alle")
TASK = _("Opgave")
STATE = _("Tilstand")
CODE = _("Kode")
REFERENCE = _("Reference")
ASSIGNEE = _("Tildelt")
SINCE = _("Ændret fra")
UNTIL = _("Ændret til og med")
DATE_PLACEHOLDER = _("åååå-mm-dd")
ITEM_ID = _("Id")
ATTEMPTS = _("Forsøg")
DUE = _("Forfald")
NO_ITEMS = _("Ingen emner passer til filtrene.")
NEXT_PAGE = _("Næste side")
FIRST_PAGE = _("Første side")
STATE_COUNTS_TITLE = _("Antal pr. tilstand")
STATE_COUNTS_NOTE = _("Tallene tæller alle emner, også dem, du ikke kan åbne; er en robot valgt, "
                     "kun robottens.")
OVERDUE_TAG = _("Forfalden")
LEASE_EXPIRED_TAG = _("Robottens lås er udløbet")
FILTER_INVALID = _("Et eller flere filtre er ugyldige; se felterne nedenfor.")
NOT_A_STATE = _("Ukendt tilstand")
LIMIT_RANGE = _("Skal være et helt tal fra 1 til 500")
NOT_A_CURSOR = _("Ugyldig side")


def open_item(item_id: int) -> str:
    return _("Åbn emne {id}").format(id=item_id)


# -- one item ------------------------------------------------------------------------------


def item_title(item_id: int) -> str:
    return _("Emne {id}").format(id=item_id)


BACK_TO_QUEUE = _("Tilbage til køen")
ITEM_FACTS = _("Emnet")
ERROR_KIND = _("Fejltype")
ERROR_TEXT = _("Fejltekst")
ERROR_KINDS: Mapping[str, str] = MappingProxyType({"business": _("Forretningsfejl"),
                                                   "system": _("Systemfejl")})
NO_ERROR = _("Ingen fejl registreret.")
PAYLOAD_TITLE = _("Data")
DECISION_TITLE = _("Afgørelse")
NO_DECISION = _("Robotten har ikke truffet en afgørelse for emnet endnu.")
CHECKPOINTS_TITLE = _("Trin udført")
NO_CHECKPOINTS = _("Ingen trin er udført.")
CHECKPOINT = _("Trin")
RECEIPT = _("Kvittering")
ATTEMPT = _("Forsøg")
AT = _("Tidspunkt")
MAX_ATTEMPTS = _("Højst forsøg")
CREATED = _("Oprettet")
UPDATED = _("Senest ændret")
NOBODY = _("Ingen")
AUDIT_TITLE = _("Historik")
NO_AUDIT = _("Ingen handlinger registreret.")
AUDIT_HIDDEN = _("Din rolle giver ikke adgang til revisionssporet.")
ACTOR = _("Hvem")
ACTION = _("Handling")
WHY = _("Begrundelse")
CHANGED = _("Ændret")
ARTIFACTS_TITLE = _("Filer")
NO_ARTIFACTS = _("Ingen filer gemt for emnet.")
ARTIFACT_KIND = _("Slags")
ARTIFACT_NAME = _("Navn")
ACTION_NAMES: Mapping[str, str] = MappingProxyType({
    "retry": _("Prøvet igen"),
    "resolve": _("Løst manuelt"),
    "reject": _("Afvist"),
    "assign": _("Tildelt"),
    "release": _("Frigivet"),
})

# -- exception actions ---------------------------------------------------------------------

ACTIONS_TITLE = _("Behandl undtagelsen")
ACTIONS_INTRO = _("Emnet venter på en medarbejder. Vælg, hvad der skal ske med det.")
RETRY_TITLE = _("Prøv igen")
RETRY_INTRO = _("Sender emnet tilbage i køen med de samme data.")
RETRY_BUTTON = _("Prøv igen")
CORRECT_TITLE = _("Ret data og prøv igen")
CORRECT_INTRO = _("Ret felterne og send emnet tilbage i køen. Robotten træffer en ny afgørelse ud "
                 "fra de rettede data; de gamle og nye værdier gemmes i historikken.")
CORRECT_BUTTON = _("Gem rettelser og prøv igen")
CORRECT_INVALID = _("Rettelserne er ikke gemt. Ret felterne markeret nedenfor.")
REQUIRED_MARK = _("skal udfyldes")
RESOLVE_TITLE = _("Løs manuelt")
RESOLVE_INTRO = _("Emnet er gjort færdigt uden robotten. Skriv, hvad der er gjort.")
NOTE = _("Notat")
RESOLVE_BUTTON = _("Markér som løst")
REJECT_TITLE = _("Afvis")
REJECT_INTRO = _("Emnet skal ikke gøres. Skriv hvorfor.")
REASON = _("Begrundelse")
REJECT_BUTTON = _("Afvis emnet")
ASSIGN_BUTTON = _("Tildel mig")
RELEASE_BUTTON = _("Frigiv")
ASSIGNED_TO_YOU = _("Emnet er tildelt dig.")
UNSUPPORTED_PAYLOAD = _("Opgavens data kan ikke rettes her, fordi opgaven ikke findes i denne installation.")
DONE_NOTICES: Mapping[str, str] = MappingProxyType({
    "retry": _("Emnet er sendt tilbage i køen."),
    "resolve": _("Emnet er markeret som løst."),
    "reject": _("Emnet er afvist."),
    "assign": _("Emnet er tildelt dig."),
    "release": _("Emnet er frigivet."),
})


def assigned_to(name: str) -> str:
    return _("Tildelt {name}.").format(name=name)
