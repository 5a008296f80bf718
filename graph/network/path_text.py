"""Explaining a path hop by hop, in English and Chinese, from relationship type, direction
and identifier kind ("shares phone 139****7766 with" / "与…共用电话 139****7766")."""

from __future__ import annotations

from dataclasses import dataclass

from graph.labels import Label, Rel
from graph.network.relations import GraphNode, RawPath

KIND_WORDS: dict[str, tuple[str, str]] = {
    "PHONE": ("phone", "电话"),
    "ID_CARD": ("ID number", "身份证号"),
    "BANK_ACCOUNT": ("bank account", "银行账户"),
    "PLATE": ("plate", "车牌"),
    "ADDRESS": ("address", "地址"),
    "EMAIL": ("e-mail", "邮箱"),
}

# Per relationship type: (English forward, English backward, Chinese forward, Chinese
# backward); forward means the relationship points from the hop's first node to its second.
# In the Chinese forms "…" stands for the hop's second node.
REL_WORDS: dict[str, tuple[str, str, str, str]] = {
    Rel.HOLDS: ("holds", "is held by", "持有…", "由…持有"),
    Rel.HAS_CLAIM: ("has claim", "is a claim on", "有理赔…", "是…的理赔"),
    Rel.REPAIRED_AT: ("repaired at", "repaired", "在…维修", "维修了…"),
    Rel.ASSESSED_BY: ("assessed by", "assessed", "由…定损", "定损了…"),
    Rel.SOLD_BY: ("sold by", "sold", "由…销售", "销售了…"),
    Rel.SOLD_VIA: ("sold via", "is the dealer for", "经由…销售", "是…的经销商"),
    Rel.FILED: ("filed", "was filed by", "提交了投诉…", "由…提交"),
    Rel.ABOUT: ("is about", "is the subject of", "涉及…", "被…投诉"),
    Rel.IN_RING: ("is in", "includes", "属于团伙…", "包含…"),
}


@dataclass(frozen=True)
class Hop:
    """One explained step of a path; ``via`` is the shared identifier when one links them."""

    start: GraphNode
    end: GraphNode
    relationship: str
    forward: bool
    text: str
    text_zh: str
    via: GraphNode | None = None


def _kind_words(node: GraphNode) -> tuple[str, str]:
    return KIND_WORDS.get(node.kind or "", ((node.kind or "identifier").lower(), "标识"))


def _identifier_hop(start: GraphNode, ident: GraphNode, end: GraphNode) -> Hop:
    word, word_zh = _kind_words(ident)
    masked = ident.masked or ""
    return Hop(
        start=start,
        end=end,
        relationship=Rel.HAS_ID,
        forward=True,
        text=f"shares {word} {masked} with",
        text_zh=f"与…共用{word_zh} {masked}",
        via=ident,
    )


def _plain_hop(start: GraphNode, end: GraphNode, rel_type: str, forward: bool) -> Hop:
    if rel_type == Rel.HAS_ID:
        ident = end if forward else start
        word, word_zh = _kind_words(ident)
        text = f"has {word}" if forward else f"is the {word} of"
        text_zh = f"有{word_zh}…" if forward else f"是…的{word_zh}"
    else:
        en_fwd, en_back, zh_fwd, zh_back = REL_WORDS.get(
            rel_type, (rel_type.lower(), rel_type.lower(), rel_type, rel_type)
        )
        text, text_zh = (en_fwd, zh_fwd) if forward else (en_back, zh_back)
    return Hop(start, end, rel_type, forward, text, text_zh)


def explain(path: RawPath) -> list[Hop]:
    """The path's hops; party -HAS_ID-> identifier <-HAS_ID- party becomes one "shares" hop."""
    hops: list[Hop] = []
    i = 0
    nodes, rels = path.nodes, path.rels
    while i < len(rels):
        node, following = nodes[i], nodes[i + 1]
        if (
            i + 1 < len(rels)
            and rels[i][0] == Rel.HAS_ID
            and rels[i + 1][0] == Rel.HAS_ID
            and Label.IDENTIFIER in following.labels
        ):
            hops.append(_identifier_hop(node, following, nodes[i + 2]))
            i += 2
            continue
        rel_type, start_eid = rels[i]
        hops.append(_plain_hop(node, following, rel_type, start_eid == node.eid))
        i += 1
    return hops


def clause(hop: Hop, chinese: bool = False) -> str:
    """One hop as a clause: "钱多多 (C8000001) shares phone 139****7766 with 李伟 (C8000003)"."""
    if chinese:
        return hop.start.display + hop.text_zh.replace("…", hop.end.display)
    return f"{hop.start.display} {hop.text} {hop.end.display}"


def sentence(hops: list[Hop], chinese: bool = False) -> str:
    """The whole path as one line of clauses."""
    return ("；" if chinese else "; ").join(clause(hop, chinese) for hop in hops)
