"""Handling guides: scripts for the most common disputes, maintained by admins and matched
by category and topic terms to each new complaint, and to what a customer said before any
complaint (``suggest``)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import anyio.to_thread

from graph.client import Graph
from graph.complaints import insight_queries as q
from graph.complaints.records import HandlingGuide
from models.complaint_topics import terms
from models.complaints import GuideCandidate, best_guide, rank_guides
from models.errors import InvalidInput, NotFound
from models.records import ComplaintCategory

_KEY = re.compile(r"[a-z0-9][a-z0-9-]{1,62}")

DEFAULT_GUIDES: tuple[dict[str, object], ...] = (
    {
        "key": "claims-denial-dispute",
        "title": "拒赔争议",
        "category": ComplaintCategory.CLAIMS.value,
        "keywords": ["拒赔", "不赔", "拒绝赔付", "免责", "理由"],
        "script": (
            "1. 致歉并确认客户诉求；2. 调取拒赔通知，逐条解释拒赔依据的条款原文；"
            "3. 告知复核渠道与时限（5个工作日内答复）；4. 如有新材料，当场登记并转理赔复核；"
            "5. 记录客户意见，避免承诺结果。"
        ),
    },
    {
        "key": "claims-low-assessment",
        "title": "定损金额争议",
        "category": ComplaintCategory.CLAIMS.value,
        "keywords": ["定损", "金额", "太低", "报价", "差价"],
        "script": (
            "1. 核对定损单与修理厂报价明细；2. 说明定损标准与配件价格来源；"
            "3. 对差异项目安排二次查勘或第三方评估；4. 约定回复时间并登记。"
        ),
    },
    {
        "key": "claims-slow-settlement",
        "title": "理赔进度慢",
        "category": ComplaintCategory.CLAIMS.value,
        "keywords": ["拖", "进度", "没结果", "太慢", "一个多月", "催"],
        "script": (
            "1. 查询案件所处环节与卡点（材料、核价、支付）；2. 明确告知缺失材料清单；"
            "3. 联系理赔岗给出预计结案日期；4. 超时案件升级至理赔主管跟进。"
        ),
    },
    {
        "key": "underwriting-premium-increase",
        "title": "续保保费上涨",
        "category": ComplaintCategory.UNDERWRITING.value,
        "keywords": ["保费", "涨", "续保", "上涨", "费率"],
        "script": (
            "1. 说明无赔款优待系数、出险次数对保费的影响；2. 出示费率计算明细；"
            "3. 介绍可选的保障调整方案；4. 不得承诺违规折扣。"
        ),
    },
    {
        "key": "sales-mis-selling",
        "title": "销售误导/搭售",
        "category": ComplaintCategory.SALES.value,
        "keywords": ["误导", "搭售", "强制", "没有说明", "免责条款", "退保"],
        "script": (
            "1. 调取投保资料与双录记录；2. 核实销售人员告知情况；"
            "3. 符合条件的按规定办理退保或退费；4. 将销售人员信息转销售管理部门核查。"
        ),
    },
)


def guide_id(key: str) -> str:
    """The node id of a guide."""
    return f"guide:{key}"


@dataclass(frozen=True)
class GuideSuggestion:
    """A guide that fits what a customer said: the keywords found and the text's terms."""

    guide: HandlingGuide
    score: int
    keywords: tuple[str, ...]
    terms: tuple[str, ...]
    fallback: bool


def pick_guide(
    guides: Sequence[HandlingGuide],
    category: ComplaintCategory,
    summary: str,
    terms: Sequence[str],
) -> HandlingGuide | None:
    """The guide among ``guides`` that fits a complaint (``best_guide``'s rules), or None."""
    by_id = {g.id: g for g in guides}
    candidates = [GuideCandidate(g.id, g.category, g.keywords) for g in guides]
    best = best_guide(candidates, category, summary, terms)
    return by_id[best] if best else None


class HandlingGuideRepository:
    """Handling guides in Neo4j."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    async def upsert(
        self,
        *,
        key: str,
        title: str,
        category: ComplaintCategory,
        keywords: Sequence[str],
        script: str,
        actor: str,
    ) -> HandlingGuide:
        """Create or replace the guide with this key."""
        if not _KEY.fullmatch(key):
            raise InvalidInput("a guide key is 2-63 lower-case letters, digits and dashes")
        if not title.strip() or not script.strip():
            raise InvalidInput("a guide needs a title and a script")
        records = await self.graph.write(
            q.UPSERT_GUIDE,
            id=guide_id(key),
            key=key,
            title=title.strip(),
            category=category.value,
            keywords=sorted({k.strip() for k in keywords if k.strip()}),
            script=script.strip(),
            actor=actor,
        )
        return HandlingGuide.from_map(records[0]["guide"])

    async def delete(self, key: str) -> bool:
        """Delete a guide; False when there was none."""
        return bool(await self.graph.write(q.DELETE_GUIDE, id=guide_id(key)))

    async def list(self, category: ComplaintCategory | None = None) -> list[HandlingGuide]:
        """Every guide, or those of one category."""
        records = await self.graph.read(
            q.LIST_GUIDES, category=category.value if category else None
        )
        return [HandlingGuide.from_map(r["guide"]) for r in records]

    async def get(self, guide_ref: str) -> HandlingGuide:
        """One guide by id or key; NotFound otherwise."""
        gid = guide_ref if guide_ref.startswith("guide:") else guide_id(guide_ref)
        records = await self.graph.read(q.GET_GUIDE, id=gid)
        if not records:
            raise NotFound(f"no handling guide {guide_ref}")
        return HandlingGuide.from_map(records[0]["guide"])

    async def match(
        self, category: ComplaintCategory, summary: str, terms: Sequence[str]
    ) -> HandlingGuide | None:
        """The guide that fits a complaint, or None."""
        return pick_guide(await self.list(category), category, summary, terms)

    async def suggest(
        self, text: str, category: ComplaintCategory | None = None
    ) -> tuple[GuideSuggestion, ...]:
        """The guides that fit what a customer said, best first (``rank_guides``: the same
        matching that picks a filed complaint's guide), optionally within one category."""
        if not text.strip():
            raise InvalidInput("say what the customer said: the text is empty")
        topic_terms = await anyio.to_thread.run_sync(terms, text)
        guides = {g.id: g for g in await self.list(category)}
        candidates = [GuideCandidate(g.id, g.category, g.keywords) for g in guides.values()]
        return tuple(
            GuideSuggestion(
                guide=guides[m.id],
                score=m.score,
                keywords=m.keywords,
                terms=tuple(topic_terms),
                fallback=m.fallback,
            )
            for m in rank_guides(candidates, text, topic_terms, category)
        )

    async def seed_defaults(self) -> int:
        """Create the default guides that are missing (admins' edits are kept)."""
        rows = [{"id": guide_id(str(g["key"])), "props": dict(g)} for g in DEFAULT_GUIDES]
        records = await self.graph.write(q.SEED_GUIDES, rows=rows)
        return int(records[0]["guides"])
