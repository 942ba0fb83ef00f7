"""The demo's families (helpdesk's seed_demo): two counter family groups on new KKs, which the demo's
worker sends to the mock centre as one KK update each.

- the Prasetyo family: the mock's built-in card (mockregistry/seeding.py), whose wife still has her
  parents' KK at the centre: the centre applies the update to all three, and each ticket resolves;
- the Setiawan family: the centre's card has the parents only, so listing their son refuses the
  whole update: all three tickets "Perlu tindakan", the group page naming the son's NIK.
"""

import datetime as dt

from families.models import Relation
from families.services.intake import MemberEntry, open_family_group
from tickets.models import Category, Service
from tickets.services import Complaint

STALE_KK = "3319050201060008"  # the KK the centre still shows (the wife's parents')
FAMILIES = [
    {
        "kk_number": "3319051503210004",
        "members": [
            ("3319051004850001", "Joko Prasetyo", "1985-04-10", "L", Relation.HEAD),
            ("3319055708870002", "Sri Rahayu", "1987-08-17", "P", Relation.WIFE),
            ("3319052103150003", "Rizky Prasetyo", "2015-03-21", "L", Relation.CHILD),
        ],
        "on_card": 3,
    },
    {
        "kk_number": "3319012008230005",
        "members": [
            ("3319011203800007", "Hendra Setiawan", "1980-03-12", "L", Relation.HEAD),
            ("3319014506830007", "Yuni Handayani", "1983-06-05", "P", Relation.WIFE),
            ("3319012109120008", "Fajar Setiawan", "2012-09-21", "L", Relation.CHILD),
        ],
        "on_card": 2,  # the son is missing from the centre's card
    },
]


def seed_demo_families(*, office, created_by) -> dict:
    """Open the demo's family groups; return what the mock centre holds for them, in its seed-file
    format ({"residents": [...], "families": [...]}, the members on their stale KK)."""
    residents, cards = [], []
    for family in FAMILIES:
        entries = [_entry(family["kk_number"], *member) for member in family["members"]]
        open_family_group(
            office=office, created_by=created_by, kk_number=family["kk_number"], members=entries
        )
        residents += [
            {"nik": nik, "kk_number": STALE_KK, "full_name": name, "birth_date": birth, "sex": sex}
            for nik, name, birth, sex, _relation in family["members"]
        ]
        on_card = [member[0] for member in family["members"][: family["on_card"]]]
        cards.append({"kk_number": family["kk_number"], "head_nik": on_card[0], "members": on_card})
    return {"residents": residents, "families": cards}


def _entry(kk_number: str, nik: str, name: str, birth: str, sex: str, relation: str) -> MemberEntry:
    complaint = Complaint(
        nik=nik,
        full_name=name,
        birth_date=dt.date.fromisoformat(birth),
        sex=sex,
        phone="",
        kk_number=kk_number,
        kk_number_old=STALE_KK,
        category=Category.NEW_KK,
        service=Service.OTHER,
        description="KK baru belum terkonsolidasi (demo keluarga).",
    )
    return MemberEntry(complaint=complaint, relation=relation)
