"""Workplaces: human resources, a school and project management."""

from __future__ import annotations

from llama_sql.builder.schema import Bridge, Cat, Gap, Link, Num, Schema, Special, Table, When

HR = Schema(
    "hr",
    "HR",
    (
        Table(
            "departments",
            "department",
            "departments",
            "dept_id INTEGER PRIMARY KEY, name TEXT, location TEXT, budget INTEGER",
            (
                (1, "Engineering", "Berlin", 900000),
                (2, "Sales", "London", 400000),
                (3, "Marketing", "London", 250000),
                (4, "Legal", "Berlin", 150000),
            ),
            "name",
            "name",
            text=True,
            cats=(Cat("location", "location", "locations", "located in {v}"),),
            nums=(Num("budget", "budget", "with a budget above {v}", "with a budget below {v}"),),
        ),
        Table(
            "employees",
            "employee",
            "employees",
            "emp_id INTEGER PRIMARY KEY, name TEXT, dept_id INTEGER, title TEXT, salary INTEGER, hire_date TEXT, bonus INTEGER",
            (
                (1, "Alice", 1, "Engineer", 72000, "2019-03-11", 5000),
                (2, "Bruno", 1, "Lead", 95000, "2016-07-01", 9000),
                (3, "Carla", 2, "Manager", 61000, "2020-01-20", None),
                (4, "Dev", 2, "Sales Rep", 48000, "2022-05-16", None),
                (5, "Elif", 3, "Designer", 55000, "2021-09-06", 2000),
                (6, "Gina", 1, "Engineer", 78000, "2023-02-27", None),
                (7, "Hugo", 3, "Manager", 88000, "2015-04-14", 7000),
            ),
            "name",
            "name",
            text=True,
            cats=(Cat("title", "job title", "job titles", "with the title {v}"),),
            nums=(Num("salary", "salary", "earning more than {v}", "earning less than {v}"),),
            dates=(When("hire_date", "hire date", "hired"),),
            gaps=(Gap("bonus", "bonus", "without a bonus", "with a bonus", numeric=True),),
        ),
    ),
    links=(Link("departments", "employees", "dept_id"),),
    specials=(
        Special(
            "null_handling",
            ("What is the total pay (salary plus bonus, counting a missing bonus as 0) of each department?",),
            "SELECT departments.name, SUM(employees.salary + COALESCE(employees.bonus, 0)) FROM departments "
            "LEFT JOIN employees ON departments.dept_id = employees.dept_id GROUP BY departments.dept_id",
            "salary + bonus would be NULL for employees without a bonus, so COALESCE(employees.bonus, 0) "
            "turns a missing bonus into 0. The join on dept_id gives each employee a department (LEFT JOIN "
            "keeps a department without employees, with NULL pay), and SUM per department (GROUP BY "
            "departments.dept_id, shown by departments.name) adds up the pay.",
        ),
        Special(
            "subquery",
            ("Which employees were hired before Elif?",),
            "SELECT name FROM employees WHERE hire_date < (SELECT hire_date FROM employees WHERE name = "
            "'Elif')",
            "The subquery looks up Elif's hire_date; the outer query keeps employees whose hire_date is "
            "earlier ('YYYY-MM-DD' text compares in date order) and returns their names.",
        ),
        Special(
            "subquery",
            ("Which employees earn more than the average salary of their own department?",),
            "SELECT name FROM employees WHERE salary > (SELECT AVG(salary) FROM employees AS peers "
            "WHERE peers.dept_id = employees.dept_id)",
            "The subquery is correlated: for each employee it averages the salary of the employees rows with "
            "the same dept_id (the alias peers tells the inner copy of employees from the outer one). The "
            "outer WHERE salary > keeps employees paid above their department's average and SELECT name lists"
            " them.",
        ),
    ),
)


SCHOOL = Schema(
    "school",
    "School",
    (
        Table(
            "students",
            "student",
            "students",
            "student_id INTEGER PRIMARY KEY, name TEXT, grade INTEGER, house TEXT",
            (
                (1, "Aisha", 10, "Red"),
                (2, "Ben", 11, "Blue"),
                (3, "Carmen", 10, "Green"),
                (4, "Daniel", 12, "Blue"),
                (5, "Eva", 11, "Red"),
            ),
            "name",
            "name",
            text=True,
            cats=(
                Cat("house", "house", "houses", "in the {v} house"),
                Cat("grade", "grade", "grades", "in grade {v}"),
            ),
        ),
        Table(
            "courses",
            "course",
            "courses",
            "course_id INTEGER PRIMARY KEY, title TEXT, subject TEXT, credits INTEGER, teacher TEXT",
            (
                (1, "Algebra", "Math", 4, "Grant"),
                (2, "History", "Humanities", 3, "Lopez"),
                (3, "Biology", "Science", 4, "Adams"),
                (4, "Statistics", "Math", 3, "Grant"),
            ),
            "title",
            "title",
            text=True,
            cats=(
                Cat("subject", "subject", "subjects", "in {v}"),
                Cat("teacher", "teacher", "teachers", "taught by {v}"),
            ),
            nums=(Num("credits", "credits", "worth more than {v} credits", "worth fewer than {v} credits"),),
        ),
        Table(
            "enrollments",
            "enrollment",
            "enrollments",
            "enrollment_id INTEGER PRIMARY KEY, student_id INTEGER, course_id INTEGER, score INTEGER, term TEXT",
            (
                (1, 1, 1, 88, "Fall 2023"),
                (2, 1, 3, 92, "Fall 2023"),
                (3, 2, 2, 75, "Fall 2023"),
                (4, 3, 3, 81, "Spring 2024"),
                (5, 4, 1, 67, "Spring 2024"),
                (6, 4, 4, 94, "Spring 2024"),
            ),
            "enrollment_id",
            "id",
            cats=(Cat("term", "term", "terms", "in {v}"),),
            nums=(Num("score", "score", "with a score above {v}", "with a score below {v}", summable=False),),
        ),
    ),
    links=(Link("students", "enrollments", "student_id"), Link("courses", "enrollments", "course_id")),
    bridges=(Bridge("enrollments", "students", "courses", "took", "were taken by"),),
    specials=(
        Special(
            "join",
            ("Which student has the highest score in Biology?",),
            "SELECT students.name FROM students JOIN enrollments ON students.student_id = enrollments.student_id "
            "JOIN courses ON enrollments.course_id = courses.course_id WHERE courses.title = 'Biology' "
            "ORDER BY enrollments.score DESC LIMIT 1",
            "Scores are in enrollments, course titles in courses and names in students, so the three tables "
            "are joined on student_id and course_id. WHERE courses.title = 'Biology' keeps that course, ORDER "
            "BY enrollments.score DESC puts the best score first and LIMIT 1 keeps its student.",
        ),
        Special(
            "case",
            (
                "Give each enrollment's student name, course title and a letter grade: 'A' for 90 or more, "
                "'B' for 80 or more, otherwise 'C'.",
            ),
            "SELECT students.name, courses.title, CASE WHEN enrollments.score >= 90 THEN 'A' WHEN "
            "enrollments.score >= 80 THEN 'B' ELSE 'C' END FROM students JOIN enrollments ON "
            "students.student_id = enrollments.student_id JOIN courses ON enrollments.course_id = courses.course_id",
            "Joining students to enrollments on student_id and enrollments to courses on course_id puts each "
            "enrollment next to students.name and courses.title. CASE checks enrollments.score >= 90 first "
            "('A'), then >= 80 ('B'), and ELSE gives 'C'.",
        ),
        Special(
            "join",
            ("How many credits is each student taking in total?",),
            "SELECT students.name, SUM(courses.credits) FROM students LEFT JOIN enrollments ON "
            "students.student_id = enrollments.student_id LEFT JOIN courses ON enrollments.course_id = "
            "courses.course_id GROUP BY students.student_id",
            "Credits belong to courses and enrollments say who takes what, so students is joined to "
            "enrollments on student_id and enrollments to courses on course_id, with LEFT JOIN so that a "
            "student without enrollments is listed too (with NULL); GROUP BY students.student_id with "
            "SUM(courses.credits) adds the credits of each student's courses, shown by students.name.",
        ),
    ),
)


PROJECTS = Schema(
    "projects",
    "Project management",
    (
        Table(
            "projects",
            "project",
            "projects",
            "project_id INTEGER PRIMARY KEY, name TEXT, client TEXT, budget INTEGER, deadline TEXT",
            (
                (1, "Apollo", "Acme", 120000, "2024-09-30"),
                (2, "Beacon", "Globex", 80000, "2024-06-30"),
                (3, "Cobalt", "Acme", 45000, "2024-12-15"),
                (4, "Delta", "Initech", 200000, "2025-03-31"),
                (5, "Ember", "Globex", 30000, "2024-08-15"),
            ),
            "name",
            "name",
            text=True,
            cats=(Cat("client", "client", "clients", "for {v}"),),
            nums=(Num("budget", "budget", "with a budget above {v}", "with a budget below {v}"),),
            dates=(When("deadline", "deadline", "due"),),
        ),
        Table(
            "tasks",
            "task",
            "tasks",
            "task_id INTEGER PRIMARY KEY, project_id INTEGER, title TEXT, assignee TEXT, status TEXT, hours INTEGER, completed_on TEXT",
            (
                (1, 1, "API design", "Lee", "Done", 40, "2024-03-12"),
                (2, 1, "Tests", "Mona", "Open", 25, None),
                (3, 2, "Survey", "Lee", "Done", 12, "2024-02-28"),
                (4, 2, "Landing page", "Nico", "Blocked", 18, None),
                (5, 3, "Data model", "Mona", "Done", 30, "2024-04-05"),
                (6, 4, "Load test", "Nico", "Open", 22, None),
                (7, 1, "Deploy", "Lee", "Done", 8, "2024-05-20"),
            ),
            "title",
            "title",
            text=True,
            cats=(
                Cat("status", "status", "statuses", "with status {v}"),
                Cat("assignee", "assignee", "assignees", "assigned to {v}"),
            ),
            nums=(Num("hours", "hours", "taking more than {v} hours", "taking fewer than {v} hours"),),
            gaps=(Gap("completed_on", "completion date", "not completed yet", "already completed"),),
        ),
    ),
    links=(Link("projects", "tasks", "project_id"),),
    specials=(
        Special(
            "date",
            ("How many days before its project's deadline was each finished task completed?",),
            "SELECT tasks.title, julianday(projects.deadline) - julianday(tasks.completed_on) FROM tasks JOIN "
            "projects ON tasks.project_id = projects.project_id WHERE tasks.completed_on IS NOT NULL",
            "The deadline is projects.deadline and the completion date tasks.completed_on, joined on "
            "project_id; WHERE tasks.completed_on IS NOT NULL keeps finished tasks, and the julianday "
            "difference, shown next to tasks.title, counts the days left before the deadline.",
        ),
        Special(
            "case",
            ("How many Done tasks and how many other tasks does each project have?",),
            "SELECT projects.name, SUM(CASE WHEN tasks.status = 'Done' THEN 1 ELSE 0 END), SUM(CASE WHEN "
            "tasks.status <> 'Done' THEN 1 ELSE 0 END) FROM projects LEFT JOIN tasks ON projects.project_id = "
            "tasks.project_id GROUP BY projects.project_id",
            "The join on project_id groups tasks under their project (GROUP BY projects.project_id, shown by "
            "projects.name); LEFT JOIN keeps a project without tasks, whose NULL status makes both CASEs 0. "
            "Each CASE turns a task into 1 or 0 depending on whether status = 'Done', and SUM counts the ones: "
            "first the Done tasks, then the others.",
        ),
        Special(
            "order_limit",
            ("Who has logged the most hours across all tasks?",),
            "SELECT assignee FROM tasks GROUP BY assignee ORDER BY SUM(hours) DESC LIMIT 1",
            "GROUP BY assignee totals each person's hours in the tasks table with SUM(hours); ORDER BY that "
            "total DESC puts the largest first and LIMIT 1 keeps that assignee.",
        ),
    ),
)

SCHEMAS = (HR, SCHOOL, PROJECTS)
