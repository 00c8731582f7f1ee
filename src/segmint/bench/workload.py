"""The benchmark's fixed workload: 20 segment definitions over the demo data set, each with the
DuckDB SQL a person would write by hand for the same members.

The hand-written SQL reads the ingested tables directly. Relative dates are computed in SQL
from the evaluation instant with three temporary macros (`install_macros`): `now_utc()`,
`today_in(zone)` and `start_of(day, zone)`. DuckDB folds them into constants before it
plans, so the scans are pruned as if the bounds had been typed in. A reference to another
segment is written `{segment:KEY}` and expands to that segment's SQL as a subquery (every
implementation recomputes referenced segments, as Segmint does for dynamic segments); a
referenced plain profile filter is written inline instead, as a person would.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Final

from segmint.definition import nodes as n
from segmint.definition.load import parse_document, safe_load

if TYPE_CHECKING:
    import duckdb

    from segmint.catalog import Catalog

SHOP: Final = "https://shop.harborpine.example/"


@dataclass(frozen=True)
class WorkloadSegment:
    """One workload segment: its definition (YAML) and its hand-written SQL."""

    key: str
    title: str  # what it selects, in a few words
    yaml: str  # the definition as a user would write it
    sql: str  # one column, the audience key, one row per member (may use {segment:KEY})

    @cached_property
    def definition(self) -> n.Definition:
        return parse_document(safe_load(self.yaml), f"workload segment {self.key}").definition

    @property
    def audience(self) -> str:
        return self.definition.audience


def _segment(key: str, title: str, yaml: str, sql: str) -> WorkloadSegment:
    return WorkloadSegment(key, title, yaml.strip() + "\n", sql.strip())


WORKLOAD: Final[tuple[WorkloadSegment, ...]] = (
    _segment(
        "test-and-internal",
        "test records and staff (text operators)",
        """
audience: contact
condition:
  type: or
  conditions:
    - {type: attribute, field: email, op: contains, value: test}
    - {type: attribute, field: email, op: ends_with, value: "@harborpine.example"}
    - {type: attribute, field: first_name, op: in, value: [Test, QA]}
""",
        """
SELECT contact_id FROM contact
WHERE contains(email, 'test') OR ends_with(email, '@harborpine.example')
   OR first_name IN ('Test', 'QA')
""",
    ),
    _segment(
        "vip-customers",
        "gold/platinum or big spenders, minus test records (segment reference)",
        """
audience: contact
condition:
  type: and
  conditions:
    - type: or
      conditions:
        - {type: attribute, field: loyalty_tier, op: in, value: [Gold, Platinum]}
        - {type: attribute, field: lifetime_value, op: gte, value: 1500}
    - type: not
      condition: {type: in_segment, segment: test-and-internal}
""",
        """
SELECT contact_id FROM contact
WHERE (loyalty_tier IN ('Gold', 'Platinum') OR lifetime_value >= 1500)
  AND NOT coalesce(contains(email, 'test') OR ends_with(email, '@harborpine.example')
                   OR first_name IN ('Test', 'QA'), false)  /* not a test record */
""",
    ),
    _segment(
        "engaged-email-clickers",
        "clicked a shop link in 6 months, 3+ opens in 90 days, first open before 2026",
        f"""
audience: contact
timezone: Europe/Berlin
condition:
  type: and
  conditions:
    - type: behavior
      interaction: email_clicked
      where: {{type: attribute, field: link_url, op: starts_with, value: "{SHOP}"}}
      window: {{last: 6, unit: month}}
    - type: behavior
      interaction: email_opened
      window: {{last: 90, unit: day}}
      count: {{op: gte, value: 3}}
    - type: behavior
      interaction: email_opened
      occurrence: {{which: first, op: before, value: 2026-01-01}}
""",
        f"""
SELECT contact_id FROM contact
WHERE contact_id IN (
    SELECT contact_id FROM email_clicked
    WHERE starts_with(link_url, '{SHOP}')
      AND occurred_at >= start_of(CAST(today_in('Europe/Berlin') - INTERVAL 6 MONTH AS DATE),
                                  'Europe/Berlin')
      AND occurred_at <= now_utc())
  AND contact_id IN (
    SELECT contact_id FROM email_opened
    WHERE occurred_at >= start_of(today_in('Europe/Berlin') - 90, 'Europe/Berlin')
      AND occurred_at <= now_utc()
    GROUP BY contact_id HAVING count(*) >= 3)
  AND contact_id IN (
    SELECT contact_id FROM email_opened
    WHERE occurred_at < start_of(DATE '2026-01-01', 'Europe/Berlin'))
""",
    ),
    _segment(
        "churn-risk",
        "repeat buyers, last purchase 120+ days ago, away 45+ days (New York time)",
        """
audience: contact
timezone: America/New_York
condition:
  type: and
  conditions:
    - type: behavior
      interaction: purchase
      count: {op: gte, value: 2}
    - type: behavior
      interaction: purchase
      occurrence: {which: last, op: more_than_ago, value: 120, unit: day}
    - type: or
      conditions:
        - {type: attribute, field: last_login, op: more_than_ago, value: 45, unit: day}
        - {type: attribute, field: last_login, op: is_empty}
""",
        """
SELECT c.contact_id
FROM contact c
JOIN (
    SELECT contact_id FROM purchase
    WHERE occurred_at <= now_utc()
    GROUP BY contact_id
    HAVING count(*) >= 2
       AND max(occurred_at) < start_of(today_in('America/New_York') - 120, 'America/New_York')
) p ON p.contact_id = c.contact_id
WHERE c.last_login IS NULL
   OR c.last_login < start_of(today_in('America/New_York') - 45, 'America/New_York')
""",
    ),
    _segment(
        "black-friday-2025",
        "spent over 150 over the Black Friday weekend, or signed up that day (date range)",
        """
audience: contact
timezone: America/New_York
condition:
  type: or
  conditions:
    - type: behavior
      interaction: purchase
      window: {from: 2025-11-28, to: 2025-12-01}
      aggregate: {fn: sum, field: amount, op: gt, value: 150}
    - {type: attribute, field: signup_date, op: "on", value: 2025-11-28}
""",
        """
SELECT contact_id FROM contact
WHERE signup_date = DATE '2025-11-28'
   OR contact_id IN (
    SELECT contact_id FROM purchase
    WHERE occurred_at >= start_of(DATE '2025-11-28', 'America/New_York')
      AND occurred_at < start_of(DATE '2025-12-02', 'America/New_York')
      AND occurred_at <= now_utc()
    GROUP BY contact_id HAVING coalesce(sum(amount), 0) > 150)
""",
    ),
    _segment(
        "app-high-aov",
        "average purchase 90-400 over 12 months and an app order not cancelled",
        """
audience: contact
condition:
  type: and
  conditions:
    - type: behavior
      interaction: purchase
      window: {last: 12, unit: month}
      aggregate: {fn: avg, field: amount, op: between, value: [90, 400]}
    - type: related
      relationship: orders
      match: any
      where:
        type: and
        conditions:
          - {type: attribute, field: channel, op: eq, value: app}
          - {type: attribute, field: status, op: neq, value: cancelled}
""",
        """
SELECT contact_id FROM contact
WHERE contact_id IN (
    SELECT contact_id FROM purchase
    WHERE occurred_at >= start_of(CAST(today_in('UTC') - INTERVAL 12 MONTH AS DATE), 'UTC')
      AND occurred_at <= now_utc()
    GROUP BY contact_id HAVING avg(amount) BETWEEN 90 AND 400)
  AND contact_id IN (
    SELECT contact_id FROM "order" WHERE channel = 'app' AND status <> 'cancelled')
""",
    ),
    _segment(
        "b2b-quote-requests",
        "at 100+ employee companies outside two industries, asked for a quote (many-to-one)",
        """
audience: contact
condition:
  type: and
  conditions:
    - {type: attribute, field: account.industry, op: not_in, value: [Education, Hospitality]}
    - {type: attribute, field: account.employees, op: gte, value: 100}
    - type: behavior
      interaction: form_submitted
      where: {type: attribute, field: form_name, op: in, value: [Request a quote, Contact sales]}
      window: {last: 180, unit: day}
""",
        """
SELECT c.contact_id
FROM contact c JOIN account a ON a.account_id = c.account_id
WHERE a.industry NOT IN ('Education', 'Hospitality') AND a.industry <> ''
  AND a.employees >= 100
  AND c.contact_id IN (
    SELECT contact_id FROM form_submitted
    WHERE form_name IN ('Request a quote', 'Contact sales')
      AND occurred_at >= start_of(today_in('UTC') - 180, 'UTC')
      AND occurred_at <= now_utc())
""",
    ),
    _segment(
        "new-signups-to-activate",
        "signed up in 90 days, visited in 30, never purchased (Tokyo time)",
        """
audience: contact
timezone: Asia/Tokyo
condition:
  type: and
  conditions:
    - {type: attribute, field: signup_date, op: in_last, value: 90, unit: day}
    - type: behavior
      interaction: web_visit
      window: {last: 30, unit: day}
    - type: behavior
      interaction: purchase
      count: {op: eq, value: 0}
    - {type: attribute, field: email_opt_in, op: is_not_empty}
""",
        """
SELECT contact_id FROM contact
WHERE signup_date BETWEEN today_in('Asia/Tokyo') - 90 AND today_in('Asia/Tokyo')
  AND email_opt_in IS NOT NULL
  AND contact_id IN (
    SELECT contact_id FROM web_visit
    WHERE occurred_at >= start_of(today_in('Asia/Tokyo') - 30, 'Asia/Tokyo')
      AND occurred_at <= now_utc())
  AND contact_id NOT IN (SELECT contact_id FROM purchase WHERE occurred_at <= now_utc())
""",
    ),
    _segment(
        "millennial-fitness-europe",
        "born 1981-1996 in UK/DE/FR, into fitness, not golf (list operators)",
        """
audience: contact
timezone: Europe/Berlin
condition:
  type: and
  conditions:
    - {type: attribute, field: birthday, op: between, value: [1981-01-01, 1996-12-31]}
    - {type: attribute, field: country, op: in, value: [UK, DE, FR]}
    - type: or
      conditions:
        - {type: attribute, field: interests, op: has_any, value: [running, yoga, cycling, fitness]}
        - {type: attribute, field: interests, op: has_all, value: [hiking, outdoors]}
    - {type: attribute, field: interests, op: has_none, value: [golf]}
""",
        """
SELECT contact_id FROM contact
WHERE birthday BETWEEN DATE '1981-01-01' AND DATE '1996-12-31'
  AND country IN ('UK', 'DE', 'FR')
  AND (list_contains(interests, 'running') OR list_contains(interests, 'yoga')
       OR list_contains(interests, 'cycling') OR list_contains(interests, 'fitness')
       OR (list_contains(interests, 'hiking') AND list_contains(interests, 'outdoors')))
  AND NOT list_contains(interests, 'golf')
""",
    ),
    _segment(
        "birthday-treats",
        "opted-in, birthday in the next 14 days (London time), minus test records",
        """
audience: contact
timezone: Europe/London
condition:
  type: and
  conditions:
    - {type: attribute, field: birthday, op: anniversary_within, value: 14}
    - {type: attribute, field: email_opt_in, op: is_true}
    - type: not
      condition: {type: in_segment, segment: test-and-internal}
""",
        """
SELECT contact_id FROM (
    SELECT contact_id, email, first_name, email_opt_in, today_in('Europe/London') AS today,
           /* adding whole years keeps 29 February on the 28th in other years */
           CAST(birthday + to_years(year(today) - year(birthday)) AS DATE) AS this_year,
           CAST(birthday + to_years(year(today) + 1 - year(birthday)) AS DATE) AS next_year
    FROM contact WHERE birthday IS NOT NULL
)
WHERE email_opt_in
  AND CASE WHEN this_year >= today THEN this_year ELSE next_year END <= today + 14
  AND NOT coalesce(contains(email, 'test') OR ends_with(email, '@harborpine.example')
                   OR first_name IN ('Test', 'QA'), false)  /* not a test record */
""",
    ),
    _segment(
        "one-time-buyers",
        "under 35, exactly one order, not returned, last purchase Jan-Aug 2026 (Kolkata)",
        """
audience: contact
timezone: Asia/Kolkata
condition:
  type: and
  conditions:
    - {type: attribute, field: age, op: lt, value: 35}
    - {type: attribute, field: lifetime_value, op: lte, value: 250}
    - type: related
      relationship: orders
      count: {op: eq, value: 1}
    - type: related
      relationship: orders
      match: none
      where: {type: attribute, field: status, op: eq, value: returned}
    - type: behavior
      interaction: purchase
      occurrence: {which: last, op: between, value: [2026-01-01, 2026-08-31]}
""",
        """
SELECT c.contact_id
FROM contact c
JOIN (SELECT contact_id FROM "order" GROUP BY contact_id
      HAVING count(*) = 1 AND count(*) FILTER (WHERE status = 'returned') = 0) o
  ON o.contact_id = c.contact_id
JOIN (SELECT contact_id FROM purchase WHERE occurred_at <= now_utc()
      GROUP BY contact_id
      HAVING max(occurred_at) >= start_of(DATE '2026-01-01', 'Asia/Kolkata')
         AND max(occurred_at) < start_of(DATE '2026-09-01', 'Asia/Kolkata')) p
  ON p.contact_id = c.contact_id
WHERE c.age < 35 AND c.lifetime_value <= 250
""",
    ),
    _segment(
        "repeat-customers-no-returns",
        "members for a year, 3+ orders all delivered or shipped, every purchase 15+",
        """
audience: contact
condition:
  type: and
  conditions:
    - {type: attribute, field: loyalty_tier, op: is_not_empty}
    - {type: attribute, field: signup_date, op: more_than_ago, value: 1, unit: year}
    - type: related
      relationship: orders
      count: {op: gte, value: 3}
    - type: related
      relationship: orders
      match: all
      where: {type: attribute, field: status, op: in, value: [delivered, shipped]}
    - type: behavior
      interaction: purchase
      aggregate: {fn: min, field: amount, op: gte, value: 15}
""",
        """
SELECT c.contact_id
FROM contact c
JOIN (SELECT contact_id FROM "order" GROUP BY contact_id
      HAVING count(*) >= 3
         AND bool_and(coalesce(status IN ('delivered', 'shipped'), false))) o
  ON o.contact_id = c.contact_id
JOIN (SELECT contact_id FROM purchase WHERE occurred_at <= now_utc()
      GROUP BY contact_id HAVING min(amount) >= 15) p
  ON p.contact_id = c.contact_id
WHERE c.loyalty_tier <> ''
  AND c.signup_date < CAST(today_in('UTC') - INTERVAL 1 YEAR AS DATE)
""",
    ),
    _segment(
        "sms-winback-uk",
        "opted out of email, UK phone, not staff, bought in 6 months (London time)",
        """
audience: contact
timezone: Europe/London
condition:
  type: and
  conditions:
    - {type: attribute, field: email_opt_in, op: is_false}
    - {type: attribute, field: phone, op: starts_with, value: "+44"}
    - {type: attribute, field: email, op: not_contains, value: "@harborpine.example"}
    - type: behavior
      interaction: purchase
      window: {last: 6, unit: month}
""",
        """
SELECT contact_id FROM contact
WHERE NOT email_opt_in
  AND starts_with(phone, '+44')
  AND email <> '' AND NOT contains(email, '@harborpine.example')
  AND contact_id IN (
    SELECT contact_id FROM purchase
    WHERE occurred_at >= start_of(CAST(today_in('Europe/London') - INTERVAL 6 MONTH AS DATE),
                                  'Europe/London')
      AND occurred_at <= now_utc())
""",
    ),
    _segment(
        "upcoming-webinar-registrants",
        "registered for a webinar in the next 30 days (Chicago time; interaction dates)",
        """
audience: contact
timezone: America/Chicago
condition:
  type: behavior
  interaction: event_registered
  where:
    type: and
    conditions:
      - {type: attribute, field: event_type, op: eq, value: webinar}
      - {type: attribute, field: event_date, op: in_next, value: 30, unit: day}
""",
        """
SELECT contact_id FROM contact
WHERE contact_id IN (
    SELECT contact_id FROM event_registered
    WHERE event_type = 'webinar'
      AND event_date BETWEEN today_in('America/Chicago') AND today_in('America/Chicago') + 30
      AND occurred_at <= now_utc())
""",
    ),
    _segment(
        "incomplete-profiles",
        "logged in during 30 days, some profile field missing (is_empty on every type)",
        """
audience: contact
condition:
  type: and
  conditions:
    - {type: attribute, field: last_login, op: in_last, value: 30, unit: day}
    - type: or
      conditions:
        - {type: attribute, field: phone, op: is_empty}
        - {type: attribute, field: birthday, op: is_empty}
        - {type: attribute, field: city, op: is_empty}
        - {type: attribute, field: gender, op: is_empty}
        - {type: attribute, field: interests, op: is_empty}
        - {type: attribute, field: email_opt_in, op: is_empty}
""",
        """
SELECT contact_id FROM contact
WHERE last_login >= start_of(today_in('UTC') - 30, 'UTC') AND last_login <= now_utc()
  AND (coalesce(phone, '') = '' OR birthday IS NULL OR coalesce(city, '') = ''
       OR coalesce(gender, '') = '' OR coalesce(len(interests), 0) = 0
       OR email_opt_in IS NULL)
""",
    ),
    _segment(
        "mobile-sale-browsers",
        "sale pages on mobile twice in 2 weeks or Instagram visit in 48 hours (LA time)",
        """
audience: contact
timezone: America/Los_Angeles
condition:
  type: and
  conditions:
    - type: or
      conditions:
        - type: behavior
          interaction: web_visit
          where:
            type: and
            conditions:
              - {type: attribute, field: device, op: eq, value: mobile}
              - {type: attribute, field: page_url, op: ends_with, value: /sale}
          window: {last: 2, unit: week}
          count: {op: gte, value: 2}
        - type: behavior
          interaction: web_visit
          where: {type: attribute, field: referrer, op: starts_with, value: "https://www.instagram.com"}
          window: {last: 48, unit: hour}
    - type: behavior
      interaction: web_visit
      window: {last: 30, unit: day}
      aggregate: {fn: max, field: duration_seconds, op: gte, value: 120}
    - {type: attribute, field: gender, op: neq, value: Male}
""",
        """
SELECT contact_id FROM contact
WHERE gender <> 'Male' AND gender <> ''
  AND (contact_id IN (
         SELECT contact_id FROM web_visit
         WHERE device = 'mobile' AND ends_with(page_url, '/sale')
           AND occurred_at >= start_of(today_in('America/Los_Angeles') - 14,
                                       'America/Los_Angeles')
           AND occurred_at <= now_utc()
         GROUP BY contact_id HAVING count(*) >= 2)
       OR contact_id IN (
         SELECT contact_id FROM web_visit
         WHERE starts_with(referrer, 'https://www.instagram.com')
           AND occurred_at >= now_utc() - INTERVAL 48 HOUR AND occurred_at <= now_utc()))
  AND contact_id IN (
    SELECT contact_id FROM web_visit
    WHERE occurred_at >= start_of(today_in('America/Los_Angeles') - 30, 'America/Los_Angeles')
      AND occurred_at <= now_utc()
    GROUP BY contact_id HAVING max(duration_seconds) >= 120)
""",
    ),
    _segment(
        "unresponsive-subscribers",
        "opted in before 2026, 2+ emails in 4 weeks, no open in a year (Sao Paulo time)",
        """
audience: contact
timezone: America/Sao_Paulo
condition:
  type: and
  conditions:
    - {type: attribute, field: email_opt_in, op: is_true}
    - {type: attribute, field: signup_date, op: before, value: 2026-01-01}
    - type: behavior
      interaction: email_sent
      window: {last: 4, unit: week}
      count: {op: gte, value: 2}
    - type: behavior
      interaction: email_opened
      window: {last: 1, unit: year}
      count: {op: eq, value: 0}
""",
        """
SELECT contact_id FROM contact
WHERE email_opt_in AND signup_date < DATE '2026-01-01'
  AND contact_id IN (
    SELECT contact_id FROM email_sent
    WHERE occurred_at >= start_of(today_in('America/Sao_Paulo') - 28, 'America/Sao_Paulo')
      AND occurred_at <= now_utc()
    GROUP BY contact_id HAVING count(*) >= 2)
  AND contact_id NOT IN (
    SELECT contact_id FROM email_opened
    WHERE occurred_at >= start_of(CAST(today_in('America/Sao_Paulo') - INTERVAL 1 YEAR AS DATE),
                                  'America/Sao_Paulo')
      AND occurred_at <= now_utc())
""",
    ),
    _segment(
        "enterprise-renewals",
        "larger accounts renewing in 3 months with 2+ contacts active in 30 days (accounts)",
        """
audience: account
timezone: Europe/Berlin
condition:
  type: and
  conditions:
    - {type: attribute, field: tier, op: in, value: [Enterprise, Mid-market]}
    - {type: attribute, field: renewal_date, op: in_next, value: 3, unit: month}
    - type: related
      relationship: contacts
      where: {type: attribute, field: last_login, op: in_last, value: 30, unit: day}
      count: {op: gte, value: 2}
""",
        """
SELECT account_id FROM account
WHERE tier IN ('Enterprise', 'Mid-market')
  AND renewal_date BETWEEN today_in('Europe/Berlin')
      AND CAST(today_in('Europe/Berlin') + INTERVAL 3 MONTH AS DATE)
  AND account_id IN (
    SELECT account_id FROM contact
    WHERE last_login >= start_of(today_in('Europe/Berlin') - 30, 'Europe/Berlin')
      AND last_login <= now_utc()
    GROUP BY account_id HAVING count(*) >= 2)
""",
    ),
    _segment(
        "dormant-accounts",
        "customers since before 2024, every contact away 60+ days, no won lead (accounts)",
        """
audience: account
timezone: America/New_York
condition:
  type: and
  conditions:
    - {type: attribute, field: created_date, op: before, value: 2024-01-01}
    - type: related
      relationship: contacts
      match: all
      where:
        type: or
        conditions:
          - {type: attribute, field: last_login, op: more_than_ago, value: 60, unit: day}
          - {type: attribute, field: last_login, op: is_empty}
    - type: related
      relationship: leads
      match: none
      where: {type: attribute, field: status, op: in, value: [Qualified, Converted]}
""",
        """
SELECT a.account_id
FROM account a
JOIN (SELECT account_id FROM contact WHERE account_id IS NOT NULL GROUP BY account_id
      HAVING bool_and(last_login IS NULL OR last_login
                      < start_of(today_in('America/New_York') - 60, 'America/New_York'))) c
  ON c.account_id = a.account_id
WHERE a.created_date < DATE '2024-01-01'
  AND a.account_id NOT IN (
    SELECT account_id FROM lead
    WHERE status IN ('Qualified', 'Converted') AND account_id IS NOT NULL)
""",
    ),
    _segment(
        "loyal-not-at-risk",
        "VIP or loyal repeat customers, but not churn risk (nested segment references)",
        """
audience: contact
condition:
  type: and
  conditions:
    - type: or
      conditions:
        - {type: in_segment, segment: vip-customers}
        - {type: in_segment, segment: repeat-customers-no-returns}
    - type: not
      condition: {type: in_segment, segment: churn-risk}
""",
        """
SELECT contact_id FROM contact
WHERE (contact_id IN {segment:vip-customers}
       OR contact_id IN {segment:repeat-customers-no-returns})
  AND contact_id NOT IN {segment:churn-risk}
""",
    ),
)

BY_KEY: Final = {s.key: s for s in WORKLOAD}
KEYS: Final = {"contact": "contact_id", "account": "account_id"}  # the audiences' keys

_REFERENCE = re.compile(r"\{segment:([a-z0-9-]+)\}")


def resolve(key: str) -> n.Definition | None:
    """Segment references within the workload (for the engine's in_segment conditions)."""
    found = BY_KEY.get(key)
    return found.definition if found else None


def expand(sql: str) -> str:
    """The SQL with each `{segment:KEY}` replaced by that segment's SQL as a subquery."""
    return _REFERENCE.sub(lambda m: "(" + expand(BY_KEY[m.group(1)].sql) + ")", sql)


def handwritten_sql(segment: WorkloadSegment) -> str:
    """The segment's complete hand-written SQL, references expanded."""
    return expand(segment.sql)


def install_macros(con: duckdb.DuckDBPyConnection, as_of: dt.datetime) -> None:
    """Define the hand-written SQL's date helpers for `as_of` on this connection."""
    instant = as_of.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"CREATE OR REPLACE TEMP MACRO now_utc() AS TIMESTAMP '{instant}'")
    con.execute(
        "CREATE OR REPLACE TEMP MACRO today_in(zone) AS "
        "CAST(timezone(zone, timezone('UTC', now_utc())) AS DATE)"
    )
    con.execute(
        "CREATE OR REPLACE TEMP MACRO start_of(day, zone) AS "
        "CAST(timezone(zone, CAST(day AS TIMESTAMP)) AS TIMESTAMP)"
    )


# --- what the workload covers ---------------------------------------------------------------


def features(definition: n.Definition, catalog: Catalog) -> set[str]:
    """The kinds of condition a definition uses, as tags such as `behavior:sum`, `window:week`,
    `attribute:timestamp`, `op:anniversary_within`, `related:all` or `path:many_to_one`."""
    found = {f"audience:{definition.audience}"}
    if definition.timezone != "UTC":
        found.add("timezone:local")

    def visit(node: n.Condition, entity: str | None, interaction: str, combined: bool) -> None:
        found.add(node.type)
        if isinstance(node, n.Attribute):
            if entity is not None:
                ref = catalog.resolve_field(entity, node.field)
                typ = ref.attribute.type
                if ref.hops:
                    found.add("path:many_to_one")
            else:
                typ = catalog.interactions[interaction].attributes[node.field].type
                found.add("attribute:of_interaction")
            found.update({f"attribute:{typ.value}", f"op:{node.op}"})
        elif isinstance(node, n.Related) and entity is not None:
            rel = catalog.entities[entity].relationships[node.relationship]
            found.add(f"related:{'count' if node.count else node.match or 'any'}")
            found.add(f"related:{entity}->{rel.target}")
            if node.where is not None:
                visit(node.where, rel.target, "", False)
        elif isinstance(node, n.Behavior):
            found.add(f"behavior:{_measure(node)}")
            found.add(f"window:{_window(node.window)}")
            if node.where is not None:
                found.add("behavior:where")
                visit(node.where, None, node.interaction, False)
        elif isinstance(node, n.And | n.Or | n.Not):
            if combined:
                found.add("nested")
            children = node.conditions if isinstance(node, n.And | n.Or) else (node.condition,)
            for child in children:
                visit(child, entity, interaction, True)

    visit(definition.condition, definition.audience, "", False)
    return found


def _measure(node: n.Behavior) -> str:
    if node.aggregate is not None:
        return node.aggregate.fn
    if node.occurrence is not None:
        return node.occurrence.which
    return "count"


def _window(window: n.Window | None) -> str:
    if window is None:
        return "none"
    return window.unit.value if window.unit is not None else "range"
