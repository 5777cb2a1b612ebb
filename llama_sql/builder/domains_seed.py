"""The original brief's three domains: a hospital (patients and diagnoses), an online shop (customers and
orders) and a bank (accounts and transactions). See schema.py for what each role means.
"""

from __future__ import annotations

from llama_sql.builder.schema import Bridge, Cat, Gap, Link, Num, Schema, Special, Table, When

HOSPITAL = Schema(
    "hospital",
    "Hospital",
    (
        Table(
            "patients",
            "patient",
            "patients",
            "patient_id INTEGER PRIMARY KEY, name TEXT, age INTEGER, city TEXT, insurance TEXT",
            (
                (1, "Ana", 34, "Boston", "Aetna"),
                (2, "Ben", 67, "Chicago", None),
                (3, "Chloe", 45, "Boston", "Cigna"),
                (4, "David", 72, "Denver", "Aetna"),
                (5, "Emma", 29, "Chicago", None),
            ),
            "name",
            "name",
            text=True,
            cats=(Cat("city", "city", "cities", "from {v}"),),
            nums=(Num("age", "age", "older than {v}", "younger than {v}", summable=False),),
            gaps=(Gap("insurance", "insurance", "without insurance", "with insurance"),),
        ),
        Table(
            "doctors",
            "doctor",
            "doctors",
            "doctor_id INTEGER PRIMARY KEY, name TEXT, specialty TEXT",
            (
                (1, "Patel", "Cardiology"),
                (2, "Novak", "Endocrinology"),
                (3, "Reyes", "Pulmonology"),
                (4, "Berg", "Cardiology"),
            ),
            "name",
            "name",
            cats=(Cat("specialty", "specialty", "specialties", "specializing in {v}"),),
        ),
        Table(
            "diagnoses",
            "diagnosis",
            "diagnoses",
            "diagnosis_id INTEGER PRIMARY KEY, patient_id INTEGER, doctor_id INTEGER, diagnosis TEXT, diagnosed_on TEXT, cost INTEGER",
            (
                (1, 1, 2, "Diabetes", "2023-02-14", 180),
                (2, 2, 1, "Hypertension", "2023-03-02", 240),
                (3, 3, 3, "Asthma", "2023-05-20", 95),
                (4, 2, 4, "Arrhythmia", "2024-01-09", 410),
                (5, 4, 1, "Hypertension", "2024-02-17", 260),
                (6, 1, 2, "Diabetes", "2024-03-28", 200),
            ),
            "diagnosis_id",
            "id",
            cats=(Cat("diagnosis", "condition", "conditions", "of {v}"),),
            nums=(Num("cost", "cost", "costing more than {v}", "costing less than {v}"),),
            dates=(When("diagnosed_on", "diagnosis date", "made"),),
        ),
    ),
    links=(Link("patients", "diagnoses", "patient_id"), Link("doctors", "diagnoses", "doctor_id")),
    bridges=(Bridge("diagnoses", "patients", "doctors", "were diagnosed by", "diagnosed"),),
    specials=(
        Special(
            "join",
            (
                "Which doctor diagnosed Ben with Arrhythmia?",
                "Who is the doctor that found Arrhythmia in Ben?",
            ),
            "SELECT doctors.name FROM doctors JOIN diagnoses ON doctors.doctor_id = diagnoses.doctor_id "
            "JOIN patients ON diagnoses.patient_id = patients.patient_id "
            "WHERE patients.name = 'Ben' AND diagnoses.diagnosis = 'Arrhythmia'",
            "The doctor is in doctors, the diagnosis in diagnoses and the patient's name in patients, so the "
            "query joins doctors to diagnoses on doctor_id and diagnoses to patients on patient_id. WHERE "
            "keeps the row for patients.name = 'Ben' with diagnoses.diagnosis = 'Arrhythmia', and "
            "SELECT doctors.name returns that doctor.",
        ),
        Special(
            "case",
            (
                "Classify each diagnosis cost as 'Routine' under 150, 'Standard' up to 300 and 'Major' "
                "above that, with the diagnosis id.",
            ),
            "SELECT diagnosis_id, CASE WHEN cost < 150 THEN 'Routine' WHEN cost <= 300 THEN 'Standard' "
            "ELSE 'Major' END FROM diagnoses",
            "CASE tests its branches in order for every row of diagnoses: cost < 150 gives 'Routine', "
            "otherwise cost <= 300 gives 'Standard', and ELSE gives 'Major' to the rest. It is shown next "
            "to diagnosis_id.",
        ),
        Special(
            "date",
            ("How many days passed between Ana's first and last diagnosis?",),
            "SELECT julianday(MAX(diagnoses.diagnosed_on)) - julianday(MIN(diagnoses.diagnosed_on)) "
            "FROM diagnoses JOIN patients ON diagnoses.patient_id = patients.patient_id "
            "WHERE patients.name = 'Ana'",
            "The join to patients on patient_id lets WHERE patients.name = 'Ana' keep her diagnoses; "
            "MIN and MAX of diagnosed_on give her first and last dates, and julianday turns each into a day "
            "number so their difference is the number of days between them.",
        ),
    ),
)


SHOP = Schema(
    "shop",
    "Online shop",
    (
        Table(
            "customers",
            "customer",
            "customers",
            "customer_id INTEGER PRIMARY KEY, name TEXT, city TEXT, coupon TEXT",
            (
                (1, "Liam", "Austin", "SAVE10"),
                (2, "Mia", "Seattle", None),
                (3, "Noah", "Austin", "WELCOME"),
                (4, "Olivia", "Miami", None),
                (5, "Paul", "Seattle", "SAVE10"),
            ),
            "name",
            "name",
            text=True,
            cats=(Cat("city", "city", "cities", "from {v}"),),
            gaps=(Gap("coupon", "coupon", "without a coupon", "with a coupon"),),
        ),
        Table(
            "products",
            "product",
            "products",
            "product_id INTEGER PRIMARY KEY, name TEXT, category TEXT, price INTEGER",
            (
                (1, "Laptop", "Electronics", 899),
                (2, "Headphones", "Electronics", 60),
                (3, "Desk Chair", "Furniture", 149),
                (4, "Coffee Mug", "Kitchen", 12),
                (5, "Blender", "Kitchen", 45),
            ),
            "name",
            "name",
            text=True,
            cats=(Cat("category", "category", "categories", "in the {v} category"),),
            nums=(Num("price", "price", "priced above {v}", "priced below {v}"),),
        ),
        Table(
            "orders",
            "order",
            "orders",
            "order_id INTEGER PRIMARY KEY, customer_id INTEGER, product_id INTEGER, quantity INTEGER, order_date TEXT, status TEXT",
            (
                (1, 1, 1, 1, "2023-03-05", "Delivered"),
                (2, 1, 4, 4, "2023-03-05", "Delivered"),
                (3, 2, 2, 2, "2023-06-18", "Shipped"),
                (4, 3, 3, 1, "2023-08-22", "Delivered"),
                (5, 4, 5, 1, "2024-01-10", "Cancelled"),
                (6, 2, 2, 3, "2024-02-02", "Shipped"),
            ),
            "order_id",
            "id",
            cats=(Cat("status", "status", "statuses", "with status {v}"),),
            nums=(Num("quantity", "quantity", "for more than {v} items", "for fewer than {v} items"),),
            dates=(When("order_date", "order date", "placed"),),
        ),
    ),
    links=(Link("customers", "orders", "customer_id"), Link("products", "orders", "product_id")),
    bridges=(Bridge("orders", "customers", "products", "ordered", "were ordered by"),),
    specials=(
        Special(
            "join",
            (
                "How much has each customer spent, counting quantity times price?",
                "What is the total spending of every customer (quantity times price)?",
            ),
            "SELECT customers.name, SUM(orders.quantity * products.price) FROM customers LEFT JOIN orders ON "
            "customers.customer_id = orders.customer_id LEFT JOIN products ON orders.product_id = "
            "products.product_id GROUP BY customers.customer_id",
            "Spending needs the quantity from orders and the price from products, and the name from customers, "
            "so all three are joined on customer_id and product_id; LEFT JOIN keeps a customer without orders "
            "(whose total is NULL), as every customer is asked about. orders.quantity * products.price is the "
            "amount of one order line; SUM adds them per customer, GROUP BY customers.customer_id making one "
            "group per customer even if two share a name.",
        ),
        Special(
            "order_limit",
            ("Which product has been ordered in the largest total quantity?",),
            "SELECT products.name FROM products JOIN orders ON products.product_id = orders.product_id "
            "GROUP BY products.product_id ORDER BY SUM(orders.quantity) DESC LIMIT 1",
            "Joining products to orders on product_id gives each order line its product; GROUP BY "
            "products.product_id with SUM(orders.quantity) totals the units per product, ORDER BY ... DESC puts the largest total "
            "first and LIMIT 1 keeps that product.",
        ),
        Special(
            "date",
            ("How many days passed between Mia's first and last order?",),
            "SELECT julianday(MAX(orders.order_date)) - julianday(MIN(orders.order_date)) FROM orders JOIN customers "
            "ON orders.customer_id = customers.customer_id WHERE customers.name = 'Mia'",
            "Joining orders to customers on customer_id lets WHERE customers.name = 'Mia' keep her orders; "
            "MIN and MAX of orders.order_date are her first and last order dates, and the difference of their "
            "julianday values is the number of days between them.",
        ),
    ),
)


BANK = Schema(
    "bank",
    "Bank",
    (
        Table(
            "accounts",
            "account",
            "accounts",
            "account_id INTEGER PRIMARY KEY, owner TEXT, account_type TEXT, branch TEXT, balance INTEGER",
            (
                (1, "Hana", "Checking", "Downtown", 2500),
                (2, "Ivan", "Savings", "Uptown", 12800),
                (3, "Julia", "Checking", "Uptown", 430),
                (4, "Karl", "Savings", "Downtown", 7600),
                (5, "Lena", "Business", "Harbor", 31000),
            ),
            "owner",
            "owner",
            text=True,
            cats=(
                Cat("account_type", "account type", "account types", "of type {v}"),
                Cat("branch", "branch", "branches", "at the {v} branch"),
            ),
            nums=(Num("balance", "balance", "with a balance above {v}", "with a balance below {v}"),),
        ),
        Table(
            "transactions",
            "transaction",
            "transactions",
            "txn_id INTEGER PRIMARY KEY, account_id INTEGER, txn_type TEXT, amount INTEGER, txn_date TEXT, memo TEXT",
            (
                (1, 1, "Deposit", 1200, "2024-01-03", "Salary"),
                (2, 1, "Withdrawal", 300, "2024-01-09", None),
                (3, 2, "Deposit", 5000, "2024-01-15", "Bonus"),
                (4, 3, "Withdrawal", 150, "2024-02-01", None),
                (5, 5, "Deposit", 9000, "2024-02-11", "Invoice"),
                (6, 5, "Withdrawal", 4200, "2024-02-20", None),
                (7, 1, "Transfer", 800, "2024-03-02", "Rent"),
            ),
            "txn_id",
            "id",
            cats=(Cat("txn_type", "transaction type", "transaction types", "of type {v}"),),
            nums=(Num("amount", "amount", "for more than {v}", "for less than {v}"),),
            dates=(When("txn_date", "transaction date", "made"),),
            gaps=(Gap("memo", "memo", "without a memo", "with a memo"),),
        ),
    ),
    links=(Link("accounts", "transactions", "account_id"),),
    specials=(
        Special(
            "case",
            (
                "What is the net flow of each owner's account, treating Deposit amounts as positive and "
                "every other type as negative?",
            ),
            "SELECT accounts.owner, SUM(CASE WHEN transactions.txn_type = 'Deposit' THEN transactions.amount "
            "ELSE -transactions.amount END) FROM accounts LEFT JOIN transactions ON accounts.account_id = "
            "transactions.account_id GROUP BY accounts.account_id",
            "Joining accounts to transactions on account_id attaches every transaction to its account; LEFT "
            "JOIN keeps an account without transactions (its flow is NULL). The CASE expression keeps "
            "transactions.amount when transactions.txn_type = 'Deposit' and negates it for any other type, and "
            "SUM of that per account (GROUP BY accounts.account_id) is the net flow, shown with accounts.owner.",
        ),
        Special(
            "order_limit",
            ("Which branch holds the largest total balance?",),
            "SELECT branch FROM accounts GROUP BY branch ORDER BY SUM(balance) DESC LIMIT 1",
            "GROUP BY branch totals the balance of the accounts at each branch with SUM(balance); ORDER BY that "
            "total DESC puts the richest branch first and LIMIT 1 keeps it.",
        ),
        Special(
            "set_operation",
            ("Which owners have made both a Deposit and a Withdrawal?",),
            "SELECT accounts.owner FROM accounts JOIN transactions ON accounts.account_id = "
            "transactions.account_id WHERE transactions.txn_type = 'Deposit' INTERSECT SELECT accounts.owner "
            "FROM accounts JOIN transactions ON accounts.account_id = transactions.account_id "
            "WHERE transactions.txn_type = 'Withdrawal'",
            "Each SELECT joins accounts to transactions on account_id and lists accounts.owner: the first "
            "WHERE transactions.txn_type = 'Deposit', the second WHERE transactions.txn_type = 'Withdrawal'. "
            "INTERSECT keeps the owners in both lists.",
        ),
    ),
)

SCHEMAS = (HOSPITAL, SHOP, BANK)
