"""Words for generated databases: invented pseudo-words mixed with real English nouns, in many naming styles.

The pretraining corpus asks questions of thousands of databases whose tables, columns and values come
from here. Most names are invented (`pseudo_word`), so no model can guess them from memory: the only way
to write the SQL is to copy names from the schema and values from the question.
"""

from __future__ import annotations

import random


def _words(text: str) -> list[str]:
    return text.split()


ONSETS = _words(
    "b bl br c ch cl cr d dr f fl fr g gl gr h j k kl kr l m n p pl pr qu r s sc sh sk sl sn sp st str t th tr v w z"
)
VOWELS = _words("a e i o u a e i o u ai ea ee oo ou ie")
CODAS = [""] * 6 + _words("n r l s t k m nd rt st x ck ng sh th rn lk")

ENTITY_NOUNS = _words("""
harbor vessel lantern orchard quarry beacon kettle glacier meadow pylon turbine furnace anvil saddle
canoe barrel spindle compass ledger beehive granary windmill lighthouse mural fossil comet crater
nebula reef lagoon canyon volcano geyser tundra dune oasis pagoda chapel citadel fortress bastion
garrison caravan wagon sled trolley tram ferry barge yacht glider balloon kite drone robot sensor
probe antenna satellite rocket capsule module reactor valve pump boiler piston gear lever pulley
winch crane forklift tractor harvester plow seed sapling hedge vine cactus fern moss lichen fungus
spore pollen nectar honey wax candle torch ember cinder ash pebble boulder crystal gem pearl coral
shell fossil amber quartz marble granite slate clay brick tile beam rafter plank nail bolt rivet
hinge latch lock key chest crate parcel bundle scroll tome atlas map chart globe telescope lens
prism mirror clock dial gauge meter scale ruler chisel hammer saw drill lathe loom needle thread
fabric quilt blanket rug tapestry banner flag emblem badge medal trophy ribbon wreath crown helmet
shield armor sword spear bow arrow quiver sling trap net hook lure bait reel rod oar sail mast
anchor rudder keel hull deck cabin bunk hammock tent cottage hut barn stable kennel coop hive nest
burrow den lair cave tunnel bridge tower gate wall moat well fountain pond creek river delta bay
cove inlet strait island peninsula plateau ridge summit cliff valley basin marsh swamp bog grove
thicket forest jungle prairie steppe savanna desert""")

ATTRIBUTE_NOUNS = _words("""
color size grade region status level kind category brand model zone tier shade flavor texture shape
material origin style pattern finish variety class rank phase stage mode channel sector district
ward county province batch lot series edition format genre theme tone mood accent dialect""")

MEASURE_NOUNS = _words("""
weight height price score rating capacity budget duration length width depth volume speed distance
salary fee cost quantity stock points votes age altitude pressure voltage yield output load mileage
temperature humidity density tension torque power range reach span radius diameter thickness""")

VERBS = _words("""
inspected repaired painted shipped stored sealed charted mapped logged tagged sorted weighed
measured polished loaded towed hauled tested tuned cleaned restored insured leased rented sold""")

SQL_WORDS = set(
    _words("""
select from where group order by having limit offset join left right inner outer cross natural on using
and or not null is in like glob between case when then else end as asc desc distinct all union except
intersect exists table index key primary foreign references values insert into update delete set
create drop alter view trigger with recursive default check unique constraint collate cast
integer real text blob numeric date time year month day count sum avg min max total if row rows
abort action add after before begin column commit conflict database deferred detach each escape
exclusive fail full ignore immediate instead isnull notnull of plan pragma query raise reindex release
rename replace restrict rollback savepoint temp temporary to transaction vacuum virtual filter over
partition range current following preceding unbounded window do nothing others ties groups match
regexp analyze attach autoincrement cascade initially deferrable""")
)


def pseudo_word(rng: random.Random, low: int = 1, high: int = 3) -> str:
    """An invented, pronounceable lower-case word that is no SQL keyword: "trovik", "blasheen"."""
    while True:
        syllables = min(high, max(low, rng.choice((1, 2, 2, 2, 3))))
        word = "".join(rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS) for _ in range(syllables))
        if 3 <= len(word) <= 12 and word not in SQL_WORDS:
            return word


def plural_of(noun: str) -> str:
    last = noun.split()[-1]
    head = noun[: len(noun) - len(last)]
    if last.endswith("y") and last[-2:-1] not in tuple("aeiou"):
        return head + last[:-1] + "ies"
    if last.endswith(("s", "x", "ch", "sh", "z")):
        return head + last + "es"
    return head + last + "s"


def noun(rng: random.Random, english: tuple[str, ...] | list[str], invented_share: float = 0.6) -> str:
    """A one- or two-word noun: invented, English, or an invented word before an English one."""
    roll = rng.random()
    if roll < invented_share:
        return pseudo_word(rng)
    if roll < invented_share + (1 - invented_share) / 2:
        return rng.choice(english)
    return f"{pseudo_word(rng, 1, 2)} {rng.choice(english)}"


# Naming styles for identifiers built from a noun's words; a database mostly keeps one style.
STYLES = ("snake", "snake", "snake", "camel", "pascal", "upper_snake", "flat")


def identifier(words: str, style: str) -> str:
    parts = words.replace("-", " ").split()
    if style == "camel":
        return parts[0].lower() + "".join(p.capitalize() for p in parts[1:])
    if style == "pascal":
        return "".join(p.capitalize() for p in parts)
    if style == "upper_snake":
        return "_".join(p.upper() for p in parts)
    if style == "flat":
        return "".join(parts).lower()
    return "_".join(p.lower() for p in parts)


def proper_name(rng: random.Random, words: int = 1) -> str:
    """A capitalised invented name ("Varno", "Kelt Drisa") for labels and categorical values."""
    return " ".join(pseudo_word(rng).capitalize() for _ in range(words))


def code_value(rng: random.Random) -> str:
    letters = "".join(rng.choice("ABCDEFGHJKLMNPRSTVWXZ") for _ in range(rng.randint(1, 3)))
    return f"{letters}-{rng.randint(1, 999)}" if rng.random() < 0.6 else f"{letters}{rng.randint(10, 99)}"
