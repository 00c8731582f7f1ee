"""The demo world: its time frame, its vocabulary (cities, names, products...), its population
and the vectorised samplers that draw from them."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Final
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

DEMO_AS_OF: Final = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
"""The fixed evaluation instant of the demo: its data ends here; evaluate examples at it."""

HISTORY_DAYS: Final = 730  # interactions and orders cover the two years before DEMO_AS_OF
US_PER_HOUR = 3_600_000_000
US_PER_DAY = 24 * US_PER_HOUR
SHOP = "https://shop.harborpine.example"
CORPORATE = "https://www.harborpine.example"
STAFF_DOMAIN = "harborpine.example"

# --- places ---------------------------------------------------------------------------
# (city, country, IANA zone, weight); the weights follow population and market size.
CITIES: tuple[tuple[str, str, str, float], ...] = (
    ("New York", "US", "America/New_York", 7.0),
    ("Los Angeles", "US", "America/Los_Angeles", 5.0),
    ("Chicago", "US", "America/Chicago", 3.6),
    ("Houston", "US", "America/Chicago", 2.8),
    ("Phoenix", "US", "America/Phoenix", 2.0),
    ("Seattle", "US", "America/Los_Angeles", 2.2),
    ("San Francisco", "US", "America/Los_Angeles", 2.4),
    ("Boston", "US", "America/New_York", 2.0),
    ("Austin", "US", "America/Chicago", 1.8),
    ("Denver", "US", "America/Denver", 1.6),
    ("Atlanta", "US", "America/New_York", 1.8),
    ("Miami", "US", "America/New_York", 1.7),
    ("Portland", "US", "America/Los_Angeles", 1.2),
    ("Toronto", "CA", "America/Toronto", 2.8),
    ("Vancouver", "CA", "America/Vancouver", 1.5),
    ("Montreal", "CA", "America/Toronto", 1.6),
    ("Calgary", "CA", "America/Edmonton", 0.8),
    ("London", "UK", "Europe/London", 5.5),
    ("Manchester", "UK", "Europe/London", 1.5),
    ("Birmingham", "UK", "Europe/London", 1.2),
    ("Edinburgh", "UK", "Europe/London", 0.8),
    ("Berlin", "DE", "Europe/Berlin", 2.6),
    ("Munich", "DE", "Europe/Berlin", 1.8),
    ("Hamburg", "DE", "Europe/Berlin", 1.4),
    ("Frankfurt", "DE", "Europe/Berlin", 1.0),
    ("Cologne", "DE", "Europe/Berlin", 0.9),
    ("Paris", "FR", "Europe/Paris", 3.4),
    ("Lyon", "FR", "Europe/Paris", 1.1),
    ("Marseille", "FR", "Europe/Paris", 0.9),
    ("Toulouse", "FR", "Europe/Paris", 0.7),
    ("Mumbai", "IN", "Asia/Kolkata", 2.4),
    ("Delhi", "IN", "Asia/Kolkata", 2.2),
    ("Bengaluru", "IN", "Asia/Kolkata", 2.0),
    ("Chennai", "IN", "Asia/Kolkata", 0.9),
    ("Sydney", "AU", "Australia/Sydney", 2.3),
    ("Melbourne", "AU", "Australia/Melbourne", 2.0),
    ("Brisbane", "AU", "Australia/Brisbane", 0.9),
    ("Perth", "AU", "Australia/Perth", 0.7),
    ("São Paulo", "BR", "America/Sao_Paulo", 2.2),
    ("Rio de Janeiro", "BR", "America/Sao_Paulo", 1.3),
    ("Tokyo", "JP", "Asia/Tokyo", 2.8),
    ("Osaka", "JP", "Asia/Tokyo", 1.2),
)
COUNTRIES = ("US", "CA", "UK", "DE", "FR", "IN", "AU", "BR", "JP")
CALLING_CODES = {
    "US": "+1", "CA": "+1", "UK": "+44", "DE": "+49", "FR": "+33",
    "IN": "+91", "AU": "+61", "BR": "+55", "JP": "+81",
}  # fmt: skip
NATIONAL_DIGITS = {
    "US": 10,
    "CA": 10,
    "UK": 10,
    "DE": 11,
    "FR": 9,
    "IN": 10,
    "AU": 9,
    "BR": 11,
    "JP": 10,
}
LEGAL_FORMS = {
    "US": "Inc.", "CA": "Ltd.", "UK": "Ltd", "DE": "GmbH", "FR": "SAS",
    "IN": "Pvt Ltd", "AU": "Pty Ltd", "BR": "Ltda", "JP": "K.K.",
}  # fmt: skip
LOCALE_OF_COUNTRY = {
    "US": "en", "CA": "en", "UK": "en", "AU": "en", "DE": "de", "FR": "fr",
    "IN": "in", "BR": "br", "JP": "jp",
}  # fmt: skip

# --- people ---------------------------------------------------------------------------
FIRST_NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {  # locale: (female, male)
    "en": (
        ("Olivia", "Emma", "Charlotte", "Amelia", "Sophia", "Isabella", "Ava", "Mia", "Harper",
         "Evelyn", "Abigail", "Emily", "Ella", "Grace", "Chloe", "Lily", "Hannah", "Zoë",
         "Madison", "Sarah", "Jessica", "Rachel", "Megan", "Laura"),
        ("Liam", "Noah", "Oliver", "James", "Elijah", "William", "Henry", "Lucas", "Benjamin",
         "Theodore", "Jack", "Daniel", "Michael", "Ethan", "Samuel", "Joseph", "David",
         "Matthew", "Ryan", "Thomas", "Andrew", "Christopher", "Harry", "George"),
    ),
    "de": (
        ("Anna", "Marie", "Sophie", "Lena", "Lea", "Hannah", "Julia", "Laura", "Katharina",
         "Sabine", "Jana", "Mia", "Clara", "Johanna", "Greta"),
        ("Lukas", "Leon", "Felix", "Jonas", "Maximilian", "Paul", "Finn", "Tobias", "Stefan",
         "Jürgen", "Matthias", "Florian", "Sebastian", "Niklas", "Moritz"),
    ),
    "fr": (
        ("Camille", "Léa", "Manon", "Chloé", "Inès", "Jade", "Louise", "Emma", "Juliette",
         "Céline", "Amélie", "Margaux", "Élodie", "Claire"),
        ("Lucas", "Hugo", "Louis", "Gabriel", "Arthur", "Jules", "Thomas", "Nicolas", "Antoine",
         "Mathieu", "Julien", "François", "Théo", "Raphaël"),
    ),
    "in": (
        ("Priya", "Ananya", "Aditi", "Kavya", "Diya", "Isha", "Neha", "Pooja", "Sneha", "Riya",
         "Lakshmi", "Meera"),
        ("Aarav", "Vihaan", "Arjun", "Rohan", "Rahul", "Amit", "Vikram", "Karthik", "Sanjay",
         "Aditya", "Nikhil", "Ravi"),
    ),
    "br": (
        ("Maria", "Ana", "Beatriz", "Juliana", "Camila", "Larissa", "Fernanda", "Gabriela",
         "Letícia", "Mariana"),
        ("João", "Pedro", "Lucas", "Gabriel", "Rafael", "Matheus", "Gustavo", "Felipe",
         "Bruno", "Thiago"),
    ),
    "jp": (
        ("Yui", "Hina", "Sakura", "Aoi", "Yuna", "Haruka", "Misaki", "Naomi", "Emi", "Yuki"),
        ("Haruto", "Sota", "Ren", "Yuto", "Takumi", "Kenji", "Hiroshi", "Daiki", "Kaito",
         "Shota"),
    ),
}  # fmt: skip
LAST_NAMES: dict[str, tuple[str, ...]] = {
    "en": ("Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson",
           "Taylor", "Anderson", "Thomas", "Moore", "Martin", "Jackson", "Thompson", "White",
           "Harris", "Clark", "Lewis", "Walker", "Robinson", "Young", "King", "Wright",
           "Evans", "Roberts", "Hughes", "Campbell", "O'Brien", "Murphy", "Patel", "Nguyen",
           "Garcia", "Martinez", "Lopez", "Kim"),
    "de": ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
           "Schulz", "Hoffmann", "Koch", "Richter", "Klein", "Wolf", "Schröder", "Neumann",
           "Braun", "Zimmermann"),
    "fr": ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
           "Leroy", "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "Fournier",
           "Girard", "Bonnet"),
    "in": ("Sharma", "Patel", "Singh", "Kumar", "Gupta", "Reddy", "Iyer", "Nair", "Mehta",
           "Joshi", "Rao", "Das", "Bose", "Chatterjee", "Verma", "Agarwal"),
    "br": ("Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira",
           "Lima", "Gomes", "Costa", "Ribeiro", "Martins", "Carvalho"),
    "jp": ("Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura",
           "Kobayashi", "Kato", "Yoshida", "Yamada", "Sasaki", "Matsumoto"),
}  # fmt: skip
GENDERS = (("Female", 49.5), ("Male", 47.5), ("Non-binary", 1.5))  # the rest is missing
PERSONAL_DOMAINS = (("example.com", 55.0), ("example.net", 25.0), ("example.org", 20.0))
INTERESTS: tuple[tuple[str, float], ...] = (
    ("fashion", 14), ("travel", 12), ("fitness", 10), ("cooking", 9), ("music", 9),
    ("running", 8), ("yoga", 8), ("home decor", 8), ("reading", 8), ("technology", 8),
    ("hiking", 7), ("outdoors", 7), ("pets", 7), ("gaming", 6), ("cycling", 5),
    ("gardening", 5), ("photography", 5), ("wine", 5), ("golf", 3), ("skiing", 3),
)  # fmt: skip
LOYALTY_TIERS = ("Bronze", "Silver", "Gold", "Platinum")

# --- companies ------------------------------------------------------------------------
# (industry, weight, median revenue per employee in USD, name suffixes)
INDUSTRIES: tuple[tuple[str, float, float, tuple[str, ...]], ...] = (
    ("Retail", 22, 180_000, ("Stores", "Market", "Goods", "Trading")),
    ("Apparel", 12, 160_000, ("Outfitters", "Apparel", "Clothing Co")),
    ("Software", 16, 250_000, ("Labs", "Software", "Systems", "Technologies")),
    ("Healthcare", 10, 140_000, ("Health", "Medical", "Care")),
    ("Finance", 10, 400_000, ("Capital", "Financial", "Partners")),
    ("Manufacturing", 12, 220_000, ("Industries", "Manufacturing", "Works")),
    ("Education", 7, 90_000, ("Academy", "Learning", "Institute")),
    ("Hospitality", 6, 80_000, ("Hotels", "Hospitality", "Resorts")),
    ("Media", 3, 210_000, ("Media", "Studios")),
    ("Logistics", 2, 190_000, ("Logistics", "Freight")),
)  # fmt: skip
NAME_HEADS = ("Blue", "North", "Silver", "Oak", "Red", "Green", "Bright", "Stone", "River",
              "Iron", "Cedar", "Golden", "Maple", "Summit", "Harbor", "Pine", "Clear", "West",
              "East", "Sun", "Star", "Wild", "Lake", "Fox")  # fmt: skip
NAME_TAILS = ("field", "peak", "stone", "line", "bridge", "wood", "light", "gate", "haven",
              "point", "brook", "ridge", "wave", "crest", "works", "side")  # fmt: skip
TIERS = ("Enterprise", "Mid-market", "SMB")

# --- commerce -------------------------------------------------------------------------
ORDER_STATUSES = ("delivered", "shipped", "returned", "cancelled")
CHANNELS = (("online", 52.0), ("store", 33.0), ("app", 15.0))
PRODUCT_CATEGORIES = (
    ("Apparel", 30), ("Footwear", 15), ("Accessories", 12), ("Home", 12),
    ("Beauty", 10), ("Sports", 9), ("Outdoor", 6), ("Kids", 6),
)  # fmt: skip
LEAD_SOURCES = (("Web", 40.0), ("Cold call", 20.0), ("Event", 15.0), ("Referral", 15.0),
                ("Partner", 10.0))  # fmt: skip
LEAD_STATUSES = ("New", "Working", "Qualified", "Disqualified", "Converted")

# --- web and marketing ----------------------------------------------------------------
PAGES: tuple[tuple[str, float], ...] = (
    ("/", 20), ("/new-arrivals", 9), ("/sale", 8), ("/women/dresses", 7), ("/women/shoes", 5),
    ("/men/jackets", 5), ("/men/shoes", 4), ("/kids", 3), ("/home/kitchen", 4),
    ("/sports/running", 4), ("/outdoor/hiking", 3), ("/beauty", 3), ("/gift-cards", 2),
    ("/stores", 3), ("/blog/style-guide", 2), ("/blog/running-tips", 2), ("/cart", 6),
    ("/checkout", 3), ("/account", 4), ("/business/wholesale", 1), ("/business/corporate-gifts", 1),
    ("/events", 1),
)  # fmt: skip
REFERRERS: tuple[tuple[str | None, float], ...] = (
    (None, 34), ("https://www.google.com/", 30), ("https://www.bing.com/", 4),
    ("https://duckduckgo.com/", 2), ("https://www.instagram.com/", 10),
    ("https://www.facebook.com/", 8), ("https://www.pinterest.com/", 5), ("https://t.co/", 2),
    ("https://www.youtube.com/", 5),
)  # fmt: skip
DEVICES = (("mobile", 55.0), ("desktop", 38.0), ("tablet", 7.0))
# (form name, page, weight for consumers, weight for business contacts)
FORMS: tuple[tuple[str, str, float, float], ...] = (
    ("Newsletter signup", f"{SHOP}/", 40, 10),
    ("Product review", f"{SHOP}/account/reviews", 20, 3),
    ("Back in stock alert", f"{SHOP}/women/dresses", 15, 2),
    ("Store appointment", f"{SHOP}/stores/book", 15, 2),
    ("Event feedback", f"{CORPORATE}/events/feedback", 5, 13),
    ("Contact sales", f"{CORPORATE}/business/contact-sales", 2, 25),
    ("Request a quote", f"{CORPORATE}/business/quote", 1, 25),
    ("Catalog download", f"{CORPORATE}/business/catalog", 2, 20),
)
# Month (1-12): the seasonal campaign and its emails.
CAMPAIGN_THEMES: dict[int, tuple[str, tuple[str, ...]]] = {
    1: ("New Year Sale", ("New Year Sale: up to 30% off", "Last days of the New Year Sale")),
    2: ("Valentine's Day", ("Valentine's gift ideas", "Date-night dresses for Valentine's")),
    3: ("Spring Collection", ("The spring collection is here", "Spring dresses and jackets")),
    4: ("Easter", ("Easter weekend offers", "Spring running gear")),
    5: ("Mother's Day", ("Gifts for Mom", "Mother's Day: last call")),
    6: ("Summer Sale", ("Summer Sale starts now", "Summer dresses under 50")),
    7: ("Summer Sale", ("Summer Sale: final reductions", "Beach and travel essentials")),
    8: ("Back to School", ("Back to school essentials", "Kids' shoes: new season")),
    9: ("Autumn Collection", ("New season: the autumn collection", "Knitwear and dresses")),
    10: ("Halloween", ("Halloween costume ideas", "Cozy home for autumn")),
    11: ("Black Friday", ("Black Friday early access", "Black Friday: the countdown")),
    12: ("Holiday Gift Guide", ("The holiday gift guide", "Last shipping day before Christmas")),
}
LOYALTY_EMAILS = ("Your points are waiting", "Members-only early access", "Double points weekend")
WEBINAR_TOPICS = (
    "Retail trends", "Building customer loyalty", "Sustainable sourcing",
    "Holiday season readiness", "Visual merchandising 101", "Personalisation that works",
    "Wholesale ordering made easy", "Corporate gifting playbook",
)  # fmt: skip
WORKSHOP_TOPICS = ("Styling masterclass", "Trail running basics", "Home styling workshop",
                   "Gait analysis clinic")  # fmt: skip

# --- seasonality (weights; weekdays Monday first, months January first) ---------------
WEEKDAY_SHOPPING = (0.95, 0.95, 0.95, 1.0, 1.05, 1.2, 1.1)
WEEKDAY_BROWSING = (1.0, 1.0, 1.0, 1.0, 0.95, 1.1, 1.15)
WEEKDAY_BUSINESS = (1.2, 1.25, 1.2, 1.15, 0.9, 0.3, 0.25)
MONTH_SHOPPING = (0.8, 0.75, 0.85, 0.9, 0.95, 0.95, 0.9, 0.9, 0.95, 1.0, 2.0, 2.2)
MONTH_BROWSING = (0.9, 0.85, 0.95, 0.95, 1.0, 0.95, 0.9, 0.9, 1.0, 1.05, 1.35, 1.45)
MONTH_BUSINESS = (0.9, 1.05, 1.1, 1.05, 1.05, 0.95, 0.75, 0.7, 1.15, 1.15, 1.1, 0.7)
HOURS_SHOPPING = (0.3, 0.15, 0.1, 0.08, 0.08, 0.15, 0.4, 0.8, 1.1, 1.3, 1.5, 1.7, 2.0, 1.9,
                  1.6, 1.5, 1.5, 1.7, 2.0, 2.4, 2.6, 2.4, 1.6, 0.8)  # fmt: skip
HOURS_BUSINESS = (0.05, 0.03, 0.02, 0.02, 0.03, 0.1, 0.3, 0.9, 2.0, 2.6, 2.8, 2.6, 1.8, 2.3,
                  2.6, 2.5, 2.1, 1.4, 0.7, 0.5, 0.4, 0.3, 0.2, 0.1)  # fmt: skip


def ascii_fold(text: str) -> str:
    """Lower-case ASCII form of a name for e-mail addresses: 'Müller' -> 'muller'."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(c for c in decomposed if c.isascii() and (c.isalnum() or c in "-"))
    return kept.lower()


def day_number(day: dt.date) -> int:
    """Days since 1970-01-01."""
    return (day - dt.date(1970, 1, 1)).days


def thanksgiving_friday(year: int) -> int:
    """The day number of Black Friday (the day after the fourth Thursday of November)."""
    first = dt.date(year, 11, 1)
    first_thursday = 1 + (3 - first.weekday()) % 7
    return day_number(dt.date(year, 11, first_thursday + 21 + 1))


# --- samplers -------------------------------------------------------------------------


def cdf(weights: Sequence[float] | Floats) -> Floats:
    """Normalised cumulative weights, ending exactly at 1."""
    c = np.cumsum(np.asarray(weights, dtype=np.float64))
    c /= c[-1]
    c[-1] = 1.0
    return c


def choice(rng: np.random.Generator, weights: Sequence[float] | Floats, size: int) -> Ints:
    """Indices drawn with the given (unnormalised) weights."""
    return np.searchsorted(cdf(weights), rng.random(size), side="right").astype(np.int64)


def choice_by_group(
    rng: np.random.Generator, groups: Ints, weights: Sequence[Sequence[float]]
) -> Ints:
    """Indices drawn with the weight row `weights[g]` of each row's group `g`."""
    out = np.empty(len(groups), dtype=np.int64)
    u = rng.random(len(groups))
    for g, row in enumerate(weights):
        mask = groups == g
        out[mask] = np.searchsorted(cdf(row), u[mask], side="right")
    return out


def scaled_poisson(rng: np.random.Generator, mean: float, weight: Floats) -> Ints:
    """Per-row counts whose overall mean is `mean`, each proportional to its weight."""
    total = float(weight.mean())
    rate = weight * (mean / total) if total > 0 else np.zeros_like(weight)
    return rng.poisson(rate).astype(np.int64)


def bernoulli_positions(rng: np.random.Generator, p: float, length: int) -> Ints:
    """The positions in range(length) that each pass a coin of probability `p`, drawn by
    geometric gaps between them (cost in proportion to the hits, not to `length`)."""
    if p <= 0.0 or length <= 0:
        return np.empty(0, dtype=np.int64)
    found: list[Ints] = []
    last = -1
    while True:
        gaps = rng.geometric(p, int((length - last) * p * 1.1) + 16)
        positions = last + np.cumsum(gaps)
        if positions[-1] >= length:
            found.append(positions[positions < length])
            return np.concatenate(found).astype(np.int64)
        found.append(positions)
        last = int(positions[-1])


def day_weights(
    first_day: int,
    n_days: int,
    weekday: Sequence[float],
    month: Sequence[float],
    yearly_growth: float = 1.0,
    spikes: Sequence[tuple[int, int, float]] = (),
) -> Floats:
    """A weight per day from weekly and yearly seasonality, a growth trend and spikes."""
    days = np.arange(first_day, first_day + n_days, dtype=np.int64)
    months = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12
    by_weekday = np.asarray(weekday, dtype=np.float64)[(days + 3) % 7]
    weights: Floats = by_weekday * np.asarray(month, dtype=np.float64)[months]
    weights *= yearly_growth ** ((days - first_day) / 365.25)
    for start, end, factor in spikes:
        weights[(days >= start) & (days <= end)] *= factor
    return weights


def sample_days(rng: np.random.Generator, weights: Floats, low: Ints) -> Ints:
    """A day index per row, drawn from `weights` restricted to indices >= the row's `low`."""
    c = cdf(weights)
    low = np.clip(low, 0, len(c) - 1)
    base = np.where(low > 0, c[np.maximum(low - 1, 0)], 0.0)
    u = base + rng.random(len(low)) * (1.0 - base)
    days = np.searchsorted(c, u, side="right")
    return np.clip(days, low, len(c) - 1).astype(np.int64)


def sample_time_of_day(rng: np.random.Generator, hours: Sequence[float], size: int) -> Ints:
    """Microseconds after local midnight, with an hourly profile."""
    return choice(rng, hours, size) * US_PER_HOUR + rng.integers(0, US_PER_HOUR, size)


@cache
def _zone_offsets(zone: str, first_day: int, n_days: int) -> Ints:
    tz = ZoneInfo(zone)
    start = dt.date(1970, 1, 1) + dt.timedelta(days=first_day)
    out = np.empty(n_days, dtype=np.int64)
    for i in range(n_days):
        noon = dt.datetime.combine(start + dt.timedelta(days=i), dt.time(12), tzinfo=tz)
        offset = noon.utcoffset() or dt.timedelta(0)
        out[i] = int(offset.total_seconds()) * 1_000_000
    return out


def utc_offsets(zones: Sequence[str], first_day: int, n_days: int) -> Ints:
    """UTC offsets in microseconds, one row per zone, one column per local day."""
    return np.stack([_zone_offsets(z, first_day, n_days) for z in zones])


def arrow_take(values: Sequence[Any], indices: Ints, kind: pa.DataType | None = None) -> Any:
    """An Arrow array of `values[i]` for each index (nulls where the value is None)."""
    return pa.array(values, type=kind or pa.string()).take(pa.array(indices))


def arrow_ids(prefix: str, numbers: Ints, width: int) -> Any:
    """Zero-padded identifiers: ('C', [1, 2], 7) -> ['C0000001', 'C0000002']."""
    digits = pc.utf8_lpad(pc.cast(pa.array(numbers, type=pa.int64()), pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, digits, "")


def arrow_join(*parts: Any) -> Any:
    """Concatenate string arrays or scalars element-wise (a null part gives null)."""
    return pc.binary_join_element_wise(*parts, "")


def id_width(count: int, minimum: int) -> int:
    """Digits needed for identifiers 1..count, at least `minimum`."""
    return max(minimum, len(str(max(count, 1))))


# --- the time frame and the population ------------------------------------------------

AS_OF_DAY: Final = day_number(DEMO_AS_OF.date())
FIRST_DAY: Final = AS_OF_DAY - HISTORY_DAYS  # local day index 0 of the history window
AS_OF_US: Final = AS_OF_DAY * US_PER_DAY
CITY_ZONES: Final = sorted({c[2] for c in CITIES})
ZONE_OF_CITY: Final[Ints] = np.array([CITY_ZONES.index(c[2]) for c in CITIES])
COUNTRY_OF_CITY: Final[Ints] = np.array([COUNTRIES.index(c[1]) for c in CITIES])


@dataclass(frozen=True)
class People:
    """The contacts as numbers: what every table generated after them depends on."""

    count: int
    ids: Any  # pa.StringArray of contact_id
    city: Ints  # home city (also for contacts whose city is not recorded)
    account: Ints  # index of their account, -1 for none
    birth_day: Ints  # day number
    signup_day: Ints  # day number
    start: Ints  # the first day index (0..HISTORY_DAYS-1) on which they can interact
    activity: Floats  # mean 1, heavy-tailed, many close to 0
    tenure: Floats  # the share of the history window after their signup
    opt_in: Ints  # 0 opted in, 1 opted out, 2 unknown
    loyalty: Ints  # 0..3 for Bronze..Platinum, 4 for no member

    @property
    def business(self) -> Bools:
        """Whether each contact belongs to an account."""
        return self.account >= 0

    def to_utc(self, owner: Ints, day: Ints, time_of_day: Ints) -> Ints:
        """UTC microseconds of a local (day index, time of day) in each owner's home zone."""
        offsets = utc_offsets(CITY_ZONES, FIRST_DAY, HISTORY_DAYS)
        local: Ints = (FIRST_DAY + day) * US_PER_DAY + time_of_day
        return local - offsets[ZONE_OF_CITY[self.city[owner]], day]


def not_after_as_of(ts: Ints) -> Ints:
    """Move the few late-evening events that fall after DEMO_AS_OF in UTC one day back."""
    return np.where(ts >= AS_OF_US, ts - US_PER_DAY, ts)
