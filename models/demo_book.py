"""A deterministic, realistic synthetic book of business (pure generation, no I/O).

``DemoBook(customers=N, seed=S)`` yields rows for the graph writer: customers with Chinese
names, valid 18-digit resident ID numbers, mobiles, plates and bank accounts; policies, claims,
repair shops, agents, brokers, dealers, adjusters and complaints across channels; and a few
planted patterns that the watchlist and the risk queries must find:

* ``RING``: five customers (C8000001-C8000005) sharing one phone and one bank account, with
  claims at the same shop, one claim flagged as fraud and a complaint in the group;
* ``CLUSTER_SHOP``: repair shop S9000001 (鑫达汽修) whose eight customers all complain about
  their repairs within two weeks;
* ``SERIAL``: customer C8000100 with five complaints in a year, the last one to the regulator
  about a claim denied with a valid, recorded reason.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from models.identity import IdentifierKind, id_check_digit, make_identifier, normalise
from models.names import fold_name, pinyin_key
from models.records import (
    ClaimRow,
    ClaimStatus,
    ComplaintCategory,
    ComplaintChannel,
    ComplaintRow,
    ComplaintStatus,
    IdentifierRow,
    PartyKind,
    PartyRow,
    PolicyRow,
    claim_id,
    complaint_id,
    party_id,
    policy_id,
)

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红娥玲芬燕彬鹏辉宇浩凯健俊帆晨阳"
    "欣怡婷雪琳晶颖慧佳嘉思雨博文志永建国海峰斌亮波宁"
)
REGIONS = ("440305", "440106", "310115", "110105", "330106", "320102", "510107", "420111")
PROVINCES = "粤沪京浙苏川鄂"
SHOP_WORDS = ("汽修", "汽车服务", "车业", "汽车维修中心", "快修")
SHOP_PREFIX = ("顺达", "安驰", "宏发", "金轮", "捷通", "永盛", "嘉禾", "丰源", "通利", "恒信")
CITIES = ("深圳", "广州", "上海", "北京", "杭州", "南京", "成都", "武汉")
PRODUCTS = ("机动车商业险", "交强险", "车损险", "第三者责任险", "企业财产险")
DENIAL_REASONS = (
    ("NOT_COVERED", True, "事故不在保险责任范围内"),
    ("LATE_REPORT", True, "出险后超过时限报案，无法核实损失"),
    ("DRUNK_DRIVING", True, "驾驶人酒后驾驶，属责任免除"),
    ("DOCS_MISSING", False, "材料不全"),
)
COMPLAINT_TEXTS = {
    ComplaintCategory.CLAIMS: (
        "理赔拖了一个多月还没结果",
        "定损金额太低，和修理厂报价差很多",
        "拒赔理由不合理",
    ),
    ComplaintCategory.SERVICE: ("客服电话一直打不通", "业务员态度很差", "修理厂修了三次还没修好"),
    ComplaintCategory.SALES: ("销售时没有说明免责条款", "被强制搭售意外险"),
    ComplaintCategory.UNDERWRITING: ("续保保费涨得太多", "核保拒保没有说明原因"),
    ComplaintCategory.OTHER: ("发票一直没有寄到",),
}

# Complaints fall in the 320 days after the book's epoch: 2026 by default (the tests' fixed
# clock); seed-demo moves the epoch so that the book ends the day before it runs.
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
COMPLAINT_DAYS = 320


def epoch_ending_before(now: datetime) -> datetime:
    """The epoch whose book's last complaint falls on the day before ``now`` (UTC midnight)."""
    midnight = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight - timedelta(days=COMPLAINT_DAYS + 1)


# Channels the synthetic complaints come in on, with the weights in ``batches`` (the book
# stays the same for a seed whatever channels are added to the model).
DEMO_CHANNELS = (
    ComplaintChannel.FRONTLINE,
    ComplaintChannel.HOTLINE,
    ComplaintChannel.ONLINE,
    ComplaintChannel.REGULATOR,
    ComplaintChannel.MEDIA,
)


@dataclass
class Batch:
    """One slice of the book, in write order: parties, then policies, claims, complaints."""

    parties: dict[PartyKind, list[PartyRow]] = field(default_factory=dict)
    policies: list[PolicyRow] = field(default_factory=list)
    claims: list[ClaimRow] = field(default_factory=list)
    complaints: list[ComplaintRow] = field(default_factory=list)

    def add_party(self, kind: PartyKind, row: PartyRow) -> None:
        self.parties.setdefault(kind, []).append(row)


def make_id_number(rng: random.Random, region: str | None = None) -> str:
    """A valid 18-digit resident ID number (GB 11643 check digit) for a random adult."""
    born = date(1955, 1, 1) + timedelta(days=rng.randrange(0, 365 * 48))
    first17 = f"{region or rng.choice(REGIONS)}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + id_check_digit(first17)


def make_mobile(rng: random.Random) -> str:
    """A plausible mainland mobile number."""
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


def make_plate(rng: random.Random) -> str:
    """A plate such as 粤B·12345."""
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    tail = "".join(rng.choice("0123456789" + letters[:6]) for _ in range(5))
    return f"{rng.choice(PROVINCES)}{rng.choice(letters[:8])}·{tail}"


def make_bank_account(rng: random.Random) -> str:
    """A 19-digit card number."""
    return "6222" + "".join(str(rng.randrange(10)) for _ in range(15))


def make_name(rng: random.Random) -> str:
    """A Chinese personal name of two or three characters."""
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
    return rng.choice(SURNAMES) + given


class DemoBook:
    """Generates the book in batches; the same ``(customers, seed)`` gives the same rows."""

    def __init__(
        self,
        customers: int,
        seed: int,
        secret: bytes,
        batch_customers: int = 2000,
        epoch: datetime = EPOCH,
    ) -> None:
        if customers < 20:
            raise ValueError("the demo book needs at least 20 customers")
        self.customers = customers
        self.epoch = epoch
        self.seed = seed
        self.secret = secret
        self.batch_customers = batch_customers
        self.shops = max(10, customers // 200)
        self.agents = max(10, customers // 100)
        self.brokers = max(3, customers // 2000)
        self.dealers = max(5, customers // 500)
        self.adjusters = max(5, customers // 500)

    # -- identifiers and parties -------------------------------------------------------------

    def _ident(self, kind: IdentifierKind, raw: str) -> IdentifierRow:
        ident = make_identifier(self.secret, kind, raw)
        return {
            "id": ident.node_id,
            "kind": ident.kind.value,
            "key": ident.key,
            "masked": ident.masked,
        }

    def _party(
        self,
        kind: PartyKind,
        ref: str,
        name: str,
        extra: dict[str, Any],
        idents: list[IdentifierRow],
    ) -> PartyRow:
        props = {
            "ref": ref,
            "name": name,
            "name_key": fold_name(name),
            "pinyin_key": pinyin_key(name),
        }
        props.update(extra)
        return {"id": party_id(kind, ref), "props": props, "identifiers": idents}

    def _customer(
        self,
        rng: random.Random,
        ref: str,
        *,
        phone: str | None = None,
        account: str | None = None,
        name: str | None = None,
    ) -> PartyRow:
        id_number = make_id_number(rng)
        phone = phone or make_mobile(rng)
        idents = [
            self._ident(IdentifierKind.ID_CARD, id_number),
            self._ident(IdentifierKind.PHONE, phone),
        ]
        if account or rng.random() < 0.5:
            idents.append(
                self._ident(IdentifierKind.BANK_ACCOUNT, account or make_bank_account(rng))
            )
        extra = {
            "customer_no": ref,
            "city": rng.choice(CITIES),
            "id_masked": idents[0]["masked"],
            "phone_masked": idents[1]["masked"],
            "since": date(2015, 1, 1) + timedelta(days=rng.randrange(3650)),
        }
        return self._party(PartyKind.CUSTOMER, ref, name or make_name(rng), extra, idents)

    def reference_parties(self) -> Batch:
        """Shops, agents, brokers, dealers and adjusters (written before any customer)."""
        rng = random.Random(f"{self.seed}:reference")
        batch = Batch()
        for n in range(1, self.shops + 1):
            name = f"{rng.choice(CITIES)}{rng.choice(SHOP_PREFIX)}{rng.choice(SHOP_WORDS)}{n}号店"
            phone = self._ident(IdentifierKind.PHONE, f"0755{rng.randrange(10**8):08d}")
            batch.add_party(
                PartyKind.REPAIR_SHOP,
                self._party(
                    PartyKind.REPAIR_SHOP, f"S{n:07d}", name, {"city": rng.choice(CITIES)}, [phone]
                ),
            )
        batch.add_party(
            PartyKind.REPAIR_SHOP,
            self._party(
                PartyKind.REPAIR_SHOP,
                "S9000001",
                "鑫达汽修",
                {"city": "深圳"},
                [self._ident(IdentifierKind.PHONE, "0755-88886666")],
            ),
        )
        for kind, count, prefix in (
            (PartyKind.AGENT, self.agents, "A"),
            (PartyKind.BROKER, self.brokers, "B"),
            (PartyKind.DEALER, self.dealers, "D"),
            (PartyKind.ADJUSTER, self.adjusters, "J"),
        ):
            for n in range(1, count + 1):
                name = (
                    make_name(rng)
                    if kind in (PartyKind.AGENT, PartyKind.ADJUSTER)
                    else (
                        f"{rng.choice(CITIES)}{rng.choice(SHOP_PREFIX)}{'汽车销售' if kind is PartyKind.DEALER else '保险经纪'}有限公司"
                    )
                )
                idents = [self._ident(IdentifierKind.PHONE, make_mobile(rng))]
                batch.add_party(kind, self._party(kind, f"{prefix}{n:07d}", name, {}, idents))
        return batch

    # -- the ordinary book ---------------------------------------------------------------------

    def _policy_and_claims(
        self,
        rng: random.Random,
        batch: Batch,
        customer: PartyRow,
        n: int,
        shop_ref: str | None = None,
    ) -> list[ClaimRow]:
        policy_no = f"P{n:09d}"
        start = date(2024, 1, 1) + timedelta(days=rng.randrange(700))
        seller_kind, seller_prefix, seller_count = (
            (PartyKind.AGENT, "A", self.agents)
            if rng.random() < 0.85
            else (PartyKind.BROKER, "B", self.brokers)
        )
        plate = self._ident(IdentifierKind.PLATE, make_plate(rng))
        customer["identifiers"].append(plate)
        product = rng.choice(PRODUCTS)
        batch.policies.append(
            {
                "id": policy_id(policy_no),
                "props": {
                    "policy_no": policy_no,
                    "product": product,
                    "commercial": product != "交强险",
                    "start_date": start,
                    "end_date": start + timedelta(days=365),
                    "premium": round(rng.uniform(900, 12000), 2),
                    "plate_masked": plate["masked"],
                },
                "holder_id": customer["id"],
                "seller_id": party_id(
                    seller_kind, f"{seller_prefix}{rng.randrange(1, seller_count + 1):07d}"
                ),
                "dealer_id": party_id(
                    PartyKind.DEALER, f"D{rng.randrange(1, self.dealers + 1):07d}"
                )
                if rng.random() < 0.4
                else None,
            }
        )
        claims: list[ClaimRow] = []
        for c in range(rng.choice((0, 0, 0, 1, 1, 2)) if shop_ref is None else 1):
            claims.append(self._claim(rng, f"L{n:09d}{c}", policy_id(policy_no), start, shop_ref))
        batch.claims.extend(claims)
        return claims

    def _claim(
        self,
        rng: random.Random,
        claim_no: str,
        pol_id: str,
        start: date,
        shop_ref: str | None,
        status: ClaimStatus | None = None,
        denial: tuple[str, bool, str] | None = None,
        fraud: bool = False,
    ) -> ClaimRow:
        reported = datetime.combine(start, datetime.min.time(), UTC) + timedelta(
            days=rng.randrange(20, 330), hours=rng.randrange(24)
        )
        status = status or rng.choices(list(ClaimStatus), weights=(15, 68, 14, 3))[0]
        denial = denial or (rng.choice(DENIAL_REASONS) if status is ClaimStatus.DENIED else None)
        props: dict[str, Any] = {
            "claim_no": claim_no,
            "status": status.value,
            "reported_at": reported,
            "amount": round(rng.uniform(800, 60000), 2),
            "fraud_flag": fraud,
            "settled_at": reported + timedelta(days=rng.randrange(3, 40))
            if status in (ClaimStatus.PAID, ClaimStatus.DENIED)
            else None,
            "denial_code": denial[0] if denial else None,
            "denial_reason_valid": denial[1] if denial else None,
            "denial_reason": denial[2] if denial else None,
        }
        return {
            "id": claim_id(claim_no),
            "props": props,
            "policy_id": pol_id,
            "shop_id": party_id(
                PartyKind.REPAIR_SHOP, shop_ref or f"S{rng.randrange(1, self.shops + 1):07d}"
            ),
            "adjuster_id": party_id(
                PartyKind.ADJUSTER, f"J{rng.randrange(1, self.adjusters + 1):07d}"
            ),
        }

    def _complaint(
        self,
        rng: random.Random,
        complaint_no: str,
        who: str,
        received: datetime,
        channel: ComplaintChannel,
        category: ComplaintCategory,
        claims: Sequence[str] = (),
        parties: Sequence[str] = (),
        policies: Sequence[str] = (),
        closed: bool | None = None,
    ) -> ComplaintRow:
        closed = rng.random() < 0.7 if closed is None else closed
        props: dict[str, Any] = {
            "complaint_no": complaint_no,
            "channel": channel.value,
            "category": category.value,
            "received_at": received,
            "due_at": received + timedelta(days=15),
            "status": (ComplaintStatus.CLOSED if closed else ComplaintStatus.OPEN).value,
            "summary": rng.choice(COMPLAINT_TEXTS[category]),
            "closed_at": received + timedelta(days=rng.randrange(2, 14)) if closed else None,
        }
        return {
            "id": complaint_id(complaint_no),
            "props": props,
            "complainant_id": who,
            "about_policy_ids": list(policies),
            "about_claim_ids": list(claims),
            "about_party_ids": list(parties),
        }

    def batches(self) -> Iterator[Batch]:
        """The whole book: reference parties first, then customers in batches, then patterns."""
        yield self.reference_parties()
        ordinary = self.customers - 14  # the planted patterns add 14 customers
        for start in range(1, ordinary + 1, self.batch_customers):
            rng = random.Random(f"{self.seed}:{start}")
            batch = Batch()
            for n in range(start, min(start + self.batch_customers, ordinary + 1)):
                customer = self._customer(rng, f"C{n:07d}")
                batch.add_party(PartyKind.CUSTOMER, customer)
                claims = self._policy_and_claims(rng, batch, customer, n)
                if rng.random() < 0.3:
                    self._policy_and_claims(rng, batch, customer, n + 500_000_000)
                if rng.random() < 0.05:
                    category = (
                        ComplaintCategory.CLAIMS if claims else rng.choice(list(ComplaintCategory))
                    )
                    channel = rng.choices(DEMO_CHANNELS, weights=(35, 40, 15, 8, 2))[0]
                    received = self.epoch + timedelta(
                        days=rng.randrange(COMPLAINT_DAYS), hours=rng.randrange(24)
                    )
                    batch.complaints.append(
                        self._complaint(
                            rng,
                            f"Q{n:09d}",
                            customer["id"],
                            received,
                            channel,
                            category,
                            claims=[claims[0]["id"]] if claims else [],
                        )
                    )
            yield batch
        yield self.planted_patterns()

    # -- planted patterns ----------------------------------------------------------------------

    def planted_patterns(self) -> Batch:
        """The ring, the complaint-cluster shop and the serial complainant."""
        rng = random.Random(f"{self.seed}:planted")
        batch = Batch()
        ring_phone, ring_account = "139 2288 7766", "6222 0212 3456 7890 123"
        ring_shop = "S0000001"
        for i in range(1, 6):
            customer = self._customer(rng, f"C800000{i}", phone=ring_phone, account=ring_account)
            batch.add_party(PartyKind.CUSTOMER, customer)
            pol_no = f"P80000000{i}"
            start = date(2025, 3, 1)
            batch.policies.append(
                {
                    "id": policy_id(pol_no),
                    "props": {
                        "policy_no": pol_no,
                        "product": "车损险",
                        "commercial": True,
                        "start_date": start,
                        "end_date": start + timedelta(days=365),
                        "premium": 4200.0,
                    },
                    "holder_id": customer["id"],
                    "seller_id": party_id(PartyKind.AGENT, "A0000001"),
                    "dealer_id": None,
                }
            )
            claim = self._claim(
                rng,
                f"L80000000{i}",
                policy_id(pol_no),
                start,
                ring_shop,
                status=ClaimStatus.PAID,
                fraud=(i == 1),
            )
            batch.claims.append(claim)
            if i == 2:
                batch.complaints.append(
                    self._complaint(
                        rng,
                        "Q800000002",
                        customer["id"],
                        self.epoch + timedelta(days=200),
                        ComplaintChannel.HOTLINE,
                        ComplaintCategory.CLAIMS,
                        claims=[claim["id"]],
                        closed=False,
                    )
                )
        cluster_day = self.epoch + timedelta(days=290)
        for i in range(1, 9):
            customer = self._customer(rng, f"C80000{10 + i}")
            batch.add_party(PartyKind.CUSTOMER, customer)
            claims = self._policy_and_claims(
                rng, batch, customer, 800_000_010 + i, shop_ref="S9000001"
            )
            batch.complaints.append(
                self._complaint(
                    rng,
                    f"Q8000001{i}",
                    customer["id"],
                    cluster_day + timedelta(days=i, hours=i),
                    ComplaintChannel.HOTLINE if i % 3 else ComplaintChannel.ONLINE,
                    ComplaintCategory.SERVICE,
                    claims=[claims[0]["id"]],
                    parties=[party_id(PartyKind.REPAIR_SHOP, "S9000001")],
                    closed=False,
                )
            )
        serial = self._customer(rng, "C8000100", name="钱多多")
        batch.add_party(PartyKind.CUSTOMER, serial)
        pol_no, start = "P800000100", date(2025, 6, 1)
        batch.policies.append(
            {
                "id": policy_id(pol_no),
                "props": {
                    "policy_no": pol_no,
                    "product": "机动车商业险",
                    "commercial": True,
                    "start_date": start,
                    "end_date": start + timedelta(days=365),
                    "premium": 6800.0,
                },
                "holder_id": serial["id"],
                "seller_id": party_id(PartyKind.AGENT, "A0000002"),
                "dealer_id": None,
            }
        )
        denied = self._claim(
            rng,
            "L800000100",
            policy_id(pol_no),
            start,
            None,
            status=ClaimStatus.DENIED,
            denial=DENIAL_REASONS[2],
        )
        batch.claims.append(denied)
        for i, channel in enumerate(
            (
                ComplaintChannel.FRONTLINE,
                ComplaintChannel.HOTLINE,
                ComplaintChannel.HOTLINE,
                ComplaintChannel.ONLINE,
                ComplaintChannel.REGULATOR,
            ),
            start=1,
        ):
            batch.complaints.append(
                self._complaint(
                    rng,
                    f"Q80000010{i}",
                    serial["id"],
                    self.epoch + timedelta(days=60 * i),
                    channel,
                    ComplaintCategory.CLAIMS,
                    claims=[denied["id"]],
                    closed=i < 5,
                )
            )
        return batch


def normalised_phone(raw: str) -> str:
    """The normalised form of a demo phone (for tests that look planted patterns up)."""
    return normalise(IdentifierKind.PHONE, raw)
