"""Text and paragraph styles: field masks, link side effects, list presets, default styles."""

from __future__ import annotations

from .exceptions import ApiError

TEXT_STYLE_FIELDS = (
    "backgroundColor", "baselineOffset", "bold", "fontSize", "foregroundColor", "italic", "link",
    "smallCaps", "strikethrough", "underline", "weightedFontFamily",
)
PARAGRAPH_STYLE_FIELDS = (
    "alignment", "avoidWidowAndOrphan", "borderBetween", "borderBottom", "borderLeft", "borderRight",
    "borderTop", "direction", "indentEnd", "indentFirstLine", "indentStart", "keepLinesTogether",
    "keepWithNext", "lineSpacing", "namedStyleType", "pageBreakBefore", "shading", "spaceAbove",
    "spaceBelow", "spacingMode",
)
NAMED_STYLE_TYPES = (
    "NORMAL_TEXT", "TITLE", "SUBTITLE", "HEADING_1", "HEADING_2", "HEADING_3", "HEADING_4",
    "HEADING_5", "HEADING_6",
)
HEADING_LEVELS = {f"HEADING_{level}": level for level in range(1, 7)}
# Booleans whose False equals the inherited default, so Docs stores them as "inherit" (unset).
_FALSE_IS_DEFAULT = ("bold", "italic", "underline", "strikethrough", "smallCaps")
LINK_COLOR = {"color": {"rgbColor": {"red": 0.06666667, "green": 0.33333334, "blue": 0.8}}}


def copy_json(value):
    """A deep copy of a JSON value (dicts, lists, scalars): copy.deepcopy's result for them,
    without its memo; styles are copied once per character, so this is worth its lines."""
    if isinstance(value, dict):
        return {key: copy_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [copy_json(item) for item in value]
    return value


def parse_fields(fields: object, allowed: tuple[str, ...], where: str) -> list[str]:
    """The top-level field names of an update request's `fields` mask ("*" = all)."""
    if not isinstance(fields, str) or not fields.strip():
        raise ApiError(400, f"Invalid {where}: At least one field must be listed in 'fields'.")
    if fields.strip() == "*":
        return list(allowed)
    names = []
    for raw in fields.split(","):
        path = raw.strip()
        top = path.split(".", 1)[0]
        if top not in allowed:
            raise ApiError(400, f"Invalid {where}: Invalid field mask: unknown field '{path}'.")
        if top not in names:
            names.append(top)
    return names


def apply_mask(current: dict, update: dict, fields: list[str]) -> dict:
    """`current` with every masked field set from `update`, or removed when `update` lacks it."""
    result = copy_json(current)
    for name in fields:
        if name in update and update[name] is not None:
            result[name] = copy_json(update[name])
        else:
            result.pop(name, None)
    return result


def update_text_style(current: dict, update: dict, fields: list[str], *, is_newline: bool) -> dict:
    """Apply an updateTextStyle to one element's style, with Docs' link side effects."""
    masked = [name for name in fields if not (is_newline and name == "link")]
    result = apply_mask(current, update, masked)
    if "link" in masked:
        if result.get("link"):
            if "underline" not in fields:
                result["underline"] = True
            if "foregroundColor" not in fields:
                result["foregroundColor"] = copy_json(LINK_COLOR)
        elif current.get("link"):
            if "underline" not in fields:
                result.pop("underline", None)
            if "foregroundColor" not in fields:
                result.pop("foregroundColor", None)
    return normalise_text_style(result)


def normalise_text_style(style: dict) -> dict:
    """Drop values equal to the inherited default, as Docs reports them."""
    for name in _FALSE_IS_DEFAULT:
        if style.get(name) is False:
            del style[name]
    if style.get("baselineOffset") in ("NONE", "BASELINE_OFFSET_UNSPECIFIED"):
        del style["baselineOffset"]
    if "weightedFontFamily" in style:
        style["weightedFontFamily"].setdefault("weight", 400)
    return style


def inherited_text_style(style: dict) -> dict:
    """The style newly typed text takes from its neighbour (links are not inherited)."""
    inherited = copy_json(style)
    if inherited.pop("link", None) is not None:
        if inherited.get("foregroundColor") == LINK_COLOR:
            del inherited["foregroundColor"]
        inherited.pop("underline", None)
    return inherited


def validate_paragraph_style(style: dict, where: str) -> None:
    named = style.get("namedStyleType")
    if named is not None and named not in NAMED_STYLE_TYPES:
        raise ApiError(400, f"Invalid {where}: Invalid value for namedStyleType: {named!r}.")


def default_paragraph_style() -> dict:
    return {"namedStyleType": "NORMAL_TEXT", "direction": "LEFT_TO_RIGHT"}


# --- lists --------------------------------------------------------------------------------

_BULLET_SYMBOLS = {
    "BULLET_DISC_CIRCLE_SQUARE": "●○■",
    "BULLET_DIAMONDX_ARROW3D_SQUARE": "❖➢■",
    "BULLET_CHECKBOX": "☐☐☐",
    "BULLET_ARROW_DIAMOND_DISC": "➔◆●",
    "BULLET_STAR_CIRCLE_SQUARE": "★○■",
    "BULLET_ARROW3D_CIRCLE_SQUARE": "➢○■",
    "BULLET_LEFTTRIANGLE_DIAMOND_DISC": "◄◆●",
    "BULLET_DIAMONDX_HOLLOWDIAMOND_SQUARE": "❖◇■",
    "BULLET_DIAMOND_CIRCLE_SQUARE": "◆○■",
}
_NUMBERED_TYPES = {
    "NUMBERED_DECIMAL_ALPHA_ROMAN": (("DECIMAL", "ALPHA", "ROMAN"), "."),
    "NUMBERED_DECIMAL_ALPHA_ROMAN_PARENS": (("DECIMAL", "ALPHA", "ROMAN"), ")"),
    "NUMBERED_DECIMAL_NESTED": (("DECIMAL", "DECIMAL", "DECIMAL"), "."),
    "NUMBERED_UPPERALPHA_ALPHA_ROMAN": (("UPPER_ALPHA", "ALPHA", "ROMAN"), "."),
    "NUMBERED_UPPERROMAN_UPPERALPHA_DECIMAL": (("UPPER_ROMAN", "UPPER_ALPHA", "DECIMAL"), "."),
    "NUMBERED_ZERODECIMAL_ALPHA_ROMAN": (("ZERO_DECIMAL", "ALPHA", "ROMAN"), "."),
}
BULLET_PRESETS = tuple(_BULLET_SYMBOLS) + tuple(_NUMBERED_TYPES)
MAX_NESTING_LEVEL = 8


def _pt(magnitude: float) -> dict:
    return {"magnitude": magnitude, "unit": "PT"}


def list_indents(level: int) -> tuple[dict, dict]:
    """(indentFirstLine, indentStart) Docs gives a list paragraph at nesting `level`."""
    return _pt(18 + 36 * level), _pt(36 + 36 * level)


def list_properties(preset: str) -> dict:
    """ListProperties with the nine nesting levels of a bullet preset."""
    levels = []
    for level in range(MAX_NESTING_LEVEL + 1):
        first_line, start = list_indents(level)
        nesting = {"bulletAlignment": "START", "indentFirstLine": first_line, "indentStart": start,
                   "textStyle": {"underline": False}}
        if preset in _BULLET_SYMBOLS:
            nesting["glyphFormat"] = f"%{level}"
            nesting["glyphSymbol"] = _BULLET_SYMBOLS[preset][level % 3]
        else:
            types, suffix = _NUMBERED_TYPES[preset]
            nesting["glyphType"] = types[level % 3]
            if preset == "NUMBERED_DECIMAL_NESTED":
                nesting["glyphFormat"] = "".join(f"%{n}." for n in range(level + 1))
            else:
                nesting["glyphFormat"] = f"%{level}{suffix}"
            nesting["startNumber"] = 1
        levels.append(nesting)
    return {"nestingLevels": levels}


def is_ordered_level(nesting_level: dict) -> bool:
    return nesting_level.get("glyphType") not in (None, "NONE", "GLYPH_TYPE_UNSPECIFIED")


# --- document-wide defaults -----------------------------------------------------------------

_HEADING_SIZES = {"TITLE": 26, "SUBTITLE": 15, "HEADING_1": 20, "HEADING_2": 16, "HEADING_3": 14,
                  "HEADING_4": 12, "HEADING_5": 11, "HEADING_6": 11}


def named_styles() -> dict:
    """The NamedStyles of a new Google Doc (the parts a reader needs)."""
    styles = [{
        "namedStyleType": "NORMAL_TEXT",
        "textStyle": {
            "bold": False, "italic": False, "underline": False, "strikethrough": False,
            "smallCaps": False, "backgroundColor": {},
            "foregroundColor": {"color": {"rgbColor": {}}},
            "fontSize": _pt(11), "weightedFontFamily": {"fontFamily": "Arial", "weight": 400},
            "baselineOffset": "NONE",
        },
        "paragraphStyle": {
            "namedStyleType": "NORMAL_TEXT", "alignment": "START", "lineSpacing": 115,
            "direction": "LEFT_TO_RIGHT", "spacingMode": "COLLAPSE_LISTS", "spaceAbove": {"unit": "PT"},
            "spaceBelow": {"unit": "PT"}, "indentFirstLine": {"unit": "PT"}, "indentStart": {"unit": "PT"},
            "indentEnd": {"unit": "PT"}, "keepLinesTogether": False, "keepWithNext": False,
            "avoidWidowAndOrphan": True, "pageBreakBefore": False,
        },
    }]
    for name, size in _HEADING_SIZES.items():
        styles.append({
            "namedStyleType": name,
            "textStyle": {"fontSize": _pt(size)},
            "paragraphStyle": {"namedStyleType": name, "direction": "LEFT_TO_RIGHT",
                               "keepLinesTogether": True, "keepWithNext": True},
        })
    return {"styles": styles}


PAGE_WIDTH_PT, PAGE_HEIGHT_PT, MARGIN_PT = 612, 792, 72   # Letter, 1-inch margins
TEXT_WIDTH_PT = PAGE_WIDTH_PT - 2 * MARGIN_PT   # the widest a table or an inline image is shown


def document_style() -> dict:
    return {
        "background": {"color": {}},
        "pageNumberStart": 1,
        "marginTop": _pt(MARGIN_PT), "marginBottom": _pt(MARGIN_PT), "marginRight": _pt(MARGIN_PT),
        "marginLeft": _pt(MARGIN_PT),
        "pageSize": {"height": _pt(PAGE_HEIGHT_PT), "width": _pt(PAGE_WIDTH_PT)},
        "marginHeader": _pt(36), "marginFooter": _pt(36),
        "useCustomHeaderFooterMargins": True,
        "documentFormat": {"documentMode": "PAGES"},
    }


def section_style() -> dict:
    return {"columnSeparatorStyle": "NONE", "contentDirection": "LEFT_TO_RIGHT",
            "sectionType": "CONTINUOUS"}
