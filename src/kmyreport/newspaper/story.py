"""An article's text as the blocks a newspaper sets (paragraphs and heads), and counting 字.

A newspaper sets copy, not documents: each paragraph becomes one block of plain text
(emphasis is not kept), each `##` head a head block, and photos leave the text to sit
under the headline. A block can be cut at any character: the part before the cut ends
its page, the part after it opens the continuation.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..articles import Article


@dataclass(frozen=True)
class Block:
    id: str                  # unique in the issue: the `data-kmy-block` the measurement reports
    kind: str                # "p" (paragraph) or "h" (head)
    text: str
    continued: bool = False  # the rest of a paragraph cut on the page before (no indent)
    cut: bool = False        # a paragraph cut here, continued elsewhere (its last line is justified)


def blocks_of(article: Article, prefix: str) -> list[Block]:
    """The paragraphs and heads of an article, in order, as plain text."""
    blocks: list[Block] = []
    tokens = article.tokens
    for index, token in enumerate(tokens):
        if token.type not in ("paragraph_open", "heading_open") or index + 1 >= len(tokens):
            continue
        inline = tokens[index + 1]
        text = "".join(child.content for child in inline.children or []
                       if child.type in ("text", "code_inline")).strip()
        if not text:
            continue  # a paragraph that holds only a photo
        kind = "h" if token.type == "heading_open" else "p"
        blocks.append(Block(f"{prefix}b{len(blocks)}", kind, text))
    return blocks


def count_chars(text: str) -> int:
    """字 as a layout desk counts them: every character that is not white space."""
    return sum(1 for ch in text if not ch.isspace())


def cut_at(text: str, chars: int) -> int:
    """The index in `text` after its first `chars` non-space characters."""
    seen = 0
    for index, ch in enumerate(text):
        if seen == chars:
            return index
        if not ch.isspace():
            seen += 1
    return len(text)


def split_blocks(blocks: list[Block], block_id: str, chars_kept: int) -> tuple[list[Block], list[Block]]:
    """Cut the blocks so that `chars_kept` characters of block `block_id` stay in the first part."""
    index = next(i for i, block in enumerate(blocks) if block.id == block_id)
    block = blocks[index]
    if block.kind != "p" or chars_kept <= 0:
        return blocks[:index], blocks[index:]
    at = cut_at(block.text, chars_kept)
    if at >= len(block.text):
        return blocks[:index + 1], blocks[index + 1:]
    head = replace(block, text=block.text[:at], cut=True)
    tail = replace(block, id=block.id + "c", text=block.text[at:].lstrip(), continued=True)
    return blocks[:index] + [head], [tail] + blocks[index + 1:]
