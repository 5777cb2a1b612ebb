"""Local life: a sports league, a gym and a real estate agency."""

from __future__ import annotations

from llama_sql.builder.schema import Bridge, Cat, Gap, Link, Num, Schema, Special, Table, When

SPORTS = Schema(
    "sports",
    "Sports league",
    (
        Table(
            "teams",
            "team",
            "teams",
            "team_id INTEGER PRIMARY KEY, name TEXT, city TEXT, founded INTEGER",
            (
                (1, "Hawks", "Dallas", 1998),
                (2, "Sharks", "Tampa", 2004),
                (3, "Bears", "Chicago", 1987),
                (4, "Owls", "Dallas", 2011),
                (5, "Riders", "Portland", 2016),
            ),
            "name",
            "name",
            text=True,
            cats=(Cat("city", "city", "cities", "based in {v}"),),
            nums=(
                Num("founded", "founding year", "founded after {v}", "founded before {v}", summable=False),
            ),
        ),
        Table(
            "players",
            "player",
            "players",
            "player_id INTEGER PRIMARY KEY, name TEXT, team_id INTEGER, position TEXT, goals INTEGER, birth_date TEXT",
            (
                (1, "Alex", 1, "Forward", 14, "1996-04-12"),
                (2, "Brian", 1, "Goalkeeper", 0, "1992-09-30"),
                (3, "Chris", 2, "Forward", 21, "1998-01-07"),
                (4, "Dan", 2, "Defender", 3, "1994-11-22"),
                (5, "Eli", 3, "Midfielder", 9, "2000-06-15"),
                (6, "Femi", 3, "Forward", 17, "1997-03-03"),
                (7, "Gus", 4, "Defender", 1, "1999-12-19"),
            ),
            "name",
            "name",
            text=True,
            cats=(Cat("position", "position", "positions", "playing as {v}"),),
            nums=(Num("goals", "goals", "with more than {v} goals", "with fewer than {v} goals"),),
            dates=(When("birth_date", "birth date", "born"),),
        ),
    ),
    links=(Link("teams", "players", "team_id"),),
    specials=(
        Special(
            "date",
            ("Which players were born between 1990 and 1999?",),
            "SELECT name FROM players WHERE strftime('%Y', birth_date) BETWEEN '1990' AND '1999'",
            "strftime('%Y', birth_date) extracts the birth year as text; BETWEEN '1990' AND '1999' keeps years in "
            "that range (text comparison works for four-digit years), and SELECT name lists the players.",
        ),
        Special(
            "order_limit",
            ("Which city has the most players?",),
            "SELECT teams.city FROM teams JOIN players ON teams.team_id = players.team_id GROUP BY teams.city "
            "ORDER BY COUNT(*) DESC LIMIT 1",
            "Players get their team's city through the join on team_id; GROUP BY teams.city counts players per "
            "city, ORDER BY COUNT(*) DESC puts the largest first and LIMIT 1 keeps it.",
        ),
        Special(
            "join",
            ("Who is the top scorer of the Hawks?",),
            "SELECT players.name FROM players JOIN teams ON players.team_id = teams.team_id WHERE teams.name = "
            "'Hawks' ORDER BY players.goals DESC LIMIT 1",
            "The join on team_id lets WHERE teams.name = 'Hawks' keep that team's players; ORDER BY "
            "players.goals DESC puts the highest scorer first and LIMIT 1 returns that one player.",
        ),
    ),
)


GYM = Schema(
    "gym",
    "Gym",
    (
        Table(
            "members",
            "member",
            "members",
            "member_id INTEGER PRIMARY KEY, name TEXT, plan TEXT, age INTEGER, joined_on TEXT",
            (
                (1, "Aria", "Premium", 29, "2023-01-10"),
                (2, "Blake", "Basic", 41, "2023-03-22"),
                (3, "Cora", "Premium", 35, "2023-07-01"),
                (4, "Dario", "Student", 20, "2023-09-15"),
                (5, "Esme", "Basic", 57, "2024-01-04"),
            ),
            "name",
            "name",
            text=True,
            cats=(Cat("plan", "plan", "plans", "on the {v} plan"),),
            nums=(Num("age", "age", "older than {v}", "younger than {v}", summable=False),),
            dates=(When("joined_on", "join date", "who joined"),),
        ),
        Table(
            "classes",
            "class",
            "classes",
            "class_id INTEGER PRIMARY KEY, name TEXT, instructor TEXT, capacity INTEGER",
            (
                (1, "Spin", "Kate", 20),
                (2, "Yoga", "Ravi", 15),
                (3, "Boxing", "Kate", 12),
                (4, "Pilates", "Lena", 10),
            ),
            "name",
            "name",
            cats=(Cat("instructor", "instructor", "instructors", "taught by {v}"),),
            nums=(
                Num(
                    "capacity",
                    "capacity",
                    "with room for more than {v} people",
                    "with room for fewer than {v} people",
                ),
            ),
        ),
        Table(
            "visits",
            "visit",
            "visits",
            "visit_id INTEGER PRIMARY KEY, member_id INTEGER, class_id INTEGER, visit_date TEXT, minutes INTEGER",
            (
                (1, 1, 1, "2024-03-04", 45),
                (2, 1, 2, "2024-03-05", 60),
                (3, 2, 3, "2024-03-06", 50),
                (4, 3, 2, "2024-03-12", 60),
                (5, 4, 2, "2024-03-16", 30),
                (6, 3, 4, "2024-04-02", 55),
            ),
            "visit_id",
            "id",
            nums=(
                Num("minutes", "minutes", "lasting more than {v} minutes", "lasting less than {v} minutes"),
            ),
            dates=(When("visit_date", "visit date", "made"),),
        ),
    ),
    links=(Link("members", "visits", "member_id"), Link("classes", "visits", "class_id")),
    bridges=(Bridge("visits", "members", "classes", "attended", "were attended by"),),
    specials=(
        Special(
            "set_operation",
            ("Which members attended Yoga but never Spin?",),
            "SELECT members.name FROM members JOIN visits ON members.member_id = visits.member_id JOIN classes "
            "ON visits.class_id = classes.class_id WHERE classes.name = 'Yoga' EXCEPT SELECT members.name "
            "FROM members JOIN visits ON members.member_id = visits.member_id JOIN classes ON visits.class_id = "
            "classes.class_id WHERE classes.name = 'Spin'",
            "Each SELECT joins members to visits on member_id and visits to classes on class_id, and lists "
            "members.name for one class: WHERE classes.name = 'Yoga' in the first, 'Spin' in the second. "
            "EXCEPT removes from the Yoga list every name found in the Spin list.",
        ),
        Special(
            "date",
            ("How many days after joining did each member make their first visit?",),
            "SELECT members.name, julianday(MIN(visits.visit_date)) - julianday(members.joined_on) FROM members "
            "LEFT JOIN visits ON members.member_id = visits.member_id GROUP BY members.member_id",
            "The join on member_id puts each member's visits next to their joined_on date, LEFT JOIN keeping a "
            "member who never visited (with NULL); per member (GROUP BY members.member_id, shown by "
            "members.name) MIN(visits.visit_date) is the first visit, and the julianday difference counts the "
            "days in between.",
        ),
        Special(
            "join",
            ("Which class has had the most visits?",),
            "SELECT classes.name FROM classes JOIN visits ON classes.class_id = visits.class_id GROUP BY "
            "classes.class_id ORDER BY COUNT(*) DESC LIMIT 1",
            "Each visit row is one attendance; the join on class_id names its class, GROUP BY classes.class_id "
            "counts visits per class, and ORDER BY COUNT(*) DESC LIMIT 1 keeps the busiest.",
        ),
    ),
)


REAL_ESTATE = Schema(
    "real_estate",
    "Real estate",
    (
        Table(
            "agents",
            "agent",
            "agents",
            "agent_id INTEGER PRIMARY KEY, name TEXT, agency TEXT",
            (
                (1, "Nina", "Urban Keys"),
                (2, "Omar", "Urban Keys"),
                (3, "Priya", "Coastal"),
                (4, "Quinn", "Coastal"),
                (5, "Rosa", "Prime"),
            ),
            "name",
            "name",
            text=True,
            cats=(Cat("agency", "agency", "agencies", "working for {v}"),),
        ),
        Table(
            "properties",
            "property",
            "properties",
            "property_id INTEGER PRIMARY KEY, address TEXT, city TEXT, kind TEXT, price INTEGER, agent_id INTEGER, listed_on TEXT",
            (
                (1, "12 Elm St", "Austin", "House", 420000, 1, "2024-01-15"),
                (2, "8 Bay Rd", "San Diego", "Condo", 610000, 3, "2024-02-03"),
                (3, "55 Oak Ave", "Austin", "Condo", 280000, 2, "2024-02-20"),
                (4, "3 Shore Ln", "San Diego", "House", 1250000, 4, "2024-03-08"),
                (5, "90 Pine Ct", "Denver", "House", 515000, 1, "2024-03-22"),
            ),
            "address",
            "address",
            text=True,
            cats=(
                Cat("city", "city", "cities", "in {v}"),
                Cat("kind", "property type", "property types", "of type {v}"),
            ),
            nums=(Num("price", "price", "priced above {v}", "priced below {v}", summable=False),),
            dates=(When("listed_on", "listing date", "listed"),),
        ),
        Table(
            "sales",
            "sale",
            "sales",
            "sale_id INTEGER PRIMARY KEY, property_id INTEGER, sale_price INTEGER, sale_date TEXT, buyer TEXT",
            (
                (1, 1, 410000, "2024-03-01", "Baker"),
                (2, 3, 289000, "2024-03-30", None),
                (3, 4, 1190000, "2024-05-12", "Holm"),
                (4, 5, 505000, "2024-04-30", "Moss"),
            ),
            "sale_id",
            "id",
            nums=(Num("sale_price", "sale price", "sold for more than {v}", "sold for less than {v}"),),
            dates=(When("sale_date", "sale date", "closed"),),
            gaps=(Gap("buyer", "buyer", "with no buyer recorded", "with a recorded buyer"),),
        ),
    ),
    links=(Link("agents", "properties", "agent_id"), Link("properties", "sales", "property_id")),
    specials=(
        Special(
            "join",
            ("For each sold property, how far above or below the asking price did it sell?",),
            "SELECT properties.address, sales.sale_price - properties.price FROM properties JOIN sales ON "
            "properties.property_id = sales.property_id",
            "The asking price is properties.price and the sale price is sales.sale_price; joining properties "
            "to sales on property_id pairs them, so sales.sale_price - properties.price, shown next to "
            "properties.address, is positive above asking and negative below.",
        ),
        Special(
            "date",
            ("How many days was each sold property on the market?",),
            "SELECT properties.address, julianday(sales.sale_date) - julianday(properties.listed_on) FROM "
            "properties JOIN sales ON properties.property_id = sales.property_id",
            "Time on the market runs from properties.listed_on to sales.sale_date; joining properties to "
            "sales on property_id puts both on one row, and julianday(sales.sale_date) - "
            "julianday(properties.listed_on) counts the days for each properties.address.",
        ),
        Special(
            "join",
            ("Which agents have sold properties in Austin?",),
            "SELECT DISTINCT agents.name FROM agents JOIN properties ON agents.agent_id = properties.agent_id "
            "JOIN sales ON properties.property_id = sales.property_id WHERE properties.city = 'Austin'",
            "A sale reaches its agent through the property, so agents, properties and sales are joined on "
            "agent_id and property_id; the inner join to sales keeps sold properties only, WHERE "
            "properties.city = 'Austin' keeps that city, and SELECT DISTINCT agents.name lists each agent "
            "once.",
        ),
    ),
)

SCHEMAS = (SPORTS, GYM, REAL_ESTATE)
