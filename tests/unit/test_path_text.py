"""Hop explanations: a shared identifier reads as one "shares ... with" hop, in both languages."""

from __future__ import annotations

from graph.network.path_text import explain, sentence
from graph.network.relations import GraphNode, RawPath


def _party(eid: str, ref: str, name: str) -> GraphNode:
    labels = ("Customer", "Party")
    return GraphNode(eid=eid, id=f"customer:{ref}", labels=labels, name=name, ref=ref)


A = _party("1", "C8000001", "高桂彬")
B = _party("3", "C8000003", "曹芬凯")
PHONE = GraphNode(eid="2", id="PHONE:k", labels=("Identifier",), kind="PHONE", masked="139****7766")


def test_shared_identifier_is_one_explained_hop() -> None:
    hops = explain(RawPath(nodes=[A, PHONE, B], rels=[("HAS_ID", "1"), ("HAS_ID", "3")]))
    assert len(hops) == 1
    assert hops[0].via == PHONE
    assert hops[0].text == "shares phone 139****7766 with"
    assert sentence(hops) == "高桂彬 (C8000001) shares phone 139****7766 with 曹芬凯 (C8000003)"
    chinese = sentence(hops, chinese=True)
    assert chinese == "高桂彬 (C8000001)与曹芬凯 (C8000003)共用电话 139****7766"


def test_direction_decides_the_wording() -> None:
    policy = GraphNode(eid="p", id="policy:P1", labels=("Policy",), number="P1")
    claim = GraphNode(eid="c", id="claim:L1", labels=("Claim",), number="L1")
    shop_labels = ("RepairShop", "Party")
    shop = GraphNode(eid="s", id="shop:S1", labels=shop_labels, name="鑫达汽修", ref="S1")
    forward = explain(
        RawPath(
            nodes=[A, policy, claim, shop],
            rels=[("HOLDS", "1"), ("HAS_CLAIM", "p"), ("REPAIRED_AT", "c")],
        )
    )
    assert [h.text for h in forward] == ["holds", "has claim", "repaired at"]
    backward = explain(
        RawPath(
            nodes=[shop, claim, policy, A],
            rels=[("REPAIRED_AT", "c"), ("HAS_CLAIM", "p"), ("HOLDS", "1")],
        )
    )
    assert [h.text for h in backward] == ["repaired", "is a claim on", "is held by"]
    assert [h.text_zh for h in backward] == ["维修了…", "是…的理赔", "由…持有"]
