"""Three-way merge of section text, block by block.

A block is a paragraph, a heading, a list item, a quote or a table. merge3 merges the
block sequences: saves that changed different blocks merge cleanly; only a block that both
changed differently (or one deleted and the other edited) is a conflict.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field

import lxml.html
from merge3 import Merge3

LIST_TAGS = ("ul", "ol")


@dataclass(frozen=True)
class Block:
    """One mergeable unit. For list items `container` is "ul"/"ol" and html is the <li>."""

    html: str
    container: str = ""

    @property
    def key(self) -> str:
        return f"{self.container}\x00{self.html}"


def split_blocks(html: str) -> list[Block]:
    if not html or not html.strip():
        return []
    blocks: list[Block] = []
    for part in lxml.html.fragments_fromstring(html):
        if isinstance(part, str):
            if part.strip():
                blocks.append(Block(f"<p>{part.strip()}</p>"))
            continue
        part.tail = None
        if part.tag in LIST_TAGS:
            for li in part:
                if li.tag == "li":
                    li.tail = None
                    blocks.append(Block(lxml.html.tostring(li, encoding="unicode"), part.tag))
        else:
            blocks.append(Block(lxml.html.tostring(part, encoding="unicode")))
    return blocks


def join_blocks(blocks: list[Block]) -> str:
    """Reassemble blocks; consecutive list items of one kind form one list."""
    out: list[str] = []
    open_list = ""
    for b in blocks:
        if b.container != open_list:
            if open_list:
                out.append(f"</{open_list}>")
            if b.container:
                out.append(f"<{b.container}>")
            open_list = b.container
        out.append(b.html)
    if open_list:
        out.append(f"</{open_list}>")
    return "".join(out)


@dataclass
class ConflictBlock:
    base: str
    mine: str
    theirs: str


@dataclass
class MergeResult:
    groups: list = field(default_factory=list)  # merge3 groups over Block keys
    conflicts: list[ConflictBlock] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.conflicts

    @property
    def html(self) -> str | None:
        return self.resolve("both") if self.clean else None

    def resolve(self, side: str) -> str:
        """The merged text with every conflict taken from `side`: "mine", "theirs" or
        "both" (theirs then mine, so that nothing is lost and a person can combine)."""
        blocks: list[Block] = []
        for g in self.groups:
            if g[0] == "conflict":
                _, _base, mine, theirs = g
                if side == "mine":
                    blocks += mine
                elif side == "theirs":
                    blocks += theirs
                else:
                    blocks += list(theirs) + [b for b in mine if b not in theirs]
            else:
                blocks += g[1]
        return join_blocks(blocks)


def _changes(base: list, other: list) -> list[tuple[int, int, list]]:
    """Edits that turn base into other, as (start, end, replacement) on base indices."""
    sm = difflib.SequenceMatcher(a=[b.key for b in base], b=[b.key for b in other], autojunk=False)
    return [(i1, i2, other[j1:j2]) for tag, i1, i2, j1, j2 in sm.get_opcodes() if tag != "equal"]


def _refine(base: list, mine: list, theirs: list) -> list | None:
    """merge3 calls a region a conflict when both sides changed it, even when they changed
    different blocks side by side. Merge such a region edit by edit; None if two edits
    really touch the same block."""
    cm, ct = _changes(base, mine), _changes(base, theirs)
    for a1, a2, _ in cm:
        for b1, b2, _ in ct:
            if max(a1, b1) < min(a2, b2):
                return None  # both changed the same block(s)
            if a1 == a2 == b1 == b2:
                continue  # both inserted at one place: keep both
            if (a1 == a2 and b1 < a1 < b2) or (b1 == b2 and a1 < b1 < a2):
                return None  # an insertion inside a block the other replaced
    edits = sorted([(s, e, r, 0) for s, e, r in cm] + [(s, e, r, 1) for s, e, r in ct],
                   key=lambda x: (x[0], x[3]))
    out: list = []
    pos = 0
    for start, end, repl, side in edits:
        out += base[pos:start]
        if side == 0 or not (out and repl and out[-len(repl):] == repl):
            out += repl
        pos = max(pos, end)
    out += base[pos:]
    return out


def _block_by_block(base: list, mine: list, theirs: list) -> list | None:
    """A region where neither side added or removed blocks, merged block by block: a block
    one side changed takes that change, one both changed alike takes it once; None if a
    block was changed differently. (difflib reports two changed neighbours as one edit, so
    "I changed the first paragraph, you changed it the same way and also the second" would
    otherwise be a conflict: the same save sent twice, with someone's edit in between.)"""
    if not len(base) == len(mine) == len(theirs):
        return None
    out = []
    for b, m, t in zip(base, mine, theirs):
        if m == b or m == t:
            out.append(t)
        elif t == b:
            out.append(m)
        else:
            return None
    return out


def merge_html(base: str, mine: str, theirs: str) -> MergeResult:
    b, m, t = split_blocks(base), split_blocks(mine), split_blocks(theirs)
    merger = Merge3(b, m, t, is_cherrypick=False)
    result = MergeResult()
    for g in merger.merge_groups():
        if g[0] == "conflict":
            _, gb, gm, gt = g
            if not gb:
                # Both inserted new blocks at the same place: keep both, nobody edited the
                # same text, so this is no conflict.
                result.groups.append(("b", list(gt) + [x for x in gm if x not in gt]))
                continue
            refined = _refine(list(gb), list(gm), list(gt))
            if refined is None:
                refined = _block_by_block(list(gb), list(gm), list(gt))
            if refined is not None:
                result.groups.append(("b", refined))
                continue
            result.groups.append(("conflict", list(gb), list(gm), list(gt)))
            result.conflicts.append(ConflictBlock(join_blocks(list(gb)), join_blocks(list(gm)), join_blocks(list(gt))))
        else:
            result.groups.append((g[0], list(g[1])))
    return result
