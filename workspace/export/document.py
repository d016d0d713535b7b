"""What an export contains, as plain data: the builder knows nothing of the database.

Other domains hand the export plain values through these classes: the comments domain a
list of `CommentThread`, the decisions domain a `DecisionPage`, the priority lists domain a
`PriorityListExport`. Rich text is always our sanitised section HTML subset.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass
class CommentItem:
    author: str
    text: str
    created_at: datetime | None = None
    initials: str = ""


@dataclass
class CommentThread:
    """An open thread on a section; `quote` is the passage it is about ("" = the section)."""

    section_key: int
    quote: str
    comments: list[CommentItem]


@dataclass
class ExportSection:
    key: int  # the section's id; comment threads refer to it
    title: str
    html: str


@dataclass
class Appendix:
    """A part after the sections: a heading and HTML in the section subset."""

    title: str
    html: str


@dataclass
class ExportDocument:
    title: str
    body_name: str  # the cooperation body
    kind_label: str
    status_label: str
    adopted: bool
    sections: list[ExportSection]
    registration_number: str = ""
    document_date: date | None = None
    version_label: str = ""
    organisation: str = ""  # the lead member organisation, if any
    author: str = ""
    created: datetime | None = None
    modified: datetime | None = None
    comment_threads: list[CommentThread] = field(default_factory=list)
    appendices: list[Appendix] = field(default_factory=list)


# --- decisions (issue 6 fills these) ------------------------------------------------------

@dataclass
class MemberDecision:
    """One member organisation's decision on a version, with every statement in full."""

    organization: str
    decision: str  # a readable label: "Godkänner", "Godkänner med reservation" …
    decided_by: str = ""
    decided_at: datetime | date | None = None
    reservation: str = ""
    special_statement: str = ""  # särskilt yttrande
    minutes_note: str = ""  # protokollsanteckning
    ratification: str = ""  # "Ratificerat", "Ej ratificerat" …
    ratified_at: date | None = None
    ratification_reference: str = ""  # the member's own dnr and minutes paragraph (§)


@dataclass
class DecisionPage:
    round_name: str
    members: list[MemberDecision]
    version_label: str = ""
    rule_label: str = ""
    outcome_label: str = ""
    decided_at: datetime | date | None = None


# --- priority lists (the priorities issue fills these) ------------------------------------

@dataclass
class FollowUpEntry:
    period: str  # "Delårsbokslut 2023"
    status: str
    comment: str = ""


@dataclass
class PriorityItem:
    letter: str
    title: str
    description_html: str = ""
    responsible: list[str] = field(default_factory=list)
    papers: list[str] = field(default_factory=list)
    follow_ups: list[FollowUpEntry] = field(default_factory=list)


@dataclass
class PriorityListExport:
    title: str  # "Prioriteringar för 2023"
    year: int
    body_name: str
    status_label: str
    adopted: bool
    items: list[PriorityItem]
    periods: list[str] = field(default_factory=list)
    decision: DecisionPage | None = None
    registration_number: str = ""
    document_date: date | None = None
    modified: datetime | None = None
