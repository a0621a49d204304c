"""Printed documents (PDF), without Qt: the depository agreement, the data change form and
file labels. Callers build the dataclasses of :mod:`counter_app.printing.models` and get
PDF bytes back."""

from counter_app.printing.agreement import render_agreement, render_agreements
from counter_app.printing.change_form import render_change_form
from counter_app.printing.fonts import MissingGlyph, font_for_char, has_glyph, register_fonts
from counter_app.printing.labels import AVERY_3474, AVERY_L7160, LAYOUTS, LabelLayout, render_labels
from counter_app.printing.layout import FieldBox, LayoutRecord
from counter_app.printing.models import (
    AgreementData,
    BranchInfo,
    ChangeFormData,
    FieldChange,
    LabelData,
    PartyCustomer,
    SecuritiesAccountLine,
)
from counter_app.printing.templates import TemplateError

__all__ = [
    "AVERY_3474",
    "AVERY_L7160",
    "LAYOUTS",
    "AgreementData",
    "BranchInfo",
    "ChangeFormData",
    "FieldBox",
    "FieldChange",
    "LabelData",
    "LabelLayout",
    "LayoutRecord",
    "MissingGlyph",
    "PartyCustomer",
    "SecuritiesAccountLine",
    "TemplateError",
    "font_for_char",
    "has_glyph",
    "register_fonts",
    "render_agreement",
    "render_agreements",
    "render_change_form",
    "render_labels",
]
