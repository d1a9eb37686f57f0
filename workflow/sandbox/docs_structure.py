"""The tree of a Docs body and its UTF-16 index arithmetic.

A body is a list of blocks; the section break at index 0 is implicit, so the first block starts
at index 1. Blocks are plain JSON-able dicts:

- paragraph: {"kind": "paragraph", "style": ParagraphStyle, "bullet": Bullet | None,
  "atoms": [atom, ...], "size": UTF-16 units of the atoms (kept by `set_atoms`),
  "styleSuggestions": {suggestionId: {"style", "fields"}}}
  Its last atom is always the newline {"c": "\\n"} that ends it.
- table: {"kind": "table", "rows": [{"style", "cells": [{"style", "content": [block, ...]}]}],
  "columnProperties": [...]}. Google lays a table out as one unit for the table start, one per
  row, one per cell followed by the cell's paragraphs, and one unit for the table end after
  the last cell: a table's endIndex is its last row's endIndex + 1, where the next paragraph
  starts. An empty R x C table is 2 + R * (1 + 2C) units and its first cell's paragraph starts
  at table start + 3; with the newline insertTable adds before it, inserting one at L adds
  3 + R * (1 + 2C) units, the table starts at L + 1 and its first cell's paragraph at L + 4.

An atom is one code point of text {"c": str}, an inline image {"image": objectId}, a page break
{"pageBreak": True} or a smart chip {"chip": ...} (docs_chips), with optional "ts" (TextStyle), "ins"/"del" (suggested insertion/deletion
ids) and "tss" (suggested text style changes keyed by suggestion id).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from itertools import accumulate, islice
from typing import Iterator, Sequence

from .docs_ids import heading_id
from .docs_utf16 import splits_grapheme
from .exceptions import ApiError

BODY_START = 1  # the section break occupies 0-1
TABLE_START_UNITS = 1  # a table's unit before its first row
TABLE_END_UNITS = 1  # a table's unit after its last row (the table's endIndex is one past it)


def atom_width(atom: dict) -> int:
    """UTF-16 units of an atom: a code point above the BMP is a surrogate pair."""
    return 2 if atom.get("c", "") > "\uffff" else 1


def set_atoms(paragraph: dict, atoms: list[dict]) -> None:
    """Replace a paragraph's atoms; every change of atoms goes through here to keep "size"."""
    paragraph["atoms"] = atoms
    paragraph["size"] = len(atoms) + sum(1 for atom in atoms if atom.get("c", "") > "\uffff")


def refresh_sizes(blocks: list[dict]) -> None:
    """Recompute every paragraph's "size" (for state loaded from elsewhere)."""
    for block in blocks:
        if block["kind"] == "paragraph":
            set_atoms(block, block["atoms"])
        else:
            for row in block["rows"]:
                for cell in row["cells"]:
                    refresh_sizes(cell["content"])


def paragraph_size(paragraph: dict) -> int:
    return paragraph["size"]


def block_size(block: dict) -> int:
    if block["kind"] == "paragraph":
        return paragraph_size(block)
    rows = sum(1 + sum(1 + content_size(cell["content"]) for cell in row["cells"])
               for row in block["rows"])
    return TABLE_START_UNITS + rows + TABLE_END_UNITS


def content_size(blocks: list[dict]) -> int:
    return sum(block_size(block) for block in blocks)


def new_paragraph(style: dict, bullet: dict | None = None, text_style: dict | None = None) -> dict:
    newline = {"c": "\n"}
    if text_style:
        newline["ts"] = dict(text_style)
    paragraph = {"kind": "paragraph", "style": style, "bullet": bullet, "styleSuggestions": {}}
    set_atoms(paragraph, [newline])
    return paragraph


def new_table(rows: int, columns: int, cell_paragraph_style: dict) -> dict:
    return {
        "kind": "table",
        "rows": [{"style": {}, "cells": [{"style": {}, "content": [new_paragraph(dict(cell_paragraph_style))]}
                                          for _ in range(columns)]}
                 for _ in range(rows)],
        "columnProperties": [{"widthType": "EVENLY_DISTRIBUTED"} for _ in range(columns)],
    }


@dataclass
class ParagraphRef:
    """A paragraph with where it sits: its container list, position in it, and its indexes."""
    paragraph: dict
    container: list[dict]
    position: int
    start: int
    end: int
    in_table: bool


@dataclass
class TableRef:
    table: dict
    container: list[dict]
    position: int
    start: int
    end: int


def iter_paragraphs(blocks: list[dict], start: int = BODY_START,
                    in_table: bool = False) -> Iterator[ParagraphRef]:
    """Every paragraph of `blocks` (tables included, depth first) in index order."""
    position = start
    for number, block in enumerate(blocks):
        size = block_size(block)
        if block["kind"] == "paragraph":
            yield ParagraphRef(block, blocks, number, position, position + size, in_table)
        else:
            for cell, cell_start in iter_cells(block, position):
                yield from iter_paragraphs(cell["content"], cell_start + 1, True)
        position += size


def iter_tables(blocks: list[dict], start: int = BODY_START) -> Iterator[TableRef]:
    position = start
    for number, block in enumerate(blocks):
        size = block_size(block)
        if block["kind"] == "table":
            yield TableRef(block, blocks, number, position, position + size)
            for cell, cell_start in iter_cells(block, position):
                yield from iter_tables(cell["content"], cell_start + 1)
        position += size


def iter_cells(table: dict, table_start: int) -> Iterator[tuple[dict, int]]:
    """(cell, cell start index) for every cell, row by row."""
    position = table_start + TABLE_START_UNITS
    for row in table["rows"]:
        position += 1
        for cell in row["cells"]:
            yield cell, position
            position += 1 + content_size(cell["content"])


def row_spans(table: dict, table_start: int) -> list[tuple[int, int, list[tuple[int, int]]]]:
    """(row start, row end, [(cell start, cell end), ...]) for every row; the table's end unit
    follows the last row's end."""
    spans = []
    position = table_start + TABLE_START_UNITS
    for row in table["rows"]:
        row_start = position
        position += 1
        cells = []
        for cell in row["cells"]:
            cell_start = position
            position += 1 + content_size(cell["content"])
            cells.append((cell_start, position))
        spans.append((row_start, position, cells))
    return spans


def atom_starts(paragraph: dict, start: int) -> list[int]:
    """The start index of each atom of `paragraph`, plus its end index as the last item."""
    atoms = paragraph["atoms"]
    if _narrow(paragraph):
        return list(range(start, start + len(atoms) + 1))
    return list(accumulate([2 if atom.get("c", "") > "\uffff" else 1 for atom in atoms],
                           initial=start))


def _narrow(paragraph: dict) -> bool:
    """True when every atom is one UTF-16 unit wide, so an atom's offset is its index offset."""
    return paragraph["size"] == len(paragraph["atoms"])


def code_points(paragraph: dict) -> list[str | None]:
    return [atom.get("c") for atom in paragraph["atoms"]]


class BodyIndex:
    """Where each top-level block of a body starts, kept across the requests of one batch.

    Looking a position up walks no more than one table: the start of every top-level block is
    computed once and found by bisection. An edit at index i calls `changed_from(i)`, which
    forgets the block holding i and every block after it (blocks before an edit never move);
    they are counted again, in one pass, when next asked for. Whoever changes the body's sizes
    or blocks must call `changed_from` before the next lookup.
    """

    def __init__(self, blocks: list[dict]) -> None:
        self.blocks = blocks
        self._starts: list[int] = []   # of blocks[0:len(_starts)], all still true
        self._ends: list[int] = []
        self._offsets: dict[int, tuple[list[dict], list[int]]] = {}   # see atom_offsets

    def changed_from(self, index: int) -> None:
        """Blocks from the one holding `index` on may have moved, grown, shrunk or gone."""
        keep = max(bisect_right(self._starts, index) - 1, 0)
        del self._starts[keep:]
        del self._ends[keep:]

    def _count(self) -> None:
        starts, ends = self._starts, self._ends
        if len(ends) == len(self.blocks):
            return
        position = ends[-1] if ends else BODY_START
        for block in islice(self.blocks, len(ends), None):
            starts.append(position)
            position += block["size"] if block["kind"] == "paragraph" else block_size(block)
            ends.append(position)

    def end(self) -> int:
        """The body's end index (one past its last newline)."""
        self._count()
        return self._ends[-1] if self._ends else BODY_START

    def block_at(self, index: int) -> tuple[int, int] | None:
        """(number, start index) of the top-level block holding `index`, if any."""
        self._count()
        number = bisect_right(self._starts, index) - 1
        if number < 0 or index >= self._ends[number]:
            return None
        return number, self._starts[number]

    def _refs(self, number: int, start: int) -> Iterator[ParagraphRef]:
        block = self.blocks[number]
        if block["kind"] == "paragraph":
            yield ParagraphRef(block, self.blocks, number, start, self._ends[number], False)
        else:
            yield from iter_paragraphs([block], start)

    def find(self, index: int) -> ParagraphRef | None:
        """The paragraph whose range [start, end) holds `index`, if any."""
        found = self.block_at(index)
        if found is None:
            return None
        for ref in self._refs(*found):
            if ref.start <= index < ref.end:
                return ref
            if ref.start > index:
                return None
        return None

    def paragraphs(self, start: int, end: int) -> Iterator[ParagraphRef]:
        """In index order, every paragraph from the one holding `start` to the last that starts
        before `end` (tables included, depth first); callers filter the edges."""
        self._count()
        number = max(bisect_right(self._starts, start) - 1, 0)
        while number < len(self.blocks) and self._starts[number] < end:
            yield from self._refs(number, self._starts[number])
            number += 1

    # --- inside one paragraph ---

    def atom_offsets(self, paragraph: dict) -> Sequence[int]:
        """Where each atom of `paragraph` starts, counted from the paragraph's start, plus its
        size as the last item. Kept while the paragraph's atoms are the same list (`set_atoms`
        always makes a new one), as a range when every atom is one unit wide."""
        atoms = paragraph["atoms"]
        if _narrow(paragraph):
            return range(len(atoms) + 1)
        kept = self._offsets.get(id(paragraph))
        if kept is None or kept[0] is not atoms:
            kept = self._offsets[id(paragraph)] = (atoms, atom_starts(paragraph, 0))
        return kept[1]

    def atom_offset(self, ref: ParagraphRef, index: int, where: str) -> int:
        """Which atom of the paragraph (start <= index < end) starts at `index`; 400 inside a
        surrogate pair."""
        offsets = self.atom_offsets(ref.paragraph)
        offset = bisect_left(offsets, index - ref.start)
        if offset == len(offsets) or offsets[offset] != index - ref.start:
            raise ApiError(400, f"Invalid {where}: The index {index} is inside a surrogate pair.")
        return offset

    def atoms_within(self, ref: ParagraphRef, start: int, end: int) -> list[dict]:
        """The atoms of the paragraph that lie wholly inside [start, end)."""
        offsets = self.atom_offsets(ref.paragraph)
        first = bisect_left(offsets, start - ref.start)
        after = bisect_right(offsets, end - ref.start) - 1
        return ref.paragraph["atoms"][first:max(after, first)]


def check_boundary(body: BodyIndex, index: int, where: str, *, graphemes: bool) -> None:
    """400 if `index` falls inside a surrogate pair (or, with `graphemes`, a grapheme cluster)."""
    ref = body.find(index)
    if ref is None:
        return
    offset = body.atom_offset(ref, index, where)
    if graphemes and splits_grapheme(code_points(ref.paragraph), offset):
        raise ApiError(400, f"Invalid {where}: The index {index} is inside a grapheme cluster.")


def insertion_point(body: BodyIndex, index: int, where: str) -> tuple[ParagraphRef, int]:
    """The paragraph and atom offset where content inserted at `index` goes."""
    end = body.end()
    if index < BODY_START:
        raise ApiError(400, f"Invalid {where}: Index {index} must be greater than or equal to "
                            f"{BODY_START}.")
    if index >= end:
        raise ApiError(400, f"Invalid {where}: Index {index} must be less than the end index of "
                            f"the referenced segment, {end}.")
    ref = body.find(index)
    if ref is None:
        raise ApiError(400, f"Invalid {where}: The insertion index {index} must be inside the "
                            "bounds of an existing paragraph.")
    offset = body.atom_offset(ref, index, where)
    if splits_grapheme(code_points(ref.paragraph), offset):
        raise ApiError(400, f"Invalid {where}: The index {index} is inside a grapheme cluster.")
    return ref, offset


def split_paragraph(ref: ParagraphRef, *cuts: int) -> list[dict]:
    """Split before each atom offset of `cuts` (ascending; the atom before each is a newline).

    Each piece but the last becomes a new paragraph ("head") placed before the rest, with a copy
    of the rest's style and bullet, as a newline typed in Docs does; the rest keeps the
    paragraph's identity and `ref.position` follows it. Returns the heads.
    """
    paragraph = ref.paragraph
    atoms = paragraph["atoms"]
    heads = []
    previous = 0
    for cut in cuts:
        head = {"kind": "paragraph", "style": _without_heading_id(paragraph["style"]),
                "bullet": dict(paragraph["bullet"]) if paragraph["bullet"] else None,
                "styleSuggestions": {}}
        set_atoms(head, atoms[previous:cut])
        heads.append(head)
        previous = cut
    set_atoms(paragraph, atoms[previous:])
    ref.container[ref.position:ref.position] = heads
    ref.position += len(heads)
    return heads


def _without_heading_id(style: dict) -> dict:
    """A copy of a paragraph style for a new paragraph: headings get their own heading id."""
    copied = dict(style)
    if "headingId" in copied:
        copied["headingId"] = heading_id()
    return copied


def delete_range(blocks: list[dict], start: int, range_start: int, range_end: int, where: str,
                 *, container: str = "segment", mark_as: str | None = None, first: int = 0) -> None:
    """Delete [range_start, range_end) from `blocks`, merging paragraphs; blocks[first] starts at
    `start` and holds range_start (nothing before it is looked at).

    With `mark_as` (a suggestion id) nothing is removed: the content gets that id in "del".
    Raises 400 for the ranges Docs refuses (partial tables, a segment's or cell's last newline,
    the newline before a table, half a surrogate pair).
    """
    position = start
    removed_tables = []
    for number, block in enumerate(islice(blocks, first, None), first):
        block_start, block_end = position, position + block_size(block)
        position = block_end
        if block_start >= range_end:
            break
        if block_end <= range_start:
            continue
        if block["kind"] == "table":
            if range_start <= block_start and block_end <= range_end:
                if mark_as is not None:
                    raise ApiError(400, f"Invalid {where}: The sandbox does not support suggesting "
                                        "the deletion of a whole table.")
                removed_tables.append(number)
                continue
            for cell, cell_start in iter_cells(block, block_start):
                cell_end = cell_start + 1 + content_size(cell["content"])
                if cell_start < range_start and range_end <= cell_end:
                    delete_range(cell["content"], cell_start + 1, range_start, range_end, where,
                                 container="table cell", mark_as=mark_as)
                    break
            else:
                raise ApiError(400, f"Invalid {where}: Cannot delete part of a table; delete the "
                                    "whole table or content inside one cell.")
            continue
        _delete_in_paragraph(blocks, number, block_start, range_start, range_end, where, container,
                             mark_as)
    if mark_as is None:
        for number in reversed(removed_tables):
            del blocks[number]
        _merge_open_paragraphs(blocks, first)


def _delete_in_paragraph(blocks: list[dict], number: int, start: int, range_start: int,
                         range_end: int, where: str, container: str, mark_as: str | None) -> None:
    paragraph = blocks[number]
    kept = []
    position = start
    for atom in paragraph["atoms"]:
        width = atom_width(atom)
        inside = range_start <= position and position + width <= range_end
        if not inside and position < range_end and position + width > range_start:
            raise ApiError(400, f"Invalid {where}: The range cannot split a surrogate pair.")
        if inside and atom.get("c") == "\n" and atom is paragraph["atoms"][-1]:
            _check_newline_deletable(blocks, number, position + width, range_end, where, container)
        if not inside:
            kept.append(atom)
        elif mark_as is not None:
            if mark_as not in atom.setdefault("del", []):
                atom["del"].append(mark_as)
            kept.append(atom)
        position += width
    set_atoms(paragraph, kept)


def _check_newline_deletable(blocks: list[dict], number: int, next_start: int, range_end: int,
                             where: str, container: str) -> None:
    if number == len(blocks) - 1:
        raise ApiError(400, f"Invalid {where}: The range cannot include the newline character at "
                            f"the end of the {container}.")
    following = blocks[number + 1]
    if following["kind"] == "table" and next_start + block_size(following) > range_end:
        raise ApiError(400, f"Invalid {where}: The newline before a table cannot be deleted "
                            "without deleting the table.")


def _merge_open_paragraphs(blocks: list[dict], first: int) -> None:
    """Join every paragraph from blocks[first] on that lost its final newline with the next."""
    merged: list[dict] = []
    pending: dict | None = None
    for block in islice(blocks, first, None):
        if pending is not None:
            if pending["atoms"]:
                set_atoms(pending, pending["atoms"] + block["atoms"])
                block = pending
            pending = None
        if block["kind"] == "paragraph" and (not block["atoms"] or block["atoms"][-1].get("c") != "\n"):
            pending = block
            continue
        merged.append(block)
    blocks[first:] = merged
