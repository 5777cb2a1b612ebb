"""Travel: an airline, a hotel and a car rental company."""

from __future__ import annotations

from llama_sql.builder.schema import Bridge, Cat, Gap, Link, Num, Schema, Span, Special, Table, When

FLIGHTS = Schema(
    "flights",
    "Airline",
    (
        Table(
            "airlines",
            "airline",
            "airlines",
            "airline_id INTEGER PRIMARY KEY, name TEXT, country TEXT",
            (
                (1, "SkyJet", "USA"),
                (2, "AeroNord", "Norway"),
                (3, "Pacific Air", "Japan"),
                (4, "Liberty", "USA"),
            ),
            "name",
            "name",
            text=True,
            cats=(Cat("country", "country", "countries", "based in {v}"),),
        ),
        Table(
            "flights",
            "flight",
            "flights",
            "flight_id INTEGER PRIMARY KEY, flight_no TEXT, airline_id INTEGER, origin TEXT, destination TEXT, departure TEXT, fare INTEGER",
            (
                (1, "SJ101", 1, "JFK", "LAX", "2024-05-01", 320),
                (2, "SJ205", 1, "LAX", "SFO", "2024-05-03", 120),
                (3, "AN310", 2, "OSL", "JFK", "2024-05-02", 540),
                (4, "PA020", 3, "NRT", "LAX", "2024-06-11", 890),
                (5, "SJ330", 1, "JFK", "OSL", "2024-07-04", 575),
                (6, "PA115", 3, "NRT", "SFO", "2024-07-20", 910),
            ),
            "flight_no",
            "flight number",
            text=True,
            cats=(
                Cat("origin", "origin", "origins", "departing from {v}"),
                Cat("destination", "destination", "destinations", "flying to {v}"),
            ),
            nums=(Num("fare", "fare", "with a fare above {v}", "with a fare below {v}", summable=False),),
            dates=(When("departure", "departure date", "departing"),),
        ),
        Table(
            "bookings",
            "booking",
            "bookings",
            "booking_id INTEGER PRIMARY KEY, flight_id INTEGER, passenger TEXT, cabin TEXT, bags INTEGER",
            (
                (1, 1, "Amy", "Economy", 1),
                (2, 1, "Raj", "Business", 2),
                (3, 3, "Sven", "Economy", None),
                (4, 4, "Yuki", "First", 2),
                (5, 5, "Amy", "Economy", 0),
                (6, 6, "Ken", "Business", None),
            ),
            "passenger",
            "passenger",
            cats=(Cat("cabin", "cabin", "cabins", "in {v}"),),
            gaps=(
                Gap(
                    "bags",
                    "bag count",
                    "with no bag count recorded",
                    "with a recorded bag count",
                    numeric=True,
                ),
            ),
        ),
    ),
    links=(Link("airlines", "flights", "airline_id"), Link("flights", "bookings", "flight_id")),
    specials=(
        Special(
            "set_operation",
            ("List every airport that appears as an origin or a destination.",),
            "SELECT origin FROM flights UNION SELECT destination FROM flights",
            "Airports appear in two columns of flights. The first SELECT lists origins, the second "
            "destinations, and UNION merges them while removing duplicates, so each airport appears once.",
        ),
        Special(
            "join",
            ("Which passengers booked flights operated by SkyJet?",),
            "SELECT DISTINCT bookings.passenger FROM bookings JOIN flights ON bookings.flight_id = "
            "flights.flight_id JOIN airlines ON flights.airline_id = airlines.airline_id WHERE airlines.name = "
            "'SkyJet'",
            "A booking reaches its airline through its flight, so bookings, flights and airlines are joined on "
            "flight_id and airline_id. WHERE airlines.name = 'SkyJet' keeps that airline, and DISTINCT lists a "
            "passenger with several SkyJet bookings once.",
        ),
        Special(
            "join",
            ("Which routes, origin and destination, does SkyJet fly?",),
            "SELECT flights.origin, flights.destination FROM flights JOIN airlines ON flights.airline_id = "
            "airlines.airline_id WHERE airlines.name = 'SkyJet'",
            "Routes are stored on flights and the airline's name on airlines; joining them on airline_id and "
            "keeping airlines.name = 'SkyJet' leaves that airline's flights, whose origin and destination are "
            "selected.",
        ),
    ),
)


HOTEL = Schema(
    "hotel",
    "Hotel",
    (
        Table(
            "rooms",
            "room",
            "rooms",
            "room_id INTEGER PRIMARY KEY, room_no INTEGER, room_type TEXT, floor INTEGER, nightly_rate INTEGER",
            (
                (1, 101, "Single", 1, 89),
                (2, 102, "Double", 1, 129),
                (3, 201, "Double", 2, 139),
                (4, 202, "Suite", 2, 260),
                (5, 301, "Single", 3, 95),
            ),
            "room_no",
            "room number",
            cats=(
                Cat("room_type", "room type", "room types", "of type {v}"),
                Cat("floor", "floor", "floors", "on floor {v}"),
            ),
            nums=(
                Num(
                    "nightly_rate",
                    "nightly rate",
                    "costing more than {v} a night",
                    "costing less than {v} a night",
                    summable=False,
                ),
            ),
        ),
        Table(
            "guests",
            "guest",
            "guests",
            "guest_id INTEGER PRIMARY KEY, name TEXT, country TEXT, company TEXT",
            (
                (1, "Anna", "Sweden", "Ikea"),
                (2, "Carlos", "Mexico", None),
                (3, "Dora", "Germany", "Bosch"),
                (4, "Eli", "Israel", None),
                (5, "Fay", "Sweden", "Ikea"),
            ),
            "name",
            "name",
            text=True,
            cats=(Cat("country", "country", "countries", "from {v}"),),
            gaps=(Gap("company", "company", "without a company", "with a company"),),
        ),
        Table(
            "bookings",
            "booking",
            "bookings",
            "booking_id INTEGER PRIMARY KEY, guest_id INTEGER, room_id INTEGER, check_in TEXT, check_out TEXT, total INTEGER",
            (
                (1, 1, 2, "2024-04-02", "2024-04-05", 387),
                (2, 2, 4, "2024-04-10", "2024-04-12", 520),
                (3, 3, 1, "2024-05-01", "2024-05-06", 445),
                (4, 1, 4, "2024-06-14", "2024-06-16", 520),
                (5, 5, 3, "2024-06-20", "2024-06-27", 973),
                (6, 3, 2, "2024-07-03", "2024-07-04", 129),
            ),
            "booking_id",
            "id",
            nums=(Num("total", "total", "with a total above {v}", "with a total below {v}"),),
            dates=(When("check_in", "check-in date", "starting"),),
            spans=(Span("check_in", "check_out", "stay"),),
        ),
    ),
    links=(Link("guests", "bookings", "guest_id"), Link("rooms", "bookings", "room_id")),
    bridges=(Bridge("bookings", "guests", "rooms", "stayed in", "were booked by"),),
    specials=(
        Special(
            "date",
            ("How many nights has each guest spent at the hotel in total?",),
            "SELECT guests.name, SUM(julianday(bookings.check_out) - julianday(bookings.check_in)) FROM guests "
            "LEFT JOIN bookings ON guests.guest_id = bookings.guest_id GROUP BY guests.guest_id",
            "julianday(check_out) - julianday(check_in) is the number of nights of one booking; the join on "
            "guest_id attaches bookings to guests (LEFT JOIN keeps a guest without bookings, with NULL), and "
            "SUM per guest (GROUP BY guests.guest_id, shown by guests.name) adds up each guest's nights.",
        ),
        Special(
            "join",
            ("Which rooms were occupied on the night of 2024-06-15?",),
            "SELECT rooms.room_no FROM rooms JOIN bookings ON rooms.room_id = bookings.room_id WHERE "
            "bookings.check_in <= '2024-06-15' AND bookings.check_out > '2024-06-15'",
            "A room is occupied on a night when a booking started on or before it and ends after it: "
            "bookings.check_in <= '2024-06-15' AND bookings.check_out > '2024-06-15' tests exactly that, and "
            "joining rooms to bookings on room_id gives each such booking its rooms.room_no.",
        ),
        Special(
            "date",
            ("Which guests stayed more than 3 nights in a single booking?",),
            "SELECT DISTINCT guests.name FROM guests JOIN bookings ON guests.guest_id = bookings.guest_id "
            "WHERE julianday(bookings.check_out) - julianday(bookings.check_in) > 3",
            "julianday(bookings.check_out) - julianday(bookings.check_in) is the length of each booking in "
            "nights; WHERE ... > 3 keeps the long ones, joining guests to bookings on guest_id names the "
            "guest, and SELECT DISTINCT guests.name lists each once.",
        ),
    ),
)


CAR_RENTAL = Schema(
    "car_rental",
    "Car rental",
    (
        Table(
            "cars",
            "car",
            "cars",
            "car_id INTEGER PRIMARY KEY, plate TEXT, make TEXT, year INTEGER, daily_rate INTEGER",
            (
                (1, "KX-101", "Toyota", 2021, 45),
                (2, "KX-102", "Toyota", 2022, 65),
                (3, "LM-220", "Ford", 2019, 38),
                (4, "LM-221", "Tesla", 2023, 95),
                (5, "PR-330", "Ford", 2020, 110),
            ),
            "plate",
            "plate",
            text=True,
            cats=(Cat("make", "make", "makes", "made by {v}"),),
            nums=(
                Num(
                    "daily_rate",
                    "daily rate",
                    "renting for more than {v} a day",
                    "renting for less than {v} a day",
                    summable=False,
                ),
                Num("year", "model year", "built after {v}", "built before {v}", summable=False),
            ),
        ),
        Table(
            "renters",
            "renter",
            "renters",
            "renter_id INTEGER PRIMARY KEY, name TEXT, country TEXT, age INTEGER",
            (
                (1, "Ada", "Ireland", 34),
                (2, "Bo", "Sweden", 27),
                (3, "Cyrus", "Canada", 45),
                (4, "Dana", "Ireland", 52),
            ),
            "name",
            "name",
            text=True,
            cats=(Cat("country", "country", "countries", "from {v}"),),
            nums=(Num("age", "age", "older than {v}", "younger than {v}", summable=False),),
        ),
        Table(
            "rentals",
            "rental",
            "rentals",
            "rental_id INTEGER PRIMARY KEY, car_id INTEGER, renter_id INTEGER, start_date TEXT, end_date TEXT, km_driven INTEGER",
            (
                (1, 1, 1, "2024-03-01", "2024-03-04", 320),
                (2, 4, 2, "2024-03-10", "2024-03-12", 410),
                (3, 3, 3, "2024-04-02", "2024-04-09", None),
                (4, 2, 1, "2024-04-15", "2024-04-18", 275),
                (5, 4, 3, "2024-06-01", "2024-06-06", 880),
                (6, 1, 2, "2024-06-10", "2024-06-11", None),
            ),
            "rental_id",
            "id",
            dates=(When("start_date", "start date", "starting"),),
            gaps=(
                Gap(
                    "km_driven",
                    "distance driven",
                    "with no distance recorded",
                    "with a recorded distance",
                    numeric=True,
                ),
            ),
            spans=(Span("start_date", "end_date", "rental"),),
        ),
    ),
    links=(Link("cars", "rentals", "car_id"), Link("renters", "rentals", "renter_id")),
    bridges=(Bridge("rentals", "renters", "cars", "rented", "were rented by"),),
    specials=(
        Special(
            "date",
            ("What did each rental cost, at the car's daily rate for every day from start to end date?",),
            "SELECT rentals.rental_id, (julianday(rentals.end_date) - julianday(rentals.start_date)) * "
            "cars.daily_rate FROM rentals JOIN cars ON rentals.car_id = cars.car_id",
            "julianday(rentals.end_date) - julianday(rentals.start_date) is the number of rental days; "
            "joining rentals to cars on car_id brings in cars.daily_rate, and the product of the two is each "
            "rental's cost, shown next to rentals.rental_id.",
        ),
        Special(
            "null_handling",
            ("What is the average distance per rental, counting a missing distance as 0?",),
            "SELECT AVG(COALESCE(km_driven, 0)) FROM rentals",
            "AVG(km_driven) alone would skip the rentals whose km_driven is NULL; COALESCE(km_driven, 0) turns "
            "them into 0 so every rental counts in the average, as the question asks.",
        ),
        Special(
            "join",
            ("Which make has been rented the most times?",),
            "SELECT cars.make FROM cars JOIN rentals ON cars.car_id = rentals.car_id GROUP BY cars.make "
            "ORDER BY COUNT(*) DESC LIMIT 1",
            "Each rental row is one rental; the join on car_id gives it the car's make, GROUP BY cars.make "
            "counts rentals per make, and ORDER BY COUNT(*) DESC LIMIT 1 keeps the most rented.",
        ),
    ),
)

SCHEMAS = (FLIGHTS, HOTEL, CAR_RENTAL)
