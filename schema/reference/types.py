"""GraphQL types of the reference data."""

import datetime as dt

import strawberry

from schema.relay import Node, to_global_id
from schema.tables.reference import RegionalGroup

RegionalGroupEnum = strawberry.enum(RegionalGroup, name="RegionalGroup")


@strawberry.type(description="A country or territory of ISO 3166-1.")
class State(Node):
    code: str = strawberry.field(description="ISO 3166-1 alpha-3 code.")
    alpha2: str = strawberry.field(description="ISO 3166-1 alpha-2 code.")
    name: str = strawberry.field(description="Short name, as the UN writes it.")
    official_name: str | None
    un_member: bool
    un_observer: bool
    regional_group: RegionalGroupEnum | None = strawberry.field(  # type: ignore[valid-type]
        description="UN regional group of a member state."
    )

    @classmethod
    def global_id(cls, code: str) -> strawberry.ID:
        return to_global_id("State", code)


@strawberry.type(description="One of the 54 UPR themes.")
class Theme:
    code: str
    name: str


@strawberry.type(description="A group of persons a recommendation concerns (OHCHR's list).")
class AffectedPerson:
    code: str
    name: str


@strawberry.type(description="A Sustainable Development Goal.")
class SdgGoal:
    number: int
    name: str


@strawberry.type(description="A Working Group session of the UPR.")
class Session:
    number: int
    cycle: int
    starts_on: dt.date = strawberry.field(description="First day of the month it met.")


@strawberry.type(description="A UPR cycle: every state is reviewed once per cycle.")
class Cycle:
    number: int
    first_session: int
    last_session: int
    starts_on: dt.date
    ends_on: dt.date | None
    sessions: list[Session]
