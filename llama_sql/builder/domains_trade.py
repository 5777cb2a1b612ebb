"""Trade: warehouse inventory, a restaurant and a logistics company."""

from __future__ import annotations

from llama_sql.builder.schema import Bridge, Cat, Gap, Link, Num, Schema, Span, Special, Table, When

INVENTORY = Schema(
    "inventory",
    "Warehouse inventory",
    (
        Table(
            "warehouses",
            "warehouse",
            "warehouses",
            "warehouse_id INTEGER PRIMARY KEY, city TEXT, region TEXT, capacity INTEGER",
            (
                (1, "Rotterdam", "North", 5000),
                (2, "Hamburg", "North", 3500),
                (3, "Lyon", "South", 2800),
                (4, "Porto", "West", 1500),
            ),
            "city",
            "city",
            text=True,
            cats=(Cat("region", "region", "regions", "in the {v} region"),),
            nums=(Num("capacity", "capacity", "with a capacity above {v}", "with a capacity below {v}"),),
        ),
        Table(
            "items",
            "item",
            "items",
            "item_id INTEGER PRIMARY KEY, name TEXT, category TEXT, unit_cost REAL, supplier TEXT",
            (
                (1, "Bolt", "Hardware", 0.25, "FastenCo"),
                (2, "Wire", "Electrical", 3.8, "WireWorks"),
                (3, "LED Panel", "Electrical", 24.0, "BrightLtd"),
                (4, "Plank", "Timber", 12.5, None),
                (5, "Anchor", "Hardware", 0.4, "FastenCo"),
            ),
            "name",
            "name",
            text=True,
            cats=(Cat("category", "category", "categories", "in the {v} category"),),
            nums=(
                Num(
                    "unit_cost",
                    "unit cost",
                    "costing more than {v} per unit",
                    "costing less than {v} per unit",
                    summable=False,
                ),
            ),
            gaps=(Gap("supplier", "supplier", "with no supplier on file", "with a known supplier"),),
        ),
        Table(
            "stock",
            "stock record",
            "stock records",
            "stock_id INTEGER PRIMARY KEY, warehouse_id INTEGER, item_id INTEGER, quantity INTEGER, restocked_on TEXT",
            (
                (1, 1, 1, 12000, "2024-03-02"),
                (2, 1, 3, 150, "2024-02-18"),
                (3, 2, 2, 800, "2024-03-10"),
                (4, 2, 4, 320, "2024-01-25"),
                (5, 3, 5, 9000, "2024-03-15"),
                (6, 1, 2, 400, "2024-01-30"),
            ),
            "stock_id",
            "id",
            nums=(
                Num("quantity", "quantity", "holding more than {v} units", "holding fewer than {v} units"),
            ),
            dates=(When("restocked_on", "restock date", "restocked"),),
        ),
    ),
    links=(Link("warehouses", "stock", "warehouse_id"), Link("items", "stock", "item_id")),
    bridges=(Bridge("stock", "warehouses", "items", "store", "are stored in"),),
    specials=(
        Special(
            "join",
            ("What is the total stock value (quantity times unit cost) in each warehouse?",),
            "SELECT warehouses.city, SUM(stock.quantity * items.unit_cost) FROM warehouses LEFT JOIN stock ON "
            "warehouses.warehouse_id = stock.warehouse_id LEFT JOIN items ON stock.item_id = items.item_id "
            "GROUP BY warehouses.warehouse_id",
            "The value of a stock row is its quantity times the item's unit_cost, so warehouses, stock and items "
            "are joined on warehouse_id and item_id, LEFT JOIN keeping an empty warehouse (with NULL); SUM of "
            "that product per warehouse (GROUP BY warehouses.warehouse_id, shown by warehouses.city) is each "
            "warehouse's stock value.",
        ),
        Special(
            "join",
            ("How many units of LED Panel are there across all warehouses?",),
            "SELECT SUM(stock.quantity) FROM stock JOIN items ON stock.item_id = items.item_id "
            "WHERE items.name = 'LED Panel'",
            "Quantities are in stock and item names in items; the join on item_id lets WHERE items.name = "
            "'LED Panel' keep that item's rows, and SUM(stock.quantity) adds them up over every warehouse.",
        ),
        Special(
            "order_limit",
            ("Which warehouse holds the most different items?",),
            "SELECT warehouses.city FROM warehouses JOIN stock ON warehouses.warehouse_id = stock.warehouse_id "
            "GROUP BY warehouses.warehouse_id ORDER BY COUNT(DISTINCT stock.item_id) DESC LIMIT 1",
            "Joining warehouses to stock on warehouse_id lists each warehouse's stock rows; COUNT(DISTINCT "
            "stock.item_id) counts its different items per warehouse (GROUP BY warehouses.warehouse_id), "
            "ORDER BY that count "
            "DESC puts the largest first and LIMIT 1 keeps that city.",
        ),
    ),
)


RESTAURANT = Schema(
    "restaurant",
    "Restaurant",
    (
        Table(
            "dishes",
            "dish",
            "dishes",
            "dish_id INTEGER PRIMARY KEY, name TEXT, course TEXT, price REAL, calories INTEGER",
            (
                (1, "Soup", "Starter", 6.5, 180),
                (2, "Salad", "Starter", 8.0, 320),
                (3, "Salmon", "Main", 21.0, 540),
                (4, "Risotto", "Main", 17.5, 610),
                (5, "Burger", "Main", 15.0, 780),
                (6, "Tiramisu", "Dessert", 7.5, 450),
            ),
            "name",
            "name",
            text=True,
            cats=(Cat("course", "course", "courses", "served as a {v}"),),
            nums=(
                Num("price", "price", "priced above {v}", "priced below {v}", summable=False),
                Num(
                    "calories",
                    "calories",
                    "with more than {v} calories",
                    "with fewer than {v} calories",
                    summable=False,
                ),
            ),
        ),
        Table(
            "waiters",
            "waiter",
            "waiters",
            "waiter_id INTEGER PRIMARY KEY, name TEXT, shift TEXT",
            (
                (1, "Omar", "Evening"),
                (2, "Pia", "Lunch"),
                (3, "Rosa", "Evening"),
                (4, "Tom", "Lunch"),
            ),
            "name",
            "name",
            text=True,
            cats=(Cat("shift", "shift", "shifts", "on the {v} shift"),),
        ),
        Table(
            "orders",
            "order",
            "orders",
            "order_id INTEGER PRIMARY KEY, table_no INTEGER, waiter_id INTEGER, dish_id INTEGER, quantity INTEGER, order_date TEXT, order_time TEXT",
            (
                (1, 4, 1, 3, 2, "2024-05-03", "19:15"),
                (2, 4, 1, 6, 2, "2024-05-03", "20:05"),
                (3, 7, 2, 2, 1, "2024-05-04", "12:30"),
                (4, 2, 3, 5, 3, "2024-05-04", "20:40"),
                (5, 7, 2, 1, 2, "2024-05-05", "13:10"),
                (6, 2, 3, 4, 1, "2024-06-06", "19:50"),
            ),
            "order_id",
            "id",
            cats=(Cat("table_no", "table", "tables", "for table {v}"),),
            nums=(Num("quantity", "quantity", "for more than {v} portions", "for fewer than {v} portions"),),
            dates=(When("order_date", "order date", "placed"),),
        ),
    ),
    links=(Link("waiters", "orders", "waiter_id"), Link("dishes", "orders", "dish_id")),
    bridges=(Bridge("orders", "waiters", "dishes", "served", "were served by"),),
    specials=(
        Special(
            "join",
            ("What is the total bill of table 4?",),
            "SELECT SUM(orders.quantity * dishes.price) FROM orders JOIN dishes ON orders.dish_id = "
            "dishes.dish_id WHERE orders.table_no = 4",
            "A bill line is the quantity ordered times the dish's price, so orders is joined to dishes on "
            "dish_id; WHERE orders.table_no = 4 keeps that table's orders and SUM adds the lines.",
        ),
        Special(
            "date",
            ("Which orders were placed in the evening, at 19:00 or later?",),
            "SELECT order_id FROM orders WHERE order_time >= '19:00'",
            "order_time is 'HH:MM' text with leading zeros, so it compares like a clock: order_time >= '19:00' "
            "keeps the orders from 19:00 on, and SELECT order_id lists them.",
        ),
        Special(
            "join",
            ("Which waiter sold the most portions of Main dishes?",),
            "SELECT waiters.name FROM waiters JOIN orders ON waiters.waiter_id = orders.waiter_id JOIN dishes ON "
            "orders.dish_id = dishes.dish_id WHERE dishes.course = 'Main' GROUP BY waiters.waiter_id ORDER BY "
            "SUM(orders.quantity) DESC LIMIT 1",
            "Waiters, orders and dishes are joined on waiter_id and dish_id so that WHERE dishes.course = 'Main' "
            "can keep main dishes; SUM(orders.quantity) per waiter (GROUP BY waiters.waiter_id) counts portions, and "
            "ORDER BY ... DESC LIMIT 1 keeps the top waiter.",
        ),
    ),
)


LOGISTICS = Schema(
    "logistics",
    "Logistics",
    (
        Table(
            "carriers",
            "carrier",
            "carriers",
            "carrier_id INTEGER PRIMARY KEY, name TEXT, country TEXT, rating REAL",
            (
                (1, "QuickShip", "USA", 4.5),
                (2, "EuroFreight", "Germany", 4.1),
                (3, "PacLine", "Singapore", 3.8),
                (4, "NorthPost", "Canada", 4.7),
                (5, "Bay Couriers", "USA", 4.2),
            ),
            "name",
            "name",
            text=True,
            cats=(Cat("country", "country", "countries", "based in {v}"),),
            nums=(Num("rating", "rating", "rated above {v}", "rated below {v}", summable=False),),
        ),
        Table(
            "shipments",
            "shipment",
            "shipments",
            "shipment_id INTEGER PRIMARY KEY, carrier_id INTEGER, origin TEXT, destination TEXT, weight_kg INTEGER, shipped_on TEXT, delivered_on TEXT",
            (
                (1, 1, "Chicago", "Toronto", 12, "2024-02-01", "2024-02-04"),
                (2, 2, "Hamburg", "Vienna", 340, "2024-02-10", "2024-02-13"),
                (3, 1, "Dallas", "Chicago", 8, "2024-03-05", None),
                (4, 3, "Singapore", "Sydney", 1200, "2024-03-12", "2024-03-22"),
                (5, 4, "Toronto", "Chicago", 55, "2024-04-02", "2024-04-05"),
                (6, 2, "Vienna", "Hamburg", 410, "2024-04-18", None),
                (7, 3, "Singapore", "Tokyo", 760, "2024-05-01", "2024-05-06"),
            ),
            "shipment_id",
            "id",
            cats=(
                Cat("origin", "origin", "origins", "shipped from {v}"),
                Cat("destination", "destination", "destinations", "going to {v}"),
            ),
            nums=(Num("weight_kg", "weight", "heavier than {v} kg", "lighter than {v} kg"),),
            dates=(When("shipped_on", "ship date", "shipped"),),
            gaps=(Gap("delivered_on", "delivery date", "not delivered yet", "already delivered"),),
            spans=(Span("shipped_on", "delivered_on", "delivery"),),
        ),
    ),
    links=(Link("carriers", "shipments", "carrier_id"),),
    specials=(
        Special(
            "set_operation",
            ("List every city that appears as a shipment origin or destination.",),
            "SELECT origin FROM shipments UNION SELECT destination FROM shipments",
            "Cities appear in two columns of shipments; the first SELECT lists origins, the second "
            "destinations, and UNION merges them without duplicates.",
        ),
        Special(
            "date",
            ("What is the average delivery time in days of the delivered shipments?",),
            "SELECT AVG(julianday(delivered_on) - julianday(shipped_on)) FROM shipments",
            "julianday(delivered_on) - julianday(shipped_on) is one shipment's delivery time in days; it is "
            "NULL while a shipment is undelivered, which AVG skips, so AVG averages it over the delivered "
            "rows of shipments.",
        ),
        Special(
            "null_handling",
            ("Which shipments are still in transit, and with which carrier?",),
            "SELECT shipments.shipment_id, carriers.name FROM shipments JOIN carriers ON shipments.carrier_id = "
            "carriers.carrier_id WHERE shipments.delivered_on IS NULL",
            "A shipment without a delivered_on date (NULL) is still in transit, tested with "
            "shipments.delivered_on IS NULL because NULL never equals anything; joining shipments to carriers"
            " on carrier_id adds carriers.name next to each shipments.shipment_id.",
        ),
    ),
)

SCHEMAS = (INVENTORY, RESTAURANT, LOGISTICS)
