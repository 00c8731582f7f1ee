"""The small workspace the workspace, ingest and CLI tests share: model.yaml and its files.

Kept out of conftest.py so tests can import it by a name no other test folder uses.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

# contact: CSV, most types declared; `household_size` is left untyped (inferred from the
# CSV) and `zip` is declared string although the CSV alone would make it an integer.
# account: Parquet, no attributes declared (every column, typed from the file).
# order: JSONL. email_opened: CSV, out of time order.
MODEL = """\
entities:
  contact:
    label: Contact
    key: contact_id
    audience: true
    source: data/contacts.csv
    attributes:
      contact_id: {type: integer}
      email: {type: string, pii: true, label: E-mail}
      city: {type: string}
      household_size: {}
      age: {type: integer}
      signup_date: {type: date}
      last_login: {type: timestamp}
      email_opt_in: {type: boolean}
      interests: {type: list}
      zip: {type: string}
      account_id: {type: string}
    relationships:
      account: {entity: account, type: many_to_one, foreign_key: account_id}
      orders: {entity: order, type: one_to_many, foreign_key: contact_id}
  account:
    key: account_id
    source: {path: data/accounts.parquet}
  order:
    key: order_id
    source: {path: data/orders.jsonl, format: jsonl}
    attributes:
      order_id: {type: integer}
      contact_id: {type: integer}
      amount: {type: float}
      status: {type: string}
      ordered_at: {type: timestamp}
interactions:
  email_opened:
    profile: contact
    profile_key: contact_id
    timestamp: opened_at
    source: data/email_opened.csv
    attributes:
      contact_id: {type: integer}
      opened_at: {type: timestamp}
      email_name: {type: string}
"""

CONTACTS_HEADER = (
    "contact_id,email,city,household_size,age,signup_date,last_login,email_opt_in,"
    "interests,zip,account_id"
)
CONTACTS_CSV = f"""\
{CONTACTS_HEADER}
1,ann@example.com,Seattle,2,34,2024-01-15,2025-06-01T10:00:00+02:00,true,"[running, yoga]",60601,A1
2,bob@example.com,Portland,1,41,2024-03-01,2025-06-02 08:30:00,false,[golf],98101,A2
3,cy@example.com,Seattle,4,,2024-05-20,,,[],,A9
4,di@example.com,Boston,,29,,2025-05-30T23:30:00-07:00,yes,[yoga],10001,
"""

ORDERS = [
    (10, 1, 20.5, "paid", "2025-05-01T12:00:00-07:00"),
    (11, 1, 99, "returned", "2025-05-03T09:00:00Z"),
    (12, 2, 5.25, "paid", "2025-05-04T10:00:00Z"),
    (13, 7, 1, "paid", "2025-05-05T10:00:00Z"),  # contact 7 does not exist
]
ORDER_FIELDS = ("order_id", "contact_id", "amount", "status", "ordered_at")
ORDERS_JSONL = "".join(json.dumps(dict(zip(ORDER_FIELDS, o, strict=True))) + "\n" for o in ORDERS)

# Deliberately out of time order, with different offsets.
OPENS_CSV = """\
contact_id,opened_at,email_name
2,2025-06-03T09:00:00Z,summer dress
1,2025-06-01T09:00:00-05:00,newsletter
1,2025-05-01T09:00:00Z,spring dress
4,2025-06-01T12:00:00+02:00,newsletter
"""


def write_accounts(path: Path) -> None:
    """data/accounts.parquet: a tz-aware timestamp and a list column among plain ones."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    eastern = dt.timezone(dt.timedelta(hours=-5))
    table = pa.table(
        {
            "account_id": ["A1", "A2"],
            "name": ["Acme", "Globex"],
            "industry": ["Retail", "Software"],
            "employees": pa.array([120, 45], pa.int32()),
            "tags": [["b2b", "priority"], []],
            "renews_at": pa.array(
                [dt.datetime(2025, 9, 1, 7, 0, tzinfo=eastern), None],
                pa.timestamp("us", tz="UTC"),
            ),
        }
    )
    pq.write_table(table, path)


def write_sources(root: Path) -> None:
    """Write model.yaml and the four source files into a workspace folder."""
    (root / "model.yaml").write_text(MODEL, encoding="utf-8")
    data = root / "data"
    (data / "contacts.csv").write_text(CONTACTS_CSV, encoding="utf-8")
    (data / "orders.jsonl").write_text(ORDERS_JSONL, encoding="utf-8")
    (data / "email_opened.csv").write_text(OPENS_CSV, encoding="utf-8")
    write_accounts(data / "accounts.parquet")
