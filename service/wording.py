"""The words of the contribution and review pages: English message ids of the one catalogue
(``service/translations``), translated for the request's language by Flask-Babel."""

from __future__ import annotations

from flask_babel import gettext

from service import i18n
from service.i18n import N_

LANGUAGES = i18n.LANGUAGES

WORDS: dict[str, str] = {
    "title": N_("Contribute a record"),
    "intro": N_(
        "Tell us about a patient organization the graph does not know yet, or correct "
        "what it says about one. A maintainer reviews every submission before it enters "
        "the graph; approved records are published with their source: this submission, "
        "self-reported."
    ),
    "kind": N_("What are you sending?"),
    "kind_new": N_("A new organization"),
    "kind_correction": N_("A correction to an existing record"),
    "target": N_("The record to correct (its IRI or address)"),
    "target_hint": N_(
        "For example https://w3id.org/rarekg/id/org/moon-children-home. Find it with the "
        "search box above."
    ),
    "names": N_("Names"),
    "name_zh": N_("Name in Chinese"),
    "name_en": N_("Name in English"),
    "alt_names": N_("Other names, one per line"),
    "organizationType": N_("Kind of organization"),
    "none": N_("(not stated)"),
    "diseases": N_("Diseases served, from China's national rare disease lists"),
    "disease_search": N_("Find a disease by any name or number (瓷娃娃, Fabry, 1-86)"),
    "selected": N_("chosen"),
    "list1": N_("First National List (2018)"),
    "list2": N_("Second National List (2023)"),
    "other_diseases": N_("Other diseases (not on the lists), one per line"),
    "registration": N_("Registration"),
    "registrationStatus": N_("Registration status"),
    "registrationAuthority": N_("Registering authority"),
    "foundingDate": N_("Founding date (YYYY, YYYY-MM or YYYY-MM-DD)"),
    "location": N_("City or province"),
    "country": N_("Country or region (ISO code: CN, HK, TW, US, ...)"),
    "activity": N_("Activities"),
    "fundingSource": N_("Funding"),
    "website": N_("Website"),
    "description": N_("Short description"),
    "evidence": N_("Evidence"),
    "evidence_hint": N_(
        "A correction needs a public source that states the facts: its address, its title"
        " and the sentence of it that says so (at most 300 characters, copied without "
        "changes)."
    ),
    "evidence_url": N_("Address of the source"),
    "evidence_title": N_("Title of the source"),
    "evidence_quote": N_("The sentence that states it"),
    "note": N_("Note to the reviewer (not published)"),
    "contact": N_("Your contact (seen only by the reviewers, never published)"),
    "contact_name": N_("Your name"),
    "contact_email": N_("Email"),
    "contact_phone": N_("Phone"),
    "contact_other": N_("Other (WeChat, ...)"),
    "submit": N_("Send for review"),
    "problems": N_("Please check these fields:"),
    "received": N_("Thank you: your submission was received"),
    "status_title": N_("Submission"),
    "follow": N_("Follow its status at this address:"),
    "status": N_("Status"),
    "pending": N_("waiting for review"),
    "approved": N_("approved: in the graph"),
    "rejected": N_("not accepted"),
    "reason": N_("Reason"),
    "record_page": N_("The record in the graph"),
    "submitted_on": N_("Submitted on"),
    "reviewed_on": N_("Reviewed on"),
    "your_record": N_("The record as submitted"),
    "property": N_("Property"),
    "value": N_("Value"),
    "source": N_("Source"),
    "self_report": N_("self-reported"),
}


def text() -> dict[str, str]:
    """Every word of the pages in the request's language."""
    return {key: gettext(message) for key, message in WORDS.items()}


def language() -> str:
    """The language of this request's page (``zh`` or ``en``)."""
    return i18n.language()
