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
                (4, "Sol Lines", "Spain"),
                (5, "Maple Air", "Canada"),
                (6, "Liberty Wings", "USA"),
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
            "flight_id INTEGER PRIMARY KEY, flight_no TEXT, airline_id INTEGER, origin TEXT, destination TEXT, "
            "departure TEXT, seats INTEGER, fare REAL",
            (
                (1, "SJ101", 1, "JFK", "LAX", "2024-05-01", 180, 320.0),
                (2, "SJ205", 1, "LAX", "SFO", "2024-05-03", 150, 120.0),
                (3, "AN310", 2, "OSL", "JFK", "2024-05-02", 220, 540.0),
                (4, "PA020", 3, "NRT", "LAX", "2024-06-11", 300, 890.0),
                (5, "SL404", 4, "MAD", "JFK", "2024-06-15", 200, 610.0),
                (6, "SJ330", 1, "JFK", "MAD", "2024-07-04", 180, 575.0),
                (7, "PA115", 3, "NRT", "SFO", "2024-07-20", 280, 910.0),
            ),
            "flight_no",
            "flight number",
            text=True,
            cats=(
                Cat("origin", "origin", "origins", "departing from {v}"),
                Cat("destination", "destination", "destinations", "flying to {v}"),
            ),
            nums=(
                Num("fare", "fare", "with a fare above {v}", "with a fare below {v}", summable=False),
                Num("seats", "seat count", "with more than {v} seats", "with fewer than {v} seats"),
            ),
            dates=(When("departure", "departure date", "departing"),),
        ),
        Table(
            "bookings",
            "booking",
            "bookings",
            "booking_id INTEGER PRIMARY KEY, flight_id INTEGER, passenger TEXT, cabin TEXT, bags INTEGER",
            (
                (1, 1, "Amy Reed", "Economy", 1),
                (2, 1, "Raj Mehta", "Business", 2),
                (3, 3, "Sven Olsen", "Economy", None),
                (4, 4, "Yuki Tanaka", "First", 2),
                (5, 5, "Lucia Vega", "Economy", 1),
                (6, 6, "Amy Reed", "Economy", 0),
                (7, 7, "Ken Mori", "Business", None),
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
            "room_id INTEGER PRIMARY KEY, room_no INTEGER, room_type TEXT, floor INTEGER, nightly_rate REAL",
            (
                (1, 101, "Single", 1, 89.0),
                (2, 102, "Double", 1, 129.0),
                (3, 201, "Double", 2, 139.0),
                (4, 202, "Suite", 2, 260.0),
                (5, 301, "Single", 3, 95.0),
                (6, 302, "Suite", 3, 280.0),
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
            "guest_id INTEGER PRIMARY KEY, name TEXT, country TEXT, email TEXT",
            (
                (1, "Anna Berg", "Sweden", "anna@mail.se"),
                (2, "Carlos Mena", "Mexico", None),
                (3, "Dora Klein", "Germany", "dora@mail.de"),
                (4, "Eli Cohen", "Israel", None),
                (5, "Fay Wong", "Sweden", "fay@mail.com"),
                (6, "Gil Souza", "Brazil", "gil@mail.br"),
            ),
            "name",
            "name",
            text=True,
            cats=(Cat("country", "country", "countries", "from {v}"),),
            gaps=(Gap("email", "email", "without an email", "with an email"),),
        ),
        Table(
            "bookings",
            "booking",
            "bookings",
            "booking_id INTEGER PRIMARY KEY, guest_id INTEGER, room_id INTEGER, check_in TEXT, check_out TEXT, total REAL",
            (
                (1, 1, 2, "2024-04-02", "2024-04-05", 387.0),
                (2, 2, 4, "2024-04-10", "2024-04-12", 520.0),
                (3, 3, 1, "2024-05-01", "2024-05-06", 445.0),
                (4, 1, 6, "2024-06-14", "2024-06-16", 560.0),
                (5, 5, 3, "2024-06-20", "2024-06-27", 973.0),
                (6, 4, 2, "2024-07-03", "2024-07-04", 129.0),
                (7, 3, 4, "2024-08-09", "2024-08-11", 520.0),
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
            "JOIN bookings ON guests.guest_id = bookings.guest_id GROUP BY guests.name",
            "julianday(check_out) - julianday(check_in) is the number of nights of one booking; the join on "
            "guest_id attaches bookings to guests, and SUM per guests.name adds up each guest's nights.",
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
            "car_id INTEGER PRIMARY KEY, plate TEXT, make TEXT, model TEXT, year INTEGER, daily_rate REAL",
            (
                (1, "KX-101", "Toyota", "Corolla", 2021, 45.0),
                (2, "KX-102", "Toyota", "RAV4", 2022, 65.0),
                (3, "LM-220", "Ford", "Focus", 2019, 38.0),
                (4, "LM-221", "Tesla", "Model 3", 2023, 95.0),
                (5, "PR-330", "Ford", "Mustang", 2020, 110.0),
                (6, "PR-331", "Kia", "Rio", 2018, 32.0),
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
                (1, "Ada Quinn", "Ireland", 34),
                (2, "Bo Lindqvist", "Sweden", 27),
                (3, "Cyrus Amini", "Canada", 45),
                (4, "Dana Scott", "Ireland", 52),
                (5, "Ezra Levy", "Canada", 23),
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
            "rental_id INTEGER PRIMARY KEY, car_id INTEGER, renter_id INTEGER, start_date TEXT, end_date TEXT, "
            "km_driven INTEGER",
            (
                (1, 1, 1, "2024-03-01", "2024-03-04", 320),
                (2, 4, 2, "2024-03-10", "2024-03-12", 410),
                (3, 3, 3, "2024-04-02", "2024-04-09", None),
                (4, 2, 1, "2024-04-15", "2024-04-18", 275),
                (5, 5, 4, "2024-05-20", "2024-05-22", None),
                (6, 4, 3, "2024-06-01", "2024-06-06", 880),
                (7, 1, 2, "2024-06-10", "2024-06-11", 60),
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
