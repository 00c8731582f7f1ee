"""The workload written in straightforward pandas: one function per segment over DataFrames read
from the workspace's Parquet files, the way an analyst would write it in a notebook.

Dates are computed with pandas' own time-zone arithmetic (`tz_localize`, `DateOffset`), not
with Segmint's, so agreement with the engine is a real check. Loading (`load_frames`) is
timed separately from evaluating.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

import pandas as pd

from segmint.bench.workload import SHOP

Frames = dict[str, Any]  # table name -> pandas DataFrame
Members = Any  # a pandas Series of member keys
Implementation = Callable[[Frames, dt.datetime], Members]

FILES: Final = {
    "contact": "contacts",
    "account": "accounts",
    "lead": "leads",
    "order": "orders",
    "email_sent": "email_sent",
    "email_opened": "email_opened",
    "email_clicked": "email_clicked",
    "form_submitted": "form_submitted",
    "event_registered": "event_registered",
    "web_visit": "web_visit",
    "purchase": "purchase",
}  # table -> Parquet file name under data/
DATE_COLUMNS: Final = {
    "contact": ("birthday", "signup_date"),
    "account": ("created_date", "renewal_date"),
    "lead": ("created_date",),
    "order": ("order_date",),
    "event_registered": ("event_date",),
}


def load_frames(data: Path) -> Frames:
    """Every table of the demo data set as a DataFrame; dates as datetime64."""
    frames: Frames = {}
    for table, file in FILES.items():
        frame = pd.read_parquet(data / f"{file}.parquet")
        for column in DATE_COLUMNS.get(table, ()):
            frame[column] = pd.to_datetime(frame[column])
        frames[table] = frame
    return frames


class Clock:
    """The evaluation instant, and local days in one time zone turned into naive UTC instants."""

    def __init__(self, as_of: dt.datetime, zone: str) -> None:
        instant = pd.Timestamp(as_of).tz_convert("UTC")
        self.zone = zone
        self.now = instant.tz_localize(None)
        self.today = instant.tz_convert(zone).normalize().tz_localize(None)

    def start(self, day: Any) -> Any:
        """The first instant of a local day (a naive Timestamp), as naive UTC."""
        local = pd.Timestamp(day).normalize().tz_localize(self.zone, nonexistent="shift_forward")
        return local.tz_convert("UTC").tz_localize(None)

    def days_ago(self, days: int) -> Any:
        return self.start(self.today - pd.Timedelta(days=days))

    def months_ago(self, months: int) -> Any:
        return self.start(self.today - pd.DateOffset(months=months))


def _upto(frame: Any, clock: Clock, since: Any = None) -> Any:
    """The interactions up to as_of (and from `since`, if given)."""
    keep = frame.occurred_at <= clock.now
    if since is not None:
        keep &= frame.occurred_at >= since
    return frame[keep]


def _select(frame: Any, key: str, mask: Any) -> Members:
    return frame[key][mask]


def test_and_internal(f: Frames, _as_of: dt.datetime) -> Members:
    c = f["contact"]
    mask = (
        c.email.str.contains("test", regex=False, na=False)
        | c.email.str.endswith("@harborpine.example", na=False)
        | c.first_name.isin(["Test", "QA"])
    )
    return _select(c, "contact_id", mask)


def vip_customers(f: Frames, as_of: dt.datetime) -> Members:
    c = f["contact"]
    rich = c.loyalty_tier.isin(["Gold", "Platinum"]) | (c.lifetime_value >= 1500)
    return _select(c, "contact_id", rich & ~c.contact_id.isin(test_and_internal(f, as_of)))


def engaged_email_clickers(f: Frames, as_of: dt.datetime) -> Members:
    k = Clock(as_of, "Europe/Berlin")
    c, clicks, opens = f["contact"], f["email_clicked"], f["email_opened"]
    clicked = _upto(clicks, k, k.months_ago(6))
    clicked = clicked[clicked.link_url.str.startswith(SHOP, na=False)]
    opened = _upto(opens, k, k.days_ago(90)).groupby("contact_id").size()
    early = opens[opens.occurred_at < k.start(pd.Timestamp("2026-01-01"))]
    mask = (
        c.contact_id.isin(clicked.contact_id)
        & c.contact_id.isin(opened.index[opened >= 3])
        & c.contact_id.isin(early.contact_id)
    )
    return _select(c, "contact_id", mask)


def churn_risk(f: Frames, as_of: dt.datetime) -> Members:
    k = Clock(as_of, "America/New_York")
    c = f["contact"]
    per = _upto(f["purchase"], k).groupby("contact_id").occurred_at.agg(["size", "max"])
    lapsed = per.index[(per["size"] >= 2) & (per["max"] < k.days_ago(120))]
    away = c.last_login.isna() | (c.last_login < k.days_ago(45))
    return _select(c, "contact_id", c.contact_id.isin(lapsed) & away)


def black_friday_2025(f: Frames, as_of: dt.datetime) -> Members:
    k = Clock(as_of, "America/New_York")
    c, p = f["contact"], _upto(f["purchase"], k)
    weekend = p[
        (p.occurred_at >= k.start(pd.Timestamp("2025-11-28")))
        & (p.occurred_at < k.start(pd.Timestamp("2025-12-02")))
    ]
    spent = weekend.groupby("contact_id").amount.sum()
    mask = c.contact_id.isin(spent.index[spent > 150]) | (
        c.signup_date == pd.Timestamp("2025-11-28")
    )
    return _select(c, "contact_id", mask)


def app_high_aov(f: Frames, as_of: dt.datetime) -> Members:
    k = Clock(as_of, "UTC")
    c, o = f["contact"], f["order"]
    avg = _upto(f["purchase"], k, k.months_ago(12)).groupby("contact_id").amount.mean()
    app = o[(o.channel == "app") & (o.status != "cancelled")]
    mask = c.contact_id.isin(avg.index[avg.between(90, 400)]) & c.contact_id.isin(app.contact_id)
    return _select(c, "contact_id", mask)


def b2b_quote_requests(f: Frames, as_of: dt.datetime) -> Members:
    k = Clock(as_of, "UTC")
    c, a, forms = f["contact"], f["account"], f["form_submitted"]
    good = a[
        a.industry.notna()
        & (a.industry != "")
        & ~a.industry.isin(["Education", "Hospitality"])
        & (a.employees >= 100)
    ]
    asked = _upto(forms, k, k.days_ago(180))
    asked = asked[asked.form_name.isin(["Request a quote", "Contact sales"])]
    mask = c.account_id.isin(good.account_id) & c.contact_id.isin(asked.contact_id)
    return _select(c, "contact_id", mask)


def new_signups_to_activate(f: Frames, as_of: dt.datetime) -> Members:
    k = Clock(as_of, "Asia/Tokyo")
    c = f["contact"]
    visited = _upto(f["web_visit"], k, k.days_ago(30))
    bought = _upto(f["purchase"], k)
    mask = (
        (c.signup_date >= k.today - pd.Timedelta(days=90))
        & (c.signup_date <= k.today)
        & c.email_opt_in.notna()
        & c.contact_id.isin(visited.contact_id)
        & ~c.contact_id.isin(bought.contact_id)
    )
    return _select(c, "contact_id", mask)


def _has_any(lists: Any, wanted: set[str]) -> Any:
    return lists.map(lambda v: v is not None and not wanted.isdisjoint(v))


def millennial_fitness_europe(f: Frames, _as_of: dt.datetime) -> Members:
    c = f["contact"]
    interests = c.interests
    fit = _has_any(interests, {"running", "yoga", "cycling", "fitness"}) | interests.map(
        lambda v: v is not None and {"hiking", "outdoors"} <= set(v)
    )
    no_golf = interests.map(lambda v: v is not None and len(v) > 0 and "golf" not in set(v))
    mask = (
        c.birthday.between(pd.Timestamp("1981-01-01"), pd.Timestamp("1996-12-31"))
        & c.country.isin(["UK", "DE", "FR"])
        & fit
        & no_golf
    )
    return _select(c, "contact_id", mask)


def _anniversary(birthday: Any, year: int) -> Any:
    """Each birthday's anniversary in `year` (29 February on the 28th in other years)."""
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    day = birthday.dt.day
    if not leap:
        day = day.where(~((birthday.dt.month == 2) & (day == 29)), 28)
    parts = pd.DataFrame({"year": year, "month": birthday.dt.month, "day": day})
    return pd.to_datetime(parts.dropna().astype("int64")).reindex(birthday.index)


def birthday_treats(f: Frames, as_of: dt.datetime) -> Members:
    k = Clock(as_of, "Europe/London")
    c = f["contact"]
    this_year = _anniversary(c.birthday, k.today.year)
    upcoming = this_year.where(this_year >= k.today, _anniversary(c.birthday, k.today.year + 1))
    mask = (
        (upcoming <= k.today + pd.Timedelta(days=14))
        & (c.email_opt_in == True)  # noqa: E712 - the column holds True, False and None
        & ~c.contact_id.isin(test_and_internal(f, as_of))
    )
    return _select(c, "contact_id", mask)


def one_time_buyers(f: Frames, as_of: dt.datetime) -> Members:
    k = Clock(as_of, "Asia/Kolkata")
    c, o = f["contact"], f["order"]
    orders = o.groupby("contact_id").size()
    returned = o.contact_id[o.status == "returned"]
    last = _upto(f["purchase"], k).groupby("contact_id").occurred_at.max()
    in_range = last.index[
        (last >= k.start(pd.Timestamp("2026-01-01"))) & (last < k.start(pd.Timestamp("2026-09-01")))
    ]
    mask = (
        (c.age < 35)
        & (c.lifetime_value <= 250)
        & c.contact_id.isin(orders.index[orders == 1])
        & ~c.contact_id.isin(returned)
        & c.contact_id.isin(in_range)
    )
    return _select(c, "contact_id", mask)


def repeat_customers_no_returns(f: Frames, as_of: dt.datetime) -> Members:
    k = Clock(as_of, "UTC")
    c, o = f["contact"], f["order"]
    orders = o.groupby("contact_id").size()
    bad = o.contact_id[~o.status.isin(["delivered", "shipped"])]
    cheapest = _upto(f["purchase"], k).groupby("contact_id").amount.min()
    mask = (
        c.loyalty_tier.notna()
        & (c.loyalty_tier != "")
        & (c.signup_date < k.today - pd.DateOffset(years=1))
        & c.contact_id.isin(orders.index[orders >= 3])
        & ~c.contact_id.isin(bad)
        & c.contact_id.isin(cheapest.index[cheapest >= 15])
    )
    return _select(c, "contact_id", mask)


def sms_winback_uk(f: Frames, as_of: dt.datetime) -> Members:
    k = Clock(as_of, "Europe/London")
    c = f["contact"]
    bought = _upto(f["purchase"], k, k.months_ago(6))
    mask = (
        (c.email_opt_in == False)  # noqa: E712 - the column holds True, False and None
        & c.phone.str.startswith("+44", na=False)
        & c.email.notna()
        & (c.email != "")
        & ~c.email.str.contains("@harborpine.example", regex=False, na=False)
        & c.contact_id.isin(bought.contact_id)
    )
    return _select(c, "contact_id", mask)


def upcoming_webinar_registrants(f: Frames, as_of: dt.datetime) -> Members:
    k = Clock(as_of, "America/Chicago")
    c, e = f["contact"], _upto(f["event_registered"], k)
    soon = e[
        (e.event_type == "webinar")
        & (e.event_date >= k.today)
        & (e.event_date <= k.today + pd.Timedelta(days=30))
    ]
    return _select(c, "contact_id", c.contact_id.isin(soon.contact_id))


def _blank(column: Any) -> Any:
    return column.isna() | (column == "")


def incomplete_profiles(f: Frames, as_of: dt.datetime) -> Members:
    k = Clock(as_of, "UTC")
    c = f["contact"]
    recent = (c.last_login >= k.days_ago(30)) & (c.last_login <= k.now)
    gaps = (
        _blank(c.phone)
        | c.birthday.isna()
        | _blank(c.city)
        | _blank(c.gender)
        | c.interests.map(lambda v: v is None or len(v) == 0)
        | c.email_opt_in.isna()
    )
    return _select(c, "contact_id", recent & gaps)


def mobile_sale_browsers(f: Frames, as_of: dt.datetime) -> Members:
    k = Clock(as_of, "America/Los_Angeles")
    c, visits = f["contact"], f["web_visit"]
    fortnight = _upto(visits, k, k.days_ago(14))
    sale = fortnight[
        (fortnight.device == "mobile") & fortnight.page_url.str.endswith("/sale", na=False)
    ]
    sale_count = sale.groupby("contact_id").size()
    recent = _upto(visits, k, k.now - pd.Timedelta(hours=48))
    insta = recent[recent.referrer.str.startswith("https://www.instagram.com", na=False)]
    longest = _upto(visits, k, k.days_ago(30)).groupby("contact_id").duration_seconds.max()
    mask = (
        (c.contact_id.isin(sale_count.index[sale_count >= 2]) | c.contact_id.isin(insta.contact_id))
        & c.contact_id.isin(longest.index[longest >= 120])
        & c.gender.notna()
        & (c.gender != "")
        & (c.gender != "Male")
    )
    return _select(c, "contact_id", mask)


def unresponsive_subscribers(f: Frames, as_of: dt.datetime) -> Members:
    k = Clock(as_of, "America/Sao_Paulo")
    c = f["contact"]
    sent = _upto(f["email_sent"], k, k.days_ago(28)).groupby("contact_id").size()
    opened = _upto(f["email_opened"], k, k.start(k.today - pd.DateOffset(years=1)))
    mask = (
        (c.email_opt_in == True)  # noqa: E712 - the column holds True, False and None
        & (c.signup_date < pd.Timestamp("2026-01-01"))
        & c.contact_id.isin(sent.index[sent >= 2])
        & ~c.contact_id.isin(opened.contact_id)
    )
    return _select(c, "contact_id", mask)


def enterprise_renewals(f: Frames, as_of: dt.datetime) -> Members:
    k = Clock(as_of, "Europe/Berlin")
    a, c = f["account"], f["contact"]
    active = c[(c.last_login >= k.days_ago(30)) & (c.last_login <= k.now)]
    per = active.groupby("account_id").size()
    mask = (
        a.tier.isin(["Enterprise", "Mid-market"])
        & (a.renewal_date >= k.today)
        & (a.renewal_date <= k.today + pd.DateOffset(months=3))
        & a.account_id.isin(per.index[per >= 2])
    )
    return _select(a, "account_id", mask)


def dormant_accounts(f: Frames, as_of: dt.datetime) -> Members:
    k = Clock(as_of, "America/New_York")
    a, c, leads = f["account"], f["contact"], f["lead"]
    linked = c[c.account_id.notna()]
    away = linked.last_login.isna() | (linked.last_login < k.days_ago(60))
    all_away = away.groupby(linked.account_id).all()
    won = leads.account_id[leads.status.isin(["Qualified", "Converted"])]
    mask = (
        (a.created_date < pd.Timestamp("2024-01-01"))
        & a.account_id.isin(all_away.index[all_away])
        & ~a.account_id.isin(won)
    )
    return _select(a, "account_id", mask)


def loyal_not_at_risk(f: Frames, as_of: dt.datetime) -> Members:
    c = f["contact"]
    loyal = c.contact_id.isin(vip_customers(f, as_of)) | c.contact_id.isin(
        repeat_customers_no_returns(f, as_of)
    )
    return _select(c, "contact_id", loyal & ~c.contact_id.isin(churn_risk(f, as_of)))


IMPLEMENTATIONS: Final[dict[str, Implementation]] = {
    "test-and-internal": test_and_internal,
    "vip-customers": vip_customers,
    "engaged-email-clickers": engaged_email_clickers,
    "churn-risk": churn_risk,
    "black-friday-2025": black_friday_2025,
    "app-high-aov": app_high_aov,
    "b2b-quote-requests": b2b_quote_requests,
    "new-signups-to-activate": new_signups_to_activate,
    "millennial-fitness-europe": millennial_fitness_europe,
    "birthday-treats": birthday_treats,
    "one-time-buyers": one_time_buyers,
    "repeat-customers-no-returns": repeat_customers_no_returns,
    "sms-winback-uk": sms_winback_uk,
    "upcoming-webinar-registrants": upcoming_webinar_registrants,
    "incomplete-profiles": incomplete_profiles,
    "mobile-sale-browsers": mobile_sale_browsers,
    "unresponsive-subscribers": unresponsive_subscribers,
    "enterprise-renewals": enterprise_renewals,
    "dormant-accounts": dormant_accounts,
    "loyal-not-at-risk": loyal_not_at_risk,
}


def members(key: str, frames: Frames, as_of: dt.datetime) -> set[Any]:
    """One segment's member keys, computed with pandas."""
    return set(IMPLEMENTATIONS[key](frames, as_of).tolist())
