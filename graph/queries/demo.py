"""Cypher for the demo's feeds: registered by ``riskwatch seed-demo``, served by the app."""

from typing import LiteralString

# Register (or refresh) the demo feeds. The anchor, seed and cast the coverage was dated and
# written with are kept from the first seeding, so the feeds the app serves later carry the
# very stories that were stored (a re-run of seed-demo adds nothing).
UPSERT_DEMO_FEEDS: LiteralString = """
UNWIND $rows AS row
MERGE (f:Feed {id: row.id})
ON CREATE SET f.created_at = $now, f.consecutive_failures = 0, f.items_seen = 0,
              f.next_poll_at = row.next_poll_at
SET f.url = row.url, f.name = row.name, f.language = 'zh-cn',
    f.poll_interval_s = row.poll_interval_s, f.enabled = row.enabled,
    f.disabled_reason = row.disabled_reason, f.high_impact = row.high_impact,
    f.weight = row.weight,
    f.demo_anchor = coalesce(f.demo_anchor, $anchor), f.demo_seed = coalesce(f.demo_seed, $seed),
    f.demo_cast = coalesce(f.demo_cast, $cast)
RETURN f {.*} AS feed
"""

# What a demo feed was seeded with (none for a feed that is not a demo feed).
DEMO_FEED_STATE: LiteralString = """
MATCH (f:Feed {id: $id})
WHERE f.demo_anchor IS NOT NULL
RETURN f.demo_anchor AS anchor, f.demo_seed AS seed, f.demo_cast AS cast
"""
